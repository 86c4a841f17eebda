import Foundation

/// Writes kernel parameters under /proc/sys: the boundary for `ip_forward` and `route_localnet`, with a
/// real implementation and a recording fake.
protocol SysctlWriter: Sendable {
    func write(_ key: String, _ value: String) throws(NetworkError)
    func read(_ key: String) -> String?
}

/// /proc/sys.
struct ProcSysctl: SysctlWriter {
    func path(_ key: String) -> String { "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/") }

    func write(_ key: String, _ value: String) throws(NetworkError) {
        let fd = open(path(key), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetworkError(.system, "open sysctl \(key)", errno: errno) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw NetworkError(.system, "set sysctl \(key)=\(value)", errno: errno)
        }
    }

    func read(_ key: String) -> String? {
        (try? String(contentsOfFile: path(key), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
