import BosunManifest
import BosunModel
import Foundation
import Testing

/// Every host-reaching Compose field against every policy level: accepted or refused with an error at the
/// field that names the level and how to allow it (docs/security.md has the same table).
@Suite("host policy")
struct HostPolicyTests {
    struct Case: CustomStringConvertible {
        var name: String
        var service: String
        /// Accepted at restricted, baseline, privileged.
        var accepted: [HostPolicy.Level]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "the host's root", service: "volumes: [\"/:/host\"]", accepted: [.privileged]),
        Case(name: "/etc", service: "volumes: [\"/etc:/host-etc:ro\"]", accepted: [.privileged]),
        Case(name: "/root", service: "volumes: [\"/root/.ssh:/keys\"]", accepted: [.privileged]),
        Case(name: "the Docker socket", service: "volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]", accepted: [.privileged]),
        Case(name: "bosun's state", service: "volumes: [\"/var/lib/bosun:/s\"]", accepted: [.privileged]),
        Case(name: "/tmp", service: "volumes: [\"/tmp:/t\"]", accepted: [.privileged]),
        Case(name: "a data directory under /srv", service: "volumes: [\"/srv/app/data:/data\"]", accepted: [.baseline, .privileged]),
        Case(name: "the project's /var/lib directory", service: "volumes: [\"/var/lib/app/db:/db\"]", accepted: [.baseline, .privileged]),
        Case(name: "another project's /var/lib directory", service: "volumes: [\"/var/lib/other:/db\"]", accepted: [.privileged]),
        Case(name: "/srv climbed out of", service: "volumes: [\"/srv/../etc:/e\"]", accepted: [.privileged]),
        Case(name: "a repository file", service: "volumes: [\"./conf:/conf:ro\"]", accepted: [.restricted, .baseline, .privileged]),
        Case(name: "a named volume and tmpfs", service: "volumes: [\"data:/data\"]\n    tmpfs: [/run]", accepted: [.restricted, .baseline, .privileged]),
        Case(name: "cap_add SYS_ADMIN", service: "cap_add: [SYS_ADMIN]", accepted: [.privileged]),
        Case(name: "cap_add ALL", service: "cap_add: [ALL]", accepted: [.privileged]),
        Case(name: "cap_add NET_ADMIN", service: "cap_add: [NET_ADMIN]", accepted: [.privileged]),
        Case(name: "cap_add of a default capability", service: "cap_add: [CHOWN]", accepted: [.baseline, .privileged]),
        Case(name: "cap_add NET_BIND_SERVICE", service: "cap_add: [NET_BIND_SERVICE]", accepted: [.restricted, .baseline, .privileged]),
        Case(name: "cap_drop", service: "cap_drop: [ALL]", accepted: [.restricted, .baseline, .privileged]),
        Case(name: "privileged", service: "privileged: true", accepted: [.privileged]),
        Case(name: "network_mode: host", service: "network_mode: host", accepted: [.privileged]),
        Case(name: "seccomp unconfined", service: "security_opt: [\"seccomp:unconfined\"]", accepted: [.privileged]),
        Case(name: "apparmor unconfined", service: "security_opt: [\"apparmor:unconfined\"]", accepted: [.privileged]),
        Case(name: "systempaths unconfined", service: "security_opt: [\"systempaths=unconfined\"]", accepted: [.privileged]),
        Case(name: "a seccomp profile file", service: "security_opt: [\"seccomp=./p.json\"]", accepted: [.baseline, .privileged]),
        Case(name: "no-new-privileges:false", service: "security_opt: [\"no-new-privileges:false\"]", accepted: [.baseline, .privileged]),
        Case(name: "a device", service: "devices: [/dev/fuse]", accepted: [.privileged]),
        Case(name: "a namespaced sysctl", service: "sysctls: {net.core.somaxconn: 1024}", accepted: [.baseline, .privileged]),
        Case(name: "a safe sysctl", service: "sysctls: {net.ipv4.ip_unprivileged_port_start: 80}", accepted: [.restricted, .baseline, .privileged]),
    ]

    static func load(_ service: String, _ policy: HostPolicy) -> ManifestLoadResult {
        Fixtures.load(["app/compose.yaml": "services:\n  web:\n    image: busybox\n    \(service)\nvolumes: {data: {}}\n",
                       "app/conf/x": "x", "app/p.json": #"{"defaultAction":"SCMP_ACT_ALLOW"}"#], policy: policy)
    }

    @Test(arguments: cases)
    func eachFieldAtEachLevel(_ testCase: Case) {
        for level in HostPolicy.Level.allCases {
            let result = Self.load(testCase.service, HostPolicy(level: level))
            let lines = Fixtures.lines(result)
            if testCase.accepted.contains(level) {
                #expect(!result.hasErrors, "\(testCase.name) at \(level): \(lines)")
            } else {
                #expect(result.state == nil, "\(testCase.name) at \(level) was accepted")
                #expect(lines.contains { $0.hasPrefix("app/compose.yaml:4:") && $0.contains(level.rawValue) }, "\(testCase.name) at \(level): \(lines)")
            }
        }
    }

    @Test func allowancesWidenBaselineAndRestrictedByName() {
        let allow = HostPolicy.Allowances(hostPaths: ["/var/run/docker.sock", "/tmp/shared"], capabilities: ["NET_ADMIN"], devices: ["/dev/fuse"])
        for level in [HostPolicy.Level.restricted, .baseline] {
            let policy = HostPolicy(level: level, allow: allow)
            for service in ["volumes: [\"/var/run/docker.sock:/s\"]", "volumes: [\"/tmp/shared/x:/x\"]", "cap_add: [CAP_NET_ADMIN]", "devices: [/dev/fuse]"] {
                let result = Self.load(service, policy)
                #expect(!result.hasErrors, "\(service) at \(level): \(Fixtures.lines(result))")
            }
            #expect(Self.load("volumes: [\"/tmp/sharedother:/x\"]", policy).hasErrors, "prefixes match whole components")
            #expect(Self.load("cap_add: [SYS_ADMIN]", policy).hasErrors)
        }
    }

    @Test func errorsSayHowToAllow() {
        let lines = Fixtures.lines(Self.load("volumes: [\"/:/host\"]", HostPolicy()))
        #expect(lines == ["app/compose.yaml:4:15: error: service \"web\": volumes: host path / is outside the data directories policy level baseline allows (/srv, /opt, /mnt, /media, /data, /var/lib/app, /var/log/app, /var/cache/app, /etc/app); allow it in the agent config (policy: {allow: {host_paths: [/]}}) or raise policy.level; apply/plan/validate take --policy LEVEL"])
    }

    @Test func restrictedRunsEveryServiceWithNoNewPrivileges() throws {
        let result = Self.load("user: \"1000\"", HostPolicy(level: .restricted))
        #expect(try #require(result.state).projects[0].services[0].noNewPrivileges)
        #expect(!(try #require(Self.load("user: \"1000\"", HostPolicy()).state).projects[0].services[0].noNewPrivileges))
    }
}
