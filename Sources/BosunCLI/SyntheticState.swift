import BosunJournal
import BosunModel

/// Synthetic but realistic desired states and plans for the stress command.
enum SyntheticState {
    static func make(services: Int, round: Int) -> DesiredState {
        let image = try! ImageReference(parsing: "localhost:5000/bosun/busybox:1.35")
        let list = (1...max(1, services)).map { index -> Service in
            var service = Service(name: "svc\(index)", image: image)
            service.command = ["httpd", "-f", "-p", "80"]
            service.environment = ["INDEX": "\(index)", "MODE": "production", "DB_PASSWORD": "s3cret-\(index)", "ROUND": index == 1 ? "\(round)" : "0"]
            service.ports = [PortMapping(hostIP: "127.0.0.1", hostPort: 20000 + index, containerPort: 80)]
            service.resources.memoryLimit = ByteSize(bytes: 64 << 20)
            service.networks = [NetworkAttachment(network: "default")]
            return service
        }
        return DesiredState(projects: [Project(name: "stress", files: ["stress/compose.yaml"], services: list,
                                               networks: [Network(key: "default", name: "stress_default")], volumes: [], secrets: [])])
    }

    static func begin(_ state: DesiredState, round: Int, redactor: SecretRedactor) -> ConvergenceBegin {
        let services = Dictionary(uniqueKeysWithValues: state.projects[0].services.map { ("stress/\($0.name)", ConfigHash.of($0)) })
        let signature = SourceRevision.Signature(name: "Ops Bot", email: "ops@example.invalid", time: 1_790_000_000 + Int64(round), offsetMinutes: 0)
        let source = SourceRevision(repositoryURL: "https://git.example.invalid/ops/hosts.git", ref: "refs/heads/main",
                                    commitID: String(repeating: String(round % 10), count: 40), author: signature, committer: signature,
                                    subject: "deploy round \(round)")
        let operations = [
            RecordedOperation(id: 0, resource: "stress/svc1", kind: "recreate", cause: "environment changed",
                              changes: [FieldChange(field: "environment.ROUND", old: redactor.value("\(round - 1)", sensitive: true),
                                                    new: redactor.value("\(round)", sensitive: true))]),
            RecordedOperation(id: 1, resource: "stress/svc2", kind: "update-limits", cause: "memory limit 64m → 64m",
                              changes: [FieldChange(field: "resources.memory", old: .plain("64m"), new: .plain("64m"))]),
        ]
        return ConvergenceBegin(trigger: .poll, source: source, desiredStateHash: ConfigHash.of(state), services: services,
                                state: redactor.redact(state), planHash: "sha256:" + String(repeating: "0", count: 64), operations: operations)
    }
}
