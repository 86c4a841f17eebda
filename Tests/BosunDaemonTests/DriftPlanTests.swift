@testable import BosunDaemon
import BosunJournal
import BosunManifest
import BosunModel
import BosunPlanner
import Testing

@Suite("Drift plans")
struct DriftPlanTests {
    static func state() -> DesiredState {
        let files = [
            "hot/compose.yaml": "name: hot\nservices:\n  web: {image: busybox, mem_limit: 64m}\n  db: {image: busybox}\nnetworks: {default: {}}\n",
            "calm/compose.yaml": "name: calm\nservices:\n  app: {image: alpine}\nx-bosun: {drift: observe}\n",
        ]
        let tree = InMemoryFileTree(displayName: "t", files: files.mapValues { Array($0.utf8) })
        return ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "").state!
    }

    static func item(_ resource: String, _ project: String, _ field: String, _ correction: DriftItem.Correction) -> DriftItem {
        DriftItem(finding: DriftFinding(resource: resource, project: project, field: field, expected: "67108864", actual: "33554432"),
                  correction: correction)
    }

    @Test("operations of observe-mode projects are dropped with their dependents; the rest is renumbered; limits are corrected in place")
    func enforcedOnly() {
        let desired = Self.state()
        let base = Plan(operations: [
            PlannedOperation(id: 0, kind: .pullImage, resource: "image:docker.io/library/alpine:latest", cause: "image not present"),
            PlannedOperation(id: 1, kind: .createContainer, resource: "calm/app", cause: "container is missing", dependsOn: [0]),
            PlannedOperation(id: 2, kind: .startContainer, resource: "calm/app", cause: "new container", dependsOn: [1]),
            PlannedOperation(id: 3, kind: .createContainer, resource: "hot/db", cause: "container is missing"),
            PlannedOperation(id: 4, kind: .startContainer, resource: "hot/db", cause: "new container", dependsOn: [3]),
        ])
        let items = [
            Self.item("hot/web", "hot", "resources.memory", .updateLimits),
            Self.item("calm/app", "calm", "resources.memory", .updateLimits),
            Self.item("hot/db", "hot", "state", .replan),
            Self.item("hot/web", "hot", "state", .restartPolicy),
        ]
        let plan = DriftPlan.plan(base: base, items: items, desired: desired, enforced: ["hot"], networkProjects: [:])
        #expect(plan.operations.map { "#\($0.id) \($0.kind.rawValue) \($0.resource) after \($0.dependsOn)" } == [
            "#0 create hot/db after []",
            "#1 start hot/db after [0]",
            "#2 update-limits hot/web after []",
        ])
        #expect(plan.operations[2].cause == "drift: resources.memory is 33554432 on the host, 67108864 desired")
        #expect(plan.operations[2].targetHash == ConfigHash.of(desired.projects.first { $0.name == "hot" }!.services.first { $0.name == "web" }!))
    }

    @Test("a damaged network is repaired once; nothing to correct in observe mode gives an empty plan")
    func networks() {
        let desired = Self.state()
        let repair = [Self.item("network:hot_default", "hot", "network.bridge", .repairNetwork("hot_default")),
                      Self.item("nftables", "hot", "nftables.table", .repairNetwork("hot_default"))]
        let plan = DriftPlan.plan(base: Plan(operations: []), items: repair, desired: desired, enforced: ["hot"], networkProjects: ["hot_default": "hot"])
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["create-network network:hot_default"])
        #expect(DriftPlan.plan(base: Plan(operations: []), items: repair, desired: desired, enforced: [], networkProjects: ["hot_default": "hot"]).isEmpty)
    }
}
