import BosunModel
import Foundation
import Synchronization
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// Isolation between networks never lapses, not for a moment, while other bosun state directories (another
/// `bosun run`, a test, a second installation) create and remove networks and containers on the same host:
/// each state directory's rules live in a table of its own, changed in one transaction. A client probes a
/// server on another network every 10 ms throughout, and must never connect; a peer on its own network must.
@Suite(.serialized, .enabled(if: RootGate.enabled)) struct IsolationUnderChurnTests {
    /// A TCP connection to `address:port` from the current thread's namespace, given `milliseconds` to succeed.
    static func connects(_ address: String, _ port: UInt16, milliseconds: Int32 = 5) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = (IPAddressText.ipv4Value(address) ?? 0).bigEndian
        let started = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if started == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var ready = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
        guard poll(&ready, 1, milliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0
    }

    @Test func isolationHoldsWhileTwoOtherStateDirectoriesChangeNetworks() throws {
        let f = try HostFixture("i")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let front = try m.ensureNetwork(network("\(f.tag)-front", subnet: "10.231.20.0/24"))
        let back = try m.ensureNetwork(network("\(f.tag)-back", subnet: "10.231.21.0/24"))
        let server = try f.namespace("srv"), client = try f.namespace("cli"), peer = try f.namespace("peer")
        let served = try m.attach(containerID: "srv", netnsPath: server, attachments: [NetworkAttachment(network: front.name)])
        try m.attach(containerID: "cli", netnsPath: client, attachments: [NetworkAttachment(network: back.name)])
        let peered = try m.attach(containerID: "peer", netnsPath: peer, attachments: [NetworkAttachment(network: back.name)])
        try f.httpServer(server, body: "secret")
        try f.httpServer(peer, body: "peer")
        let serverAddress = served[0].address.description, peerAddress = peered[0].address.description

        // Two other state directories change networks and containers in a loop meanwhile.
        let others = try ["x", "y"].map { name in try NetworkManager(stateDirectory: f.stateDirectory + "-\(name)") }
        #expect(Set(others.map(\.tableName) + [m.tableName]).count == 3, "each state directory has a table of its own")
        let churnNamespaces = try ["x", "y"].map { try f.namespace("churn\($0)") }
        let stop = Atomic<Bool>(false)
        let churned = Atomic<Int>(0)
        let churnFailures = Mutex<[String]>([])
        let churners = zip(others, churnNamespaces).enumerated().map { index, pair in
            let (other, ns) = pair
            let thread = Thread {
                var round = 0
                while !stop.load(ordering: .relaxed) {
                    do {
                        let net = try other.ensureNetwork(network("\(f.tag)-c\(index)-\(round % 3)", subnet: "10.231.\(30 + index * 4 + round % 3).0/24"))
                        try other.attach(containerID: "churn", netnsPath: ns, attachments: [NetworkAttachment(network: net.name)],
                                         ports: try PortMapping.parseShort("\(18400 + index):80"))
                        try other.detach(containerID: "churn")
                        try other.removeNetwork(named: net.name)
                        churned.add(1, ordering: .relaxed)
                    } catch {
                        churnFailures.withLock { $0.append("\(error)") }
                    }
                    round += 1
                }
            }
            thread.start()
            return thread
        }
        // Probe every 10 ms for 3 seconds from the client's namespace.
        let (breaches, reachedPeer, probes) = try NamespaceThread.run(in: client) { () throws(NetworkError) -> (Int, Int, Int) in
            var breaches = 0, reachedPeer = 0, probes = 0
            let deadline = Date().addingTimeInterval(3)
            while Date() < deadline {
                if Self.connects(serverAddress, 80) { breaches += 1 }
                if Self.connects(peerAddress, 80, milliseconds: 200) { reachedPeer += 1 }
                probes += 1
                usleep(10_000)
            }
            return (breaches, reachedPeer, probes)
        }
        stop.store(true, ordering: .relaxed)
        while churners.contains(where: { $0.isExecuting }) { usleep(10_000) }
        #expect(breaches == 0, "the client reached a server on another network \(breaches) times in \(probes) probes")
        #expect(reachedPeer == probes, "the peer on the client's own network answered \(reachedPeer) of \(probes) probes")
        #expect(churned.load(ordering: .relaxed) > 10, "the other state directories changed networks \(churned.load(ordering: .relaxed)) times")
        #expect(churnFailures.withLock { $0 }.isEmpty, "\(churnFailures.withLock { $0.prefix(3) })")
        // Their tables are gone with their last network; this one's is untouched.
        for other in others {
            #expect(other.networks.isEmpty)
            #expect(sh("nft list table \(other.tableName)").status != 0)
            try? FileManager.default.removeItem(atPath: other.stateDirectory)
        }
        #expect(sh("nft list table \(m.tableName)").status == 0)
    }
}
