import BosunLinux
import Foundation
import Glibc
import Testing

@Suite("Errno")
struct ErrnoTests {
    @Test("an errno reads as the C library says it, and lower-cased for causes")
    func text() {
        #expect(Errno.text(ENOENT) == "No such file or directory")
        #expect(Errno.lowercased(EACCES) == "permission denied")
        #expect(Errno.text(ENOSPC) == "No space left on device")
    }

    @Test("an unknown errno still reads as something")
    func unknown() {
        #expect(!Errno.text(99_999).isEmpty)
    }
}
