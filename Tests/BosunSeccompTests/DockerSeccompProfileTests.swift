import BosunOCI
import BosunSeccomp
import Foundation
import Testing

/// Profile files in Docker's format, resolved as moby's `setupSeccomp` resolves them.
@Suite("seccomp profile files")
struct DockerSeccompProfileTests {
    let profile = #"""
    {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
     "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                 {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
     "syscalls": [
       {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
       {"name": "clone", "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
        "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
       {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
       {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
       {"names": ["set_tls"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm"]}},
       {"names": ["landlock_create_ruleset"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.13"}}
     ]}
    """#

    @Test func resolvedForTheHostsArchitectureCapabilitiesAndKernel() throws {
        let policy = try DockerSeccompProfile.policy(Array(profile.utf8), file: "p.json", capabilities: ["CAP_CHOWN"], kernelRelease: "6.1.0-27-amd64")
        #expect(policy.defaultAction == "SCMP_ACT_ERRNO" && policy.defaultErrnoRet == 1)
        #expect(policy.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        #expect(policy.syscalls?.map(\.names) == [["read", "write"], ["clone"], ["arch_prctl"], ["landlock_create_ruleset"]])
        #expect(policy.syscalls?[1].args?.first?.op == "SCMP_CMP_MASKED_EQ")
        let admin = try DockerSeccompProfile.policy(Array(profile.utf8), file: "p.json", capabilities: ["CAP_SYS_ADMIN"], kernelRelease: "5.10.0")
        #expect(admin.syscalls?.map(\.names) == [["read", "write"], ["mount"], ["arch_prctl"]])
        let arm = try DockerSeccompProfile.policy(Array(profile.utf8), file: "p.json", capabilities: [], hostArch: "arm64", kernelRelease: "6.1")
        #expect(arm.architectures == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"])
    }

    @Test func anOCIPolicyReadsAsItIs() throws {
        let oci = #"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#
        let policy = try DockerSeccompProfile.policy(Array(oci.utf8), file: "oci.json", capabilities: [], kernelRelease: "6.1")
        #expect(policy.architectures == ["SCMP_ARCH_X86_64"])
        #expect(policy.syscalls == [RuntimeSpec.Syscall(names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 1)])
    }

    @Test func badProfilesNameTheFileAndTheMistake() {
        let cases: [(String, String)] = [
            ("not json", "p.json is not a seccomp profile"),
            (#"{"syscalls": []}"#, "missing defaultAction"),
            (#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}"#, "both architectures and archMap"),
            (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}"#, "rule 0 gives both name and names"),
            (#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}"#, "rule 0 names no syscall"),
        ]
        for (text, expected) in cases {
            do {
                _ = try DockerSeccompProfile.policy(Array(text.utf8), file: "p.json", capabilities: [], kernelRelease: "6.1")
                Issue.record("\(text): accepted")
            } catch {
                #expect(error.description.contains(expected), "\(text): \(error.description)")
            }
        }
    }
}
