import BosunRuntime
import Foundation
import Glibc
import Testing
@testable import BosunContainers

/// `PID STARTTIME BOOTID` files (a container's creator, its monitor) name a live process of this boot only.
@Suite struct ProcessMarkerTests {
    /// Each test its own file: Swift Testing runs them in parallel.
    let file = "/var/tmp/bosun-marker-\(getpid())-\(UUID().uuidString)"

    @Test func aMarkerNamesThisProcessInThisBoot() throws {
        defer { unlink(file) }
        let marker = ContainerDirectory.processMarker(getpid())
        let words = marker.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(words.count == 3 && words[0] == "\(getpid())" && words[2] == BootID.current)
        try marker.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(DetachedContainers.alivePid(file: file) == getpid())
    }

    @Test func anotherBootsMarkerNamesNothing() throws {
        defer { unlink(file) }
        let words = ContainerDirectory.processMarker(getpid()).split(separator: " ")
        try "\(words[0]) \(words[1]) 00000000-0000-0000-0000-000000000000\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(DetachedContainers.alivePid(file: file) == nil)
        // A marker written before boot ids were recorded: pid and start time decide.
        try "\(words[0]) \(words[1])\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(DetachedContainers.alivePid(file: file) == getpid())
    }
}
