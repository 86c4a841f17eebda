import BosunModel
import BosunYAML

/// Reads the top level of a compose file — services, networks, volumes, secrets, include, x-bosun — into a
/// project under construction; included files add to the same project.
final class ComposeFileDecoder {
    var services: [String: (Service, YAMLMark, String)] = [:]
    var networks: [String: (Network, YAMLMark, String)] = [:]
    var volumes: [String: (Volume, YAMLMark, String)] = [:]
    var secrets: [String: (Secret, YAMLMark, String)] = [:]
    var name: String?
    var pruneVolumes = false
    var drift: DriftMode?
    var updateConfig: UpdateConfig?
    var rollbackConfig: UpdateConfig?
    /// Which service names were dropped by profiles (so depends_on on them can say so).
    var inactiveServices: Set<String> = []
    /// Every service name declared, including those that failed to read (so they are not also reported missing).
    var declaredServices: Set<String> = []

    func decode(_ root: YAMLNode, context: ProjectContext, sink: DiagnosticSink, include: (String, YAMLMark) -> Void) {
        let reader = NodeReader(sink: sink)
        guard root.mapping != nil else {
            sink.error(root.start, "a compose file must be a mapping with services:, found \(root.kindDescription)")
            return
        }
        for (key, value, keyNode) in reader.mapping(root, "the compose file", known: ComposeKeys.topLevel) {
            switch key {
            case "version":
                sink.warning(keyNode.start, "version is obsolete and ignored", hint: "remove it; the Compose specification has no versions")
            case "name":
                if let text = reader.string(value, "name") {
                    if ProjectNames.isValid(text) { name = text } else {
                        sink.error(value.start, "project name \"\(text)\" must be lower-case letters, digits, '-' and '_', starting with a letter or digit")
                    }
                }
            case "services":
                for pair in value.mapping ?? [] {
                    guard let serviceName = reader.string(pair.key, "a service name") else { continue }
                    if !ProjectNames.isValidService(serviceName) {
                        sink.error(pair.key.start, "service name \"\(serviceName)\" must be letters, digits, '.', '_' and '-'")
                        continue
                    }
                    if let (_, mark, file) = services[serviceName] {
                        sink.error(pair.key.start, "service \"\(serviceName)\" is already defined at \(file):\(mark)")
                        continue
                    }
                    declaredServices.insert(serviceName)
                    let profiles = pair.value["profiles"].map { reader.stringList($0, "profiles") } ?? []
                    let active = context.activeProfiles
                    if !profiles.isEmpty && !profiles.contains(where: active.contains) && !active.contains("*") {
                        inactiveServices.insert(serviceName)
                        continue
                    }
                    let decoder = ServiceDecoder(name: serviceName, reader: reader, context: context)
                    if let service = decoder.decode(pair.value) {
                        services[serviceName] = (service, pair.key.start, context.file)
                    }
                }
                if value.mapping == nil && !value.isNull {
                    sink.error(value.start, "services must be a mapping of service names, found \(value.kindDescription)")
                }
            case "networks": decodeNetworks(value, reader: reader, context: context)
            case "volumes": decodeVolumes(value, reader: reader, context: context)
            case "secrets": decodeSecrets(value, reader: reader, context: context)
            case "include":
                let entries = value.sequence ?? []
                if value.sequence == nil { sink.error(value.start, "include must be a list of paths") }
                for entry in entries {
                    if let path = entry.scalar { include(path, entry.start); continue }
                    for (field, fieldValue, fieldKey) in reader.mapping(entry, "an include", known: ["path", "env_file", "project_directory"]) {
                        if field == "path" {
                            for path in reader.stringList(fieldValue, "include path", allowSingle: true) { include(path, fieldValue.start) }
                        } else {
                            sink.error(fieldKey.start, "include.\(field) is not supported", hint: "keep included files' variables in the including project's .env")
                        }
                    }
                }
            case "x-bosun":
                for (option, optionValue, _) in reader.mapping(value, "x-bosun", known: ["prune_volumes", "drift", "update_config", "rollback_config"]) {
                    if option == "prune_volumes" { pruneVolumes = reader.bool(optionValue, "prune_volumes") ?? false }
                    if option == "update_config" { updateConfig = UpdateConfigDecoder(reader: reader).decode(optionValue, "x-bosun update_config", rollback: false) }
                    if option == "rollback_config" { rollbackConfig = UpdateConfigDecoder(reader: reader).decode(optionValue, "x-bosun rollback_config", rollback: true) }
                    if option == "drift", let text = reader.string(optionValue, "x-bosun drift") {
                        if let mode = DriftMode(rawValue: text) { drift = mode } else {
                            sink.error(optionValue.start, "x-bosun drift is enforce or observe, not \"\(text)\"",
                                       hint: "enforce corrects drift, observe only reports it")
                        }
                    }
                }
            case "configs":
                sink.error(keyNode.start, "top-level configs are not supported", hint: "mount files from the repository with bind volumes (./file:/path:ro)")
            default:
                sink.error(keyNode.start, "top-level \(key) is not supported by bosun")
            }
        }
    }

