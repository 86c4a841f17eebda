import Foundation
import BosunLinux

/// Whole-file writes: `atomically` for state (temporary file, fsync, rename), `inPlace` for files the runtime
/// bind-mounts (a rename would leave the container looking at the old inode).
enum FileWriter {
    static func atomically(_ bytes: [UInt8], to path: String) throws(NetworkError) {
        do { try AtomicFile.write(bytes, to: path, mode: 0o644) } catch {
            throw NetworkError(.state, "\(error.call) \(error.path)", errno: error.code)
        }
    }

    static func inPlace(_ bytes: [UInt8], to path: String, sync: Bool = false) throws(NetworkError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw NetworkError(.state, "open \(path) for writing", errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw NetworkError(.state, "write \(path)", errno: errno)
            }
            offset += written
        }
        if sync { fsync(fd) }
    }

    static func makeDirectory(_ path: String) throws(NetworkError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw NetworkError(.state, "create directory \(path): \(error)")
        }
    }
}
