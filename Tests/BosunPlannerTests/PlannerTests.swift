import BosunManifest
import BosunModel
import BosunPlanner
import Testing

@Suite("Planner")
struct PlannerTests {
    static let compose = """
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
        networks: {front: {}, back: {internal: true}}
        volumes: {data: {}}
        """

    static func state(_ yaml: String = compose) -> DesiredState {
        let tree = InMemoryFileTree(displayName: "t", files: ["shop/compose.yaml": Array(yaml.utf8)])
        return ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "").state!
    }

    static func observed(_ state: DesiredState, images: Set<String>? = nil) -> ObservedState {
        let project = state.projects[0]
        return ObservedState(
            containers: project.services.map { ObservedContainer(project: project.name, service: $0.name, name: "\(project.name)-\($0.name)-1", spec: $0, status: .running) },
            networks: project.networks.map(\.name), volumes: project.volumes.map(\.name),
            images: images ?? Set(project.services.map(\.image.description)))
    }

    @Test("a fresh host: pulls, networks, volumes, then containers in depends_on order")
    func fresh() {
        let plan = Planner.plan(desired: Self.state(), observed: .empty)
        #expect(PlanRenderer.text(plan, colour: false).split(separator: "\n").dropFirst(2).map(String.init) == [
            "#0 +   pull image:docker.io/library/busybox:1.35  (image not present)",
            "#1 +   pull image:docker.io/library/nginx:1.27  (image not present)",
            "#2 +   pull image:docker.io/library/postgres:16  (image not present)",
            "#3 +   create-network network:shop_back  (network does not exist)",
            "#4 +   create-network network:shop_front  (network does not exist)",
            "#5 +   create-volume volume:shop_data  (volume does not exist)",
            "#6 +   create shop/db  (no existing container)  after #2, #3, #5",
            "#7 ~   start shop/db  (new container)  after #6",
            "#8 +   create shop/app  (no existing container)  after #0, #3, #4, #7",
            "#9 ~   start shop/app  (new container)  after #8",
            "#10 +   create shop/web  (no existing container)  after #1, #4, #9",
            "#11 ~   start shop/web  (new container)  after #10",
        ])
    }

    @Test("no change: an empty plan with a stable hash")
    func noChange() {
        let state = Self.state()
        let plan = Planner.plan(desired: state, observed: Self.observed(state))
        #expect(plan.isEmpty)
        #expect(plan.hash == Planner.plan(desired: state, observed: Self.observed(state)).hash)
    }

    @Test("a limit changes in place; an image or environment change recreates; secrets stay hidden")
    func changes() {
        let before = Self.state()
        let limits = Planner.plan(desired: Self.state(Self.compose.replacingOccurrences(of: "256m", with: "512m")), observed: Self.observed(before))
        #expect(limits.operations.map(\.kind) == [.updateLimits])
        #expect(limits.operations[0].cause == "memory limit 256m → 512m")
        let image = Planner.plan(desired: Self.state(Self.compose.replacingOccurrences(of: "nginx:1.27", with: "nginx:1.28")),
                                 observed: Self.observed(before, images: Set(before.projects[0].services.map(\.image.description)).union(["docker.io/library/nginx:1.28"])))
        #expect(image.operations.map(\.kind) == [.recreateContainer, .removeContainer], "the old container is kept until the gates passed")
        #expect(image.operations[1].resource == "kept:shop-web-1" && image.operations[1].dependsOn == [image.operations[0].id])
        #expect(image.operations[0].cause == "image docker.io/library/nginx:1.27 → docker.io/library/nginx:1.28")
        let secret = Planner.plan(desired: Self.state(Self.compose.replacingOccurrences(of: "s3cret", with: "n3w")), observed: Self.observed(before))
        #expect(secret.operations.map(\.kind) == [.recreateContainer, .removeContainer])
        #expect(secret.operations[0].cause == "environment.TOKEN changed")
        let text = PlanRenderer.text(secret, colour: false) + PlanRenderer.json(secret)
        #expect(!text.contains("s3cret") && !text.contains("n3w"))
        #expect(secret.hash != Planner.plan(desired: Self.state(Self.compose.replacingOccurrences(of: "s3cret", with: "other")), observed: Self.observed(before)).hash)
    }

    @Test("what disappears from git is stopped and removed, dependents first; volumes kept unless opted in")
    func prune() {
        let before = Self.state()
        let after = Self.state("""
            name: shop
            services:
              db: {image: "postgres:16"}
            """)
        let plan = Planner.plan(desired: after, observed: Self.observed(before))
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == [
            "create-network network:shop_default",
            "recreate shop/db",
            "stop shop/web", "remove shop/web", "stop shop/app", "remove shop/app",
            "remove-network network:shop_back", "remove-network network:shop_front", "remove kept:shop-db-1",
        ])
    }

    @Test("a first limit or variable is one field change: the empty object it fills is not another")
    func fromEmpty() {
        let bare = Self.state("name: shop\nservices:\n  db: {image: \"postgres:16\"}\n")
        let limited = Self.state("name: shop\nservices:\n  db: {image: \"postgres:16\", mem_limit: 64m}\n")
        let limits = Planner.plan(desired: limited, observed: Self.observed(bare))
        #expect(limits.operations.map { "\($0.kind.rawValue) \($0.cause)" } == ["update-limits memory limit (none) → 64m"])
        #expect(Planner.plan(desired: bare, observed: Self.observed(limited)).operations.map(\.kind) == [.updateLimits])
        let variable = Self.state("name: shop\nservices:\n  db: {image: \"postgres:16\", environment: {A: b}}\n")
        let env = Planner.plan(desired: variable, observed: Self.observed(bare))
        #expect(env.operations.map { "\($0.kind.rawValue) \($0.cause)" } == ["recreate environment.A changed", "remove kept aside until the gates passed"])
    }

    @Test("a stopped container with a restart policy is started")
    func restart() {
        let state = Self.state(Self.compose.replacingOccurrences(of: "image: postgres:16", with: "image: postgres:16\n    restart: always"))
        var observed = Self.observed(state)
        observed.containers[1].status = .exited(code: 1)
        let plan = Planner.plan(desired: state, observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource) (\($0.cause))" } == ["start shop/db (container is exited (1))"])
        // The agent's restart policies may hold it stopped (a backoff, a manual stop): then it is left alone.
        observed.keptStopped = ["shop-db-1"]
        #expect(Planner.plan(desired: state, observed: observed).isEmpty)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedByString: target).joined(separator: replacement)
    }
}
