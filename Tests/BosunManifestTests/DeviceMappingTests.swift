import BosunBundle
import BosunImageSpec
@testable import BosunManifest
import BosunModel
import BosunOCI
import Foundation
import Testing

/// Compose `devices:`: read as Docker reads `--device`, located errors, and what reaches config.json.
@Suite("Compose devices")
struct DeviceMappingTests {
    @Test func readsDockersShortForms() {
        #expect(ServiceDecoder.deviceMapping("/dev/fuse") == DeviceMapping(hostPath: "/dev/fuse", containerPath: "/dev/fuse"))
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:/dev/xvdc") == DeviceMapping(hostPath: "/dev/sdb", containerPath: "/dev/xvdc"))
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:r") == DeviceMapping(hostPath: "/dev/sdb", containerPath: "/dev/sdb", permissions: "r"))
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:/dev/xvdc:rw") == DeviceMapping(hostPath: "/dev/sdb", containerPath: "/dev/xvdc", permissions: "rw"))
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:/dev/xvdc:rx") == nil)
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:dev/xvdc") == nil)
        #expect(ServiceDecoder.deviceMapping("/dev/sdb:/dev/../etc/x") == nil)
        #expect(ServiceDecoder.deviceMapping("/a:/b:rw:x") == nil)
    }

    @Test func aServiceCarriesItsDevicesAndOthersHashAsBefore() throws {
        let result = Fixtures.compose("""
            services:
              transcode:
                image: busybox
                devices: ["/dev/dri/renderD128", "/dev/fuse:/dev/fuse:rw"]
              plain:
                image: busybox
            """, policy: HostPolicy(allow: .init(devices: ["/dev/dri/renderD128", "/dev/fuse"])))
        #expect(!result.hasErrors, "\(Fixtures.lines(result))")
        let services = try #require(result.state?.projects[0].services)
        let transcode = try #require(services.first { $0.name == "transcode" })
        #expect(transcode.devices == [DeviceMapping(hostPath: "/dev/dri/renderD128", containerPath: "/dev/dri/renderD128"),
                                      DeviceMapping(hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: "rw")])
        // No `devices` key at all in a service without devices: its config hash is what it was.
        let plain = try #require(services.first { $0.name == "plain" })
        #expect(plain.devices == nil)
        let encoded = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!encoded.contains("\"devices\""))
    }

    @Test func badDevicesAreLocated() {
        let result = Fixtures.compose("""
            services:
              a:
                image: busybox
                devices: ["nvidia.com/gpu=all", "/dev/fuse:/dev/x:zz", "/dev/a:/dev/x", "/dev/b:/dev/x"]
            """, policy: HostPolicy(level: .privileged))
        #expect(Fixtures.lines(result) == [
            "app/compose.yaml:4:15: error: CDI device \"nvidia.com/gpu=all\" in devices is not supported",
            "app/compose.yaml:4:37: error: cannot read the device \"/dev/fuse:/dev/x:zz\" in devices",
            "app/compose.yaml:4:77: error: the device path /dev/x appears twice in devices",
        ])
    }

    @Test func theNodeAndARuleForExactlyTheAccessReachConfigJSON() throws {
        let image = try JSONDecoder().decode(ImageConfig.self, from: Data(#"{"config":{"Cmd":["sh"]}}"#.utf8))
        var paths = ServiceHostPaths(files: ContainerFiles(hosts: "/c/hosts", hostname: "/c/hostname", resolvConf: "/c/resolv.conf"))
        paths.devices = [ServiceDevice(node: RuntimeSpec.Device(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 0o666), access: "rw")]
        let service = Service(name: "a", image: try ImageReference(parsing: "busybox"))
        let spec = try ServiceBundle.spec(for: service, imageConfig: image, containerName: "c", paths: paths)
        #expect(spec.linux?.devices?.map(\.path) == ["/dev/fuse"])
        #expect(spec.linux?.resources?.devices == [
            .init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 229, access: "rw"),
        ])
    }
}
