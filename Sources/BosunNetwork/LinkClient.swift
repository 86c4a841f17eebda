/// A link as netlink reports it.
public struct LinkInfo: Sendable, Hashable {
    public var index: Int32
    public var name: String
    public var isUp: Bool
    /// The index of the bridge it is a port of, if any.
    public var master: Int32?
    /// `bridge`, `veth`, … (nil for plain devices such as `lo`).
    public var kind: String?
}

/// The rtnetlink operations bosun needs, over a transport (the host's or a container namespace's socket).
/// Every failure names the step and the object.
struct LinkClient: Sendable {
    let transport: any NetlinkTransport

    /// The link called `name`, or nil.
    func link(named name: String) throws(NetworkError) -> LinkInfo? {
        var request = NetlinkRequest(type: RT.getLink, flags: 0)
        request.ifinfo()
        request.attribute(RT.ifName, string: name)
        do {
            return try transport.execute(request, what: "look up link \(name)").compactMap(Self.parseLink).first
        } catch where error.errno == 19 {
            return nil
        }
    }

    /// Every link.
    func links() throws(NetworkError) -> [LinkInfo] {
        var request = NetlinkRequest(type: RT.getLink, flags: RT.dump)
        request.ifinfo()
        return try transport.execute(request, what: "list links").compactMap(Self.parseLink)
    }

    /// Creates a bridge unless one of that name exists.
    func createBridge(_ name: String, mtu: Int?) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.newLink, flags: RT.create | RT.excl)
        request.ifinfo()
        request.attribute(RT.ifName, string: name)
        if let mtu { request.attribute(RT.mtu, u32: UInt32(mtu)) }
        request.beginNested(RT.linkInfo)
        request.attribute(RT.infoKind, string: "bridge")
        request.endNested()
        do {
            _ = try transport.execute(request, what: "create bridge \(name)")
        } catch where error.errno == 17 {
            guard try link(named: name)?.kind == "bridge" else {
                throw NetworkError(.invalidConfig, "create bridge \(name): a link of that name exists and is not a bridge")
            }
        }
    }

    /// Deletes a link; a missing link is not an error.
    func deleteLink(_ name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.delLink, flags: 0)
        request.ifinfo()
        request.attribute(RT.ifName, string: name)
        do {
            _ = try transport.execute(request, what: "delete link \(name)")
        } catch where error.errno == 19 {
        }
    }

    /// Brings a link up.
    func setUp(_ index: Int32, name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.newLink, flags: 0)
        request.ifinfo(index: index, flags: RT.iffUp, change: RT.iffUp)
        _ = try transport.execute(request, what: "bring up link \(name)")
    }

    /// Adds an IPv4 address; an existing identical address is not an error.
    func addAddress(_ address: IPv4Address, prefixLength: Int, index: Int32, name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.newAddr, flags: RT.create | RT.replace)
        request.ifaddr(family: RT.afInet, prefixLength: UInt8(prefixLength), index: index)
        request.attribute(RT.ifaLocal, address.bytes)
        request.attribute(RT.ifaAddress, address.bytes)
        _ = try transport.execute(request, what: "add address \(address)/\(prefixLength) to \(name)")
    }

    /// Creates a veth pair whose peer is created directly in the namespace open at `peerNamespaceFD`, with
    /// the host end a port of bridge `master` and the peer's hardware address `peerMAC` (6 bytes) when given.
    func createVeth(host: String, peer: String, peerNamespaceFD: Int32, master: Int32, mtu: Int?,
                    peerMAC: [UInt8]? = nil) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.newLink, flags: RT.create | RT.excl)
        request.ifinfo()
        request.attribute(RT.ifName, string: host)
        request.attribute(RT.master, u32: UInt32(bitPattern: master))
        if let mtu { request.attribute(RT.mtu, u32: UInt32(mtu)) }
        request.beginNested(RT.linkInfo)
        request.attribute(RT.infoKind, string: "veth")
        request.beginNested(RT.infoData)
        request.beginNested(RT.vethPeer)
        request.ifinfo()
        request.attribute(RT.ifName, string: peer)
        request.attribute(RT.netNSFD, u32: UInt32(bitPattern: peerNamespaceFD))
        if let peerMAC { request.attribute(RT.linkAddress, peerMAC) }
        if let mtu { request.attribute(RT.mtu, u32: UInt32(mtu)) }
        request.endNested()
        request.endNested()
        request.endNested()
        _ = try transport.execute(request, what: "create veth \(host) with peer \(peer)")
    }

    /// Turns on hairpin mode of a bridge port, so a container reaches its own published ports.
    func setHairpin(_ index: Int32, name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.setLink, flags: 0)
        request.ifinfo(family: RT.afBridge, index: index)
        request.beginNested(RT.protInfo)
        request.attribute(RT.brportMode, u8: 1)
        request.endNested()
        _ = try transport.execute(request, what: "turn on hairpin on bridge port \(name)")
    }

    /// Adds (or replaces) the default route via `gateway`.
    func addDefaultRoute(via gateway: IPv4Address, index: Int32, name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: RT.newRoute, flags: RT.create | RT.replace)
        request.rtmsg(family: RT.afInet)
        request.attribute(RT.rtaGateway, gateway.bytes)
        request.attribute(RT.rtaOIF, u32: UInt32(bitPattern: index))
        _ = try transport.execute(request, what: "add default route via \(gateway) on \(name)")
    }

    /// Destinations of the IPv4 routes (all tables, without default routes).
    func routeDestinations() throws(NetworkError) -> [IPv4Subnet] {
        var request = NetlinkRequest(type: RT.getRoute, flags: RT.dump)
        request.rtmsg(family: RT.afInet)
        return try transport.execute(request, what: "list routes").compactMap { reply in
            guard reply.payload.count >= 12, reply.payload[0] == RT.afInet, reply.payload[1] > 0 else { return nil }
            guard let dst = reply.attributes(after: 12)[RT.rtaDst], dst.count == 4 else { return nil }
            return try? IPv4Subnet(IPv4Address(bytes: dst), prefixLength: Int(reply.payload[1]))
        }
    }

    static func parseLink(_ reply: NetlinkReply) -> LinkInfo? {
        guard reply.type == RT.newLink, reply.payload.count >= 16 else { return nil }
        let index = Int32(bitPattern: readLE32(reply.payload, 4))
        let flags = readLE32(reply.payload, 8)
        let attributes = reply.attributes(after: 16)
        var kind: String?
        if let info = attributes[RT.linkInfo], let raw = NetlinkReply.attributes(info, from: 0)[RT.infoKind] {
            kind = cString(raw)
        }
        let master = attributes[RT.master].map { Int32(bitPattern: readLE32($0, 0)) }
        return LinkInfo(index: index, name: cString(attributes[RT.ifName] ?? []), isUp: flags & RT.iffUp != 0, master: master, kind: kind)
    }
}
