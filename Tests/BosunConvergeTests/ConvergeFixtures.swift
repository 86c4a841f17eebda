import BosunConverge
import BosunManifest
import BosunModel
import BosunPlanner
import Synchronization
import BosunTestSupport

/// Desired states read from compose text, observed states made from them, and a clock that ticks.
enum ConvergeFixtures {
    static let shop = """
        name: shop
        services:
          web:
            image: nginx:1.27
            depends_on: [app]
            networks: [front]
            environment: {MODE: prod, TOKEN: s3cret}
            mem_limit: 256m
          app:
            image: busybox:1.35
            depends_on: {db: {condition: service_healthy}}
            networks: [front, back]
          db:
            image: postgres:16
            networks: [back]
            volumes: ["data:/var/lib/postgresql/data"]
            healthcheck: {test: ["CMD", "pg_isready"], interval: 1s}
        networks: {front: {}, back: {internal: true}}
        volumes: {data: {}}
        """

    static func state(_ yaml: String = shop) -> DesiredState {
        let tree = InMemoryFileTree(displayName: "t", files: ["shop/compose.yaml": Array(yaml.utf8)])
        let result = ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "")
        guard let state = result.state else { fatalError("fixture does not load: \(result.renderedDiagnostics(pathPrefix: ""))") }
        return state
    }

    /// Everything of `state` running, its images present.
    static func observed(_ state: DesiredState) -> ObservedState {
        let project = state.projects[0]
        return ObservedState(
            containers: project.services.map {
                ObservedContainer(project: project.name, service: $0.name, name: "\(project.name)-\($0.name)-1", spec: $0, status: .running)
            },
            networks: project.networks.map(\.name), volumes: project.volumes.map(\.name),
            images: Set(project.services.map(\.image.description)),
            volumeOwners: Dictionary(uniqueKeysWithValues: project.volumes.map { ($0.name, project.name) }))
    }

    /// Plans and executes `desired` against `observed` with `engine`, one operation at a time unless told.
    static func execute(_ desired: DesiredState, _ observed: ObservedState, engine: RecordingEngine,
                        concurrency: Int = 1) async -> (Plan, ExecutionReport) {
        let plan = Planner.plan(desired: desired, observed: observed)
        let report = await Executor(engine: engine, clock: TickingClock().now, concurrency: concurrency)
            .run(plan, desired: desired, observed: observed)
        return (plan, report)
    }
}

/// Milliseconds that advance by one on every reading.
final class TickingClock: Sendable {
    private let value = Mutex<Int64>(1_000)
    var now: @Sendable () -> Int64 { { self.value.withLock { $0 += 1; return $0 } } }
}

extension String {
    func replacing(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
