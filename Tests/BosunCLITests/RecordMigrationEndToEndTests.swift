import Foundation
import Testing

/// A state directory an older bosun wrote (container records in format 1: `container.json`, `service.json`,
/// `address`, `ports`, `stopped-by-user`, `creator`) keeps working under this bosun: `ps` reads it as it is, the
/// next convergence migrates every record to format 2 — and nothing restarts. The files of format 1 are written
/// here from the running containers' records the way `Fixtures/state-v1` (BosunContainersTests) shows bosun wrote them.
@Suite("migration of container records", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RecordMigrationEndToEndTests {
    @Test("an upgrade migrates running service and run containers without restarting them")
    func upgradeRestartsNothing() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let fixture = try OneServiceProject("migrate")
        defer { fixture.cleanUp() }
        let state = fixture.state
        try """
        name: \(fixture.project)
        services:
          svc:
            image: localhost:5000/bosun/busybox:1.35
            command: ["httpd", "-f", "-p", "80"]
            ports: ["80"]
            stop_grace_period: 1s
        """.write(toFile: fixture.manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        let applied = try BosunBinary.run(["apply", "--path", fixture.manifests, "--state-dir", state])
        try #require(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        let running = "\(fixture.project)-run", stopped = "\(fixture.project)-stopped"
        defer { _ = try? BosunBinary.run(["rm", "-f", running, stopped, "--state-dir", state]) }
        for name in [running, stopped] {
            let run = try BosunBinary.run(["run", "-d", "--network", "none", "--init", "--name", name, "--state-dir", state,
                                           "localhost:5000/bosun/busybox:1.35", "sleep", "1000"])
            try #require(run.status == 0, "\(run.stderr)")
        }
        try #require(try BosunBinary.run(["stop", "-t", "1", stopped, "--state-dir", state]).status == 0)
        let service = "\(fixture.project)-svc-1"
        let pids = try [service, running].map { try Self.pid(of: $0, state: state) }
        try #require(!pids.contains(nil), "both run")
        let psBefore = try Self.listed(state)
        #expect(psBefore.count == 3 && psBefore.contains { $0.contains(service) && $0.contains("->80") }, "\(psBefore)")

        for name in [service, running, stopped] { try Self.downgrade(state + "/containers/" + name) }
        #expect(FileManager.default.fileExists(atPath: state + "/containers/\(service)/service.json"))
        let psOld = try Self.listed(state)
        #expect(psOld == psBefore, "format 1 is read as it is: \(psOld) \(psBefore)")

        let again = try BosunBinary.run(["apply", "--path", fixture.manifests, "--state-dir", state])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(try [service, running].map { try Self.pid(of: $0, state: state) } == pids, "nothing restarted")
        for name in [service, running, stopped] {
            let directory = state + "/containers/" + name
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/container.json"))) as? [String: Any])
            #expect(record["version"] as? Int == 2, "\(name) migrated")
            for old in ["service.json", "address", "ports", "stopped-by-user", "creator"] {
                #expect(!FileManager.default.fileExists(atPath: directory + "/" + old), "\(name)/\(old) removed")
            }
        }
        let psAfter = try Self.listed(state)
        #expect(psAfter == psBefore, "the migrated records say the same: \(psAfter) \(psBefore)")
        // The migrated records work: the stop mark is kept, the service's address and port answer.
        let status = try BosunBinary.run(["status", "--state-dir", state])
        #expect(status.stdout.contains(service), "\(status.stdout)")
        #expect(try String(contentsOfFile: state + "/containers/\(stopped)/container.json", encoding: .utf8).contains("stoppedByUser"))
        #expect(try BosunBinary.run(["rm", "-f", running, stopped, "--state-dir", state]).status == 0)
    }

    /// The init's pid as the runtime recorded it.
    static func pid(of name: String, state: String) throws -> Int? {
        let data = try Data(contentsOf: URL(fileURLWithPath: state + "/runtime/\(name)/state.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["pid"] as? Int
    }

    /// `ps -a --format json`, one line per container: what does not move with the clock or the cgroup (name,
    /// image, command, created, ports, labels, state, pid, exit code).
    static func listed(_ state: String) throws -> [String] {
        let ps = try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state])
        #expect(ps.status == 0, "\(ps.stderr)")
        return try ps.stdout.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let kept = ["name", "image", "command", "created", "ports", "labels", "state", "pid", "exit_code"]
            return String(decoding: try JSONSerialization.data(withJSONObject: object.filter { kept.contains($0.key) }, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }

    /// Rewrites a container's format 2 record as bosun wrote it in format 1: `container.json` without the
    /// fields that lived in their own files (and without version and phase), `service.json`, `address`, `ports`,
    /// `stopped-by-user` (seconds since the epoch) and `creator`.
    static func downgrade(_ directory: String) throws {
        let path = directory + "/container.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(record["version"] as? Int == 2)
        func write(_ name: String, _ text: String) throws { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        if let origin = record["service"] as? [String: Any] {
            var service = origin
            service["name"] = record["name"]
            service["image"] = record["image"]
            service["command"] = record["command"]
            try JSONSerialization.data(withJSONObject: service, options: [.sortedKeys]).write(to: URL(fileURLWithPath: directory + "/service.json"))
        }
        if let address = record["address"] as? String { try write("address", address) }
        if let ports = record["publishedPorts"] as? [String] { try write("ports", ports.map { $0 + "\n" }.joined()) }
        if let stop = record["stoppedByUser"] as? String, let date = ISO8601DateFormatter().date(from: stop) {
            try write("stopped-by-user", "\(Int64(date.timeIntervalSince1970))\n")
        }
        if let creator = record["creator"] as? String { try write("creator", creator + "\n") }
        for key in ["version", "phase", "service", "address", "publishedPorts", "stoppedByUser", "creator"] { record[key] = nil }
        try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: path))
    }
}
