#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one retry-and-throw wrapper of a raw system call: retried while it fails with EINTR, and a -1 turned
/// into a `SystemCallError` naming the action.
public enum SystemCall {
    /// Runs `call` until it stops failing with EINTR; throws `action` with errno when it returns -1.
    @discardableResult
    public static func check<T: BinaryInteger>(_ action: @autoclosure () -> String, _ call: () -> T) throws(SystemCallError) -> T {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(action: action(), code: code)
        }
    }
}
