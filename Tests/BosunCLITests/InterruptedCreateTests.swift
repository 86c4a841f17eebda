import Foundation
import Testing

/// A convergence killed while it created a container (the agent SIGKILLed) leaves the container's directory
/// half made: no service record, nothing the runtime knows. The next convergence must replace it rather than
/// fail on "a container with this name already exists" forever (found by `make chaos`).
@Suite("interrupted create", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct InterruptedCreateTests {
    @Test("a half-created container directory is replaced by the next apply")
    func halfCreatedDirectoryIsReplaced() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let dir = "/var/tmp/bosun-halfcreate-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", manifests = dir + "/manifests"
        let project = "hc" + UUID().uuidString.prefix(6).lowercased()
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try """
        name: \(project)
        services:
          svc:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            network_mode: none
            stop_grace_period: 1s
        """.write(toFile: manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        // What a create killed in ContainerDirectory.prepare leaves: the directories and a temporary file.
        let container = state + "/containers/\(project)-svc-1"
        for sub in ["bundle/rootfs", "upper", "work"] {
            try FileManager.default.createDirectory(atPath: container + "/" + sub, withIntermediateDirectories: true)
        }
        try "127.0.0.1\tlocalhost\n".write(toFile: container + "/.dat.nosync0001.abcdef", atomically: false, encoding: .utf8)

        let applied = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        let status = try BosunBinary.run(["ps", "--format", "json", "--state-dir", state])
        #expect(status.stdout.contains("\"name\":\"\(project)-svc-1\"") && status.stdout.contains("\"running\""), "\(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: container + "/.dat.nosync0001.abcdef"))
    }
}
