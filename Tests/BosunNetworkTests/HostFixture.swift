import BosunModel
import Foundation
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// Runs a shell command (tests may use `ip`, `nft`, busybox) and returns its status and output.
@discardableResult
func sh(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Network namespaces, servers, state directories and networks one test makes, all removed by `cleanUp`.
final class HostFixture: @unchecked Sendable {
    let tag: String
    let stateDirectory: String
    private var namespaces: [String] = []
    private var servers: [Process] = []
    private var extraLinks: [String] = []
    private let savedForward: String
    private let lock: HostNetworkLock

    init(_ name: String) throws {
        try #require(RootGate.isRoot, "this test needs root (it creates bridges and network namespaces)")
        lock = HostNetworkLock()
        tag = "bt\(getpid() % 10000)\(name)"
        stateDirectory = NSTemporaryDirectory() + "bosun-net-\(tag)-\(UUID().uuidString.prefix(8))"
        savedForward = sh("cat /proc/sys/net/ipv4/ip_forward").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new network namespace (`ip netns add`), returned as its path.
    func namespace(_ name: String) throws -> String {
        let full = "\(tag)\(name)"
        let result = sh("ip netns add \(full)")
        try #require(result.status == 0, "ip netns add \(full): \(result.output)")
        namespaces.append(full)
        return "/run/netns/\(full)"
    }

    func nsName(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// Runs a busybox command inside a namespace, with `hosts` bind-mounted at /etc/hosts when given.
    func exec(_ netns: String, _ command: String, hosts: String? = nil) -> (status: Int32, output: String) {
        if let hosts {
            return sh("unshare -m sh -c 'mount --bind \(hosts) /etc/hosts && nsenter --net=\(netns) \(command)' 2>&1")
        }
        return sh("nsenter --net=\(netns) \(command) 2>&1")
    }

    /// Starts busybox httpd in a namespace (the host's when nil) serving one file whose content is `body`, on
    /// `port` of every address, or of `address` only.
    func httpServer(_ netns: String?, address: String? = nil, port: Int = 80, body: String) throws {
        let root = stateDirectory + "/www-\(netns.map(nsName) ?? "host")-\(port)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try body.write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        let process = Process()
        let listen = address.map { "\($0):\(port)" } ?? "\(port)"
        let httpd = ["/bin/busybox", "httpd", "-f", "-p", listen, "-h", root]
        process.executableURL = URL(fileURLWithPath: netns == nil ? "/bin/busybox" : "/usr/bin/nsenter")
        process.arguments = netns.map { ["--net=\($0)"] + httpd } ?? Array(httpd.dropFirst())
        try process.run()
        servers.append(process)
        usleep(100_000)
    }

    /// A namespace playing "outside": reachable from the host through a veth with 172.31.254.0/24.
    func outside() throws -> String {
        let path = try namespace("out")
        let link = "\(tag)o"
        extraLinks.append(link)
        let result = sh("""
            ip link add \(link) type veth peer name eth0 netns \(nsName(path)) && ip addr add 172.31.254.1/24 dev \(link) && \
            ip link set \(link) up && ip -n \(nsName(path)) addr add 172.31.254.2/24 dev eth0 && \
            ip -n \(nsName(path)) link set eth0 up && ip -n \(nsName(path)) link set lo up
            """)
        try #require(result.status == 0, "outside: \(result.output)")
        return path
    }

    func fetch(_ netns: String?, _ url: String, hosts: String? = nil) -> String? {
        let command = "timeout 3 /bin/busybox wget -q -O- \(url)"
        let result = netns.map { exec($0, command, hosts: hosts) } ?? sh(command + " 2>&1")
        return result.status == 0 ? result.output : nil
    }

    func cleanUp(_ manager: NetworkManager?) {
        for server in servers where server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        if let manager {
            for id in manager.attachedContainers { try? manager.detach(containerID: id) }
            for network in manager.networks { try? manager.removeNetwork(named: network.name) }
        }
        for link in extraLinks { sh("ip link del \(link) 2>/dev/null") }
        for ns in namespaces { sh("ip netns del \(ns)") }
        // Only this state directory's table (never the host's own bosun's `ip bosun`).
        if let manager { sh("nft delete table \(manager.tableName) 2>/dev/null") }
        sh("echo \(savedForward) > /proc/sys/net/ipv4/ip_forward")
        try? FileManager.default.removeItem(atPath: stateDirectory)
        lock.release()
    }
}

func network(_ name: String, internal isInternal: Bool = false, subnet: String? = nil) -> Network {
    var n = Network(key: name, name: name)
    n.isInternal = isInternal
    n.subnet = subnet
    return n
}
