import Foundation
import Testing

/// A state directory others could write, or replace through a parent, is refused before bosun touches it,
/// with the fix in the message; safe ones (0700, 0755 tightened later, under sticky /tmp) are used.
@Suite("state directory permissions")
struct StateDirectorySafetyTests {
    func ps(_ state: String) throws -> BosunBinary.Outcome { try BosunBinary.run(["ps", "-a", "--state-dir", state]) }

    @Test("a state directory writable by others, or under a parent they can write, is refused with the fix")
    func looseDirectoriesAreRefused() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Writable by everyone: refused, nothing created inside it.
        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        let refused = try ps(open)
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("state directory \(open) is writable by its group and others (mode 0777)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("chmod 0700 \(open)"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: open).isEmpty)
        // Group-writable too.
        chmod(open, 0o770)
        #expect(try ps(open).stderr.contains("writable by its group (mode 0770)"))
        // A missing state directory under a parent others can write (not sticky): refused, not created.
        let loose = dir + "/loose"
        try FileManager.default.createDirectory(atPath: loose, withIntermediateDirectories: false)
        chmod(loose, 0o777)
        let underLoose = try ps(loose + "/state")
        #expect(underLoose.status == 4)
        #expect(underLoose.stderr.contains("its parent \(loose) is writable by its group and others (mode 0777)"), "\(underLoose.stderr)")
        #expect(underLoose.stderr.contains("chmod go-w \(loose)"))
        #expect(!FileManager.default.fileExists(atPath: loose + "/state"))
        // Safe: 0700, 0755, and a sticky root-owned parent like /tmp.
        let safe = dir + "/safe"
        try FileManager.default.createDirectory(atPath: safe, withIntermediateDirectories: false)
        chmod(safe, 0o755)
        let listed = try ps(safe)
        #expect(listed.status == 0, "\(listed.stderr)")
        if getuid() == 0 {
            var info = stat()
            #expect(stat("/tmp", &info) == 0 && info.st_mode & S_ISVTX != 0 && info.st_uid == 0)
            let underTmp = "/tmp/bosun-safe-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: underTmp) }
            #expect(try ps(underTmp).status == 0)
        }
    }

    @Test("a state directory owned by another user, or under a parent another user owns, is refused (root)",
          .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
    func foreignOwnersAreRefused() throws {
        try #require(getuid() == 0, "chown needs root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let foreign = dir + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        chmod(foreign, 0o700)
        chown(foreign, 65534, 65534)
        let refused = try ps(foreign)
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("is owned by uid 65534, not by uid 0"), "\(refused.stderr)")
        let under = try ps(foreign + "/state")
        #expect(under.status == 4)
        #expect(under.stderr.contains("its parent \(foreign) is owned by uid 65534"), "\(under.stderr)")
    }
}
