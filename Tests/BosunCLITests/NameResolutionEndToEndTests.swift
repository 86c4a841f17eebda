import Foundation
import Testing
import BosunTestSupport

/// Services on one network resolve each other by service name, container name and alias, whatever order the
/// executor created them in (concurrently, no depends_on), after one is recreated with a new address and after
/// one is removed — and never resolve a service they share no network with. As root, real containers.
@Suite("name resolution end to end", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct NameResolutionEndToEndTests {
    static func compose(project: String, bMode: String, withC: Bool = true) -> String {
        func service(_ name: String, network: String, extra: String = "") -> String {
            """
              \(name):
                image: localhost:5000/bosun/busybox:1.35
                command: ["sh", "-c", "mkdir -p /tmp/www && echo \(name) > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
                networks: {\(network): {aliases: [alias-\(name)]}}
                stop_grace_period: 1s
            \(extra)
            """
        }
        return "name: \(project)\nservices:\n" + service("a", network: "front") + service("b", network: "front", extra: "    environment: {MODE: \(bMode)}\n")
            + (withC ? service("c", network: "front") : "") + service("d", network: "back") + "networks: {front: {}, back: {}}\n"
    }

    /// The page `host` serves, fetched from inside `container`; a few tries, as a just-started server may not
    /// listen yet (names are checked at once, in the hosts file).
    func fetch(_ state: String, from container: String, _ host: String, tries: Int = 10) throws -> String? {
        for attempt in 1...tries {
            let result = try BosunBinary.run(["exec", "--state-dir", state, container, "--", "/bin/busybox", "timeout", "3", "/bin/busybox", "wget", "-q", "-O", "-", "http://\(host):8080/"])
            if result.status == 0 { return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            if attempt < tries { usleep(300_000) }
        }
        return nil
    }

    @Test("every container resolves every peer on its networks, after creation, recreation and removal")
    func peersResolve() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let dir = "/var/tmp/bosun-names-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "nr" + UUID().uuidString.prefix(6).lowercased()
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: repo + "/" + project, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try TestGit.run(["init", "-q", "-b", "main"], in: repo)
        func commit(_ text: String) throws {
            try text.write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
            try TestGit.run(["add", "-A"], in: repo)
            try TestGit.run(["commit", "-q", "-m", "next"], in: repo)
            let applied = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
            #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        }
        func container(_ name: String) -> String { "\(project)-\(name)-1" }
        func checkFront(_ members: [String]) throws {
            // As soon as the convergence returned, every hosts file lists every peer's names.
            for name in members {
                let hosts = try BosunBinary.run(["exec", "--state-dir", state, container(name), "--", "cat", "/etc/hosts"]).stdout
                for peer in members where peer != name {
                    #expect(hosts.contains("alias-\(peer)") && hosts.contains(container(peer)), "\(name)'s hosts lack \(peer): \(hosts)")
                }
            }
            for name in members {
                for peer in members where peer != name {
                    for host in [peer, container(peer), "alias-\(peer)"] {
                        let got = try fetch(state, from: container(name), host)
                        #expect(got == peer, "\(name) → \(host): \(got ?? "nothing")")
                    }
                }
                #expect(try fetch(state, from: container(name), "d", tries: 1) == nil, "\(name) must not resolve d (another network)")
            }
            #expect(try fetch(state, from: container("d"), "a", tries: 1) == nil, "d must not resolve a")
        }
        try commit(Self.compose(project: project, bMode: "one"))
        try checkFront(["a", "b", "c"])
        // b recreated (new container, its address may change): the others reach the new one.
        try commit(Self.compose(project: project, bMode: "two"))
        try checkFront(["a", "b", "c"])
        // c removed: its names are gone from the others.
        try commit(Self.compose(project: project, bMode: "two", withC: false))
        try checkFront(["a", "b"])
        let hosts = try BosunBinary.run(["exec", "--state-dir", state, container("a"), "--", "cat", "/etc/hosts"]).stdout
        #expect(!hosts.contains("alias-c") && !hosts.contains(container("c")), "\(hosts)")
    }
}
