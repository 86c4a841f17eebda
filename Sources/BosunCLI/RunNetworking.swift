import BosunContainers
import BosunModel
import BosunNetwork
import Foundation
import BosunRuntimeCLI

/// The network side of `bosun run`: loopback for `none`; for a named bridge network, the network ensured,
/// the container's namespace attached between create and start (ports published, names and aliases in the
/// hosts files of the network), and detached again when the container ends.
struct RunNetworking {
    let mode: String
    let manager: NetworkManager?
    let container: ContainerDirectory
    let attachment: NetworkAttachment
    let ports: [PortMapping]
    let dns: DNSSettings

    init(command: RunCommand, state: String, container: ContainerDirectory) throws {
        mode = command.network
        self.container = container
        attachment = NetworkAttachment(network: command.network, aliases: command.networkAlias)
        ports = command.publish.flatMap { (try? PortMapping.parseShort($0)) ?? [] }
        dns = DNSSettings(extraHosts: command.addHost, dns: command.dns)
        if mode == "host" {
            manager = nil
            return
        }
        do {
            let manager = try NetworkManager(stateDirectory: StateLayout(state).network)
            if mode != "none" { _ = try manager.ensureNetwork(Network(key: mode, name: mode)) }
            self.manager = manager
        } catch {
            throw CommandFailure(.internalError, "network \(mode): \(error)")
        }
    }

    /// Called with the container's pid once it is created and waiting for start.
    func attach(pid: Int32) throws {
        guard let manager else { return }
        let netns = "/proc/\(pid)/ns/net"
        if mode == "none" {
            try manager.attachLoopbackOnly(netnsPath: netns)
            return
        }
        try manager.attach(containerID: container.name, netnsPath: netns, attachments: [attachment], ports: ports,
                           names: [container.name], dns: dns, hostsFile: container.files.hosts)
        try container.recordPublishedPorts(manager.publishedPorts(containerID: container.name).map(\.publishedText))
        try Self.fillNameFiles(manager: manager, container: container)
    }

    /// The container's /etc/hosts and resolv.conf are bound from its own files: fill them in place.
    static func fillNameFiles(manager: NetworkManager, container: ContainerDirectory) throws {
        for (from, to) in [(manager.hostsPath(containerID: container.name), container.files.hosts),
                           (manager.resolvConfPath(containerID: container.name), container.files.resolvConf)] {
            if let text = try? String(contentsOfFile: from, encoding: .utf8), let handle = FileHandle(forWritingAtPath: to) {
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: Data(text.utf8))
                try handle.close()
            }
        }
    }

    /// `bosun start` of a detached container: its namespace (new, with the new process) attached again as its
    /// network record says — the same addresses, aliases and published ports; loopback only for `none`.
    static func reattach(state: String, name: String, network: String?, pid: Int32) throws {
        guard let network, network != "host" else { return }
        let manager = try NetworkManager(stateDirectory: StateLayout(state).network)
        let netns = "/proc/\(pid)/ns/net"
        if network == "none" {
            try manager.attachLoopbackOnly(netnsPath: netns)
            return
        }
        try manager.reattach(containerID: name, netnsPath: netns)
        try fillNameFiles(manager: manager, container: ContainerDirectory(state: state, name: name))
    }

    func detach() {
        guard let manager, mode != "none" else { return }
        try? manager.detach(containerID: container.name)
    }

    /// Detaches a detached container's bridge attachment when it is removed (`bosun rm`).
    static func detach(state: String, name: String, network: String?) throws {
        guard let network, !["none", "host"].contains(network) else { return }
        do {
            try NetworkManager(stateDirectory: StateLayout(state).network).detach(containerID: name)
        } catch {
            throw CommandFailure(.internalError, "detach container \(name) from network \(network): \(error)")
        }
    }
}
