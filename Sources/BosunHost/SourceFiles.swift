import Synchronization

/// Where the desired state's files are on disk for this convergence (the source directory, or the commit's
/// export): relative bind mounts and secrets resolve under it. Set once the source is read.
public final class SourceFiles: Sendable {
    private let current = Mutex<String?>(nil)

    public init(root: String? = nil) { current.withLock { $0 = root } }

    public var root: String? { current.withLock { $0 } }

    public func set(_ root: String?) { current.withLock { $0 = root } }

    /// A tree-relative path (`./demo/www`, `demo/secret.txt`) on disk, or nil without a root.
    public func path(_ relative: String) -> String? {
        guard let root else { return nil }
        return root + "/" + relative.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
