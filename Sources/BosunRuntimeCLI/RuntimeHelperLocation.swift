import Glibc

/// Where bosun's other executables are: installed next to this one (`/proc/self/exe`, links resolved). The
/// runtime's namespace helper is the small `bosun-init`, or, when it is missing, this executable itself (its
/// main.swift dispatches the helper's mode first thing).
public enum RuntimeHelperLocation {
    public static let path: String = {
        guard let beside = beside("bosun-init"), access(beside, X_OK) == 0 else { return "/proc/self/exe" }
        return beside
    }()

    /// The static `bosun-monitor` (container monitor and `--init`), installed next to `bosun`: there is no
    /// fallback, since it must be a static binary to run inside images.
    public static let monitorPath: String = beside("bosun-monitor") ?? "bosun-monitor"

    /// `name` in the directory of this executable; nil when neither /proc/self/exe nor argv[0] names a
    /// directory (never a path in the working directory). Glibc only: the front runs this on every command.
    public static func beside(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        let executable = length > 0
            ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
        return beside(name, executable: executable)
    }

    /// `name` beside `executable`; nil for an executable without a directory. Pure.
    static func beside(_ name: String, executable: String) -> String? {
        guard let slash = executable.lastIndex(of: "/") else { return nil }
        return String(executable[...slash]) + name
    }
}
