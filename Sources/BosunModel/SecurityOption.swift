/// One `--security-opt` / Compose `security_opt` entry, as Docker reads it (`name=value` or `name:value`).
/// bosun applies each of these; anything else is refused by name, never ignored.
public enum SecurityOption: Sendable, Hashable {
    /// `no-new-privileges[:true|false]`.
    case noNewPrivileges(Bool)
    /// `seccomp=unconfined` (nil) or `seccomp=PATH` (a profile file in Docker's format).
    case seccomp(path: String?)
    /// `apparmor=PROFILE`, or `apparmor=unconfined` (nil).
    case apparmor(profile: String?)
    /// `label=disable` (or `label:disable`): no SELinux labelling, which is what bosun does anyway.
    case labelDisable
    /// `systempaths=unconfined`: no masked or read-only paths in /proc and /sys.
    case systemPathsUnconfined

    /// Parses one entry; the error says what is wrong and what bosun supports.
    public init(parsing text: String) throws(ModelValueError) {
        let separator = text.firstIndex { $0 == "=" || $0 == ":" }
        let name = separator.map { String(text[..<$0]) } ?? text
        let value = separator.map { String(text[text.index(after: $0)...]) }
        switch name {
        case "no-new-privileges":
            switch value {
            case nil, "true": self = .noNewPrivileges(true)
            case "false": self = .noNewPrivileges(false)
            default: throw ModelValueError("security option \(text): no-new-privileges takes true or false")
            }
        case "seccomp":
            guard let value, !value.isEmpty else { throw ModelValueError("security option \(text): seccomp needs a profile file or unconfined") }
            self = .seccomp(path: value == "unconfined" ? nil : value)
        case "apparmor":
            guard let value, !value.isEmpty else { throw ModelValueError("security option \(text): apparmor needs a profile name or unconfined") }
            self = .apparmor(profile: value == "unconfined" ? nil : value)
        case "label":
            guard value == "disable" else {
                throw ModelValueError("security option \(text): SELinux labels (user, role, type, level) are not supported, only label=disable (bosun applies no SELinux labels)")
            }
            self = .labelDisable
        case "systempaths":
            guard value == "unconfined" else { throw ModelValueError("security option \(text): systempaths takes only unconfined") }
            self = .systemPathsUnconfined
        default:
            throw ModelValueError("unknown security option \(text): bosun supports no-new-privileges, seccomp, apparmor, label=disable and systempaths=unconfined")
        }
    }
}
