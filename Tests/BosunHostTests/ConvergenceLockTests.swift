import BosunHost
import Foundation
import Glibc
import Testing

/// Records whether a second holder had to wait.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var holders: [Int32?] = []
    func add(_ holder: Int32?) { lock.withLock { holders.append(holder) } }
    var all: [Int32?] { lock.withLock { holders } }
}

@Suite("convergence lock")
struct ConvergenceLockTests {
    @Test("a second convergence waits for the first, told the holder's pid, and proceeds once it is released")
    func serialises() async throws {
        let directory = "/var/tmp/bosun-lock-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await ConvergenceLock.acquire(stateDirectory: directory)
        let waits = WaitLog()
        let second = Task { try await ConvergenceLock.acquire(stateDirectory: directory, waiting: waits.add) }
        for _ in 0..<200 where waits.all.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(waits.all == [getpid()])
        first.release()
        let acquired = try await second.value
        acquired.release()
        // Free again: no wait.
        let third = try await ConvergenceLock.acquire(stateDirectory: directory, waiting: { _ in Issue.record("waited on a free lock") })
        third.release()
    }
}
