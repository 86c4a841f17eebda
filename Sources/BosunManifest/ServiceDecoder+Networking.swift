import BosunModel
import BosunYAML

extension ServiceDecoder {
    func ports(_ node: YAMLNode) -> [PortMapping] {
        guard let items = node.sequence else {
            if !node.isNull { sink.error(node.start, "ports must be a list, found \(node.kindDescription)") }
            return []
        }
        var result: [PortMapping] = []
        for item in items {
            var mappings: [PortMapping] = []
            if item.mapping != nil {
                mappings = longPort(item)
            } else if let text = reader.string(item, "a port") {
                do { mappings = try PortMapping.parseShort(text) } catch {
                    sink.error(item.start, error.message, hint: "write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/udp], e.g. 127.0.0.1:8080:80")
                }
            }
            if let ip = mappings.first?.hostIP, IPAddressText.isIPv6(ip) {
                sink.error(item.start, "host address \(ip) is IPv6; bosun publishes ports on IPv4 addresses only",
                           hint: "leave the address out (every IPv4 address) or give an IPv4 one")
                continue
            }
            // Where each mapping was written, so a clash between services points at the entries.
            for mapping in mappings { context.references.add(.port, mapping.description, item.start, file: context.file, from: name) }
            result += mappings
        }
        return result
    }

    func longPort(_ node: YAMLNode) -> [PortMapping] {
        var target: Int?, published: String?, hostIP: String?, transport = PortMapping.TransportProtocol.tcp
        for (key, value, _) in reader.mapping(node, "a port", known: ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"]) {
            switch key {
            case "target": target = reader.int(value, "target", range: 1...65535)
            case "published": published = reader.scalarText(value, "published")
            case "host_ip":
                hostIP = reader.string(value, "host_ip")
                if let ip = hostIP, !IPAddressText.isIPv4(ip) && !IPAddressText.isIPv6(ip) {
                    sink.error(value.start, "host_ip \"\(ip)\" is not an IP address")
                }
            case "protocol":
                if let name = reader.string(value, "protocol") {
                    guard let parsed = PortMapping.TransportProtocol(rawValue: name.lowercased()) else {
                        sink.error(value.start, "protocol \"\(name)\" must be tcp, udp or sctp")
                        continue
                    }
                    transport = parsed
                }
            case "mode":
                if let mode = reader.string(value, "mode"), mode != "host" && mode != "ingress" {
                    sink.error(value.start, "port mode \"\(mode)\" must be host or ingress")
                }
            default: break
            }
        }
        guard let target else {
            sink.error(node.start, "a port in long syntax needs target:")
            return []
        }
        var spec = published.map { "\($0):\(target)" } ?? "\(target)"
        if let hostIP { spec = (hostIP.contains(":") ? "[\(hostIP)]" : hostIP) + ":" + (published.map { "\($0):" } ?? ":") + "\(target)" }
        do { return try PortMapping.parseShort(spec + "/" + transport.rawValue) } catch {
            sink.error(node.start, error.message)
            return []
        }
    }

    func expose(_ node: YAMLNode) -> [String] {
        guard let items = node.sequence else {
            if !node.isNull { sink.error(node.start, "expose must be a list, found \(node.kindDescription)") }
            return []
        }
        var result: [String] = []
        for item in items {
            guard let text = reader.scalarText(item, "an exposed port") else { continue }
            do {
                let mappings = try PortMapping.parseShort(text)
                guard mappings.allSatisfy({ $0.hostPort == nil && $0.hostIP == nil }) else {
                    sink.error(item.start, "expose takes container ports only, found \"\(text)\"", hint: "publish host ports under ports:")
                    continue
                }
                result += mappings.map { "\($0.containerPort)/\($0.transport.rawValue)" }
            } catch {
                sink.error(item.start, error.message)
            }
        }
        return result
    }

