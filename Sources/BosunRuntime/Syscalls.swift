import BosunLinux
import CBosunSys
import Glibc

/// The runtime's file and channel calls (mounts, the root and namespaces go through the Linux layer's
/// `LinuxSystem`): each retries on EINTR (`SystemCall.check`) and throws a `RuntimeError` naming the step.
enum Sys {
    /// Runs `call` until it stops failing with EINTR; throws `step` with errno when it returns -1.
    @discardableResult
    static func check<T: BinaryInteger>(_ step: @autoclosure () -> String, _ call: () -> T) throws(RuntimeError) -> T {
        do {
            return try SystemCall.check(step(), call)
        } catch {
            throw RuntimeError(error)
        }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0, step: @autoclosure () -> String) throws(RuntimeError) -> Int32 {
        try check(step()) { Glibc.open(path, flags, mode) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes all of `bytes`.
    static func write(_ fd: Int32, _ bytes: [UInt8], step: @autoclosure () -> String) throws(RuntimeError) {
        var offset = 0
        while offset < bytes.count {
            let written = try check(step()) { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) } }
            offset += written
        }
    }

    /// Reads until end of file.
    static func readAll(_ fd: Int32, step: @autoclosure () -> String) throws(RuntimeError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try check(step()) { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    static func readFile(_ path: String) -> String? {
        guard let fd = try? open(path, flags: O_RDONLY | O_CLOEXEC, step: "open `\(path)`") else { return nil }
        defer { close(fd) }
        guard let bytes = try? readAll(fd, step: "read `\(path)`") else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func readlinkat(_ dirfd: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = Glibc.readlinkat(dirfd, name, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func waitpid(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = Glibc.waitpid(pid, &status, 0)
            if result == pid { return status }
            if result == -1 && Glibc.errno == EINTR { continue }
            return nil
        }
    }

    /// Sends one datagram on a SOCK_SEQPACKET socket.
    static func send(_ fd: Int32, _ bytes: [UInt8], step: @autoclosure () -> String) throws(RuntimeError) {
        try check(step()) { bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    }

    /// Receives one datagram (nil at end of stream).
    static func receive(_ fd: Int32, step: @autoclosure () -> String) throws(RuntimeError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: try nextMessageSize(fd, step: step()))
        let count = try check(step()) { buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) } }
        return count == 0 ? nil : Array(buffer[0..<count])
    }

    /// Receives one datagram and the descriptor it carries (-1 when none); nil at end of stream.
    static func receiveMessage(_ fd: Int32, step: @autoclosure () -> String) throws(RuntimeError) -> (bytes: [UInt8], fd: Int32)? {
        var buffer = [UInt8](repeating: 0, count: try nextMessageSize(fd, step: step()))
        var received: Int32 = -1
        let count = try check(step()) { buffer.withUnsafeMutableBytes { bosun_recv_message(fd, $0.baseAddress, $0.count, &received) } }
        if count == 0 && received < 0 { return nil }
        return (Array(buffer[0..<count]), received)
    }

    /// Waits for the next datagram and returns its size (at least 1, so the buffer has an address): messages
    /// are a few hundred bytes to a few KiB, and zeroing a buffer for the largest possible one cost a
    /// container start ~0.5 ms of page faults.
    private static func nextMessageSize(_ fd: Int32, step: @autoclosure () -> String) throws(RuntimeError) -> Int {
        max(1, try check(step()) { Glibc.recv(fd, nil, 0, Int32(MSG_PEEK | MSG_TRUNC)) })
    }
}

/// Wait-status decoding (the macros are not imported).
enum WaitStatus {
    static func exited(_ status: Int32) -> Bool { status & 0x7f == 0 }
    static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }
    static func signal(_ status: Int32) -> Int32 { status & 0x7f }
    /// The shell convention: the exit code, or 128 + the signal.
    static func shellCode(_ status: Int32) -> Int32 { exited(status) ? exitCode(status) : 128 + signal(status) }
}
