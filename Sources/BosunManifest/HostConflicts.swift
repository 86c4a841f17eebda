import BosunModel
import BosunYAML

/// Checks across all projects of a host: two services publishing the same host port, or taking the same
/// container name.
enum HostConflicts {
    static func check(_ projects: [Project], _ marks: [String: (file: String, mark: YAMLMark)]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var ports: [String: [(PortMapping, String)]] = [:]  // "port/proto" -> (mapping, owner)
        var names: [String: String] = [:]
        for project in projects {
            for service in project.services {
                let owner = "\(project.name)/\(service.name)"
                let place = marks[owner]
                for mapping in service.ports {
                    guard let hostPort = mapping.hostPort else { continue }
                    let key = "\(hostPort)/\(mapping.transport.rawValue)"
                    if let clash = ports[key, default: []].first(where: { overlaps($0.0.hostIP, mapping.hostIP) && $0.1 != owner }) {
                        diagnostics.append(Diagnostic(.error, file: place?.file ?? project.files[0], mark: place?.mark,
                            message: "service \(owner) publishes host port \(mapping.hostIP.map { "\($0):" } ?? "")\(key), already published by \(clash.1)",
                            hint: "choose another host port"))
                    }
                    ports[key, default: []].append((mapping, owner))
                }
                let containerName = service.containerName ?? "\(project.name)-\(service.name)-1"
                if let other = names[containerName] {
                    diagnostics.append(Diagnostic(.error, file: place?.file ?? project.files[0], mark: place?.mark,
                        message: "service \(owner) takes container name \"\(containerName)\", already taken by \(other)"))
                }
                names[containerName] = owner
            }
        }
        return diagnostics
    }

    /// Two host addresses collide when they are equal or either is "every address".
    static func overlaps(_ a: String?, _ b: String?) -> Bool {
        let any: Set<String?> = [nil, "0.0.0.0", "::"]
        return a == b || any.contains(a) || any.contains(b)
    }
}