    func networks(_ node: YAMLNode) -> [NetworkAttachment] {
        if let items = node.sequence {
            return items.compactMap { item in
                reader.string(item, "a network name").map { name in
                    context.noteNetworkReference(name, item.start)
                    return NetworkAttachment(network: name)
                }
            }
        }
        guard node.mapping != nil else {
            if !node.isNull { sink.error(node.start, "networks must be a list or a mapping, found \(node.kindDescription)") }
            return []
        }
        var result: [NetworkAttachment] = []
        let known = ["aliases", "ipv4_address", "ipv6_address", "priority", "link_local_ips", "mac_address", "driver_opts", "gw_priority", "interface_name"]
        for pair in node.mapping ?? [] {
            guard let name = reader.string(pair.key, "a network name") else { continue }
            context.noteNetworkReference(name, pair.key.start)
            var attachment = NetworkAttachment(network: name)
            for (key, value, keyNode) in reader.mapping(pair.value, "network \"\(name)\" of service \"\(self.name)\"", known: known) {
                switch key {
                case "aliases": attachment.aliases = reader.stringList(value, "aliases").sorted()
                case "ipv4_address":
                    if let ip = reader.string(value, key) {
                        if IPAddressText.isIPv4(ip) {
                            attachment.ipv4Address = ip
                            context.references.add(.address, name, value.start, file: context.file, from: self.name)
                        } else { sink.error(value.start, "ipv4_address \"\(ip)\" is not an IPv4 address") }
                    }
                case "priority", "gw_priority": _ = reader.int(value, key)
                default:
                    sink.error(keyNode.start, "\(key) is not supported by bosun on a service's network", hint: "remove it")
                }
            }
            result.append(attachment)
        }
        return result.sorted { $0.network < $1.network }
    }

    func networkMode(_ node: YAMLNode) -> String? {
        guard let mode = reader.string(node, "network_mode") else { return nil }
        if mode == "none" || mode == "host" || mode == "bridge" { return mode == "bridge" ? nil : mode }
        if mode.hasPrefix("service:") || mode.hasPrefix("container:") {
            if mode.hasPrefix("service:") { context.noteServiceReference(String(mode.dropFirst(8)), node.start, from: name) }
            return mode
        }
        sink.error(node.start, "network_mode \"\(mode)\" is not supported", hint: "use none, host, bridge, service:NAME or container:NAME")
        return nil
    }

    func extraHosts(_ node: YAMLNode) -> [String] {
        var result: [String] = []
        let entries: [(String, String?, YAMLNode)]
        if node.mapping != nil {
            entries = reader.stringMap(node, "extra_hosts").map { ($0.key, $0.value, $0.node) }
        } else {
            entries = reader.stringList(node, "extra_hosts").enumerated().map { index, text in
                let item = node.sequence?[index] ?? node
                // host=ip, or host:ip where the IP may itself contain colons (IPv6)
                if let eq = text.firstIndex(of: "=") { return (String(text[..<eq]), String(text[text.index(after: eq)...]), item) }
                if let colon = text.firstIndex(of: ":") { return (String(text[..<colon]), String(text[text.index(after: colon)...]), item) }
                return (text, nil, item)
            }
        }
        for (host, ip, item) in entries {
            var address = ip ?? ""
            if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
            guard !host.isEmpty, IPAddressText.isIPv4(address) || IPAddressText.isIPv6(address) || address == "host-gateway" else {
                sink.error(item.start, "extra_hosts entry \"\(host)\" needs an IP address, found \"\(ip ?? "")\"", hint: "write host:ip, e.g. db.local:10.0.0.5")
                continue
            }
            result.append("\(host):\(address)")
        }
        return result
    }

    func ipList(_ node: YAMLNode, _ key: String) -> [String] {
        let values = reader.stringList(node, key, allowSingle: true)
        for value in values where !IPAddressText.isIPv4(value) && !IPAddressText.isIPv6(value) {
            sink.error(node.start, "\(key) entry \"\(value)\" is not an IP address")
        }
        return values
    }

    func hostname(_ node: YAMLNode, _ key: String) -> String? {
        guard let text = reader.string(node, key) else { return nil }
        let valid = text.count <= 253 && !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        if !valid { sink.error(node.start, "\(key) \"\(text)\" is not a valid host name", hint: "use letters, digits and '-', in labels separated by '.'") }
        return valid ? text : nil
    }
}
