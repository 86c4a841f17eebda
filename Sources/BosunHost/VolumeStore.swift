import BosunModel
import BosunImageStore
import CBosunSys
import Foundation

/// Named volumes: `<state>/volumes/<name>/_data`, as Docker lays them out. The volumes directory and each
/// volume's directory are 0700 root; `_data` is created 0755 root and takes the owner and mode of the
/// image's directory when it is initialised. Volumes outlive their containers: only `remove` deletes one.
public struct VolumeStore: Sendable {
    /// `<state>/volumes`.
    public let root: String

    /// The store of `stateDirectory`; its directory is made on the first `create`.
    public init(stateDirectory: String) {
        root = StateLayout(stateDirectory).volumes
    }

    /// A volume's host name: a letter or digit first, then letters, digits, `_`, `.`, `-` (as Docker).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 255 else { return false }
        let isAlphanumeric = { (c: Unicode.Scalar) in c.isASCII && (CharacterSet.alphanumerics.contains(c)) }
        return isAlphanumeric(first) && name.unicodeScalars.allSatisfy { isAlphanumeric($0) || "_.-".unicodeScalars.contains($0) }
    }

    /// The directory containers mount: `<root>/<name>/_data`.
    public func dataPath(_ name: String) -> String { "\(root)/\(name)/_data" }

    public func exists(_ name: String) -> Bool {
        var info = stat()
        return Self.isValidName(name) && lstat(dataPath(name), &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The volumes present, by name.
    public func list() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter(exists).sorted()
    }

    /// Creates the volume when missing (idempotent); returns its data directory.
    @discardableResult
    public func create(_ name: String) throws(HostError) -> String {
        guard Self.isValidName(name) else {
            throw HostError("create volume \(name)", cause: "the name is not valid", hint: "use letters, digits, '_', '.' and '-', starting with a letter or digit")
        }
        try Self.makeDirectory(root, mode: 0o700)
        try Self.makeDirectory("\(root)/\(name)", mode: 0o700)
        try Self.makeDirectory(dataPath(name), mode: 0o755)
        return dataPath(name)
    }

    /// Deletes a volume and its data, never following a symlink a container left in it. Missing is not an error.
    public func remove(_ name: String) throws(HostError) {
        guard Self.isValidName(name) else { throw HostError("remove volume \(name)", cause: "the name is not valid") }
        let directory = "\(root)/\(name)"
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw HostError("open volume \(name)", errno: errno)
        }
        do {
            try TreeCopier.removeContents(of: fd, path: directory)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rmdir(directory) == 0 else { throw HostError("remove volume directory \(directory)", errno: errno) }
    }

    /// Whether the volume's data directory has no entries.
    public func isEmpty(_ name: String) throws(HostError) -> Bool {
        let fd = open(dataPath(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw HostError("open volume \(name)", errno: errno) }
        defer { close(fd) }
        return try TreeCopier.entries(of: fd, path: dataPath(name)).isEmpty
    }

    /// On first use, as Docker does: when the volume is empty, copies the image's content at `target` (its
    /// files, owners and modes) into it. `lowers` are the image's unpacked snapshots, bottom layer first. The
    /// image is mounted read-only for the copy, `target` is resolved inside it (a symlink in the image cannot
    /// lead out of it), and nothing is followed while copying. Returns whether anything was copied.
    @discardableResult
    public func initialise(_ name: String, fromImage lowers: [String], at target: String) throws(HostError) -> Bool {
        guard try isEmpty(name), !lowers.isEmpty else { return false }
        let scratch = "\(root)/.init-\(name)-\(getpid())"
        try Self.makeDirectory(scratch, mode: 0o700)
        defer { try? removeScratch(scratch) }
        for directory in ["upper", "work", "merged"] { try Self.makeDirectory("\(scratch)/\(directory)", mode: 0o700) }
        do {
            try OverlayRootfs.mount(lowers: lowers, upper: "\(scratch)/upper", work: "\(scratch)/work", target: "\(scratch)/merged")
        } catch {
            throw HostError("mount the image to initialise volume \(name)", cause: "\(error)")
        }
        defer { try? OverlayRootfs.unmount("\(scratch)/merged") }
        let merged = open("\(scratch)/merged", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard merged >= 0 else { throw HostError("open the image mounted at \(scratch)/merged", errno: errno) }
        defer { close(merged) }
        let relative = target.split(separator: "/").joined(separator: "/")
        let source = relative.isEmpty ? dup(merged) : Int32(bosun_openat2(merged, relative, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0,
                                                                          BOSUN_RESOLVE_IN_ROOT | BOSUN_RESOLVE_NO_MAGICLINKS))
        guard source >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return false }  // nothing in the image there
            throw HostError("open \(target) in the image", errno: errno)
        }
        defer { close(source) }
        let destination = open(dataPath(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard destination >= 0 else { throw HostError("open volume \(name)", errno: errno) }
        defer { close(destination) }
        try TreeCopier.copyContents(of: source, into: destination, path: target)
        return true
    }

    private func removeScratch(_ scratch: String) throws(HostError) {
        try? OverlayRootfs.unmount("\(scratch)/merged")
        let fd = open(scratch, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        // overlayfs leaves its work directory mode 000; root removes it all the same.
        try? TreeCopier.removeContents(of: fd, path: scratch)
        close(fd)
        rmdir(scratch)
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws(HostError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw HostError("create directory \(path)", cause: "something else is in the way") }
            return
        }
        if errno == ENOENT {
            let parent = (path as NSString).deletingLastPathComponent
            if parent != path && !parent.isEmpty && lstat(parent, &info) != 0 { try makeDirectory(parent, mode: 0o700) }
        }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw HostError("create directory \(path)", errno: errno) }
        chmod(path, mode)
    }
}
