import Crypto
import Foundation

/// An SSH signature of a message (OpenSSH's SSHSIG format, what `ssh-keygen -Y sign` and git's
/// `gpg.format=ssh` write): the signer's public key, the namespace (`git` for commits and tags), the hash of
/// the message (sha256 or sha512) and the signature over the SSHSIG envelope of that hash.
public struct SSHSignature: Sendable, Hashable {
    public let publicKey: SSHPublicKey
    public let namespace: String
    public let hashAlgorithm: String
    /// The SSH signature blob (its algorithm name and bytes).
    let signature: [UInt8]

    static let begin = "-----BEGIN SSH SIGNATURE-----"
    static let end = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)

    /// Parses an armored signature (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    public init(armored text: String) throws(TrustError) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.firstIndex(of: Self.begin), let last = lines.lastIndex(of: Self.end), first < last else {
            throw TrustError("not an SSH signature (no \(Self.begin) … \(Self.end) block)")
        }
        guard let data = Data(base64Encoded: lines[(first + 1)..<last].joined()) else { throw TrustError("the SSH signature is not base64") }
        try self.init(blob: Array(data))
    }

    /// Parses the binary SSHSIG blob.
    public init(blob: [UInt8]) throws(TrustError) {
        var reader = SSHWireReader(blob)
        guard try reader.raw(6) == Self.magic else { throw TrustError("not an SSH signature (no SSHSIG preamble)") }
        let version = try reader.uint32()
        guard version == 1 else { throw TrustError("SSH signature version \(version) is not supported (1 is)") }
        publicKey = try SSHPublicKey(blob: try reader.string())
        namespace = try reader.text()
        _ = try reader.string()  // reserved
        hashAlgorithm = try reader.text()
        signature = try reader.string()
        guard reader.isAtEnd else { throw TrustError("the SSH signature has bytes after its end") }
        guard ["sha256", "sha512"].contains(hashAlgorithm) else { throw TrustError("SSH signature hash \(hashAlgorithm) is not sha256 or sha512") }
    }

    /// Whether the signature is its key's, over `message`, in `namespace`.
    public func isValid(for message: [UInt8], namespace expected: String) throws(TrustError) -> Bool {
        guard namespace == expected else { throw TrustError("the signature is for namespace \"\(namespace)\", not \"\(expected)\"") }
        let digest: [UInt8] = hashAlgorithm == "sha512" ? Array(SHA512.hash(data: message)) : Array(SHA256.hash(data: message))
        var envelope = SSHWireWriter()
        envelope.raw(Self.magic)
        envelope.string(namespace)
        envelope.string([UInt8]())
        envelope.string(hashAlgorithm)
        envelope.string(digest)
        return try publicKey.isValidSignature(signature, for: envelope.bytes)
    }
}
