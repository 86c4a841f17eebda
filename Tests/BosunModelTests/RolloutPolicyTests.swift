import BosunModel
import Testing

/// bosun's update defaults, and where a service's own config and the project's default take over.
@Suite("Rollout policy")
struct RolloutPolicyTests {
    func service(_ change: (inout Service) -> Void = { _ in }) throws -> Service {
        var service = Service(name: "web", image: try ImageReference(parsing: "busybox"))
        change(&service)
        return service
    }

    @Test("by default: start-first, rollback on failure, a 10s monitor, no delay")
    func defaults() throws {
        let policy = RolloutPolicy.update(try service(), projectDefault: nil)
        #expect(policy == RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: ComposeDuration(nanoseconds: 0)))
        #expect(policy.summary == "start-first, monitor 10s, on failure rollback")
        #expect(RolloutPolicy.rollback(try service(), projectDefault: nil).failureAction == .pause)
    }

    @Test("stop-first by default where two containers cannot or must not run at once, with the reason")
    func stopFirstExceptions() throws {
        let cases: [(String, (inout Service) -> Void)] = [
            ("a named volume mounted read-write (data)", { $0.volumes = [VolumeMount(kind: .volume, source: "data", target: "/data")] }),
            ("container_name the-web names one container", { $0.containerName = "the-web" }),
            ("host networking: both containers would bind the host's ports", { $0.networkMode = "host" }),
            ("published host port range 8000-8010", { $0.ports = [PortMapping(hostPort: 8000, hostPortEnd: 8010, containerPort: 80)] }),
        ]
        for (reason, change) in cases {
            let policy = RolloutPolicy.update(try service(change), projectDefault: nil)
            #expect(policy.order == .stopFirst && policy.orderReason == reason)
        }
        let readOnly = VolumeMount(kind: .volume, source: "data", target: "/data", readOnly: true)
        #expect(RolloutPolicy.update(try service { $0.volumes = [readOnly, VolumeMount(kind: .bind, source: "./conf", target: "/conf")] },
                                     projectDefault: nil).order == .startFirst)
    }

    @Test("a service's own order wins, even over an exception; a project default does not override an exception")
    func precedence() throws {
        let volume = VolumeMount(kind: .volume, source: "data", target: "/data")
        let explicit = try service {
            $0.volumes = [volume]
            $0.updateConfig = UpdateConfig(order: .startFirst)
        }
        #expect(RolloutPolicy.update(explicit, projectDefault: nil) == RolloutPolicy(order: .startFirst, failureAction: .rollback,
                                                                                     monitor: .seconds(10), delay: ComposeDuration(nanoseconds: 0)))
        let projectDefault = UpdateConfig(order: .startFirst, failureAction: .pause, monitor: .seconds(30))
        let withVolume = RolloutPolicy.update(try service { $0.volumes = [volume] }, projectDefault: projectDefault)
        #expect(withVolume.order == .stopFirst && withVolume.failureAction == .pause && withVolume.monitor == .seconds(30))
        #expect(RolloutPolicy.update(try service(), projectDefault: UpdateConfig(order: .stopFirst)).orderReason == nil)
    }
}
