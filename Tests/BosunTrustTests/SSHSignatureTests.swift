import BosunTrust
import Foundation
import Testing

/// git's SSH signatures, made in the test by Debian's `git` with keys made by `ssh-keygen`: bosun's verdict
/// equals `git verify-commit`'s on every case (with `principal: any`, git's rule), and the default also
/// refuses a key of another principal than the committer.
@Suite("SSH commit signatures", .serialized)
struct SSHSignatureTests {
    /// A scratch repository, keys and an allowed-signers file.
    final class Scratch {
        let dir = NSTemporaryDirectory() + "bosun-sig-\(UUID().uuidString.prefix(8))"
        var repo: String { dir + "/repo" }
        var allowed: String { dir + "/allowed" }

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try run("git", "init", "-q", "-b", "main", repo)
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        @discardableResult
        func run(_ arguments: String..., in directory: String? = nil) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TrustError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
            return String(decoding: data, as: UTF8.self)
        }

        /// A new key of `type` (`ed25519`, `rsa`, `ecdsa`); returns its public line.
        func key(_ name: String, type: String = "ed25519") throws -> String {
            try run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", "\(dir)/\(name)")
            return try String(contentsOfFile: "\(dir)/\(name).pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func allow(_ lines: [String]) throws { try (lines.joined(separator: "\n") + "\n").write(toFile: allowed, atomically: true, encoding: .utf8) }

        /// Commits (signed with `key` unless nil) as `email`; returns the commit id.
        func commit(_ message: String, key: String?, email: String = "alice@example.org", date: String? = nil) throws -> String {
            var arguments = ["git", "-c", "user.name=Test", "-c", "user.email=\(email)", "-c", "gpg.format=ssh"]
            if let key { arguments += ["-c", "user.signingkey=\(dir)/\(key).pub"] }
            arguments += ["commit", "-q", "--allow-empty", "-m", message] + (key == nil ? [] : ["-S"])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: repo)
            if let date { process.environment = ProcessInfo.processInfo.environment.merging(["GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date]) { $1 } }
            try process.run()
            process.waitUntilExit()
            return try run("git", "rev-parse", "HEAD", in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func raw(_ id: String) throws -> [UInt8] { Array(try run("git", "cat-file", "commit", id, in: repo).utf8) }

        /// `git verify-commit` with the allowed-signers file: true when it accepts the commit.
        func gitAccepts(_ id: String) -> Bool {
            (try? run("git", "-c", "gpg.ssh.allowedSignersFile=\(allowed)", "verify-commit", id, in: repo)) != nil
        }

        func verdict(_ id: String, principal: SSHSignatureVerifier.PrincipalRule = .any) throws -> SignatureVerdict {
            let signers = try AllowedSigners(text: try String(contentsOfFile: allowed, encoding: .utf8))
            return SSHSignatureVerifier(signers: signers, principal: principal).verify(GitSignedObject(commit: try raw(id)))
        }
    }

    @Test("bosun's verdict equals git verify-commit's: good, unsigned, unknown key, expired, wrong namespace, RSA, ECDSA, a signed merge")
    func sameVerdictAsGit() throws {
        let s = try Scratch()
        let alice = try s.key("alice"), mallory = try s.key("mallory"), rsa = try s.key("rsa", type: "rsa"), ecdsa = try s.key("ecdsa", type: "ecdsa")
        let old = try s.key("old"), scoped = try s.key("scoped")
        try s.allow([
            "alice@example.org \(alice)",
            "rsa@example.org \(rsa)",
            "ecdsa@example.org \(ecdsa)",
            "old@example.org valid-before=\"20200101Z\" \(old)",
            "scoped@example.org namespaces=\"file\" \(scoped)",
        ])
        var cases: [(String, String, SignatureVerdict.Outcome)] = []
        cases.append(("good", try s.commit("good", key: "alice"), .good))
        cases.append(("unsigned", try s.commit("unsigned", key: nil), .unsigned))
        cases.append(("unknown key", try s.commit("unknown", key: "mallory", email: "mallory@example.org"), .unknownKey))
        cases.append(("expired", try s.commit("expired", key: "old", email: "old@example.org"), .notAllowed))
        cases.append(("wrong namespace", try s.commit("namespace", key: "scoped", email: "scoped@example.org"), .notAllowed))
        cases.append(("rsa", try s.commit("rsa", key: "rsa", email: "rsa@example.org"), .good))
        cases.append(("ecdsa", try s.commit("ecdsa", key: "ecdsa", email: "ecdsa@example.org"), .good))
        cases.append(("signed before valid-before", try s.commit("early", key: "old", email: "old@example.org", date: "2019-06-01T00:00:00Z"), .good))
        // A signed merge of two branches.
        let base = try s.run("git", "rev-parse", "HEAD", in: s.repo).trimmingCharacters(in: .whitespacesAndNewlines)
        try s.run("git", "checkout", "-q", "-b", "side", in: s.repo)
        _ = try s.commit("side", key: "alice")
        try s.run("git", "checkout", "-q", "main", in: s.repo)
        _ = try s.commit("main", key: "alice")
        try s.run("git", "-c", "user.name=Test", "-c", "user.email=alice@example.org", "-c", "gpg.format=ssh", "-c", "user.signingkey=\(s.dir)/alice.pub",
                  "merge", "-q", "-S", "--no-ff", "-m", "merge", "side", in: s.repo)
        let merge = try s.run("git", "rev-parse", "HEAD", in: s.repo).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try s.raw(merge).split(separator: 0x0a).filter { $0.starts(with: Array("parent ".utf8)) }.count == 2, "a merge of \(base)")
        cases.append(("signed merge", merge, .good))
        _ = mallory
        for (name, id, expected) in cases {
            let verdict = try s.verdict(id)
            #expect(verdict.outcome == expected, "\(name): \(verdict.reason)")
            #expect(verdict.isGood == s.gitAccepts(id), "\(name): bosun says \(verdict.outcome) (\(verdict.reason)); git verify-commit disagrees")
        }
    }

    @Test("a tampered commit object (its message changed, the signature kept) is bad, and git refuses it too")
    func tampered() throws {
        let s = try Scratch()
        let alice = try s.key("alice")
        try s.allow(["alice@example.org \(alice)"])
        let id = try s.commit("deploy v1", key: "alice")
        let forged = String(decoding: try s.raw(id), as: UTF8.self).replacingOccurrences(of: "deploy v1", with: "deploy v666")
        let path = s.dir + "/forged"
        try forged.write(toFile: path, atomically: true, encoding: .utf8)
        let forgedID = try s.run("git", "hash-object", "-t", "commit", "-w", path, in: s.repo).trimmingCharacters(in: .whitespacesAndNewlines)
        let verdict = try s.verdict(forgedID)
        #expect(verdict.outcome == .bad, "\(verdict.reason)")
        #expect(!s.gitAccepts(forgedID))
        #expect(try s.verdict(id).isGood)
    }

    @Test("by default the key must belong to the committer: git accepts alice's key on bob's commit, bosun does not unless principal is any")
    func committerPrincipal() throws {
        let s = try Scratch()
        let alice = try s.key("alice")
        try s.allow(["alice@example.org,ops-*@example.org \(alice)"])
        let bobs = try s.commit("bob", key: "alice", email: "bob@example.org")
        #expect(s.gitAccepts(bobs))
        #expect(try s.verdict(bobs, principal: .any).isGood)
        let strict = try s.verdict(bobs, principal: .committer)
        #expect(strict.outcome == .notAllowed && strict.reason.contains("not the committer bob@example.org"), "\(strict.reason)")
        let ops = try s.commit("ops", key: "alice", email: "ops-1@example.org")
        #expect(try s.verdict(ops, principal: .committer).principal == "ops-1@example.org", "patterns match the committer")
    }

    @Test("allowed-signers errors name the line; cert-authority is refused by name")
    func allowedSignersErrors() throws {
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFg0IhoLog8qLeIb0hF8zvkwJZw+dujul1RPXn15wCg"
        #expect(throws: TrustError("signers:2: cert-authority is not supported: list the signers' own keys")) {
            try AllowedSigners(text: "# ops\n*@example.org cert-authority \(key)\n", name: "signers")
        }
        #expect(throws: TrustError("signers:1: valid-after=\"2024\" is not YYYYMMDD[HHMM[SS]][Z]")) {
            try AllowedSigners(text: "a@b valid-after=\"2024\" \(key)\n", name: "signers")
        }
        #expect(try AllowedSigners(text: "a@b ssh-dss AAAAB3NzaC1kc3MAAACBAP8=\n", name: "signers").skipped == ["line 1: unsupported SSH key type ssh-dss"])
        let parsed = try AllowedSigners(text: "a@b,!c@b namespaces=\"git,file\",valid-after=\"20240101\" \(key) comment\n")
        #expect(parsed.entries.count == 1 && parsed.entries[0].namespaces == ["git", "file"] && parsed.entries[0].matches(principal: "a@b"))
        #expect(throws: TrustError("signers:1: valid-before=\"20241301\" is not a date")) {
            try AllowedSigners(text: "a@b valid-before=\"20241301\" \(key)\n", name: "signers")
        }
        let negated = try AllowedSigners(text: "a@b namespaces=\"*,!git\" \(key)\n")
        #expect(!negated.entries[0].allows(namespace: "git") && negated.entries[0].allows(namespace: "file"))
        // CRLF line ends, and a security-key line bosun does not verify: skipped, named, the rest read.
        let crlf = try AllowedSigners(text: "a@b \(key)\r\nb@b sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t\r\nc@b \(key)\r\n")
        #expect(crlf.entries.map(\.line) == [1, 3] && crlf.skipped.count == 1 && crlf.skipped[0].hasPrefix("line 2: "))
    }

    @Test("a signed annotated tag: its signature covers the tag object; the verdict equals git verify-tag's, a tampered tag is bad")
    func signedTag() throws {
        let s = try Scratch()
        let alice = try s.key("alice")
        try s.allow(["alice@example.org \(alice)"])
        _ = try s.commit("release", key: nil)
        try s.run("git", "-c", "user.name=Test", "-c", "user.email=alice@example.org", "-c", "gpg.format=ssh", "-c", "user.signingkey=\(s.dir)/alice.pub",
                  "tag", "-s", "v1.0.0", "-m", "release 1.0.0", in: s.repo)
        let raw = Array(try s.run("git", "cat-file", "tag", "v1.0.0", in: s.repo).utf8)
        let object = GitSignedObject(tag: raw)
        #expect(object.signerEmail == "alice@example.org" && object.signature?.hasPrefix("-----BEGIN SSH SIGNATURE-----") == true)
        let signers = try AllowedSigners(text: try String(contentsOfFile: s.allowed, encoding: .utf8))
        let verdict = SSHSignatureVerifier(signers: signers).verify(object)
        #expect(verdict.isGood, "\(verdict.reason)")
        #expect((try? s.run("git", "-c", "gpg.ssh.allowedSignersFile=\(s.allowed)", "verify-tag", "v1.0.0", in: s.repo)) != nil)
        let forged = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "release 1.0.0", with: "release 6.6.6")
        #expect(SSHSignatureVerifier(signers: signers).verify(GitSignedObject(tag: Array(forged.utf8))).outcome == .bad)
    }
}
