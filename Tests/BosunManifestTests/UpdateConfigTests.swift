import BosunManifest
import BosunModel
import Testing

/// `deploy.update_config`, `deploy.rollback_config` and their `x-bosun` project defaults.
@Suite("Update and rollback configs")
struct UpdateConfigTests {
    @Test("every key of Compose's update_config is read; parallelism and max_failure_ratio are accepted with a warning")
    func keys() throws {
        let result = Fixtures.compose("""
            services:
              web:
                image: busybox
                deploy:
                  update_config: {order: stop-first, failure_action: continue, monitor: 30s, delay: 2s, parallelism: 2, max_failure_ratio: 0.5}
                  rollback_config: {order: start-first, failure_action: pause, monitor: 5s}
            """)
        let service = try #require(result.state?.projects[0].services[0])
        #expect(service.updateConfig == UpdateConfig(order: .stopFirst, failureAction: .continue, monitor: .seconds(30), delay: .seconds(2),
                                                     parallelism: 2, maxFailureRatio: 0.5))
        #expect(service.rollbackConfig == UpdateConfig(order: .startFirst, failureAction: .pause, monitor: .seconds(5)))
        #expect(Fixtures.lines(result) == [
            "app/compose.yaml:5:82: warning: deploy.update_config.delay has no effect: it is the wait between groups of a service's containers, and bosun runs one",
            "app/compose.yaml:5:93: warning: deploy.update_config.parallelism has no effect: bosun runs one container per service, updated one at a time",
            "app/compose.yaml:5:109: warning: deploy.update_config.max_failure_ratio has no effect: with one container per service, one failure is all of them",
        ])
    }

    @Test("a wrong order, action, duration or ratio is an error at its value; a rollback cannot itself roll back")
    func errors() {
        let result = Fixtures.compose("""
            services:
              web:
                image: busybox
                deploy:
                  update_config:
                    order: first
                    failure_action: retry
                    monitor: soon
                    max_failure_ratio: 2
                  rollback_config: {failure_action: rollback}
            """)
        #expect(result.state == nil)
        let errors = Fixtures.lines(result).filter { $0.contains(": error: ") }
        #expect(errors == [
            "app/compose.yaml:6:16: error: deploy.update_config.order is start-first or stop-first, not \"first\"",
            "app/compose.yaml:7:25: error: deploy.update_config.failure_action is rollback, pause, continue, not \"retry\"",
            "app/compose.yaml:8:18: error: deploy.update_config.monitor: invalid duration \"soon\"; write e.g. 30s, 1m30s, 500ms or 2h",
            "app/compose.yaml:9:28: error: deploy.update_config.max_failure_ratio must be a number from 0 to 1, found \"2\"",
            "app/compose.yaml:10:41: error: deploy.rollback_config.failure_action is pause, continue, not \"rollback\"",
        ])
    }

    @Test("start-first with a container_name is warned about where the order is written, and updated stop-first")
    func startFirstWithContainerName() throws {
        let result = Fixtures.compose("""
            services:
              db:
                image: busybox
                container_name: the-db
                deploy:
                  update_config: {order: start-first}
            """)
        #expect(Fixtures.lines(result).filter { $0.contains("container_name") } == [
            "app/compose.yaml:6:30: warning: service \"db\": start-first cannot apply: container_name the-db names one container; it is updated stop-first",
        ])
        let service = try #require(result.state?.projects[0].services[0])
        let policy = RolloutPolicy.update(service, projectDefault: nil)
        #expect(policy.order == .stopFirst && policy.orderReason == "container_name the-db names one container")
    }

    @Test("x-bosun holds the project's defaults; how a service is updated does not change its config hash")
    func projectDefaultsAndHash() throws {
        let plain = try #require(Fixtures.compose("services:\n  web: {image: busybox}\n").state?.projects[0])
        let result = Fixtures.compose("""
            x-bosun:
              update_config: {order: stop-first, monitor: 1m}
              rollback_config: {failure_action: continue}
            services:
              web:
                image: busybox
                deploy: {update_config: {monitor: 20s}}
            """)
        let project = try #require(result.state?.projects[0])
        #expect(project.updateConfig == UpdateConfig(order: .stopFirst, monitor: .seconds(60)))
        #expect(project.rollbackConfig == UpdateConfig(failureAction: .continue))
        #expect(ConfigHash.of(project.services[0]) == ConfigHash.of(plain.services[0]))
        let policy = RolloutPolicy.update(project.services[0], projectDefault: project.updateConfig)
        #expect(policy == RolloutPolicy(order: .stopFirst, failureAction: .rollback, monitor: .seconds(20), delay: ComposeDuration(nanoseconds: 0)))
    }
}
