import BosunGit
import BosunSource
import BosunTrust
import Foundation
import Testing

/// OpenPGP commit signatures through Debian's gpgv, made in the test by `git commit -S` with keys made by
/// `gpg`: the verdict equals `git verify-commit`'s; the status lines are parsed, never gpg's human text.
@Suite("OpenPGP commit signatures", .serialized)
struct OpenPGPSignatureTests {
    final class Scratch {
        let dir = NSTemporaryDirectory() + "bosun-pgp-\(UUID().uuidString.prefix(8))"
        var repo: String { dir + "/repo" }
        var home: String { dir + "/gnupg" }
        var strangerHome: String { dir + "/stranger" }
        var keyring: String { dir + "/trusted.gpg" }

        init() throws {
            for path in [home, strangerHome] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
            try run(["git", "init", "-q", "-b", "main", repo])
            try run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Alice <alice@example.org>", "ed25519", "sign", "never"], home: home)
            try run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Mallory <mallory@example.org>", "ed25519", "sign", "never"], home: strangerHome)
            _ = try run(["sh", "-c", "gpg --export > \(keyring)"], home: home)
        }
        deinit {
            _ = try? run(["gpgconf", "--kill", "all"], home: home)
            _ = try? run(["gpgconf", "--kill", "all"], home: strangerHome)
            try? FileManager.default.removeItem(atPath: dir)
        }

        @discardableResult
        func run(_ arguments: [String], home: String? = nil, in directory: String? = nil, check: Bool = true) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            if let home { process.environment = ProcessInfo.processInfo.environment.merging(["GNUPGHOME": home]) { $1 } }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if check && process.terminationStatus != 0 { throw TrustError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
            return String(decoding: data, as: UTF8.self)
        }

        /// Commits as `email`, signed (unless `home` is nil) with the key of `home` whose user id has `key`.
        func commit(_ message: String, home: String?, email: String = "alice@example.org", key: String? = nil) throws -> String {
            try run(["git", "-c", "user.name=T", "-c", "user.email=\(email)", "-c", "user.signingkey=\(key ?? email)",
                     "commit", "-q", "--allow-empty", "-m", message] + (home == nil ? [] : ["-S"]),
                    home: home ?? self.home, in: repo)
            return try run(["git", "rev-parse", "HEAD"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func gitAccepts(_ id: String) -> Bool { (try? run(["git", "verify-commit", id], home: home, in: repo)) != nil }

        func verdict(_ id: String, principal: SSHSignatureVerifier.PrincipalRule = .any) throws -> SignatureVerdict {
            let raw = Array(try run(["git", "cat-file", "commit", id], in: repo).utf8)
            let check = CommitSignatureCheck(policy: SignaturePolicy(mode: .tip, principal: principal, gpgKeyring: keyring), stateDirectory: dir)
            return try check.verdict(GitSignedObject(commit: raw), commit: GitCommitID(id)!)
        }
    }

    @Test("good, unsigned, an unknown key and a tampered commit: the verdict equals git verify-commit's")
    func sameVerdictAsGit() throws {
        let s = try Scratch()
        var cases: [(String, String, SignatureVerdict.Outcome)] = []
        cases.append(("good", try s.commit("good", home: s.home), .good))
        cases.append(("unsigned", try s.commit("unsigned", home: nil), .unsigned))
        cases.append(("unknown key", try s.commit("stranger", home: s.strangerHome, email: "mallory@example.org"), .unknownKey))
        let good = cases[0].1
        let forged = String(decoding: Array(try s.run(["git", "cat-file", "commit", good], in: s.repo).utf8), as: UTF8.self)
            .replacingOccurrences(of: "\ngood", with: "\nforged")
        try forged.write(toFile: s.dir + "/forged", atomically: true, encoding: .utf8)
        let forgedID = try s.run(["git", "hash-object", "-t", "commit", "-w", s.dir + "/forged"], in: s.repo).trimmingCharacters(in: .whitespacesAndNewlines)
        cases.append(("tampered", forgedID, .bad))
        for (name, id, expected) in cases {
            let verdict = try s.verdict(id)
            #expect(verdict.outcome == expected, "\(name): \(verdict.reason)")
            #expect(verdict.isGood == s.gitAccepts(id), "\(name): bosun says \(verdict.outcome) (\(verdict.reason)); git verify-commit disagrees")
        }
        let fingerprint = try s.run(["gpg", "--with-colons", "--fingerprint", "alice@example.org"], home: s.home)
            .split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9]
        #expect(try s.verdict(good).fingerprint == fingerprint.map(String.init))
        // By default the key's user id must be the committer's.
        let bobs = try s.commit("bob", home: s.home, email: "bob@example.org", key: "alice@example.org")
        #expect(try s.verdict(bobs, principal: .committer).outcome == .notAllowed)
        #expect(try s.verdict(bobs, principal: .any).isGood && s.gitAccepts(bobs))
    }

    @Test("status lines: expired and revoked keys, an expired signature and a bad one are named")
    func statusLines() {
        func verdict(_ lines: String) -> SignatureVerdict { OpenPGPStatus.verdict(status: lines, signerEmail: "a@b", principal: .committer) }
        #expect(verdict("[GNUPG:] EXPKEYSIG 9A3D71F26E1A64E6 A <a@b>\n[GNUPG:] VALIDSIG FPR 2026-12-08 0 4 0 22 8 00 FPR\n").outcome == .notAllowed)
        #expect(verdict("[GNUPG:] REVKEYSIG 9A3D71F26E1A64E6 A <a@b>\n").reason.contains("revoked"))
        #expect(verdict("[GNUPG:] EXPSIG 9A3D71F26E1A64E6 A <a@b>\n").reason.contains("has expired"))
        #expect(verdict("[GNUPG:] BADSIG 9A3D71F26E1A64E6 A <a@b>\n").outcome == .bad)
        #expect(verdict("[GNUPG:] ERRSIG 9A3D71F26E1A64E6 22 8 00 1796693603 9 ABCDEF\n[GNUPG:] NO_PUBKEY 9A3D71F26E1A64E6\n").fingerprint == "ABCDEF")
        #expect(verdict("").outcome == .bad, "no status at all is not a pass")
    }
}
