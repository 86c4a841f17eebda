import BosunBundle
import BosunContainers
import BosunImageStore
import BosunModel
import BosunRuntime
import Foundation
import BosunRuntimeCLI

/// `bosun run -d`: the same bundle as in the foreground, started under a `bosun-monitor` that outlives this
/// process. The network attachment, overlay and directory stay until `bosun rm`.
extension RunCommand {
    func startDetached(record: ImageRecord, store: ImageStore, container: ContainerDirectory, request: RunRequest) throws {
        var request = request
        var started = false
        do {
            try container.prepare(hostname: request.hostname, hostNetwork: network == "host")
            defer { if !started { container.cleanUp() } }
            let spec = try writeBundle(record: record, store: store, container: container, request: &request)
            let containers = state.detachedContainers()
            let ports = publish.flatMap { (try? PortMapping.parseShort($0)) ?? [] }.map(\.publishedText)
            let metadata = ContainerMetadata(
                name: container.name, image: .init(reference: record.reference, digest: record.manifestDigest.description),
                command: spec.process?.args ?? [], stopSignal: stopSignal ?? request.imageConfig.config?.stopSignal,
                log: try LogOptions(options: logOpt, over: .recommended), network: network, ports: ports, bundle: container.bundle)
            let networking = try RunNetworking(command: self, state: state.resolvedStateDir, container: container)
            do {
                // With -t the monitor holds the pty and logs what the container writes to it.
                try containers.create(metadata, beforeStart: { pid in try networking.attach(pid: pid) },
                                      adjust: { monitor in if request.terminal { monitor.consolePath = container.root + "/console.sock" } })
            } catch {
                networking.detach()
                throw error
            }
            started = true
        } catch {
            let message = (error as? CommandFailure)?.message ?? "\(error)"
            FileHandle.standardError.write(Data("bosun: \(message)\n".utf8))
            throw PassthroughExit(125)
        }
        print(container.name)
    }
}
