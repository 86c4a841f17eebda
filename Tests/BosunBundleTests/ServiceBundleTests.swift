import BosunBundle
import BosunImageSpec
import BosunModel
import BosunOCI
import Foundation
import Testing

@Suite("Bundles from services")
struct ServiceBundleTests {
    let image = try! JSONDecoder().decode(ImageConfig.self, from: Data(#"{"config":{"Cmd":["httpd","-f"],"Env":["PATH=/bin"]}}"#.utf8))
    let files = ContainerFiles(hosts: "/c/hosts", hostname: "/c/hostname", resolvConf: "/c/resolv.conf")

    func service() throws -> Service {
        var service = Service(name: "web", image: try ImageReference(parsing: "busybox:1.35"))
        service.environment = ["MODE": "prod", "A": "1"]
        service.resources.memoryLimit = try ByteSize(parsing: "64m")
        service.resources.cpuMillis = 500
        service.resources.pidsLimit = 50
        service.secrets = [SecretMount(source: "token", target: "/run/secrets/token")]
        service.ulimits = [Ulimit(name: "nofile", soft: 2048, hard: 4096)]
        service.sysctls = ["net.core.somaxconn": "1024"]
        service.shmSize = try ByteSize(parsing: "32m")
        service.groupAdd = ["50"]
        service.domainname = "example.org"
        return service
    }

    func hostPaths() -> ServiceHostPaths {
        var paths = ServiceHostPaths(files: files)
        paths.mounts = [RuntimeSpec.Mount(destination: "/data", type: "bind", source: "/state/volumes/demo_data/_data", options: ["rbind", "rprivate"])]
        paths.secrets = ["token": "/state/secrets/token"]
        paths.annotations = ["bosun.project": "demo"]
        return paths
    }

    @Test("a service's settings reach config.json")
    func settings() throws {
        let spec = try ServiceBundle.spec(for: service(), imageConfig: image, containerName: "demo-web-1", paths: hostPaths())
        #expect(spec.process?.args == ["httpd", "-f"])
        #expect(spec.process?.env == ["PATH=/bin", "A=1", "MODE=prod", "HOSTNAME=demo-web-1"])
        #expect(spec.hostname == "demo-web-1" && spec.domainname == "example.org")
        #expect(spec.linux?.resources?.memory?.limit == Int64(67_108_864))
        #expect(spec.linux?.resources?.cpu?.quota == 50_000 && spec.linux?.resources?.cpu?.period == 100_000)
        #expect(spec.linux?.resources?.pids?.limit == 50)
        #expect(spec.linux?.sysctl == ["net.core.somaxconn": "1024"])
        #expect(spec.process?.rlimits?.contains(RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: 4096, soft: 2048)) == true)
        #expect(spec.process?.user.additionalGids == [50])
        let binds = spec.mounts?.filter { $0.destination == "/data" || $0.destination == "/run/secrets/token" }
        #expect(binds?.map(\.source) == ["/state/volumes/demo_data/_data", "/state/secrets/token"])
        #expect(binds?.last?.options?.contains("ro") == true)
        #expect(spec.mounts?.first { $0.destination == "/dev/shm" }?.options?.contains("size=33554432") == true)
        #expect(spec.annotations == ["bosun.project": "demo"])
    }

    @Test("init: true runs bosun's init as PID 1 in front of the command")
    func initProcess() throws {
        var service = try service()
        service.initProcess = true
        #expect(throws: ModelValueError.self) {
            try ServiceBundle.spec(for: service, imageConfig: image, containerName: "c", paths: hostPaths())
        }
        var paths = hostPaths()
        paths.initBinary = "/usr/local/bin/bosun-monitor"
        let spec = try ServiceBundle.spec(for: service, imageConfig: image, containerName: "c", paths: paths)
        #expect(spec.process?.args == ["/.bosun/init", "--", "httpd", "-f"])
        #expect(spec.mounts?.contains { $0.destination == "/.bosun/init" && $0.source == "/usr/local/bin/bosun-monitor" } == true)
    }

    @Test("bad input is an error naming the service, never a crash")
    func errors() throws {
        var unknownSecret = try service()
        unknownSecret.secrets = [SecretMount(source: "nope", target: "/x")]
        var badLimit = try service()
        badLimit.ulimits = [Ulimit(name: "nofile", soft: 10, hard: 5)]
        var namedGroup = try service()
        namedGroup.groupAdd = ["wheel"]
        for bad in [unknownSecret, badLimit, namedGroup] {
            #expect {
                try ServiceBundle.spec(for: bad, imageConfig: image, containerName: "c", paths: hostPaths())
            } throws: { error in
                "\(error)".contains("service web")
            }
        }
    }

    @Test("privileged lifts masks and grants every capability")
    func privileged() throws {
        var service = try service()
        service.privileged = true
        let spec = try ServiceBundle.spec(for: service, imageConfig: image, containerName: "c", paths: hostPaths())
        #expect(spec.linux?.maskedPaths == [] && spec.process?.capabilities?.effective?.contains("CAP_SYS_ADMIN") == true)
    }
}
