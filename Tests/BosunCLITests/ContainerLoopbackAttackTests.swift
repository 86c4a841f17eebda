import Foundation
import Testing
import BosunTestSupport

/// CVE-2020-8558's attack from a real container: hand-made Ethernet frames (what the default NET_RAW allows)
/// carrying a TCP SYN to 127.0.0.1 through the gateway's MAC, sent from the container's network namespace on
/// bosun's default bridge. A host server bound to 127.0.0.1 only must not answer (it did before the bridges'
/// input rules: the SYN-ACK came back).
@Suite("a container's raw packets to the host's loopback", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ContainerLoopbackAttackTests {
    /// Sends a SYN from eth0 to 127.0.0.1:PORT via the gateway MAC; prints SYNACK or NOTHING. Every wait is bounded.
    static let client = #"""
    import random, socket, struct, sys, time
    port, gateway_mac, source = int(sys.argv[1]), bytes.fromhex(sys.argv[2].replace(":", "")), socket.inet_aton(sys.argv[3])
    target = socket.inet_aton("127.0.0.1")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind(("eth0", 0))
    own_mac = s.getsockname()[4]
    def checksum(b):
        if len(b) % 2: b += b"\0"
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
        return ~t & 0xffff
    sport = random.randint(20000, 60000)
    tcp = struct.pack("!HHIIBBHHH", sport, port, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", checksum(source + target + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.randint(0, 65535), 0, 64, 6, 0, source, target)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    frame = gateway_mac + own_mac + b"\x08\x00" + ip + tcp
    s.settimeout(0.2)
    answered = False
    deadline = time.time() + 3
    for _ in range(3): s.send(frame)
    while time.time() < deadline and not answered:
        try: data = s.recv(2048)
        except socket.timeout: continue
        if len(data) < 54 or data[23] != 6 or data[26:30] != target: continue
        segment = data[14 + (data[14] & 15) * 4:]
        sp, dp = struct.unpack("!HH", segment[:4])
        answered = sp == port and dp == sport and segment[13] & 0x12 == 0x12
    print("SYNACK" if answered else "NOTHING")
    """#

    @Test("a SYN to the host's 127.0.0.1 from a container gets no answer")
    func rawSynToLoopback() throws {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let dir = try BosunBinary.temporaryDirectory()
        let state = dir + "/state"
        let port = 18700 + Int(getpid() % 200)
        let server = Process()
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
            _ = try? BosunBinary.run(["rm", "-f", "--state-dir", state, "attacker"])
            _ = try? BosunBinary.run(["network", "rm", "bridge", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
        try "host-only\n".write(toFile: dir + "/www/index.html", atomically: true, encoding: .utf8)
        try Self.client.write(toFile: dir + "/syn.py", atomically: true, encoding: .utf8)
        server.executableURL = URL(fileURLWithPath: "/bin/busybox")
        server.arguments = ["httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", dir + "/www"]
        try server.run()
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let started = try BosunBinary.run(["run", "-d", "--name", "attacker", "--state-dir", state, "localhost:5000/bosun/busybox:1.35", "sleep", "1000"])
        try #require(started.status == 0, "\(started.stderr)")
        let listed = try BosunBinary.run(["ps", "--format", "json", "--state-dir", state]).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listed.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])
        let pid = try #require(object["pid"] as? Int)
        let netns = "/proc/\(pid)/ns/net"
        // The container's address and gateway (from inside), and the gateway's MAC: its bridge's, on the host.
        let facts = try BosunBinary.run(program: "/usr/bin/nsenter", ["--net=\(netns)", "/bin/sh", "-c",
            "echo $(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1) $(ip route show default | awk '{print $3}')"])
        let addresses = facts.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(addresses.count == 2, "container facts: \(facts.stdout) \(facts.stderr)")
        let bridge = try BosunBinary.run(program: "/bin/sh", ["-c", "ip -o -4 addr show | awk '$4 ~ /^\(addresses[1])\\// {print $2}'"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let gatewayMAC = (try? String(contentsOfFile: "/sys/class/net/\(bridge)/address", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        try #require(gatewayMAC.count == 17, "the gateway's bridge \(bridge): \(gatewayMAC)")
        let words = [addresses[0], gatewayMAC]
        // Ordinary traffic first (the container pings its gateway), so the host knows the container's MAC, as it
        // does on any host where the container ever spoke: the SYN-ACK needs no ARP (whose request, sent from
        // 127.0.0.1, a container's kernel would not answer).
        let ping = try BosunBinary.run(["exec", "--state-dir", state, "attacker", "--", "/bin/busybox", "ping", "-c", "1", "-W", "2", addresses[1]])
        #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)")
        #expect(try BosunBinary.run(program: "/usr/bin/curl", ["-fsS", "--max-time", "2", "http://127.0.0.1:\(port)/"]).stdout == "host-only\n",
                "the host's own server answers the host")
        let attack = try BosunBinary.run(program: "/usr/bin/timeout", ["10", "/usr/bin/nsenter", "--net=\(netns)", "python3", dir + "/syn.py",
                                                                         String(port), words[1], words[0]])
        #expect(attack.stdout == "NOTHING\n", "the host answered a container's SYN to 127.0.0.1: \(attack.stdout) \(attack.stderr)")
    }
}
