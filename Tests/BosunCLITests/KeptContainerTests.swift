import Foundation
import Testing

/// A recreate keeps the old container aside until the gates passed. With `failure_action: pause` nothing is
/// rolled back: the failed new container stays, the old one stays kept — `ps` and `status` say so, `logs`
/// and `exec` act on the current one — and the next convergence of that desired state removes the kept one.
@Suite("kept containers (root)", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct KeptContainerTests {
    @Test("pause: the kept container is listed and marked, the current one answers by name, the next apply removes the kept one")
    func pausedKeepsTheOldContainer() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let fixture = try OneServiceProject("kept")
        defer { fixture.cleanUp() }
        let state = fixture.state, manifests = fixture.manifests, name = "\(fixture.project)-svc-1"
        func write(_ command: String) throws {
            try """
            name: \(fixture.project)
            x-bosun: {update_config: {monitor: 2s, failure_action: pause}}
            services:
              svc:
                image: localhost:5000/bosun/busybox:1.35
                command: ["sh", "-c", "\(command)"]
                network_mode: none
                stop_grace_period: 1s
            """.write(toFile: manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        }
        try write("echo first; exec sleep 1000")
        let first = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        try #require(first.status == 0, "\(first.stdout)\n\(first.stderr)")

        try write("echo second; sleep 1; exit 1")
        let bad = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(bad.status == 1, "\(bad.stdout)\n\(bad.stderr)")
        #expect(bad.stdout.contains("skipped remove kept:\(name)"), "\(bad.stdout)")
        let ps = try BosunBinary.run(["ps", "-a", "--state-dir", state]).stdout
        #expect(ps.contains("\(name) (kept)"), "\(ps)")
        let listed = try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state]).stdout.split(separator: "\n")
        #expect(listed.count == 2 && listed.contains { $0.contains("\"kept\":true") && $0.contains("\"id\":\"\(name)\"") }, "\(listed)")
        #expect(try BosunBinary.run(["logs", name, "--state-dir", state]).stdout == "second\n", "the current container's log")
        let status = try BosunBinary.run(["status", "--state-dir", state, "--no-probe", "--json"]).stdout
        #expect(status.contains("\"state\":\"kept\""), "\(status)")

        // The same desired state again: nothing recreated (paused), the kept container removed.
        let again = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(again.stdout.contains("ok      remove kept:\(name)"), "\(again.stdout)\n\(again.stderr)")
        #expect(!(try BosunBinary.run(["ps", "-a", "--state-dir", state]).stdout.contains("(kept)")))
        let inventory = try String(contentsOfFile: state + "/inventory.json", encoding: .utf8)
        // The current container's id is `<name>.<hex>` now: format 2, which an older bosun (keying by name) refuses.
        #expect(inventory.contains("\"version\" : 2") || inventory.contains("\"version\":2"), "\(inventory)")
        #expect(inventory.contains("\"\(name).") , "\(inventory)")
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }
}
