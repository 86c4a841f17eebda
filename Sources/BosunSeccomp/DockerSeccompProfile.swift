public import BosunOCI
import Foundation

/// A seccomp profile file as Docker and Podman take it (`--security-opt seccomp=FILE`, Compose's
/// `security_opt: [seccomp:FILE]`): moby's format — `defaultAction`, `defaultErrnoRet`, `architectures` or an
/// `archMap`, `syscalls` with `name` or `names`, `action`, `errnoRet`, `args` and `includes`/`excludes`
/// (capabilities, architectures, minimum kernel) — which also reads a plain OCI `linux.seccomp` object.
/// Resolved as moby's `setupSeccomp` does for this host: the `archMap` entry of the host's architecture with
/// its sub-architectures, and each rule kept only when its `includes` are met and its `excludes` are not.
public enum DockerSeccompProfile {
    struct Profile: Decodable {
        var defaultAction: String
        var defaultErrnoRet: UInt32?
        var architectures: [String]?
        var archMap: [ArchitectureMapping]?
        var flags: [String]?
        var listenerPath: String?
        var listenerMetadata: String?
        var syscalls: [Rule]?
    }

    struct ArchitectureMapping: Decodable {
        var architecture: String
        var subArchitectures: [String]?
    }

    struct Rule: Decodable {
        var name: String?
        var names: [String]?
        var action: String
        var errnoRet: UInt32?
        var args: [RuntimeSpec.SyscallArg]?
        var includes: Filter?
        var excludes: Filter?
        var comment: String?
    }

    struct Filter: Decodable {
        var caps: [String]?
        var arches: [String]?
        var minKernel: String?
    }

    /// The policy of the profile `bytes` (named `file` in errors) for a container with `capabilities` (its
    /// bounding set, `CAP_…`) on a host of Go architecture `hostArch` (`amd64`, `arm64`, …) running kernel
    /// `kernelRelease` (`uname -r`).
    public static func policy(_ bytes: [UInt8], file: String, capabilities: [String], hostArch: String = "amd64",
                              kernelRelease: String) throws(SeccompError) -> RuntimeSpec.Seccomp {
        let profile: Profile
        do { profile = try JSONDecoder().decode(Profile.self, from: Data(bytes)) } catch {
            throw SeccompError(.invalidProfile, "seccomp profile \(file) is not a seccomp profile (JSON with defaultAction and syscalls): \(Self.describe(error))")
        }
        if profile.architectures?.isEmpty == false && profile.archMap?.isEmpty == false {
            throw SeccompError(.invalidProfile, "seccomp profile \(file) gives both architectures and archMap; keep one")
        }
        var policy = RuntimeSpec.Seccomp(defaultAction: profile.defaultAction)
        policy.defaultErrnoRet = profile.defaultErrnoRet
        policy.flags = profile.flags
        policy.listenerPath = profile.listenerPath
        policy.listenerMetadata = profile.listenerMetadata
        if let map = profile.archMap, !map.isEmpty {
            let native = nativeArchitecture(hostArch)
            if let entry = map.first(where: { $0.architecture == native }) {
                policy.architectures = [entry.architecture] + (entry.subArchitectures ?? [])
            }
        } else {
            policy.architectures = profile.architectures
        }
        let granted = Set(capabilities)
        var rules: [RuntimeSpec.Syscall] = []
        for (index, rule) in (profile.syscalls ?? []).enumerated() {
            if rule.name != nil && rule.names?.isEmpty == false {
                throw SeccompError(.invalidProfile, "seccomp profile \(file): rule \(index) gives both name and names; keep one")
            }
            let names = rule.names ?? rule.name.map { [$0] } ?? []
            guard !names.isEmpty else { throw SeccompError(.invalidProfile, "seccomp profile \(file): rule \(index) names no syscall") }
            if let includes = rule.includes {
                if let arches = includes.arches, !arches.isEmpty, !arches.contains(hostArch) { continue }
                if let caps = includes.caps, !caps.allSatisfy({ granted.contains(Self.capability($0)) }) { continue }
                if let minimum = includes.minKernel, !kernel(kernelRelease, atLeast: minimum) { continue }
            }
            if let excludes = rule.excludes {
                if let arches = excludes.arches, arches.contains(hostArch) { continue }
                if let caps = excludes.caps, caps.contains(where: { granted.contains(Self.capability($0)) }) { continue }
                if let minimum = excludes.minKernel, kernel(kernelRelease, atLeast: minimum) { continue }
            }
            rules.append(RuntimeSpec.Syscall(names: names, action: rule.action, errnoRet: rule.errnoRet, args: rule.args))
        }
        policy.syscalls = rules
        return policy
    }

    /// libseccomp's name of a Go architecture, as moby's `goToNative` maps it.
    static func nativeArchitecture(_ goArch: String) -> String {
        switch goArch {
        case "386": return "SCMP_ARCH_X86"
        case "amd64": return "SCMP_ARCH_X86_64"
        case "arm": return "SCMP_ARCH_ARM"
        case "arm64": return "SCMP_ARCH_AARCH64"
        case "ppc64le": return "SCMP_ARCH_PPC64LE"
        case "s390x": return "SCMP_ARCH_S390X"
        case "riscv64": return "SCMP_ARCH_RISCV64"
        default: return "SCMP_ARCH_" + goArch.uppercased()
        }
    }

    static func capability(_ name: String) -> String {
        let upper = name.uppercased()
        return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }

    /// Whether kernel release `release` (`6.1.0-27-amd64`) is at least `minimum` (`4.8`).
    static func kernel(_ release: String, atLeast minimum: String) -> Bool {
        func numbers(_ text: String) -> [Int] {
            text.split(separator: "-").first.map { $0.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 } } ?? []
        }
        let have = numbers(release), want = numbers(minimum)
        for index in 0..<max(have.count, want.count) {
            let a = index < have.count ? have[index] : 0, b = index < want.count ? want[index] : 0
            if a != b { return a > b }
        }
        return true
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(key.stringValue)" + (context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            return (context.codingPath.isEmpty ? "" : context.codingPath.map(\.stringValue).joined(separator: ".") + ": ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}
