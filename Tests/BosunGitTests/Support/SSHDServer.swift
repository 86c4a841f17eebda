import Foundation

/// An OpenSSH server on 127.0.0.1 with a fresh ed25519 host key, letting root in with one client key.
final class SSHDServer: @unchecked Sendable {
    let port: Int
    /// The host public key line (`ssh-ed25519 AAAA… comment`).
    let hostPublicKey: String
    /// A client private key (ed25519) authorised for root.
    let clientKeyPath: String
    private let server: ServerProcess
    private let createdRunDirectory: Bool

    init(directory: String) throws {
        port = try Ports.free()
        let hostKey = "\(directory)/ssh_host_ed25519_key"
        clientKeyPath = "\(directory)/client_ed25519"
        try Command.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bosun-test-host", "-f", hostKey])
        try Command.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bosun-test-client", "-f", clientKeyPath])
        hostPublicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.copyItem(atPath: clientKeyPath + ".pub", toPath: "\(directory)/authorized_keys")
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(hostKey)
            AuthorizedKeysFile \(directory)/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            PidFile \(directory)/sshd.pid
            LogLevel VERBOSE

            """
        let configPath = "\(directory)/sshd_config"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        createdRunDirectory = !FileManager.default.fileExists(atPath: "/run/sshd")
        if createdRunDirectory {
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        server = try ServerProcess("/usr/sbin/sshd", ["-D", "-e", "-f", configPath], logPath: "\(directory)/sshd.log")
        do {
            try Ports.waitUntilAccepting(port, process: server)
        } catch {
            stop()
            throw error
        }
    }

    func log() -> String { server.log() }

    func url(_ absolutePath: String) -> String { "ssh://root@127.0.0.1:\(port)\(absolutePath)" }

    func stop() {
        server.stop()
        if createdRunDirectory { try? FileManager.default.removeItem(atPath: "/run/sshd") }
    }
}
