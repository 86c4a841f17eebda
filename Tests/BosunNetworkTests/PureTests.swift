import BosunModel
import Foundation
import Testing
@testable import BosunNetwork

@Suite struct IPAMTests {
    func network(_ name: String, subnet: String? = nil) -> Network {
        var n = Network(key: name, name: name)
        n.subnet = subnet
        return n
    }

    @Test func carvesSubnetsAvoidingRoutesAndOtherNetworks() throws {
        var ipam = IPAM()
        let routes = [try IPv4Subnet(parsing: "10.89.0.0/24"), try IPv4Subnet(parsing: "10.89.2.0/23")]
        let a = try ipam.ensureNetwork(network("a"), hostRoutes: routes)
        let b = try ipam.ensureNetwork(network("b"), hostRoutes: routes)
        let c = try ipam.ensureNetwork(network("c"), hostRoutes: routes)
        #expect(a.subnet.description == "10.89.1.0/24")
        #expect(a.gateway.description == "10.89.1.1")
        #expect(b.subnet.description == "10.89.4.0/24")
        #expect(c.subnet.description == "10.89.5.0/24")
        #expect(try ipam.ensureNetwork(network("a"), hostRoutes: []) == a)
        #expect(throws: NetworkError.self) { _ = try ipam.ensureNetwork(network("d", subnet: "10.89.4.0/22"), hostRoutes: []) }
        #expect(throws: NetworkError.self) { _ = try ipam.ensureNetwork(network("e", subnet: "10.89.3.0/24"), hostRoutes: routes) }
    }

    @Test func addressesAreStickyStaticAndReleased() throws {
        var ipam = IPAM()
        _ = try ipam.ensureNetwork(network("n", subnet: "172.30.0.0/29"), hostRoutes: [])
        #expect(try ipam.allocate(network: "n", owner: "c1").description == "172.30.0.2")
        #expect(try ipam.allocate(network: "n", owner: "c2", requested: IPv4Address(parsing: "172.30.0.5")).description == "172.30.0.5")
        #expect(try ipam.allocate(network: "n", owner: "c3").description == "172.30.0.3")
        #expect(try ipam.allocate(network: "n", owner: "c1").description == "172.30.0.2")
        #expect(throws: NetworkError.self) { _ = try ipam.allocate(network: "n", owner: "c4", requested: IPv4Address(parsing: "172.30.0.5")) }
        #expect(throws: NetworkError.self) { _ = try ipam.allocate(network: "n", owner: "c4", requested: IPv4Address(parsing: "172.30.0.1")) }
        _ = try ipam.allocate(network: "n", owner: "c4")
        _ = try ipam.allocate(network: "n", owner: "c5")
        #expect(throws: NetworkError.self) { _ = try ipam.allocate(network: "n", owner: "c6") }
        ipam.release(owner: "c3")
        #expect(try ipam.allocate(network: "n", owner: "c6").description == "172.30.0.3")
        // persisted and read back (what a restarted agent sees)
        let decoded = try JSONDecoder().decode(IPAM.self, from: JSONEncoder().encode(ipam))
        #expect(decoded == ipam)
    }
}

