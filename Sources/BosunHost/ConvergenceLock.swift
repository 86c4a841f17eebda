import BosunModel
import Foundation
import Glibc

/// One convergence at a time per state directory, across processes: `bosun apply`, `bosun down` and the agent
/// take `<state>/converge.lock` (an flock, released by the kernel if the holder dies) around observe, plan and
/// execute, so a manual apply never interleaves with the agent's on the same inventory, networks and volumes.
public final class ConvergenceLock: @unchecked Sendable {
    private var descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock, waiting (off the cooperative pool) while another process holds it; `waiting` is called
    /// once, with the holder's pid when known, if it has to wait.
    public static func acquire(stateDirectory: String, waiting: @escaping @Sendable (Int32?) -> Void = { _ in }) async throws -> ConvergenceLock {
        let path = StateLayout(stateDirectory).convergenceLock
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HostError("open the convergence lock \(path)", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            waiting(holder)
            let locked = try await Blocking.run { flock(fd, LOCK_EX) == 0 ? 0 : errno }
            guard locked == 0 else {
                close(fd)
                throw HostError("wait for the convergence lock \(path)", errno: locked)
            }
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        return ConvergenceLock(descriptor: fd)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
