import Crypto
import _CryptoExtras
import Foundation

/// An SSH public key of a kind git signs with (`gpg.format=ssh`): ed25519, ECDSA on P-256 or P-384, or RSA
/// (verified with rsa-sha2-256 or rsa-sha2-512; SHA-1 `ssh-rsa` signatures are refused, as OpenSSH does).
public struct SSHPublicKey: Sendable, Hashable {
    /// The key's type name: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384`, `ssh-rsa`.
    public let type: String
    /// The key's wire encoding (what fingerprints and allowed-signers lines are made of).
    public let blob: [UInt8]

    public static let supportedTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ssh-rsa"]

    /// A key from its wire encoding.
    public init(blob: [UInt8]) throws(TrustError) {
        var reader = SSHWireReader(blob)
        let type = try reader.text()
        guard Self.supportedTypes.contains(type) else {
            throw TrustError(type.hasSuffix("-cert-v01@openssh.com") ? "SSH certificates (\(type)) are not supported" : "unsupported SSH key type \(type)")
        }
        self.type = type
        self.blob = blob
        _ = try verifier()  // a key whose numbers do not make a key is refused here, not at the first signature
    }

    /// A key as written in authorized_keys and allowed-signers files: `TYPE BASE64`.
    public init(type: String, base64: String) throws(TrustError) {
        guard let data = Data(base64Encoded: base64) else { throw TrustError("the key of type \(type) is not base64") }
        try self.init(blob: Array(data))
        guard self.type == type else { throw TrustError("the key says it is \(self.type), not \(type)") }
    }

    /// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// Whether `signature` (an SSH signature blob: its algorithm name and bytes) is this key's over `data`.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) throws(TrustError) -> Bool {
        var reader = SSHWireReader(signature)
        let algorithm = try reader.text()
        let bytes = try reader.string()
        return try verifier()(algorithm, bytes, data)
    }

    private typealias Verifier = (_ algorithm: String, _ signature: [UInt8], _ data: [UInt8]) throws(TrustError) -> Bool

    private func verifier() throws(TrustError) -> Verifier {
        var reader = SSHWireReader(blob)
        _ = try reader.string()
        switch type {
        case "ssh-ed25519":
            let raw = try reader.string()
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { throw TrustError("a malformed ed25519 key") }
            return { algorithm, signature, data throws(TrustError) in
                guard algorithm == "ssh-ed25519" else { throw TrustError("an \(algorithm) signature from an ed25519 key") }
                return key.isValidSignature(signature, for: data)
            }
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384":
            let curve = try reader.text()
            let point = try reader.string()
            let p256 = type == "ecdsa-sha2-nistp256"
            guard curve == (p256 ? "nistp256" : "nistp384") else { throw TrustError("an \(type) key on curve \(curve)") }
            if p256 {
                guard let key = try? P256.Signing.PublicKey(x963Representation: point) else { throw TrustError("a malformed P-256 key") }
                return { algorithm, signature, data throws(TrustError) in
                    guard algorithm == type else { throw TrustError("an \(algorithm) signature from an \(type) key") }
                    let (r, s) = try Self.ecdsaNumbers(signature, size: 32)
                    guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: r + s) else { return false }
                    return key.isValidSignature(parsed, for: SHA256.hash(data: data))
                }
            }
            guard let key = try? P384.Signing.PublicKey(x963Representation: point) else { throw TrustError("a malformed P-384 key") }
            return { algorithm, signature, data throws(TrustError) in
                guard algorithm == type else { throw TrustError("an \(algorithm) signature from an \(type) key") }
                let (r, s) = try Self.ecdsaNumbers(signature, size: 48)
                guard let parsed = try? P384.Signing.ECDSASignature(rawRepresentation: r + s) else { return false }
                return key.isValidSignature(parsed, for: SHA384.hash(data: data))
            }
        default:  // ssh-rsa: e, then n
            let e = try reader.unsignedMPInt()
            let n = try reader.unsignedMPInt()
            guard n.count * 8 >= 2048 - 8 else { throw TrustError("an RSA key of \(n.count * 8) bits: at least 2048 are needed") }
            guard let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { throw TrustError("a malformed RSA key") }
            return { algorithm, signature, data throws(TrustError) in
                let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
                switch algorithm {
                case "rsa-sha2-256": return key.isValidSignature(rsa, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
                case "rsa-sha2-512": return key.isValidSignature(rsa, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
                case "ssh-rsa": throw TrustError("an RSA signature over SHA-1 (ssh-rsa), which is refused: sign with rsa-sha2-256 or rsa-sha2-512")
                default: throw TrustError("an \(algorithm) signature from an RSA key")
                }
            }
        }
    }

    /// The r and s of an SSH ECDSA signature, each left-padded to `size` bytes.
    static func ecdsaNumbers(_ signature: [UInt8], size: Int) throws(TrustError) -> ([UInt8], [UInt8]) {
        var reader = SSHWireReader(signature)
        let r = try reader.unsignedMPInt(), s = try reader.unsignedMPInt()
        guard r.count <= size, s.count <= size else { throw TrustError("an ECDSA signature with numbers too large for its curve") }
        return ([UInt8](repeating: 0, count: size - r.count) + r, [UInt8](repeating: 0, count: size - s.count) + s)
    }
}
