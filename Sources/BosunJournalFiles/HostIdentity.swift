import BosunModel
public import BosunJournal
import Foundation
import BosunLinux

/// The host's identity for the journal's genesis record, and the journal's redaction salt.
public enum HostIdentity {
    /// `/etc/machine-id` (or `/var/lib/dbus/machine-id`) and the host name.
    public static func genesis(bosunVersion: String) -> JournalGenesis {
        let id = ["/etc/machine-id", "/var/lib/dbus/machine-id"].lazy
            .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { !$0.isEmpty } ?? "unknown"
        var name = [UInt8](repeating: 0, count: 256)
        _ = name.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, 255) }
        }
        let hostname = String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
        return JournalGenesis(hostID: id, hostname: hostname, bosunVersion: bosunVersion)
    }

    /// The host's journal identity: an ed25519 key in `<stateDirectory>/journal-key` (0600), created on first
    /// use; `bosun journal key` prints its public half.
    public static func signingKey(stateDirectory: String) throws -> JournalSigningKey {
        let path = StateLayout(stateDirectory).journalKey
        if let data = FileManager.default.contents(atPath: path) {
            guard let key = JournalSigningKey(raw: Array(data)) else {
                throw JournalError.storage("\(path) is not a journal key (32 raw bytes); move it away to make a new one (a visible re-key)")
            }
            return key
        }
        // Written whole to a temporary file, then linked into place: a reader never sees a half-written key, and
        // of two processes making one at once, the second takes the first's.
        let key = JournalSigningKey.generate()
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.storage("create \(temporary): \(Errno.text(errno))") }
        defer { unlink(temporary) }
        let raw = key.rawRepresentation
        let written = raw.withUnsafeBytes({ write(fd, $0.baseAddress, raw.count) }) == raw.count && fsync(fd) == 0
        close(fd)
        guard written else { throw JournalError.storage("write \(temporary): \(Errno.text(errno))") }
        if link(temporary, path) != 0 {
            if errno == EEXIST, let data = FileManager.default.contents(atPath: path), let theirs = JournalSigningKey(raw: Array(data)) { return theirs }
            throw JournalError.storage("create \(path): \(Errno.text(errno))")
        }
        return key
    }

    /// The journal key when the state directory has one (nil otherwise: nothing creates it here).
    public static func existingSigningKey(stateDirectory: String) throws -> JournalSigningKey? {
        guard FileManager.default.fileExists(atPath: StateLayout(stateDirectory).journalKey) else { return nil }
        return try signingKey(stateDirectory: stateDirectory)
    }

    /// The salt for `SecretRedactor`: 32 random bytes in `<stateDirectory>/journal-salt` (0600), created on
    /// first use. It is kept out of the journal so that the journal alone does not allow guessing values.
    public static func salt(stateDirectory: String) throws -> [UInt8] {
        let path = StateLayout(stateDirectory).journalSalt
        if let data = FileManager.default.contents(atPath: path), data.count >= 16 { return Array(data) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another process created it first: use theirs.
            if errno == EEXIST, let data = FileManager.default.contents(atPath: path), data.count >= 16 { return Array(data) }
            throw JournalError.storage("create \(path): \(Errno.text(errno))")
        }
        defer { close(fd) }
        guard salt.withUnsafeBytes({ write(fd, $0.baseAddress, 32) }) == 32, fsync(fd) == 0 else {
            throw JournalError.storage("write \(path): \(Errno.text(errno))")
        }
        return salt
    }
}
