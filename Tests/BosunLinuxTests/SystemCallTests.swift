import BosunLinux
import Foundation
import Glibc
import Testing

@Suite("System calls")
struct SystemCallTests {
    @Test("a failing call throws its action with errno; a succeeding one returns its result")
    func check() {
        #expect(throws: SystemCallError(action: "open `/nonexistent/x`", code: ENOENT)) {
            try SystemCall.check("open `/nonexistent/x`") { open("/nonexistent/x", O_RDONLY) }
        }
        let fd = try? SystemCall.check("open /dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
        #expect((fd ?? -1) >= 0)
        if let fd { close(fd) }
    }

    @Test("an error reads as its action and errno's text, with or without a separate path")
    func description() {
        #expect(SystemCallError("write", "/x/y.tmp", ENOSPC).description == "write /x/y.tmp: no space left on device")
        #expect(SystemCallError(action: "mount `proc` on `/r/proc`", code: EPERM).description == "mount `proc` on `/r/proc`: operation not permitted")
    }

    @Test("the host's kernel files are written in place; a missing one is a located error")
    func kernelFile() throws {
        let path = NSTemporaryDirectory() + "bosun-kernel-file-\(getpid())"
        _ = FileManager.default.createFile(atPath: path, contents: Data("old value".utf8))
        defer { unlink(path) }
        try HostLinux().writeKernelFile(path, "7", action: "write `\(path)`")
        #expect(FileManager.default.contents(atPath: path) == Data("7".utf8))
        #expect(throws: SystemCallError(action: "write `/nonexistent/k`", code: ENOENT)) {
            try HostLinux().writeKernelFile("/nonexistent/k", "1", action: "write `/nonexistent/k`")
        }
    }

    @Test("a mount call reads as the data it is")
    func mountCallDescription() {
        let call = MountCall.call(source: "proc", target: "/proc", type: "proc", flags: 0xe, data: nil)
        #expect(call.description == "mount proc on /proc type proc flags 0xe data -")
        #expect(MountCall.overlay(lowers: ["/b", "/a"], upper: "/u", work: "/w", target: "/m").target == "/m")
    }
}
