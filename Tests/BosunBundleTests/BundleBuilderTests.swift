import BosunBundle
import BosunImageSpec
import BosunOCI
import Foundation
import Testing

@Suite("Bundles from image configs")
struct BundleBuilderTests {
    func config(_ json: String) throws -> ImageConfig {
        try JSONDecoder().decode(ImageConfig.self, from: Data(json.utf8))
    }

    let files = ContainerFiles(hosts: "/c/hosts", hostname: "/c/hostname", resolvConf: "/c/resolv.conf")

    @Test("entrypoint and command combine as Docker's do")
    func arguments() throws {
        let image = try config(#"{"config":{"Entrypoint":["/entry"],"Cmd":["--serve"],"Env":["PATH=/bin","A=1"],"WorkingDir":"/app","User":"1000:50"}}"#)
        var request = RunRequest(imageConfig: image, hostname: "web")
        #expect(try BundleBuilder.spec(for: request, files: files).process?.args == ["/entry", "--serve"])
        request.command = ["--debug"]
        #expect(try BundleBuilder.spec(for: request, files: files).process?.args == ["/entry", "--debug"])
        request.command = nil
        request.entrypoint = ["/bin/sh"]
        #expect(try BundleBuilder.spec(for: request, files: files).process?.args == ["/bin/sh"])
        request.environment = ["A=2", "B=3"]
        let spec = try BundleBuilder.spec(for: request, files: files)
        #expect(spec.process?.env == ["PATH=/bin", "A=2", "B=3", "HOSTNAME=web"])
        #expect(spec.process?.cwd == "/app" && spec.process?.user.uid == 1000 && spec.process?.user.gid == 50)
        #expect(spec.mounts?.suffix(3).map(\.destination) == ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"])
    }

    @Test("init: true binds the static init read-only at /.bosun/init and runs it in front of the command")
    func initProcess() throws {
        var request = RunRequest(imageConfig: try config(#"{"config":{"Entrypoint":["/entry"],"Cmd":["--serve"]}}"#), hostname: "web")
        request.initPath = "/usr/local/bin/bosun-monitor"
        let spec = try BundleBuilder.spec(for: request, files: files)
        #expect(spec.process?.args == ["/.bosun/init", "--", "/entry", "--serve"])
        let mount = try #require(spec.mounts?.last)
        #expect(mount.destination == "/.bosun/init" && mount.source == "/usr/local/bin/bosun-monitor" && mount.options?.contains("ro") == true)
    }

    @Test("an image with nothing to run is an error; capabilities and networks adjust the defaults")
    func adjustments() throws {
        #expect(throws: (any Error).self) { try BundleBuilder.spec(for: RunRequest(imageConfig: try config("{}"), hostname: "x"), files: files) }
        var request = RunRequest(imageConfig: try config(#"{"config":{"Cmd":["sh"],"User":"nobody"}}"#), hostname: "x")
        request.capabilitiesDropped = ["ALL"]
        request.capabilitiesAdded = ["net_bind_service"]
        request.network = .host
        let spec = try BundleBuilder.spec(for: request, files: files)
        #expect(spec.process?.capabilities?.effective == ["CAP_NET_BIND_SERVICE"])
        #expect(spec.process?.user.username == "nobody")
        #expect(spec.linux?.namespaces?.contains { $0.type == "network" } == false)
    }
}
