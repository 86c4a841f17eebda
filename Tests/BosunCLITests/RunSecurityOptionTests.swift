import Foundation
import Testing

/// `bosun run --security-opt` as Docker takes it: each supported option applied for real inside the
/// container, everything else refused by name (it used to be accepted and ignored).
@Suite("bosun run --security-opt", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RunSecurityOptionTests {
    @Test("seccomp profile files, no-new-privileges and systempaths apply; unknown options and SELinux labels are refused")
    func options() throws {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ImageCommandTests.layout(in: dir)
        let state = dir + "/state"
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let image = "localhost:5000/bosun/busybox:1.35"
        func run(_ options: [String], _ script: String) throws -> BosunBinary.Outcome {
            try BosunBinary.run(["run", "--rm", "--network", "none", "--state-dir", state] + options.flatMap { ["--security-opt", $0] }
                                + [image, "/bin/busybox", "sh", "-c", script])
        }
        // A strict profile in Docker's format: everything allowed but mkdir/mkdirat (EPERM), one rule only for
        // another architecture, one only with a capability the container lacks.
        let strict = dir + "/strict.json"
        try #"""
        {"defaultAction": "SCMP_ACT_ALLOW",
         "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
         "syscalls": [
           {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
           {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": ["s390x"]}},
           {"names": ["uname"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
         ]}
        """#.write(toFile: strict, atomically: true, encoding: .utf8)
        let script = "/bin/busybox mkdir /tmp/made 2>&1; /bin/busybox pwd; /bin/busybox uname -s"
        let withDefault = try run([], script)
        #expect(withDefault.status == 0 && !withDefault.stdout.contains("not permitted"), "\(withDefault.stdout)\(withDefault.stderr)")
        for form in ["seccomp=\(strict)", "seccomp:\(strict)"] {
            let confined = try run([form], script)
            #expect(confined.stdout.contains("mkdir: can't create directory '/tmp/made': Operation not permitted"), "\(form): \(confined.stdout)\(confined.stderr)")
            #expect(confined.stdout.contains("/\nLinux\n"), "rules for another architecture or a missing capability do not apply: \(confined.stdout)")
        }
        let unconfined = try run(["seccomp=unconfined"], "/bin/busybox grep Seccomp: /proc/self/status")
        #expect(unconfined.stdout.contains("Seccomp:\t0"), "\(unconfined.stdout)")

        for (options, expected) in [([String](), "0"), (["no-new-privileges"], "1"), (["no-new-privileges:true"], "1"),
                                    (["no-new-privileges=false"], "0")] {
            let result = try run(options, "/bin/busybox grep NoNewPrivs: /proc/self/status")
            #expect(result.stdout == "NoNewPrivs:\t\(expected)\n", "\(options): \(result.stdout)\(result.stderr)")
        }
        // Masked /proc paths: /proc/keys is /dev/null by default, the real file with systempaths=unconfined.
        #expect(try run([], "/bin/busybox stat -c %F /proc/keys").stdout == "character special file\n")
        #expect(try run(["systempaths=unconfined"], "/bin/busybox stat -c %F /proc/keys").stdout == "regular empty file\n")
        #expect(try run(["label=disable"], "true").status == 0)

        for refused in ["foo=bar", "label=type:container_t", "apparmor", "seccomp=\(dir)/absent.json", "no-new-privileges=maybe"] {
            let result = try run([refused], "true")
            #expect(result.status == 2, "\(refused): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(refused.components(separatedBy: "=").first!), "\(refused): \(result.stderr)")
        }
        // A named AppArmor profile is applied by the runtime, or refused where the host has no AppArmor.
        let apparmor = try run(["apparmor=bosun-test-profile"], "cat /proc/self/attr/current")
        if FileManager.default.fileExists(atPath: "/sys/kernel/security/apparmor") {
            #expect(apparmor.status != 0 || apparmor.stdout.contains("bosun-test-profile"))
        } else {
            #expect(apparmor.status != 0 && apparmor.stderr.contains("AppArmor"), "\(apparmor.stdout)\(apparmor.stderr)")
        }
    }
}