    func decodeNetworks(_ node: YAMLNode, reader: NodeReader, context: ProjectContext) {
        let sink = reader.sink
        for pair in node.mapping ?? [] {
            guard let key = reader.string(pair.key, "a network name") else { continue }
            if networks[key] != nil { sink.error(pair.key.start, "network \"\(key)\" is defined twice"); continue }
            var network = Network(key: key, name: "")
            var explicitName: String?
            for (field, value, fieldKey) in reader.mapping(pair.value, "network \"\(key)\"", known: ComposeKeys.network) {
                switch field {
                case "driver":
                    if let driver = reader.string(value, field), driver != "bridge" {
                        sink.error(value.start, "network driver \"\(driver)\" is not supported", hint: "use bridge (the default)")
                    }
                case "external": network.external = external(value, name: &explicitName, reader: reader)
                case "internal": network.isInternal = reader.bool(value, field) ?? false
                case "name": explicitName = reader.string(value, field)
                case "labels": network.labels = Dictionary(reader.stringMap(value, "labels").map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { $1 })
                case "ipam": ipam(value, into: &network, reader: reader)
                case "attachable", "enable_ipv4": _ = reader.bool(value, field)
                case "enable_ipv6":
                    if reader.bool(value, field) == true { sink.error(value.start, "IPv6 networks are not supported yet", hint: "remove enable_ipv6") }
                default: sink.error(fieldKey.start, "network \(field) is not supported", hint: "remove it")
                }
            }
            network.name = explicitName ?? (network.external ? key : "")
            networks[key] = (network, pair.key.start, context.file)
        }
        if node.mapping == nil && !node.isNull { sink.error(node.start, "networks must be a mapping") }
    }

    func ipam(_ node: YAMLNode, into network: inout Network, reader: NodeReader) {
        let sink = reader.sink
        for (field, value, _) in reader.mapping(node, "ipam", known: ["driver", "config", "options"]) {
            if field == "driver", let driver = reader.string(value, field), driver != "default" {
                sink.error(value.start, "ipam driver \"\(driver)\" is not supported", hint: "use default")
            }
            guard field == "config" else { continue }
            let configs = value.sequence ?? []
            if configs.count > 1 { sink.error(value.start, "only one ipam config per network is supported") }
            for config in configs.prefix(1) {
                for (key, item, keyNode) in reader.mapping(config, "ipam config", known: ["subnet", "gateway", "ip_range", "aux_addresses"]) {
                    if key == "aux_addresses" { sink.error(keyNode.start, "ipam aux_addresses are not supported", hint: "remove them"); continue }
                    guard let text = reader.string(item, key) else { continue }
                    switch key {
                    case "subnet", "ip_range":
                        guard Subnet(text) != nil else { sink.error(item.start, "\(key) \"\(text)\" is not an IPv4 CIDR such as 10.20.0.0/24"); continue }
                        if key == "subnet" { network.subnet = text } else { network.ipRange = text }
                    case "gateway":
                        guard IPAddressText.isIPv4(text) else { sink.error(item.start, "gateway \"\(text)\" is not an IPv4 address"); continue }
                        network.gateway = text
                    default: break
                    }
                }
            }
        }
    }

    func decodeVolumes(_ node: YAMLNode, reader: NodeReader, context: ProjectContext) {
        let sink = reader.sink
        for pair in node.mapping ?? [] {
            guard let key = reader.string(pair.key, "a volume name") else { continue }
            if volumes[key] != nil { sink.error(pair.key.start, "volume \"\(key)\" is defined twice"); continue }
            var volume = Volume(key: key, name: "")
            var explicitName: String?
            for (field, value, _) in reader.mapping(pair.value, "volume \"\(key)\"", known: ComposeKeys.volume) {
                switch field {
                case "driver":
                    if let driver = reader.string(value, field), driver != "local" {
                        sink.error(value.start, "volume driver \"\(driver)\" is not supported", hint: "use local (the default)")
                    }
                case "driver_opts": sink.error(value.start, "volume driver_opts are not supported", hint: "remove them; bosun volumes are directories")
                case "external": volume.external = external(value, name: &explicitName, reader: reader)
                case "name": explicitName = reader.string(value, field)
                default: volume.labels = Dictionary(reader.stringMap(value, "labels").map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { $1 })
                }
            }
            volume.name = explicitName ?? (volume.external ? key : "")
            volumes[key] = (volume, pair.key.start, context.file)
        }
        if node.mapping == nil && !node.isNull { sink.error(node.start, "volumes must be a mapping") }
    }

    func decodeSecrets(_ node: YAMLNode, reader: NodeReader, context: ProjectContext) {
        let sink = reader.sink
        for pair in node.mapping ?? [] {
            guard let key = reader.string(pair.key, "a secret name") else { continue }
            var file: String?
            for (field, value, fieldKey) in reader.mapping(pair.value, "secret \"\(key)\"", known: ComposeKeys.secret) {
                switch field {
                case "file":
                    if let path = reader.string(value, field), let resolved = context.resolve(path, at: value.start, sink: sink) {
                        if context.tree.kind(of: resolved) != .file {
                            sink.error(value.start, "secret file \"\(path)\" does not exist in the repository")
                        }
                        file = resolved
                    }
                case "external": sink.error(fieldKey.start, "external secrets are not supported", hint: "use file: with a file the agent can read")
                case "environment": sink.error(fieldKey.start, "environment secrets are not supported yet", hint: "use file:")
                default: break
                }
            }
            if let file { secrets[key] = (Secret(key: key, file: file), pair.key.start, context.file) } else if pair.value["external"] == nil && pair.value["environment"] == nil {
                sink.error(pair.key.start, "secret \"\(key)\" needs file:")
            }
        }
    }

    /// `external: true`, or the legacy `external: {name: NAME}`.
    func external(_ node: YAMLNode, name: inout String?, reader: NodeReader) -> Bool {
        guard node.mapping != nil else { return reader.bool(node, "external") ?? false }
        for (_, value, _) in reader.mapping(node, "external", known: ["name"]) { name = reader.string(value, "name") }
        reader.sink.warning(node.start, "external: {name: …} is deprecated", hint: "write external: true and name: at the same level")
        return true
    }
}
