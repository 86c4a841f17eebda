import BosunModel
import BosunYAML

/// Turns what the decoder collected into a `Project`, checking that every name a service uses is defined
/// and that depends_on has no cycle.
struct ProjectAssembler {
    let name: String
    let decoder: ComposeFileDecoder
    let references: ReferenceLog
    let files: [String]
    /// The tree, for the content digests of secret files.
    let tree: any FileTree
    /// The host's policy, for host paths.
    let policy: HostPolicy

    func assemble(into result: inout ManifestLoadResult) -> Project? {
        var diagnostics: [Diagnostic] = []
        func error(_ file: String, _ mark: YAMLMark?, _ message: String, hint: String? = nil) {
            diagnostics.append(Diagnostic(.error, file: file, mark: mark, message: message, hint: hint))
        }
        var networks = decoder.networks.mapValues { $0.0 }
        var volumes = decoder.volumes.mapValues { $0.0 }
        let secrets = decoder.secrets.mapValues { $0.0 }
        let services = decoder.services

        for (key, var network) in networks where network.name.isEmpty {
            network.name = "\(name)_\(key)"
            networks[key] = network
        }
        for (key, var volume) in volumes where volume.name.isEmpty {
            volume.name = "\(name)_\(key)"
            volumes[key] = volume
        }
        if services.values.contains(where: { $0.0.networks.contains { $0.network == "default" } }) && networks["default"] == nil {
            networks["default"] = Network(key: "default", name: "\(name)_default")
        }

        for (serviceName, (service, mark, file)) in services.sorted(by: { $0.key < $1.key }) {
            // Host paths against the host's policy (baseline allows /var/lib/<project> …, so it needs the name).
            for mount in service.volumes where mount.kind == .bind {
                guard let source = mount.source, source.hasPrefix("/"), let why = policy.refusal(hostPath: source, project: name) else { continue }
                let ref = references.first(.hostPath, source, from: serviceName)
                error(ref?.file ?? file, ref?.mark ?? mark, "service \"\(serviceName)\": volumes: \(why)")
            }
            for attachment in service.networks {
                guard let network = networks[attachment.network] else {
                    let ref = references.first(.network, attachment.network)
                    error(ref?.file ?? file, ref?.mark ?? mark, "service \"\(serviceName)\" uses network \"\(attachment.network)\", which is not defined",
                          hint: "declare it under the top-level networks:")
                    continue
                }
                if let ip = attachment.ipv4Address, let address = IPAddressText.ipv4Value(ip) {
                    let ref = references.first(.address, attachment.network, from: serviceName)
                    let (file, mark) = (ref?.file ?? file, ref?.mark ?? mark)
                    if let subnet = network.subnet.flatMap(Subnet.init), !subnet.contains(address) {
                        error(file, mark, "service \"\(serviceName)\": ipv4_address \(ip) is outside network \"\(attachment.network)\" (\(network.subnet!))")
                    } else if network.subnet == nil && !network.external {
                        error(file, mark, "service \"\(serviceName)\": ipv4_address needs a subnet on network \"\(attachment.network)\"",
                              hint: "set ipam.config[0].subnet on the network")
                    }
                }
            }
            for mount in service.volumes where mount.kind == .volume {
                guard let source = mount.source else { continue }
                if volumes[source] == nil {
                    let ref = references.first(.volume, source, from: serviceName)
                    error(ref?.file ?? file, ref?.mark ?? mark, "service \"\(serviceName)\" uses volume \"\(source)\", which is not defined",
                          hint: "declare it under the top-level volumes:, or write a path (./\(source)) for a bind mount")
                }
            }
            for secret in service.secrets where secrets[secret.source] == nil {
                let ref = references.first(.secret, secret.source, from: serviceName)
                error(ref?.file ?? file, ref?.mark ?? mark, "service \"\(serviceName)\" uses secret \"\(secret.source)\", which is not defined",
                      hint: "declare it under the top-level secrets: with file:")
            }
            for dependency in service.dependsOn where !decoder.declaredServices.contains(dependency.service) {
                let ref = references.first(.service, dependency.service, from: serviceName)
                let why = decoder.inactiveServices.contains(dependency.service) ? "which is disabled by its profiles" : "which is not defined"
                if dependency.required {
                    error(ref?.file ?? file, ref?.mark ?? mark, "service \"\(serviceName)\" depends on \"\(dependency.service)\", \(why)")
                } else {
                    diagnostics.append(Diagnostic(.warning, file: ref?.file ?? file, mark: ref?.mark ?? mark,
                        message: "service \"\(serviceName)\" depends on \"\(dependency.service)\", \(why); it is optional (required: false)"))
                }
            }
            if let mode = service.networkMode, mode.hasPrefix("service:") {
                let other = String(mode.dropFirst("service:".count))
                if !decoder.declaredServices.contains(other) {
                    let ref = references.first(.service, other, from: serviceName)
                    error(ref?.file ?? file, ref?.mark ?? mark, "network_mode of \"\(serviceName)\" names service \"\(other)\", which is not defined")
                }
            }
        }
        for (serviceName, (service, mark, file)) in services where service.networkMode != nil && service.networks != [] {
            error(file, mark, "service \"\(serviceName)\" sets both network_mode and networks", hint: "use one of them")
        }
        diagnostics += cycles(services)
        result.diagnostics += diagnostics
        for (serviceName, (_, mark, file)) in services { result.serviceMarks["\(name)/\(serviceName)"] = (file, mark) }
        for reference in references.all(.port) {
            guard let service = reference.fromService, result.portMarks["\(name)/\(service)"]?[reference.name] == nil else { continue }
            result.portMarks["\(name)/\(service)", default: [:]][reference.name] = (reference.file, reference.mark)
        }
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return nil }
        var project = Project(
            name: name, files: files,
            services: services.values.map { withSecretDigests($0.0, secrets) }.sorted { $0.name < $1.name },
            networks: networks.values.sorted { $0.key < $1.key },
            volumes: volumes.values.sorted { $0.key < $1.key },
            secrets: secrets.values.sorted { $0.key < $1.key })
        project.pruneVolumes = decoder.pruneVolumes
        project.drift = decoder.drift
        project.updateConfig = decoder.updateConfig
        project.rollbackConfig = decoder.rollbackConfig
        return project
    }

    /// The service with the content digests of the secret files it mounts added to its source digests.
    func withSecretDigests(_ service: Service, _ secrets: [String: Secret]) -> Service {
        var service = service
        for mount in service.secrets {
            guard let file = secrets[mount.source]?.file, let digest = try? SourceDigest.of(tree, path: file) else { continue }
            service.sourceDigests = (service.sourceDigests ?? [:]).merging(["./" + file: digest]) { $1 }
        }
        return service
    }

    /// Every depends_on cycle (including network_mode service:), reported once at the first service on it.
    func cycles(_ services: [String: (Service, YAMLMark, String)]) -> [Diagnostic] {
        var edges: [String: [String]] = [:]
        for (name, (service, _, _)) in services {
            var targets = service.dependsOn.map(\.service)
            if let mode = service.networkMode, mode.hasPrefix("service:") { targets.append(String(mode.dropFirst(8))) }
            edges[name] = targets.filter { services[$0] != nil }.sorted()
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        var found: [Diagnostic] = []
        func visit(_ node: String) {
            state[node] = 1
            stack.append(node)
            for next in edges[node] ?? [] {
                if state[next] == 1 {
                    let cycle = stack[stack.lastIndex(of: next)!...] + [next]
                    let (_, mark, file) = services[next]!
                    let ref = references.first(.service, cycle[cycle.startIndex + 1], from: next)
                    found.append(Diagnostic(.error, file: ref?.file ?? file, mark: ref?.mark ?? mark,
                        message: "dependency cycle: \(cycle.joined(separator: " -> "))", hint: "remove one of these depends_on entries"))
                } else if state[next] == nil {
                    visit(next)
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for name in edges.keys.sorted() where state[name] == nil { visit(name) }
        return found
    }
}
