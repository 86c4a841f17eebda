import BosunModel
import Foundation
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// The attacks of the security issue against bosun's bridges, performed for real on this machine's kernel:
/// a container sending packets to the host's 127.0.0.1, and a neighbour routing a bridge's subnet through the
/// host. Traffic only to this machine and to namespaces the tests make.
@Suite(.serialized, .enabled(if: RootGate.enabled)) struct HostExposureTests {
    /// A container on a bosun network reaches no host service bound to 127.0.0.1 only. The bridges have
    /// route_localnet (published 127.0.0.1 ports need it), so without a rule a packet to 127.0.0.1 sent to the
    /// gateway is delivered (CVE-2020-8558's class). The attacker here drops its loopback address and routes
    /// 127.0.0.1 via its gateway (what a container does with raw packets and NET_RAW), so plain requests go
    /// out of its eth0 to the bridge.
    @Test func aContainerReachesNoHostLoopbackService() throws {
        let f = try HostFixture("l")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-lo"))
        let attacker = try f.namespace("atk"), web = try f.namespace("web")
        try m.attach(containerID: "atk", netnsPath: attacker, attachments: [NetworkAttachment(network: net.name)])
        try m.attach(containerID: "web", netnsPath: web, attachments: [NetworkAttachment(network: net.name)],
                     ports: try PortMapping.parseShort("127.0.0.1:18380:80"))
        try f.httpServer(web, body: "published")
        let port = 18600 + Int(getpid() % 300)
        try f.httpServer(nil, address: "127.0.0.1", port: port, body: "host-only")
        #expect(f.fetch(nil, "http://127.0.0.1:\(port)/") == "host-only", "the host's own server answers the host")
        let name = f.nsName(attacker)
        let route = sh("""
            ip netns exec \(name) sysctl -qw net.ipv4.conf.all.route_localnet=1 && \
            ip netns exec \(name) sysctl -qw net.ipv4.conf.eth0.route_localnet=1 && \
            ip -n \(name) address flush dev lo && ip -n \(name) route add 127.0.0.1/32 via \(net.gateway) dev eth0 && ip -n \(name) route get 127.0.0.1
            """)
        try #require(route.status == 0 && route.output.contains("via \(net.gateway) dev eth0"), "attacker route: \(route.output)")
        #expect(f.fetch(attacker, "http://127.0.0.1:\(port)/") == nil, "a container reached the host's 127.0.0.1-only server")
        // What route_localnet is there for still works: the host's 127.0.0.1 port published to a container.
        #expect(f.fetch(nil, "http://127.0.0.1:18380/") == "published")
    }

    /// A neighbour routing a bridge's subnet through the host (a machine on the host's LAN with a static
    /// route) reaches published ports only: a container's unpublished port gets nothing, while the container's
    /// own connections out, and the replies to them, still work.
    @Test func aNeighbourReachesOnlyPublishedPorts() throws {
        let f = try HostFixture("n")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let neighbour = try f.outside()  // 172.31.254.2, the host 172.31.254.1
        try f.httpServer(neighbour, body: "neighbour")
        let net = try m.ensureNetwork(network("\(f.tag)-nb"))
        let web = try f.namespace("web")
        let interfaces = try m.attach(containerID: "web", netnsPath: web, attachments: [NetworkAttachment(network: net.name)],
                                      ports: try PortMapping.parseShort("18381:8080"))
        try f.httpServer(web, body: "unpublished")
        try f.httpServer(web, port: 8080, body: "published")
        let route = sh("ip -n \(f.nsName(neighbour)) route add \(net.subnet) via 172.31.254.1")
        try #require(route.status == 0, "neighbour route: \(route.output)")
        #expect(f.fetch(neighbour, "http://\(interfaces[0].address):80/") == nil, "a neighbour reached an unpublished port")
        #expect(f.fetch(neighbour, "http://\(interfaces[0].address):8080/") == nil,
                "the published port's container side is reached only through the published host port")
        #expect(f.fetch(neighbour, "http://172.31.254.1:18381/") == "published")
        #expect(f.fetch(web, "http://172.31.254.2/") == "neighbour", "the container's own connections out still work")
    }
}
