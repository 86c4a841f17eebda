import BosunTrust
import Foundation

/// Runs Debian's `gpgv` (what git runs for OpenPGP signatures) on a signature and its payload, in a private
/// temporary directory that is also its home (root's ~/.gnupg is never read or written), and reads its status
/// lines (`OpenPGPStatus`).
enum OpenPGPVerification {
    static let gpgv = "/usr/bin/gpgv"

    static func verdict(_ object: GitSignedObject, keyring: String, principal: SSHSignatureVerifier.PrincipalRule) throws -> SignatureVerdict {
        guard FileManager.default.isExecutableFile(atPath: gpgv) else {
            throw TrustError("OpenPGP signatures need Debian's gpgv at \(gpgv) (apt-get install gpgv)")
        }
        guard FileManager.default.isReadableFile(atPath: keyring) else { throw TrustError("the gpg keyring \(keyring) cannot be read") }
        var template = Array((NSTemporaryDirectory() + "bosun-gpgv-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TrustError("cannot make a directory for gpgv: errno \(errno)") }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let signature = directory + "/signature.asc", payload = directory + "/payload"
        try Data((object.signature ?? "").utf8).write(to: URL(fileURLWithPath: signature))
        try Data(object.payload).write(to: URL(fileURLWithPath: payload))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gpgv)
        process.arguments = ["--homedir", directory, "--status-fd", "1", "--keyring", keyring, signature, payload]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let status = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var verdict = OpenPGPStatus.verdict(status: status, signerEmail: object.signerEmail, principal: principal)
        if verdict.isGood && process.terminationStatus != 0 {  // git refuses what gpg exits non-zero on
            verdict = SignatureVerdict(.bad, fingerprint: verdict.fingerprint, reason: "gpgv exited \(process.terminationStatus) on the signature")
        }
        return verdict
    }
}
