import CLibGit2

/// Process-wide libgit2 setup and small helpers for calling it.
///
/// libgit2 is initialised once. Reading the system, XDG, global and ProgramData git configuration is
/// disabled, so `/etc/gitconfig` or `~/.gitconfig` (e.g. `url.*.insteadOf` rewrites, credential helpers)
/// cannot redirect or alter what bosun fetches; only the mirror's own config is read.
enum LibGit2 {
    private static let setup: Int32 = {
        git_libgit2_init()
        var failed: Int32 = 0
        for level in [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL] {
            if bosun_git_set_search_path_empty(Int32(level.rawValue)) != 0 { failed = -1 }
        }
        return failed
    }()

    /// Initialises libgit2 and empties the config search paths; cheap after the first call.
    static func initialize() throws(GitError) {
        if setup != 0 {
            throw GitError(code: .configuration, action: "initialise", object: "libgit2", cause: lastErrorMessage())
        }
    }

    /// libgit2's last error message on this thread, lower-cased at the start, or a generic text.
    static func lastErrorMessage(_ rc: Int32? = nil) -> String {
        guard let error = git_error_last(), let message = error.pointee.message else {
            return rc.map { "libgit2 error \($0)" } ?? "unknown libgit2 error"
        }
        var text = String(cString: message)
        while text.hasSuffix(".") || text.hasSuffix("\n") { text.removeLast() }
        if let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase ?? true {
            text = first.lowercased() + text.dropFirst()
        }
        return text
    }

    /// Throws a `GitError` when `rc` is negative, with libgit2's message as the cause.
    static func check(
        _ rc: Int32, code: GitError.Code, action: String, object: String, hint: String? = nil,
        scrub: (String) -> String = { $0 }
    ) throws(GitError) {
        guard rc < 0 else { return }
        var kind = code
        if rc == GIT_ENOTFOUND.rawValue { kind = .notFound }
        throw GitError(code: kind, action: action, object: object, cause: scrub(lastErrorMessage(rc)), hint: hint)
    }

    /// The hex form of an object id.
    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        String(cString: git_oid_tostr_s(oid))
    }

    /// Calls `body` with a `git_strarray` holding copies of `strings`.
    static func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: max(strings.count, 1))
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        defer {
            for index in 0..<strings.count { free(pointers[index]) }
            pointers.deallocate()
        }
        var array = git_strarray(strings: pointers, count: strings.count)
        return try body(&array)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
