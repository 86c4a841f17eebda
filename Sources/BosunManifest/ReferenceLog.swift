import BosunYAML

/// Where a service names another object (a network, a volume, a secret, a service), so that a dangling
/// name can be reported at the place it was written.
final class ReferenceLog {
    /// What a name refers to.
    enum Kind: String { case network, volume, secret, service, address, port, hostPath }

    struct Reference {
        var kind: Kind
        var name: String
        var mark: YAMLMark
        var file: String
        var fromService: String?
    }

    private(set) var references: [Reference] = []

    func add(_ kind: Kind, _ name: String, _ mark: YAMLMark, file: String, from service: String?) {
        references.append(Reference(kind: kind, name: name, mark: mark, file: file, fromService: service))
    }

    func all(_ kind: Kind) -> [Reference] { references.filter { $0.kind == kind } }

    func first(_ kind: Kind, _ name: String, from service: String? = nil) -> Reference? {
        references.first { $0.kind == kind && $0.name == name && (service == nil || $0.fromService == service) }
    }
}

extension ProjectContext {
    func noteNetworkReference(_ name: String, _ mark: YAMLMark) {
        references.add(.network, name, mark, file: file, from: nil)
    }

    func noteServiceReference(_ name: String, _ mark: YAMLMark, from service: String) {
        references.add(.service, name, mark, file: file, from: service)
    }
}
