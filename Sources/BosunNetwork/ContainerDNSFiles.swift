/// The name-resolution files of one container, as text the runtime bind-mounts at `/etc/hosts` and
/// `/etc/resolv.conf`. Pure: peers' names come from the network records, upstreams from the host's file.
public enum ContainerDNSFiles {
    /// One `/etc/hosts` line: an address and its names.
    public struct Entry: Sendable, Hashable {
        public var address: String
        public var names: [String]
        public init(address: String, names: [String]) {
            self.address = address
            self.names = names
        }
    }

    /// `/etc/hosts`: loopback, the container's own names, the peers on shared networks, then `extra_hosts`
    /// (`HOST:IP` or `HOST=IP`). A name is listed once, at its first address.
    public static func hosts(own: [Entry], peers: [Entry], extraHosts: [String]) throws(NetworkError) -> String {
        var lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
        var seen: Set<String> = ["localhost"]
        func add(_ entry: Entry) {
            let names = entry.names.filter { !$0.isEmpty && seen.insert($0).inserted }
            if !names.isEmpty { lines.append("\(entry.address)\t\(names.joined(separator: " "))") }
        }
        own.forEach(add)
        peers.sorted { ($0.address, $0.names.joined(separator: " ")) < ($1.address, $1.names.joined(separator: " ")) }.forEach(add)
        for extra in extraHosts {
            guard let separator = extra.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                throw NetworkError(.invalidConfig, "extra_hosts entry \"\(extra)\" is not HOST:IP")
            }
            let name = String(extra[..<separator])
            var address = String(extra[extra.index(after: separator)...])
            if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
            guard !name.isEmpty, !address.isEmpty else {
                throw NetworkError(.invalidConfig, "extra_hosts entry \"\(extra)\" is not HOST:IP")
            }
            lines.append("\(address)\t\(name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `/etc/resolv.conf`: the service's `dns` and `dns_search` when given, else the host's nameservers and
    /// search domains. Loopback nameservers (a local stub resolver) cannot be reached from a container's
    /// namespace and are left out.
    public static func resolvConf(dns: [String], dnsSearch: [String], hostResolvConf: String) -> String {
        var servers: [String] = []
        var search: [String] = []
        var options: [String] = []
        for line in hostResolvConf.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = fields.first, fields.count > 1 else { continue }
            switch keyword {
            case "nameserver":
                if !fields[1].hasPrefix("127."), fields[1] != "::1" { servers.append(fields[1]) }
            case "search", "domain": search = Array(fields.dropFirst())
            case "options": options += fields.dropFirst()
            default: break
            }
        }
        if !dns.isEmpty { servers = dns }
        if !dnsSearch.isEmpty { search = dnsSearch }
        var lines: [String] = []
        if !search.isEmpty { lines.append("search " + search.joined(separator: " ")) }
        lines += servers.map { "nameserver \($0)" }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        return lines.joined(separator: "\n") + "\n"
    }
}
