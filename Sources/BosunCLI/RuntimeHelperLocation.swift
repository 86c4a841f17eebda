import Foundation

/// Where the runtime's namespace helper is: the small `bosun-init` installed next to `bosun`, or `bosun`
/// itself (`/proc/self/exe`, which dispatches the helper's mode first thing in main.swift).
enum RuntimeHelperLocation {
    static let path: String = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "/proc/self/exe" }
        let beside = (executable as NSString).deletingLastPathComponent + "/bosun-init"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : "/proc/self/exe"
    }()
}
