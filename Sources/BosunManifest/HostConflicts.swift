import BosunModel
import BosunYAML

/// Checks across all projects of a host: two services publishing the same host port, or taking the same
/// container name. A clash is reported at the port entry that collides, naming where the other was written.
enum HostConflicts {
    typealias Place = (file: String, mark: YAMLMark)

    static func check(_ projects: [Project], services: [String: Place], ports portMarks: [String: [String: Place]]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var published: [(mapping: PortMapping, owner: String, place: Place?)] = []
        var names: [String: String] = [:]
        for project in projects {
            for service in project.services {
                let owner = "\(project.name)/\(service.name)"
                let servicePlace = services[owner]
                for mapping in service.ports {
                    guard let range = mapping.hostPortRange else { continue }
                    let place = portMarks[owner]?[mapping.description] ?? servicePlace
                    let clash = published.first { other in
                        guard other.owner != owner, other.mapping.transport == mapping.transport, overlaps(other.mapping.hostIP, mapping.hostIP),
                              let otherRange = other.mapping.hostPortRange else { return false }
                        // A fixed port inside another's range clashes (the range may have taken it); two ranges
                        // each pick a port the other has not taken.
                        return otherRange.overlaps(range) && (otherRange.count == 1 || range.count == 1)
                    }
                    if let clash {
                        let where_ = clash.place.map { " (\($0.file):\($0.mark.line):\($0.mark.column))" } ?? ""
                        diagnostics.append(Diagnostic(.error, file: place?.file ?? project.files[0], mark: place?.mark,
                            message: "service \(owner) publishes host port \(text(mapping)), already published by \(clash.owner) as \(text(clash.mapping))\(where_)",
                            hint: "choose another host port"))
                    }
                    published.append((mapping, owner, place))
                }
                let containerName = service.containerName ?? "\(project.name)-\(service.name)-1"
                if let other = names[containerName] {
                    diagnostics.append(Diagnostic(.error, file: servicePlace?.file ?? project.files[0], mark: servicePlace?.mark,
                        message: "service \(owner) takes container name \"\(containerName)\", already taken by \(other)"))
                }
                names[containerName] = owner
            }
        }
        return diagnostics
    }

    /// `127.0.0.1:8080/tcp`, `8000-8010/tcp`: the host side of a mapping.
    static func text(_ mapping: PortMapping) -> String {
        let ports = mapping.hostPortRange.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" } ?? ""
        return (mapping.hostIP.map { "\($0):" } ?? "") + ports + "/" + mapping.transport.rawValue
    }

    /// Two host addresses collide when they are equal or either is "every address".
    static func overlaps(_ a: String?, _ b: String?) -> Bool {
        let any: Set<String?> = [nil, "0.0.0.0", "::"]
        return a == b || any.contains(a) || any.contains(b)
    }
}
