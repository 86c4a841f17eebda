import BosunModel
import BosunYAML

extension ServiceDecoder {
    func volumes(_ node: YAMLNode) -> [VolumeMount] {
        guard let items = node.sequence else {
            if !node.isNull { sink.error(node.start, "volumes must be a list, found \(node.kindDescription)") }
            return []
        }
        var result: [VolumeMount] = []
        var targets: [String: YAMLMark] = [:]
        for item in items {
            guard let mount = item.mapping != nil ? longVolume(item) : shortVolume(item) else { continue }
            if let first = targets[mount.target] {
                sink.error(item.start, "two mounts on \(mount.target) (the first at \(first))", hint: "remove one of them")
                continue
            }
            targets[mount.target] = item.start
            result.append(mount)
        }
        return result
    }

    /// `[SOURCE:]TARGET[:MODE]`.
    func shortVolume(_ node: YAMLNode) -> VolumeMount? {
        guard let text = reader.string(node, "a volume") else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            sink.error(node.start, "invalid volume \"\(text)\"", hint: "write SOURCE:TARGET[:ro], e.g. data:/var/lib/db or ./conf:/etc/app:ro")
            return nil
        }
        if parts.count == 1 {
            guard let target = checkedTarget(parts[0], node) else { return nil }
            return VolumeMount(kind: .volume, source: nil, target: target)
        }
        guard let target = checkedTarget(parts[1], node) else { return nil }
        var mount = mountSource(parts[0], target: target, node)
        if mount?.kind == .bind { mount?.createHostPath = true }
        if parts.count == 3 {
            for option in parts[2].split(separator: ",") {
                switch option {
                case "ro": mount?.readOnly = true
                case "rw": mount?.readOnly = false
                case "nocopy": mount?.noCopy = true
                case "z", "Z":
                    sink.warning(node.start, "SELinux relabel option \"\(option)\" is ignored: bosun does not manage SELinux labels")
                case "rprivate", "private", "rshared", "shared", "rslave", "slave":
                    if mount?.kind == .bind { mount?.propagation = String(option) } else {
                        sink.error(node.start, "propagation \"\(option)\" applies to bind mounts only")
                    }
                case "cached", "delegated", "consistent": break
                default:
                    sink.error(node.start, "unknown volume option \"\(option)\"", hint: "use ro, rw, nocopy or a propagation mode")
                }
            }
        }
        return mount
    }

    func longVolume(_ node: YAMLNode) -> VolumeMount? {
        let known = ["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency", "image"]
        var type: VolumeMount.Kind?, source: String?, target: String?, readOnly = false
        var bindNode: YAMLNode?, volumeNode: YAMLNode?, tmpfsNode: YAMLNode?
        for (key, value, _) in reader.mapping(node, "a volume", known: known) {
            switch key {
            case "type":
                guard let text = reader.string(value, "type") else { continue }
                guard let kind = VolumeMount.Kind(rawValue: text) else {
                    sink.error(value.start, "volume type \"\(text)\" is not supported", hint: "use volume, bind or tmpfs")
                    continue
                }
                type = kind
            case "source": source = reader.string(value, "source")
            case "target": target = checkedTarget(reader.string(value, "target") ?? "", value)
            case "read_only": readOnly = reader.bool(value, "read_only") ?? false
            case "bind": bindNode = value
            case "volume": volumeNode = value
            case "tmpfs": tmpfsNode = value
            case "image": sink.error(value.start, "image volumes are not supported", hint: "copy the content into a named volume")
            default: break
            }
        }
        guard let type else { sink.error(node.start, "a volume in long syntax needs type: (volume, bind or tmpfs)"); return nil }
        guard let target else { if node["target"] == nil { sink.error(node.start, "a volume in long syntax needs target:") }; return nil }
        var mount: VolumeMount
        switch type {
        case .tmpfs:
            mount = VolumeMount(kind: .tmpfs, source: nil, target: target)
        case .volume:
            mount = VolumeMount(kind: .volume, source: nil, target: target)
            if let source {
                mount.source = source
                context.references.add(.volume, source, node["source"]?.start ?? node.start, file: context.file, from: name)
            }
        case .bind:
            guard let source else { sink.error(node.start, "a bind mount needs source:"); return nil }
            guard let resolved = mountSource(source, target: target, node), resolved.kind == .bind else {
                sink.error(node.start, "bind source \"\(source)\" must be a path (absolute, or starting with ./ or ../)")
                return nil
            }
            mount = resolved
        }
        mount.readOnly = readOnly
        for (key, value, _) in bindNode.map({ reader.mapping($0, "bind", known: ["propagation", "create_host_path", "selinux", "recursive"]) }) ?? [(key: String, value: YAMLNode, keyNode: YAMLNode)]() {
            if key == "propagation" { mount.propagation = reader.string(value, key) }
            if key == "create_host_path" { mount.createHostPath = reader.bool(value, key) ?? false }
            if key == "selinux" { sink.warning(value.start, "bind.selinux is ignored: bosun does not manage SELinux labels") }
            if key == "recursive", reader.string(value, key) != "enabled" {
                sink.error(value.start, "bind.recursive other than enabled is not supported")
            }
        }
        for (key, value, _) in volumeNode.map({ reader.mapping($0, "volume", known: ["nocopy", "subpath"]) }) ?? [(key: String, value: YAMLNode, keyNode: YAMLNode)]() {
            if key == "nocopy" { mount.noCopy = reader.bool(value, key) ?? false }
            if key == "subpath" { sink.error(value.start, "volume.subpath is not supported yet", hint: "mount the whole volume") }
        }
        for (key, value, _) in tmpfsNode.map({ reader.mapping($0, "tmpfs", known: ["size", "mode"]) }) ?? [(key: String, value: YAMLNode, keyNode: YAMLNode)]() {
            if key == "size" { mount.tmpfsSize = reader.size(value, "tmpfs size") }
            if key == "mode" { mount.tmpfsMode = octalMode(value) }
        }
        return mount
    }

    /// A named volume, or a bind mount of a host path or of a path in the repository.
    func mountSource(_ source: String, target: String, _ node: YAMLNode) -> VolumeMount? {
        if source.hasPrefix("/") {
            let path = ProjectContext.normalise(source).map { "/" + $0 } ?? source
            // Checked against the host's policy once the project's name is known (ProjectAssembler).
            context.references.add(.hostPath, path, node.start, file: context.file, from: name)
            return VolumeMount(kind: .bind, source: path, target: target)
        }
        if source.hasPrefix("~") {
            guard let home = context.lookup("HOME") else {
                sink.error(node.start, "\"\(source)\" needs HOME, which is not set")
                return nil
            }
            let path = ProjectContext.normalise(home + source.dropFirst()).map { "/" + $0 } ?? home + source.dropFirst()
            context.references.add(.hostPath, path, node.start, file: context.file, from: name)
            return VolumeMount(kind: .bind, source: path, target: target)
        }
        if source.hasPrefix(".") {
            guard let treePath = context.resolve(source, at: node.start, sink: sink) else { return nil }
            // Paths in the repository are kept tree-relative with a "./" prefix; the agent maps them to its checkout.
            return VolumeMount(kind: .bind, source: "./" + treePath, target: target)
        }
        let valid = source.first.map { $0.isLetter || $0.isNumber } == true
            && source.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
        guard valid else {
            sink.error(node.start, "volume name \"\(source)\" is invalid", hint: "a named volume is letters, digits, '_', '.', '-'; a path starts with /, ./ or ../")
            return nil
        }
        context.references.add(.volume, source, node.start, file: context.file, from: name)
        return VolumeMount(kind: .volume, source: source, target: target)
    }

    func checkedTarget(_ target: String, _ node: YAMLNode) -> String? {
        guard target.hasPrefix("/") else {
            sink.error(node.start, "mount target \"\(target)\" must be an absolute path in the container")
            return nil
        }
        guard let normalised = ProjectContext.normalise(target) else {
            sink.error(node.start, "mount target \"\(target)\" climbs above /")
            return nil
        }
        return "/" + normalised
    }

    func octalMode(_ node: YAMLNode) -> UInt32? {
        guard let text = reader.scalarText(node, "mode") else { return nil }
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        guard let mode = UInt32(digits, radix: 8), mode <= 0o7777 else {
            sink.error(node.start, "mode \"\(text)\" must be an octal file mode such as 0755")
            return nil
        }
        return mode
    }

    func secretMounts(_ node: YAMLNode) -> [SecretMount] {
        guard let items = node.sequence else {
            if !node.isNull { sink.error(node.start, "secrets must be a list, found \(node.kindDescription)") }
            return []
        }
        var result: [SecretMount] = []
        for item in items {
            if let source = item.scalar {
                context.references.add(.secret, source, item.start, file: context.file, from: name)
                result.append(SecretMount(source: source, target: "/run/secrets/\(source)"))
                continue
            }
            var mount = SecretMount(source: "", target: "")
            for (key, value, _) in reader.mapping(item, "a secret", known: ["source", "target", "uid", "gid", "mode"]) {
                switch key {
                case "source":
                    mount.source = reader.string(value, key) ?? ""
                    context.references.add(.secret, mount.source, value.start, file: context.file, from: name)
                case "target": mount.target = reader.string(value, key) ?? ""
                case "uid": mount.uid = reader.scalarText(value, key)
                case "gid": mount.gid = reader.scalarText(value, key)
                default: mount.mode = octalMode(value)
                }
            }
            if mount.source.isEmpty { sink.error(item.start, "a secret in long syntax needs source:"); continue }
            if mount.target.isEmpty { mount.target = "/run/secrets/\(mount.source)" } else if !mount.target.hasPrefix("/") {
                mount.target = "/run/secrets/\(mount.target)"
            }
            result.append(mount)
        }
        return result
    }
}
