import BosunConverge
import BosunHost
import BosunModel
import BosunPlanner
import Foundation
import Testing

/// A service without a health check of its own runs its image's HEALTHCHECK, as under Docker; a service that
/// gives only timings keeps the image's test with those timings; `disable: true` turns it off.
@Suite("Image health checks", .enabled(if: HostFixtures.rootTestsEnabled))
struct ImageHealthCheckTests {
    static func run(_ healthcheck: String) async throws -> (HostEngine, RecordingContainers, String) {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        let containers = RecordingContainers()
        let engine = try HostEngineTests.engine(dir, containers: containers, imageHealthcheck: #"{"Test":["CMD-SHELL","exit 0"],"Interval":20000000,"Retries":2}"#)
        let desired = ComposeState.load("""
            name: shop
            services:
              db:
                image: localhost:5000/bosun/busybox:1.35
                network_mode: none
            \(healthcheck)
              app:
                image: localhost:5000/bosun/busybox:1.35
                network_mode: none
                depends_on: {db: {condition: service_healthy}}
            """)
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: desired, observed: observed)
        let executor = Executor(engine: engine, clock: { Int64(Date().timeIntervalSince1970 * 1000) }, concurrency: 2, conditionTimeout: .seconds(20))
        let report = await executor.run(plan, desired: desired, observed: observed)
        #expect(report.isComplete, "\(report.lines(for: plan))")
        return (engine, containers, dir)
    }

    @Test("no healthcheck: the image's runs, and service_healthy waits for it")
    func imageCheck() async throws {
        let (engine, containers, dir) = try await Self.run("")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let check = try #require(engine.healthCheck(of: "shop-db-1"))
        #expect(check.test == ["CMD-SHELL", "exit 0"] && check.interval == ComposeDuration(nanoseconds: 20_000_000) && check.retries == 2)
        #expect(await engine.health.state(of: "shop-db-1")?.status == .healthy)
        #expect(containers.log.withLock { $0 }.contains("exec shop-db-1 /bin/sh -c exit 0"))
        await engine.health.unwatch(container: "shop-db-1")
    }

    @Test("healthcheck with only timings keeps the image's test; disable: false keeps it whole")
    func timingsOnly() async throws {
        let (engine, _, dir) = try await Self.run("    healthcheck: {interval: 30ms, disable: false}")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let check = try #require(engine.healthCheck(of: "shop-db-1"))
        #expect(check.test == ["CMD-SHELL", "exit 0"] && check.interval == ComposeDuration(nanoseconds: 30_000_000) && check.retries == 2)
        await engine.health.unwatch(container: "shop-db-1")
    }

    @Test("disable: true turns the image's check off")
    func disabled() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try HostEngineTests.engine(dir, containers: RecordingContainers(), imageHealthcheck: #"{"Test":["CMD","true"]}"#)
        let desired = ComposeState.load("name: shop\nservices:\n  db:\n    image: localhost:5000/bosun/busybox:1.35\n    network_mode: none\n    healthcheck: {disable: true}\n")
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: desired, observed: observed)
        let report = await Executor(engine: engine, clock: { 0 }, concurrency: 2, conditionTimeout: .seconds(5)).run(plan, desired: desired, observed: observed)
        #expect(report.isComplete)
        #expect(engine.healthCheck(of: "shop-db-1") == nil)
        #expect(await engine.health.state(of: "shop-db-1") == nil)
    }
}
