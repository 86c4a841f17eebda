public import BosunFailure
import BosunLinux
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The record of the container in `directory` (`container.json`, `ContainerMetadata`): read — from format 1's
/// files when the directory predates format 2 (`LegacyContainerFiles`) — and changed, one change at a time
/// across processes (the agent, `bosun apply`, `stop`, `run`: each change holds an `flock` on the directory
/// from reading to renaming the new file into place). The first change of a format 1 directory writes the
/// record in format 2 and then removes the old files: that is the migration, and it restarts nothing.
public struct ContainerRecordFile: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var path: String { directory + "/container.json" }

    /// A record that cannot be read: damaged, or written by a newer bosun.
    public struct Unreadable: Error, CustomStringConvertible, Sendable, FailureDescribing {
        public let path: String
        public let reason: String
        public var description: String { "the container record `\(path)` cannot be read: \(reason)" }
        public var failure: Failure {
            Failure(action: "read the container record", object: path, cause: reason,
                    hint: "remove the container (`bosun rm -f`) if the record is damaged", handling: .fixHost)
        }
    }

    /// The record, nil when the directory has none (nothing was ever written, or the directory is gone).
    public func read() throws(Unreadable) -> ContainerMetadata? {
        var stored: ContainerMetadata?
        if let data = FileManager.default.contents(atPath: path) {
            do { stored = try ContainerMetadata.decoded(data) } catch {
                throw Unreadable(path: path, reason: "\(error)")
            }
        }
        if let stored, stored.version > ContainerMetadata.currentVersion {
            throw Unreadable(path: path, reason: "format version \(stored.version) is newer than this bosun's (\(ContainerMetadata.currentVersion)); use a newer bosun")
        }
        // Format 2 wins over format 1's files a migration cut off before it removed them.
        if let stored, stored.version >= 2 { return stored }
        do { return try LegacyContainerFiles(directory: directory).compose(startRecord: stored) } catch {
            throw Unreadable(path: directory, reason: "\(error)")
        }
    }

    /// Changes the record under the directory's lock: `change` gets the record on disk (nil when there is
    /// none) and leaves the one to write (nil writes nothing). The record is written atomically and durably,
    /// in format 2; format 1's files are removed after it.
    @discardableResult
    public func update(_ change: (inout ContainerMetadata?) throws -> Void) throws -> ContainerMetadata? {
        try exclusively {
            var record = try read()
            try change(&record)
            guard var record else { return nil }
            record.version = ContainerMetadata.currentVersion
            try AtomicFile.write(Array(try record.encoded()), to: path)
            LegacyContainerFiles(directory: directory).removeLeftovers()
            return record
        }
    }

    /// Writes a format 1 directory's record in format 2 (nothing else changes); true when it did.
    @discardableResult
    public func migrate() throws -> Bool {
        guard LegacyContainerFiles(directory: directory).present else { return false }
        try update { _ in }
        return true
    }

    /// Runs `body` holding an exclusive `flock` on the directory (released by the kernel if this process dies).
    func exclusively<T>(_ body: () throws -> T) throws -> T {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemCallError("open", directory, errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SystemCallError("flock", directory, errno) }
        }
        return try body()
    }
}
