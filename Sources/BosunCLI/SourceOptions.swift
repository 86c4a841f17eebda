import ArgumentParser
import BosunGit
import BosunManifest
import BosunModel
import BosunSource
import Foundation
import BosunRuntimeCLI

/// The options every command that reads desired state takes: where from, and how to reach it.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A git URL (file, git, http(s), ssh) or the path of a local repository.", valueName: "url|path"))
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("A branch, tag or commit id (default: the remote's default branch).", valueName: "ref"))
    var ref: String?

    @Option(name: .long, help: ArgumentHelp("The manifests' directory: in the repository with --repo, otherwise on disk.", valueName: "dir"))
    var path: String = "."

    @OptionGroup var state: StateOptions

    @Option(name: .long, help: ArgumentHelp("User name for http(s) (the password or token comes from $BOSUN_GIT_PASSWORD or $BOSUN_GIT_TOKEN).", valueName: "name"))
    var username: String?

    @Option(name: .long, help: ArgumentHelp("A PEM CA bundle to trust for https instead of the system's.", valueName: "file"))
    var caFile: String?

    @Option(name: .long, help: ArgumentHelp("An ssh private key (ed25519 or ecdsa); its passphrase from $BOSUN_SSH_PASSPHRASE.", valueName: "file"))
    var sshKey: String?

    @Option(name: .long, help: ArgumentHelp("The ssh server's public key to trust, e.g. 'ssh-ed25519 AAAA…'.", valueName: "key"))
    var sshHostKey: String?

    @Option(name: .long, help: ArgumentHelp("An OpenSSH known_hosts file to verify the ssh server against.", valueName: "file"))
    var sshKnownHosts: String?

    @Option(name: .long, help: ArgumentHelp("The host policy level to check against: restricted, baseline or privileged; it may only tighten the agent config's policy.", valueName: "level"))
    var policy: String?

    @Flag(name: .long, help: "The same as --policy privileged (services with privileged: true and other host access).")
    var allowPrivileged = false

    @Option(name: .long, help: ArgumentHelp("Verify signatures: off, tip (the commit must carry a good signature of an allowed signer) or tag (--ref names a signed annotated tag, or a pattern such as v*: the newest by SemVer); it may only tighten the agent config's verify.signatures.", valueName: "mode"))
    var verifySignatures: String?

    @Option(name: .long, help: ArgumentHelp("git's allowed-signers file for --verify-signatures (not when the agent config names one).", valueName: "file"))
    var allowedSigners: String?

    @Option(name: .long, help: ArgumentHelp("A keyring file (gpg --export) for OpenPGP signatures, verified with gpgv (not when the agent config names one).", valueName: "file"))
    var gpgKeyring: String?

    @Option(name: .long, help: ArgumentHelp("Whose key may sign: committer (the key must be listed for the committer's email; the default) or any (git's rule).", valueName: "rule"))
    var signaturePrincipal: String?

    @Option(name: .long, help: ArgumentHelp("The agent's config file whose policy applies (default: /etc/bosun/config.yaml when it exists).", valueName: "file"))
    var agentConfig: String?

    @Option(name: .long, help: ArgumentHelp("Enable services of this profile (repeatable; * for all).", valueName: "name"))
    var profile: [String] = []

    func validate() throws {
        if repo == nil && (ref != nil || username != nil || sshKey != nil || sshHostKey != nil || sshKnownHosts != nil || caFile != nil) {
            throw ValidationError("--ref, --username, --ca-file and --ssh-* need --repo")
        }
        if sshHostKey != nil && sshKnownHosts != nil {
            throw ValidationError("give --ssh-host-key or --ssh-known-hosts, not both")
        }
    }

    /// The spec and access built from the options and the environment (secrets never come from arguments).
    /// With `lastApplied`, a ref that moved to a commit not descending from it is refused unless `allowRewind`.
    func spec(lastApplied: GitCommitID? = nil, allowRewind: Bool = false) throws -> SourceSpec {
        let environment = ProcessInfo.processInfo.environment
        var access = GitAccess(caBundleFile: caFile)
        if let sshKey {
            access.credentials = .sshKey(SSHKeyCredential(privateKeyPath: sshKey, passphrase: environment["BOSUN_SSH_PASSPHRASE"]))
        } else if let token = environment["BOSUN_GIT_TOKEN"] {
            access.credentials = username.map { .token(token, username: $0) } ?? .token(token)
        } else if let password = environment["BOSUN_GIT_PASSWORD"] {
            access.credentials = .userPassword(username: username ?? "", password: password)
        }
        if let sshHostKey { access.hostKeys = try SSHHostKeyTrust.pinned(sshHostKey) }
        if let sshKnownHosts { access.hostKeys = .knownHostsFile(sshKnownHosts) }
        return SourceSpec(repository: repo, ref: ref, path: path, access: access, lastApplied: lastApplied, allowRewind: allowRewind,
                          signatures: try signaturePolicy())
    }

    func loadOptions(policy: HostPolicy) -> LoadOptions {
        let count = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return LoadOptions(environment: ProcessInfo.processInfo.environment, policy: policy, hostCPUCount: count > 0 ? count : 1, profiles: profile)
    }

    /// Reads the source and loads its manifests (no rewind guard: for commands that only read — validate,
    /// render, image prune; converging commands run a `ConvergenceCycle`), printing every diagnostic to stderr (paths as the user
    /// named them: from the current directory, or from the repository's root); source failures end the
    /// command with exit code 3.
    /// `policy` is the host's, when the caller has read it already (`hostPolicy()` otherwise).
    func load(policy: HostPolicy? = nil) async throws -> (SourceReader.Opened, ManifestLoadResult) {
        let opened: SourceReader.Opened
        do {
            opened = try await SourceReader(stateDirectory: state.resolvedStateDir).open(try spec())
        } catch {
            throw CommandFailure(.sourceUnavailable, "cannot read the source: \(error)")
        }
        let result = ManifestLoader(tree: opened.tree, options: loadOptions(policy: try policy ?? hostPolicy())).load(path: opened.path, rootName: opened.rootName)
        if !result.diagnostics.isEmpty {
            let prefix = opened.revision == nil ? path : ""
            FileHandle.standardError.write(Data((result.renderedDiagnostics(pathPrefix: prefix) + "\n").utf8))
        }
        return (opened, result)
    }
}
