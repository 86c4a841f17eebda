import Foundation

/// Where the runtime's namespace helper is: the small `bosun-init` installed next to `bosun`, or `bosun`
/// itself (`/proc/self/exe`, which dispatches the helper's mode first thing in main.swift).
public enum RuntimeHelperLocation {
    public static let path: String = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "/proc/self/exe" }
        let beside = (executable as NSString).deletingLastPathComponent + "/bosun-init"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : "/proc/self/exe"
    }()

    /// The static `bosun-monitor` (container monitor and `--init`), installed next to `bosun`: there is no
    /// fallback, since it must be a static binary to run inside images.
    public static let monitorPath: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent + "/bosun-monitor"
    }()
}
