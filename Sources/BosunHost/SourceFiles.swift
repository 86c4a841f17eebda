import BosunModel
import Foundation
import Glibc
import Synchronization
import BosunLinux

/// Where the desired state's files are on disk for this convergence, and what containers bind of them.
///
/// A directory source is used where it is: its files are bound live, as Docker Compose binds them. A commit's
/// files (exported under `<state>/sources/commits/<commit>`) are not bound from the export, which is pruned
/// as commits pass: each file or directory a container reads is copied once into a content store,
/// `<state>/sources/content/<digest>`, named by its `SourceDigest` and checked against it. A container keeps
/// reading the content it was created with, whatever commits follow, and the next commit that changes the
/// content (and so the service's config hash) recreates it on the new content. Content no container uses is
/// removed at the start of a convergence (`prune`).
public final class SourceFiles: Sendable {
    private struct Current { var root: String?; var store: String?; var alternates: [String] = [] }
    private let current = Mutex(Current())
    /// Serialises copies into the store and pruning of it.
    private let storeLock = Mutex(())

    public init(root: String? = nil, store: String? = nil) { current.withLock { $0 = Current(root: root, store: store) } }

    public var root: String? { current.withLock { $0.root } }

    /// The content store, when sources are a commit's export; nil for a directory source.
    public var store: String? { current.withLock { $0.store } }

    /// Sets the root; `store` is the content store directory when the root is a commit's export. `alternates`
    /// are the exports of other commits whose projects the desired state also holds (a quarantined project's
    /// last good commit): content is copied from the first root that has it as the plan hashed it.
    public func set(_ root: String?, store: String? = nil, alternates: [String] = []) {
        current.withLock { $0 = Current(root: root, store: store, alternates: alternates) }
    }

    /// A tree-relative path (`./demo/www`, `demo/secret.txt`) on disk, or nil without a root.
    public func path(_ relative: String) -> String? {
        root.map { Self.join($0, relative) }
    }

    static func join(_ root: String, _ relative: String) -> String {
        root + "/" + relative.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// What a container binds for the tree path `relative` whose content digest is `digest`: its copy in the
    /// content store (made now when missing) for a commit's files, the path itself for a directory source or
    /// without a digest (a path the repository does not have). Nil without a root.
    public func bindPath(_ relative: String, digest: String?) throws(HostError) -> String? {
        guard let source = path(relative) else { return nil }
        guard let store, let digest else { return source }
        let target = store + "/" + SourceDigest.storeName(digest)
        let alternates = current.withLock { $0.alternates }.map { Self.join($0, relative) }.filter { access($0, F_OK) == 0 }
        return try storeLock.withLock { _ throws(HostError) -> String in
            if access(target, F_OK) == 0 { return target }
            // The root's export first, then another commit's (a held project's) that has the content the plan
            // hashed; when none has it, the root's error is the one reported.
            var failure: HostError?
            for candidate in [source] + alternates {
                do throws(HostError) {
                    try copyIntoStore(candidate, digest: digest, store: store, target: target, relative: relative)
                    return target
                } catch {
                    failure = failure ?? error
                }
            }
            throw failure!
        }
    }

    private func copyIntoStore(_ source: String, digest: String, store: String, target: String, relative: String) throws(HostError) {
        let temporary = store + "/.\(SourceDigest.storeName(digest)).\(getpid()).tmp"
        do {
            try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try? FileManager.default.removeItem(atPath: temporary)
            try Self.copy(source, to: temporary)
            // The copy must be the content the plan hashed (the export is of the same commit; this catches a
            // damaged or stale export before a container reads it).
            let copied = try SourceDigest.of(StoredFileTree(root: store), path: (temporary as NSString).lastPathComponent)
            guard copied == digest else {
                throw HostError("copy \(relative) for a container", cause: "its content on disk (\(copied ?? "nothing")) is not the commit's (\(digest))",
                                hint: "remove \((source as NSString).deletingLastPathComponent) and converge again to export the commit anew")
            }
            guard rename(temporary, target) == 0 else {
                throw HostError("store \(relative)", cause: Errno.text(errno))
            }
        } catch let error as HostError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw HostError("copy \(relative) into \(store)", cause: "\(error)")
        }
    }

    /// Copies a file (its mode's executable bit kept) or a directory of files and directories; symlinks and
    /// special files are left out, as the export leaves them out.
    static func copy(_ source: String, to target: String) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else { throw HostError("copy \(source)", cause: Errno.text(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard FileManager.default.createFile(atPath: target, contents: FileManager.default.contents(atPath: source)) else {
                throw HostError("copy \(source) to \(target)", cause: "cannot write the copy")
            }
            chmod(target, info.st_mode & 0o100 != 0 ? 0o755 : 0o644)
        case S_IFDIR:
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            for name in try FileManager.default.contentsOfDirectory(atPath: source).sorted() where name != ".git" {
                var child = stat()
                guard lstat(source + "/" + name, &child) == 0 else { continue }
                let kind = child.st_mode & S_IFMT
                if kind == S_IFREG || kind == S_IFDIR { try copy(source + "/" + name, to: target + "/" + name) }
            }
        default:
            return
        }
    }

    /// Removes from the content store everything not named by `digests` (those the recorded containers use).
    /// Called at the start of a convergence, under the convergence lock.
    public func prune(keeping digests: Set<String>) {
        guard let store else { return }
        storeLock.withLock { _ in
            let keep = Set(digests.map(SourceDigest.storeName))
            for name in (try? FileManager.default.contentsOfDirectory(atPath: store)) ?? [] where !keep.contains(name) {
                try? FileManager.default.removeItem(atPath: store + "/" + name)
            }
        }
    }
}
