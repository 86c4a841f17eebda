import BosunLinux
import CBosunSys
import Foundation

/// Runs a closure on a fresh thread that has joined another network namespace, so no pooled or caller thread
/// ever changes namespace. The thread returns to its original namespace before it ends; if it cannot, it
/// ends anyway (a dying thread's namespace does not matter).
enum NamespaceThread {
    static func run<T: Sendable>(in path: String, _ body: @escaping @Sendable () throws(NetworkError) -> T) throws(NetworkError) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            box.result = Result { () throws(NetworkError) -> T in
                let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
                guard original >= 0 else { throw NetworkError(.system, "open this thread's network namespace", errno: errno) }
                defer { close(original) }
                let target = open(path, O_RDONLY | O_CLOEXEC)
                guard target >= 0 else { throw NetworkError(.notFound, "open network namespace \(path)", errno: errno) }
                defer { close(target) }
                let system = HostLinux()
                do throws(SystemCallError) {
                    try system.joinNamespace(fd: target, type: BOSUN_CLONE_NEWNET, action: "enter network namespace \(path)")
                } catch {
                    throw NetworkError(.system, error.action, errno: error.code)
                }
                defer { try? system.joinNamespace(fd: original, type: BOSUN_CLONE_NEWNET, action: "return to this thread's network namespace") }
                return try body()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        return try box.result!.get()
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, NetworkError>?
}
