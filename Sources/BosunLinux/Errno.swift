#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The text of an `errno` value, the one place bosun formats one (`scripts/check-linux-calls` fails on
/// `strerror` anywhere else). The start of the Linux layer: system calls, their errors and the paths they act
/// on belong in this target.
public enum Errno {
    /// As the C library says it: "No such file or directory".
    public static func text(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// As bosun's messages write causes: "no such file or directory".
    public static func lowercased(_ code: Int32) -> String {
        let text = self.text(code)
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
