import BosunModel
import Foundation
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// End-to-end on this machine's kernel, in network namespaces the tests create; only loopback and those
/// namespaces carry traffic.
@Suite(.serialized, .enabled(if: RootGate.enabled)) struct HostNetworkTests {
    @Test("two managers on one state directory (the agent's, kept for its life, and an apply's): neither writes back a stale copy")
    func twoProcessesShareTheRecords() throws {
        let f = try HostFixture("s")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let agent = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = agent
        let apply = try NetworkManager(stateDirectory: f.stateDirectory)
        let front = try agent.ensureNetwork(network("\(f.tag)-front"))
        let back = try apply.ensureNetwork(network("\(f.tag)-back"))
        #expect(back.subnet != front.subnet, "the second manager saw the first one's subnet")
        let web = try f.namespace("web")
        try apply.attach(containerID: "web1", netnsPath: web, attachments: [NetworkAttachment(network: back.name)], names: ["web"])
        #expect(agent.attachedContainers == ["web1"] && agent.networks.map(\.name).sorted() == [back.name, front.name].sorted())
        try agent.removeNetwork(named: front.name)
        let reread = try NetworkManager(stateDirectory: f.stateDirectory)
        #expect(reread.networks.map(\.name) == [back.name] && reread.attachedContainers == ["web1"])
    }

    @Test func containersOnOneNetworkReachEachOtherByAddressAndName() throws {
        let f = try HostFixture("a")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-front"))
        let other = try m.ensureNetwork(network("\(f.tag)-back"))
        #expect(net.subnet != other.subnet)
        let web = try f.namespace("web"), client = try f.namespace("cli"), stranger = try f.namespace("str")
        let webIf = try m.attach(containerID: "web1", netnsPath: web,
                                 attachments: [NetworkAttachment(network: net.name, aliases: ["www"])], names: ["web", "proj-web-1"],
                                 dns: DNSSettings(extraHosts: ["extra.test:10.1.2.3"], dns: ["10.0.0.53"]))
        try m.attach(containerID: "cli1", netnsPath: client, attachments: [NetworkAttachment(network: net.name)], names: ["cli"])
        let strangerIf = try m.attach(containerID: "str1", netnsPath: stranger,
                                      attachments: [NetworkAttachment(network: other.name)], names: ["stranger"])
        try f.httpServer(web, body: "hello-web")
        try f.httpServer(stranger, body: "hello-stranger")
        let webIP = webIf[0].address
        #expect(webIf[0].interface == "eth0")
        #expect(f.fetch(client, "http://\(webIP)/") == "hello-web")
        let hosts = m.hostsPath(containerID: "cli1")
        #expect(f.fetch(client, "http://web/", hosts: hosts) == "hello-web")
        #expect(f.fetch(client, "http://www/", hosts: hosts) == "hello-web")
        #expect(f.fetch(client, "http://proj-web-1/", hosts: hosts) == "hello-web")
        // the web container's own files: its names, extra_hosts and dns
        let webHosts = try String(contentsOfFile: m.hostsPath(containerID: "web1"), encoding: .utf8)
        #expect(webHosts.contains("\(webIP)\tweb proj-web-1 www"))
        #expect(webHosts.contains("10.1.2.3\textra.test"))
        #expect(webHosts.contains("\tcli\n"))
        #expect(!webHosts.contains("stranger"))
        #expect(try String(contentsOfFile: m.resolvConfPath(containerID: "web1"), encoding: .utf8).contains("nameserver 10.0.0.53"))
        // different networks are isolated
        #expect(f.fetch(client, "http://\(strangerIf[0].address)/") == nil)
        #expect(f.fetch(stranger, "http://\(webIP)/") == nil)
        // attaching again changes nothing
        let again = try m.attach(containerID: "web1", netnsPath: web,
                                 attachments: [NetworkAttachment(network: net.name, aliases: ["www"])], names: ["web", "proj-web-1"],
                                 dns: DNSSettings(extraHosts: ["extra.test:10.1.2.3"], dns: ["10.0.0.53"]))
        #expect(again == webIf)
        #expect(try m.observe() == [])
        // detaching removes the peer from hosts files
        try m.detach(containerID: "cli1")
        #expect(try !String(contentsOfFile: m.hostsPath(containerID: "web1"), encoding: .utf8).contains("cli"))
    }

    @Test func publishedPortsAnswerOnLoopbackHostAddressAndHairpin() throws {
        let f = try HostFixture("p")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-pub"))
        let web = try f.namespace("web"), peer = try f.namespace("peer")
        let ports = try PortMapping.parseShort("18080:80") + PortMapping.parseShort("127.0.0.1:18081:80")
            + PortMapping.parseShort("18090-18091:80-81")
        try m.attach(containerID: "web", netnsPath: web, attachments: [NetworkAttachment(network: net.name)], ports: ports)
        try m.attach(containerID: "peer", netnsPath: peer, attachments: [NetworkAttachment(network: net.name)])
        try f.httpServer(web, body: "hello-80")
        try f.httpServer(web, port: 81, body: "hello-81")
        #expect(f.fetch(nil, "http://127.0.0.1:18080/") == "hello-80")
        #expect(f.fetch(nil, "http://127.0.0.1:18081/") == "hello-80")
        #expect(f.fetch(nil, "http://\(net.gateway):18080/") == "hello-80")
        #expect(f.fetch(nil, "http://\(net.gateway):18081/") == nil, "bound to 127.0.0.1 only")
        #expect(f.fetch(nil, "http://127.0.0.1:18091/") == "hello-81")
        #expect(f.fetch(peer, "http://\(net.gateway):18080/") == "hello-80", "another container via the host address")
        #expect(f.fetch(web, "http://\(net.gateway):18080/") == "hello-80", "hairpin to its own port")
        try m.detach(containerID: "web")
        #expect(f.fetch(nil, "http://127.0.0.1:18080/") == nil)
        #expect(!sh("nft list table \(m.tableName)").output.contains("18080"))
    }

    @Test func internalNetworkHasNoEgressAndNoneHasOnlyLoopback() throws {
        let f = try HostFixture("i")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let outside = try f.outside()
        try f.httpServer(outside, body: "outside")
        let open = try m.ensureNetwork(network("\(f.tag)-open"))
        let closed = try m.ensureNetwork(network("\(f.tag)-closed", internal: true))
        let a = try f.namespace("a"), b = try f.namespace("b"), c = try f.namespace("c")
        try m.attach(containerID: "a", netnsPath: a, attachments: [NetworkAttachment(network: open.name)])
        try m.attach(containerID: "b", netnsPath: b, attachments: [NetworkAttachment(network: closed.name)])
        #expect(f.fetch(a, "http://172.31.254.2/") == "outside")
        #expect(f.fetch(b, "http://172.31.254.2/") == nil)
        try m.attachLoopbackOnly(netnsPath: c)
        let links = sh("ip -n \(f.nsName(c)) -o link").output.split(separator: "\n")
        #expect(links.count == 1)
        #expect(links.first?.contains("lo: <LOOPBACK,UP") == true)
        #expect(try m.netnsPath(ofContainer: "a") == a)
    }

    @Test func hostRangesAndEphemeralPortsGetAFreePortKeptAcrossRestarts() throws {
        let f = try HostFixture("e")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-eph"))
        let one = try f.namespace("one"), two = try f.namespace("two")
        // A host socket holds the first port of the range: it is skipped, as Docker's allocator skips it.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(18300).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(holder, 1) == 0)
        let range = try PortMapping.parseShort("18300-18305:80")
        try m.attach(containerID: "one", netnsPath: one, attachments: [NetworkAttachment(network: net.name)], ports: range + PortMapping.parseShort("127.0.0.1::81"))
        try m.attach(containerID: "two", netnsPath: two, attachments: [NetworkAttachment(network: net.name)], ports: range)
        let first = m.publishedPorts(containerID: "one"), second = m.publishedPorts(containerID: "two")
        #expect(first.first { $0.containerPort == 80 }?.hostPort == 18301)
        #expect(second.map(\.hostPort) == [18302], "the next free port: one's is taken by a container")
        let ephemeral = try #require(first.first { $0.containerPort == 81 }?.hostPort)
        #expect(HostPortPicker.kernelEphemeralRange().contains(ephemeral))
        try f.httpServer(one, body: "from-one")
        try f.httpServer(one, port: 81, body: "from-one-81")
        try f.httpServer(two, body: "from-two")
        #expect(f.fetch(nil, "http://127.0.0.1:18301/") == "from-one")
        #expect(f.fetch(nil, "http://127.0.0.1:18302/") == "from-two")
        #expect(f.fetch(nil, "http://127.0.0.1:\(ephemeral)/") == "from-one-81")
        // A restart (attach again, as `bosun start` does) keeps the ports chosen, even once 18300 is free.
        close(holder)
        try m.reattach(containerID: "one", netnsPath: one)
        #expect(m.publishedPorts(containerID: "one") == first)
        // A range with every port taken is an error naming the range, not a silent narrowing.
        let three = try f.namespace("three")
        #expect(throws: NetworkError.self) {
            try m.attach(containerID: "three", netnsPath: three, attachments: [NetworkAttachment(network: net.name)],
                         ports: try PortMapping.parseShort("18301-18302:80"))
        }
        #expect(!m.attachedContainers.contains("three"), "a failed attach leaves nothing recorded")
    }

    @Test func everyContainerResolvesEveryPeerWhateverTheOrderAndNeverAnotherNetwork() throws {
        let f = try HostFixture("n")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let front = try m.ensureNetwork(network("\(f.tag)-front", subnet: "10.231.8.0/24"))
        let back = try m.ensureNetwork(network("\(f.tag)-back", subnet: "10.231.9.0/24"))
        let names = ["a", "b", "c", "d"]
        var namespaces: [String: String] = [:]
        for name in names { namespaces[name] = try f.namespace(name) }
        /// The file each container binds at /etc/hosts (it exists before attach, as the container's does).
        func bound(_ name: String) -> String { f.stateDirectory + "/bound-\(name)-hosts" }
        func attach(_ name: String, address: String? = nil) throws {
            let net = name == "d" ? back : front
            var attachment = NetworkAttachment(network: net.name, aliases: ["alias-\(name)"])
            attachment.ipv4Address = address
            _ = FileManager.default.createFile(atPath: bound(name), contents: nil)
            try m.attach(containerID: "ctr-\(name)", netnsPath: namespaces[name]!, attachments: [attachment],
                         names: ["svc-\(name)", "ctr-\(name)"], hostsFile: bound(name))
        }
        func hosts(_ name: String) throws -> String { try String(contentsOfFile: bound(name), encoding: .utf8) }
        func address(of name: String, in text: String) -> String? {
            text.split(separator: "\n").first { $0.split(separator: "\t").dropFirst().first?.split(separator: " ").contains(Substring("svc-\(name)")) == true }
                .map { String($0.split(separator: "\t")[0]) }
        }
        let orders = [["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"], ["b", "c", "a"], ["c", "a", "b"], ["c", "b", "a"]]
        for order in orders {
            for name in order + ["d"] { try attach(name) }
            for name in ["a", "b", "c"] {
                let text = try hosts(name)
                for peer in ["a", "b", "c"] where peer != name {
                    for peerName in ["svc-\(peer)", "ctr-\(peer)", "alias-\(peer)"] {
                        #expect(text.contains(peerName), "order \(order): \(name) does not resolve \(peerName)")
                    }
                }
                #expect(!text.contains("svc-d") && !text.contains("alias-d"), "\(name) resolves a container of another network")
            }
            let other = try hosts("d")
            #expect(!other.contains("svc-a"))
            for name in names { try m.detach(containerID: "ctr-\(name)") }
        }
        // Recreated with a new address: the others see the new one at once; removed: its names go.
        for name in names { try attach(name) }
        try m.detach(containerID: "ctr-b")
        try attach("b", address: "10.231.8.200")
        #expect(address(of: "b", in: try hosts("a")) == "10.231.8.200")
        #expect(address(of: "b", in: try hosts("c")) == "10.231.8.200")
        try m.detach(containerID: "ctr-c")
        let afterRemoval = (try hosts("a")) + (try hosts("b"))
        #expect(!afterRemoval.contains("svc-c") && !afterRemoval.contains("alias-c"))
        for name in ["a", "b", "d"] { try m.detach(containerID: "ctr-\(name)") }
    }

    /// A recreated container gets its predecessor's address; a peer that talked to the predecessor a moment
    /// ago holds its MAC in its ARP cache (reachable for 15–45 s). With random MACs the peer's first requests
    /// went to the gone MAC and timed out; the MAC made from the address keeps the cache right.
    @Test func aPeerReachesARecreatedContainerAtOnce() throws {
        let f = try HostFixture("m")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-mac"))
        let client = try f.namespace("cli"), first = try f.namespace("old"), second = try f.namespace("new")
        try m.attach(containerID: "cli", netnsPath: client, attachments: [NetworkAttachment(network: net.name)])
        let old = try m.attach(containerID: "web-old", netnsPath: first, attachments: [NetworkAttachment(network: net.name)])
        try f.httpServer(first, body: "old")
        #expect(f.fetch(client, "http://\(old[0].address)/") == "old")
        try m.detach(containerID: "web-old")
        let new = try m.attach(containerID: "web-new", netnsPath: second, attachments: [NetworkAttachment(network: net.name)])
        #expect(new[0].address == old[0].address, "the lowest free address is the predecessor's")
        let mac = NetworkManager.hardwareAddress(for: new[0].address).map { String(format: "%02x", $0) }.joined(separator: ":")
        #expect(sh("ip -n \(f.nsName(second)) link show eth0").output.contains("link/ether \(mac) "))
        try f.httpServer(second, body: "new")
        #expect(f.fetch(client, "http://\(new[0].address)/") == "new")
    }

    @Test func removingEverythingLeavesNothingBehind() throws {
        let f = try HostFixture("r")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let m = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = m
        let net = try m.ensureNetwork(network("\(f.tag)-gone", subnet: "10.231.7.0/24"))
        let ns = try f.namespace("x")
        let interfaces = try m.attach(containerID: "x", netnsPath: ns, attachments: [NetworkAttachment(network: net.name)],
                                      ports: try PortMapping.parseShort("18100:80/udp"))
        #expect(sh("ip link show \(interfaces[0].hostVeth)").status == 0)
        #expect(throws: NetworkError.self) { try m.removeNetwork(named: net.name) }
        try m.detach(containerID: "x")
        try m.detach(containerID: "x")
        try m.removeNetwork(named: net.name)
        try m.removeNetwork(named: net.name)
        #expect(sh("ip link show \(net.bridge)").status != 0)
        #expect(sh("ip link show \(interfaces[0].hostVeth)").status != 0)
        #expect(sh("ip -n \(f.nsName(ns)) link show eth0").status != 0)
        #expect(!sh("ip route").output.contains("10.231.7."))
        let table = sh("nft list table \(m.tableName)").output
        #expect(!table.contains(net.bridge))
        #expect(!table.contains("18100"))
        #expect(!table.contains("dnat to"))
    }

    @Test func restartKeepsAddressesAndDriftIsDetectedAndRepaired() throws {
        let f = try HostFixture("d")
        var manager: NetworkManager?
        defer { f.cleanUp(manager) }
        let first = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = first
        let spec = network("\(f.tag)-keep")
        let net = try first.ensureNetwork(spec)
        let ns = try f.namespace("k")
        _ = try first.ensureNetwork(network("\(f.tag)-filler"))
        let attachment = [NetworkAttachment(network: net.name)]
        try first.attach(containerID: "other", netnsPath: try f.namespace("o"), attachments: attachment)
        let before = try first.attach(containerID: "k", netnsPath: ns, attachments: attachment, ports: try PortMapping.parseShort("18200:80"))
        // a restarted agent reads the state file
        let second = try NetworkManager(stateDirectory: f.stateDirectory)
        manager = second
        #expect(try second.ensureNetwork(spec) == net)
        #expect(try second.attach(containerID: "k", netnsPath: ns, attachments: attachment, ports: try PortMapping.parseShort("18200:80")) == before)
        #expect(try second.observe() == [])
        // drift: flushed table, deleted veth, deleted bridge
        sh("nft flush table \(second.tableName)")
        let drift = try second.observe()
        #expect(drift.contains(.nftChainDiffers(chain: "publish", expectedRules: 1, actualRules: 0)))
        _ = try second.ensureNetwork(spec)
        #expect(try second.observe() == [])
        sh("nft delete table \(second.tableName)")
        #expect(try second.observe() == [.nftTableMissing])
        _ = try second.ensureNetwork(spec)
        sh("ip link del \(before[0].hostVeth)")
        #expect(try second.observe() == [.vethMissing(container: "k", network: net.name, veth: before[0].hostVeth)])
        #expect(try second.attach(containerID: "k", netnsPath: ns, attachments: attachment, ports: try PortMapping.parseShort("18200:80")) == before)
        sh("ip link del \(net.bridge)")
        let gone = try second.observe()
        #expect(gone.contains(.bridgeMissing(network: net.name, bridge: net.bridge)))
        _ = try second.ensureNetwork(spec)
        try second.attach(containerID: "k", netnsPath: ns, attachments: attachment, ports: try PortMapping.parseShort("18200:80"))
        try second.attach(containerID: "other", netnsPath: try #require(try? second.netnsPath(ofContainer: "other")), attachments: attachment)
        #expect(try second.observe() == [])
    }
}
