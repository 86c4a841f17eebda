/// One mount as data, the argument of `LinuxSystem.mount`: a mount(2) call, or an overlay (whose lower layers
/// may not fit mount(2)'s one page of options). Recorded by the fake, performed by `HostLinux`.
public enum MountCall: Sendable, Hashable, CustomStringConvertible {
    /// mount(2) as called: `flags` are MS_* bits; a nil source, type or data is passed as NULL.
    case call(source: String?, target: String, type: String?, flags: UInt, data: String?)
    /// An overlay filesystem on `target`; `lowers` are the top layer first, as overlayfs lists them.
    case overlay(lowers: [String], upper: String, work: String, target: String)

    /// Where the mount lands.
    public var target: String {
        switch self {
        case .call(_, let target, _, _, _), .overlay(_, _, _, let target): target
        }
    }

    /// "mount proc on /proc type proc flags 0xe data -", "overlay on /x lower a:b upper u work w".
    public var description: String {
        switch self {
        case .call(let source, let target, let type, let flags, let data):
            "mount \(source ?? "-") on \(target) type \(type ?? "-") flags 0x\(String(flags, radix: 16)) data \(data ?? "-")"
        case .overlay(let lowers, let upper, let work, let target):
            "overlay on \(target) lower \(lowers.joined(separator: ":")) upper \(upper) work \(work)"
        }
    }
}
