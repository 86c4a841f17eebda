import BosunTrust
import BosunYAML

extension AgentConfig {
    /// `verify: {signatures: off|tip|tag, allowed_signers: FILE, gpg_keyring: FILE, principal: committer|any}`.
    static func verify(_ node: YAMLNode, fail: (YAMLNode, String) -> Void, string: (YAMLNode, String) -> String?) -> SignaturePolicy {
        var policy = SignaturePolicy()
        guard let pairs = node.mapping else {
            fail(node, "`verify` must be a mapping with `signatures` and `allowed_signers`")
            return policy
        }
        for pair in pairs {
            switch pair.key.scalar ?? "" {
            case "signatures":
                guard let text = string(pair.value, "verify.signatures") else { continue }
                if let mode = SignaturePolicy.Mode(rawValue: text) { policy.mode = mode } else {
                    fail(pair.value, "`verify.signatures` is off, tip or tag, not \(text)")
                }
            case "allowed_signers":
                guard let path = string(pair.value, "verify.allowed_signers") else { continue }
                if path.hasPrefix("/") { policy.allowedSigners = path } else { fail(pair.value, "`verify.allowed_signers` must be an absolute path") }
            case "principal":
                guard let text = string(pair.value, "verify.principal") else { continue }
                if let rule = SSHSignatureVerifier.PrincipalRule(rawValue: text) { policy.principal = rule } else {
                    fail(pair.value, "`verify.principal` is committer (the key must be the committer's) or any (git's rule), not \(text)")
                }
            case "gpg_keyring":
                guard let path = string(pair.value, "verify.gpg_keyring") else { continue }
                if path.hasPrefix("/") { policy.gpgKeyring = path } else { fail(pair.value, "`verify.gpg_keyring` must be an absolute path") }
            default: fail(pair.key, "unknown verify setting `\(pair.key.scalar ?? "?")`; known: allowed_signers, gpg_keyring, principal, signatures")
            }
        }
        if let problem = policy.problem { fail(node, "`verify`: \(problem)") }
        return policy
    }
}
