import BosunModel
import Foundation
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// A start-first update's network side: the new container is attached standby beside the old one, and
/// `takeOver` moves the published ports and names to it in one transaction.
@Suite(.serialized, .enabled(if: RootGate.enabled)) struct TakeOverTests {
    @Test("standby: its own address, no published port, no name for peers; the take-over moves both, ephemeral host port kept")
    func standbyThenTakeOver() throws {
        let f = try HostFixture("t")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-to"))
        let old = try f.namespace("old"), new = try f.namespace("new"), peer = try f.namespace("peer")
        let ports = try PortMapping.parseShort("18480:80") + PortMapping.parseShort("127.0.0.1::80")
        let peerHosts = f.stateDirectory + "/peer-hosts"
        _ = FileManager.default.createFile(atPath: peerHosts, contents: nil)
        try m.attach(containerID: "peer", netnsPath: peer, attachments: [NetworkAttachment(network: net.name)], names: ["peer"], hostsFile: peerHosts)
        let oldInterfaces = try m.attach(containerID: "web", netnsPath: old, attachments: [NetworkAttachment(network: net.name)],
                                         ports: ports, names: ["web", "app-web-1"])
        let ephemeral = try #require(m.publishedPorts(containerID: "web").last?.hostPort)
        try f.httpServer(old, body: "old")
        let newInterfaces = try m.attach(containerID: "web.1a2b3c4d", netnsPath: new, attachments: [NetworkAttachment(network: net.name)],
                                         ports: ports, names: ["web", "app-web-1"], standby: true)
        try f.httpServer(new, body: "new")
        #expect(newInterfaces[0].address != oldInterfaces[0].address)
        #expect(!m.isServing(containerID: "web.1a2b3c4d") && m.isServing(containerID: "web"))
        #expect(m.publishedPorts(containerID: "web.1a2b3c4d").isEmpty)
        #expect(f.fetch(nil, "http://127.0.0.1:18480/") == "old")
        #expect(f.fetch(peer, "http://\(newInterfaces[0].address)/") == "new", "the gate's probes reach it at its own address")
        let before = try String(contentsOfFile: peerHosts, encoding: .utf8)
        #expect(before.contains("\(oldInterfaces[0].address)\tweb") && !before.contains("\(newInterfaces[0].address)"))

        #expect(try m.takeOver(containerID: "web.1a2b3c4d", from: "web"))
        #expect(m.isServing(containerID: "web.1a2b3c4d") && !m.isServing(containerID: "web"))
        #expect(f.fetch(nil, "http://127.0.0.1:18480/") == "new")
        #expect(f.fetch(nil, "http://127.0.0.1:\(ephemeral)/") == "new", "the ephemeral host port moves with the traffic")
        #expect(m.publishedPorts(containerID: "web.1a2b3c4d").last?.hostPort == ephemeral)
        let after = try String(contentsOfFile: peerHosts, encoding: .utf8)
        #expect(after.contains("\(newInterfaces[0].address)\tweb") && !after.contains("\(oldInterfaces[0].address)"))
        #expect(try !m.takeOver(containerID: "web.1a2b3c4d", from: "web"), "a second take-over changes nothing")

        // The old container, standby, is detached; a restart of the new one keeps it serving.
        try m.detach(containerID: "web")
        try m.reattach(containerID: "web.1a2b3c4d", netnsPath: new)
        #expect(f.fetch(nil, "http://127.0.0.1:18480/") == "new")
        #expect(f.fetch(nil, "http://127.0.0.1:\(ephemeral)/") == "new")
    }
}

/// Listening ports and client connections from the kernel's socket tables.
@Suite struct ContainerSocketsTests {
    @Test("established connections to a listening port count; the container's own outgoing ones and other states do not")
    func counts() {
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
        let tcp = [
            header,
            "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
            "   1: 0200000A:0050 0100000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
            "   2: 0200000A:0050 0100000A:C351 06 00000000:00000000 03:00000DE6 00000000     0        0 0 3 0",
            "   3: 0200000A:D431 0300000A:1538 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
        ].joined(separator: "\n")
        let tcp6 = [
            header,
            "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4 1 0 100 0 0 10 0",
            "   1: 0000000000000000FFFF00000200000A:1F90 0000000000000000FFFF00000100000A:C352 01 00000000:00000000 00:00000000 00000000 0 0 5 1 0 20 4 30 10 -1",
        ].joined(separator: "\n")
        #expect(ContainerSockets.inboundConnections(tables: [tcp]) == 1)
        #expect(ContainerSockets.inboundConnections(tables: [tcp, tcp6]) == 2)
        #expect(ContainerSockets.inboundConnections(tables: [header]) == 0)
        #expect(ContainerSockets.listeningPorts(tables: [tcp, tcp6]) == [80, 8080])
    }
}
