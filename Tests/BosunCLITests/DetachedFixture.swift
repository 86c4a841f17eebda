import Foundation
import Testing

/// A state directory with the busybox image imported, for detached containers; `cleanUp` force-removes every
/// container it started (call it in a `defer`, so a failing test leaves nothing running).
final class DetachedFixture {
    let directory: String
    var state: String { directory + "/state" }
    let image = "localhost:5000/bosun/busybox:1.35"
    private(set) var names: [String] = []

    init() throws {
        try #require(getuid() == 0, "detached containers need root (CI runs as root)")
        let monitor = (BosunBinary.path as NSString).deletingLastPathComponent + "/bosun-monitor"
        try #require(FileManager.default.isExecutableFile(atPath: monitor), "bosun-monitor is not built next to bosun (swift build builds it)")
        directory = "/var/tmp/bosun-detached-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: directory)
        let imported = try BosunBinary.run(["image", "import", directory + "/oci", "--state-dir", state])
        try #require(imported.status == 0, "\(imported.stderr)")
    }

    /// A name unique across parallel tests (cgroups are per host).
    func name(_ base: String) -> String {
        let name = "t-\(base)-\(UUID().uuidString.prefix(6).lowercased())"
        names.append(name)
        return name
    }

    func bosun(_ arguments: [String]) throws -> BosunBinary.Outcome {
        try BosunBinary.run(arguments + ["--state-dir", state])
    }

    /// `bosun run -d … IMAGE /bin/busybox sh -c SCRIPT`; fails the test unless it printed the name.
    @discardableResult
    func start(_ name: String, _ options: [String] = [], script: String) throws -> BosunBinary.Outcome {
        // No network unless the test names one (the default bridge is tested on its own).
        let network = options.contains("--network") ? [] : ["--network", "none"]
        let outcome = try BosunBinary.run(["run"] + network + ["-d", "--state-dir", state, "--name", name] + options + [image, "/bin/busybox", "sh", "-c", script])
        try #require(outcome.status == 0, "run -d: \(outcome.stderr)")
        #expect(outcome.stdout == name + "\n")
        return outcome
    }

    /// The container as `ps -a --format json` shows it.
    func inspect(_ name: String) throws -> [String: Any]? {
        let listed = try bosun(["ps", "-a", "--format", "json"])
        for line in listed.stdout.split(separator: "\n") {
            if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["name"] as? String == name {
                return object
            }
        }
        return nil
    }

    /// Waits (up to a minute) until the container is no longer running; returns its ps object.
    func waitForExit(_ name: String) throws -> [String: Any] {
        for _ in 0..<600 {
            if let object = try inspect(name), object["state"] as? String != "running" { return object }
            usleep(100_000)
        }
        Issue.record("container \(name) still running after a minute")
        return [:]
    }

    /// The container's cgroup path relative to each hierarchy, from the runtime's state.
    func cgroupPath(_ name: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: state + "/runtime/\(name)/state.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["cgroupPath"] as? String)
    }

    func cleanUp() {
        for name in names { _ = try? bosun(["rm", "-f", name]) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
