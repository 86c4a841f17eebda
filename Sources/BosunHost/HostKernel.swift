import Foundation

/// The running kernel, as `uname(2)` tells it.
public enum HostKernel {
    /// The release (`uname -r`, e.g. `6.1.0-27-amd64`), for seccomp profiles' `minKernel`.
    public static var release: String {
        var name = utsname()
        guard uname(&name) == 0 else { return "0" }
        return withUnsafeBytes(of: &name.release) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
