import BosunBundle
import BosunImageSpec
import BosunModel
import BosunOCI
import Foundation
import Testing

/// Compose `security_opt` as Docker reads it: each supported option reaches the service and its config.json;
/// SELinux labels and unknown options are located errors (they used to be warnings, then ignored).
@Suite("Compose security_opt")
struct SecurityOptionTests {
    @Test func optionsParseAsDockerWritesThem() throws {
        #expect(try SecurityOption(parsing: "no-new-privileges") == .noNewPrivileges(true))
        #expect(try SecurityOption(parsing: "no-new-privileges:false") == .noNewPrivileges(false))
        #expect(try SecurityOption(parsing: "no-new-privileges=true") == .noNewPrivileges(true))
        #expect(try SecurityOption(parsing: "seccomp=unconfined") == .seccomp(path: nil))
        #expect(try SecurityOption(parsing: "seccomp:./p.json") == .seccomp(path: "./p.json"))
        #expect(try SecurityOption(parsing: "apparmor=docker-default") == .apparmor(profile: "docker-default"))
        #expect(try SecurityOption(parsing: "apparmor:unconfined") == .apparmor(profile: nil))
        #expect(try SecurityOption(parsing: "label=disable") == .labelDisable)
        #expect(try SecurityOption(parsing: "label:disable") == .labelDisable)
        #expect(try SecurityOption(parsing: "systempaths=unconfined") == .systemPathsUnconfined)
        for bad in ["label=type:svirt_t", "label=level:s0", "foo=bar", "seccomp", "apparmor=", "no-new-privileges=yes", "systempaths=strict"] {
            #expect(throws: ModelValueError.self, "\(bad)") { try SecurityOption(parsing: bad) }
        }
    }

    @Test func composeOptionsReachTheServiceAndItsBundle() throws {
        let result = Fixtures.compose("""
            services:
              web:
                image: busybox
                security_opt: ["no-new-privileges:true", "apparmor=bosun-web", "label=disable", "systempaths=unconfined", "seccomp=./strict.json"]
              plain:
                image: busybox
            """, extra: ["app/strict.json": #"{"defaultAction":"SCMP_ACT_ALLOW"}"#], policy: HostPolicy(level: .privileged))
        #expect(!result.hasErrors, "\(Fixtures.lines(result))")
        let services = try #require(result.state?.projects[0].services)
        let web = try #require(services.first { $0.name == "web" })
        #expect(web.noNewPrivileges && web.apparmorProfile == "bosun-web" && web.systemPathsUnconfined == true)
        #expect(web.seccompProfile == "./app/strict.json")
        let plain = try #require(services.first { $0.name == "plain" })
        #expect(!plain.noNewPrivileges && plain.apparmorProfile == nil && plain.systemPathsUnconfined == nil)
        let encoded = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!encoded.contains("apparmor") && !encoded.contains("systempaths"), "new fields stay out of unchanged services' hashes")

        let image = try JSONDecoder().decode(ImageConfig.self, from: Data(#"{"config":{"Cmd":["sh"]}}"#.utf8))
        let paths = ServiceHostPaths(files: ContainerFiles(hosts: "/h", hostname: "/n", resolvConf: "/r"))
        let spec = try ServiceBundle.spec(for: web, imageConfig: image, containerName: "app-web-1", paths: paths)
        #expect(spec.process?.noNewPrivileges == true)
        #expect(spec.process?.apparmorProfile == "bosun-web")
        #expect(spec.linux?.maskedPaths == [] && spec.linux?.readonlyPaths == [])
        let plainSpec = try ServiceBundle.spec(for: plain, imageConfig: image, containerName: "app-plain-1", paths: paths)
        #expect(plainSpec.process?.noNewPrivileges == false && plainSpec.process?.apparmorProfile == nil)
        #expect(plainSpec.linux?.maskedPaths?.isEmpty == false)
    }

    @Test func labelsAndUnknownOptionsAreLocatedErrors() {
        let result = Fixtures.compose("""
            services:
              web:
                image: busybox
                security_opt:
                  - label=type:container_t
                  - bogus=1
            """)
        let lines = Fixtures.lines(result)
        #expect(lines.contains { $0.contains("compose.yaml:5:") && $0.contains("SELinux labels") }, "\(lines)")
        #expect(lines.contains { $0.contains("compose.yaml:6:") && $0.contains("unknown security option bogus=1") }, "\(lines)")
    }
}

/// Where the host has AppArmor, services run under bosun-default unless they name a profile, ask for
/// unconfined, or are privileged (Docker's rules for docker-default).
@Suite("default AppArmor profile")
struct DefaultAppArmorProfileTests {
    @Test func servicesGetTheHostsDefaultUnlessTheyAskOtherwise() throws {
        let image = try JSONDecoder().decode(ImageConfig.self, from: Data(#"{"config":{"Cmd":["sh"]}}"#.utf8))
        var paths = ServiceHostPaths(files: ContainerFiles(hosts: "/h", hostname: "/n", resolvConf: "/r"))
        paths.defaultAppArmorProfile = "bosun-default"
        func profile(_ change: (inout Service) -> Void) throws -> String? {
            var service = Service(name: "web", image: try ImageReference(parsing: "busybox:1"))
            change(&service)
            return try ServiceBundle.spec(for: service, imageConfig: image, containerName: "p-web-1", paths: paths).process?.apparmorProfile
        }
        #expect(try profile { _ in } == "bosun-default")
        #expect(try profile { $0.apparmorProfile = "custom" } == "custom")
        #expect(try profile { $0.apparmorProfile = "unconfined" } == nil)
        #expect(try profile { $0.privileged = true } == nil)
        paths.defaultAppArmorProfile = nil  // a host without AppArmor
        #expect(try profile { _ in } == nil)
    }
}