@Suite struct RulesAndFilesTests {
    @Test func rulesetText() throws {
        let ruleset = NftRuleset(
            networks: [.init(bridge: "bsn-1", subnet: try IPv4Subnet(parsing: "10.89.1.0/24"), isInternal: false),
                       .init(bridge: "bsn-2", subnet: try IPv4Subnet(parsing: "10.89.2.0/24"), isInternal: true)],
            containers: ["c1": [.init(hostIP: try IPv4Address(parsing: "127.0.0.1"), hostPort: 8080, transport: "tcp",
                                      containerIP: try IPv4Address(parsing: "10.89.1.2"), containerPort: 80)]])
        let script = ruleset.script(removing: ["c-gone"])
        let rules = script.split(separator: "\n").filter { $0.hasPrefix("add rule") }.joined(separator: "\n")
        #expect(rules == """
            add rule ip bosun prerouting fib daddr type local jump publish
            add rule ip bosun output fib daddr type local jump publish
            add rule ip bosun postrouting jump n-bsn-1-post
            add rule ip bosun postrouting jump n-bsn-2-post
            add rule ip bosun forward ct status dnat accept
            add rule ip bosun forward jump n-bsn-1-fwd
            add rule ip bosun forward jump n-bsn-2-fwd
            add rule ip bosun input iifname "bsn-1" ip daddr 127.0.0.0/8 ct status dnat accept
            add rule ip bosun input iifname "bsn-1" ip daddr 127.0.0.0/8 drop
            add rule ip bosun input iifname "bsn-2" ip daddr 127.0.0.0/8 ct status dnat accept
            add rule ip bosun input iifname "bsn-2" ip daddr 127.0.0.0/8 drop
            add rule ip bosun publish jump \(NftRuleset.containerChain("c1"))
            add rule ip bosun n-bsn-1-post oifname "bsn-1" ip saddr 127.0.0.0/8 masquerade
            add rule ip bosun n-bsn-1-post oifname "bsn-1" ip saddr 10.89.1.0/24 ct status dnat masquerade
            add rule ip bosun n-bsn-1-post ip saddr 10.89.1.0/24 oifname != "bsn-1" masquerade
            add rule ip bosun n-bsn-1-fwd iifname "bsn-1" oifname "bsn-*" oifname != "bsn-1" drop
            add rule ip bosun n-bsn-1-fwd oifname "bsn-1" iifname != "bsn-1" ct state established,related accept
            add rule ip bosun n-bsn-1-fwd oifname "bsn-1" iifname != "bsn-1" drop
            add rule ip bosun n-bsn-2-post oifname "bsn-2" ip saddr 127.0.0.0/8 masquerade
            add rule ip bosun n-bsn-2-post oifname "bsn-2" ip saddr 10.89.2.0/24 ct status dnat masquerade
            add rule ip bosun n-bsn-2-fwd iifname "bsn-2" oifname "bsn-*" oifname != "bsn-2" drop
            add rule ip bosun n-bsn-2-fwd iifname "bsn-2" oifname != "bsn-2" drop
            add rule ip bosun n-bsn-2-fwd oifname "bsn-2" iifname != "bsn-2" drop
            add rule ip bosun \(NftRuleset.containerChain("c1")) ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.89.1.2:80
            """)
        #expect(script.contains("add chain ip bosun c-gone\nflush chain ip bosun c-gone\ndelete chain ip bosun c-gone"))
    }

    @Test func hostsAndResolvConf() throws {
        let hosts = try ContainerDNSFiles.hosts(
            own: [.init(address: "10.89.1.2", names: ["web", "proj-web-1"])],
            peers: [.init(address: "10.89.1.3", names: ["db", "database", "web"])],
            extraHosts: ["gateway.local:10.0.0.1", "v6=::1"])
        #expect(hosts == """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            10.89.1.2\tweb proj-web-1
            10.89.1.3\tdb database
            10.0.0.1\tgateway.local
            ::1\tv6

            """)
        let host = "# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch example.test\noptions ndots:2\n"
        #expect(ContainerDNSFiles.resolvConf(dns: [], dnsSearch: [], hostResolvConf: host)
                == "search example.test\nnameserver 192.0.2.53\noptions ndots:2\n")
        #expect(ContainerDNSFiles.resolvConf(dns: ["10.0.0.53"], dnsSearch: ["a.test"], hostResolvConf: host)
                == "search a.test\nnameserver 10.0.0.53\noptions ndots:2\n")
        #expect(throws: NetworkError.self) { _ = try ContainerDNSFiles.hosts(own: [], peers: [], extraHosts: ["nocolon"]) }
    }

    @Test func networkModes() throws {
        #expect(try NetworkMode(parsing: nil) == .bridge)
        #expect(try NetworkMode(parsing: "none") == .none)
        #expect(try NetworkMode(parsing: "service:db") == .service("db"))
        #expect(throws: NetworkError.self) { _ = try NetworkMode(parsing: "bogus") }
    }
}

@Suite struct NetlinkEncodingTests {
    @Test func vethRequestCarriesPeerNamespaceAndMaster() throws {
        let fake = RecordingNetlink()
        try LinkClient(transport: fake).createVeth(host: "vb1", peer: "eth0", peerNamespaceFD: 7, master: 42, mtu: nil)
        #expect(fake.descriptions == ["create veth vb1 with peer eth0"])
        let request = fake.entries[0].request
        #expect(request.type == RT.newLink)
        let attributes = NetlinkReply.attributes(request.body, from: 16)
        #expect(cString(attributes[RT.ifName]!) == "vb1")
        #expect(readLE32(attributes[RT.master]!, 0) == 42)
        let info = NetlinkReply.attributes(attributes[RT.linkInfo]!, from: 0)
        #expect(cString(info[RT.infoKind]!) == "veth")
        let peer = NetlinkReply.attributes(NetlinkReply.attributes(info[RT.infoData]!, from: 0)[RT.vethPeer]!, from: 16)
        #expect(cString(peer[RT.ifName]!) == "eth0")
        #expect(readLE32(peer[RT.netNSFD]!, 0) == 7)
    }

    @Test func errorsNameTheStep() throws {
        let fake = RecordingNetlink()
        fake.fail("create bridge", errno: 1)
        do {
            try LinkClient(transport: fake).createBridge("bsn-x", mtu: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "create bridge bsn-x: operation not permitted (EPERM)")
            #expect(error.code == .netlink)
        }
        // a missing link on delete is fine
        fake.fail("delete link", errno: 19)
        try LinkClient(transport: fake).deleteLink("gone")
    }

    @Test func parsesErrorReplies() {
        var datagram = le(UInt32(36)) + le(RT.error) + le(UInt16(0)) + le(UInt32(9)) + le(UInt32(0))
        datagram += le(UInt32(bitPattern: -17)) + [UInt8](repeating: 0, count: 16)
        let replies = NetlinkReply.parse(datagram)
        #expect(replies.count == 1)
        #expect(replies[0].seq == 9)
        #expect(replies[0].errorCode == 17)
    }
}
