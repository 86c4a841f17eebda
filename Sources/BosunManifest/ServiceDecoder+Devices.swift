import BosunModel
import BosunYAML

extension ServiceDecoder {
    /// Compose `devices:` in its short form, `HOST[:CONTAINER][:PERMISSIONS]` (Docker's `--device`): both paths
    /// absolute, the permissions letters of `rwm` (all three when absent), each container path once. CDI names
    /// (`vendor.com/class=name`) are refused by name. Nil when the list is empty.
    func devices(_ node: YAMLNode, _ key: String) -> [DeviceMapping]? {
        var mappings: [DeviceMapping] = []
        for (index, text) in reader.stringList(node, key).enumerated() {
            let mark = node.sequence?[index].start ?? node.start
            guard text.hasPrefix("/") else {
                let cdi = text.contains("=")
                sink.error(mark, cdi ? "CDI device \"\(text)\" in \(key) is not supported" : "the device \"\(text)\" in \(key) must start with an absolute host path",
                           hint: cdi ? "give the device node's path, e.g. /dev/dri/renderD128" : "write HOST_PATH[:CONTAINER_PATH][:rwm]")
                continue
            }
            guard let mapping = ServiceDecoder.deviceMapping(text) else {
                sink.error(mark, "cannot read the device \"\(text)\" in \(key)",
                           hint: "write HOST_PATH[:CONTAINER_PATH][:PERMISSIONS], both paths absolute, permissions letters of rwm")
                continue
            }
            if mappings.contains(where: { $0.containerPath == mapping.containerPath }) {
                sink.error(mark, "the device path \(mapping.containerPath) appears twice in \(key)", hint: "keep one of them")
                continue
            }
            mappings.append(mapping)
        }
        return mappings.isEmpty ? nil : mappings
    }

    /// `HOST`, `HOST:CONTAINER`, `HOST:PERMISSIONS` or `HOST:CONTAINER:PERMISSIONS`, as Docker reads them. Pure.
    static func deviceMapping(_ text: String) -> DeviceMapping? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func isPermissions(_ word: String) -> Bool { !word.isEmpty && word.allSatisfy { "rwm".contains($0) } }
        let mapping: DeviceMapping
        switch parts.count {
        case 1: mapping = DeviceMapping(hostPath: parts[0], containerPath: parts[0])
        case 2 where isPermissions(parts[1]): mapping = DeviceMapping(hostPath: parts[0], containerPath: parts[0], permissions: parts[1])
        case 2: mapping = DeviceMapping(hostPath: parts[0], containerPath: parts[1])
        case 3 where isPermissions(parts[2]): mapping = DeviceMapping(hostPath: parts[0], containerPath: parts[1], permissions: parts[2])
        default: return nil
        }
        guard mapping.hostPath.hasPrefix("/"), mapping.containerPath.hasPrefix("/"), mapping.containerPath != "/",
              !mapping.containerPath.split(separator: "/").contains("..")
        else { return nil }
        return mapping
    }
}
