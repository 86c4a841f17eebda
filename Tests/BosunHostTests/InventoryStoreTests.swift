import BosunConverge
import BosunHost
import BosunModel
import BosunPlanner
import Foundation
import Testing

@Suite("Inventory")
struct InventoryStoreTests {
    static func target(_ name: String, memory: Int64? = nil) throws -> ContainerTarget {
        var service = Service(name: name, image: try ImageReference(parsing: "busybox:1.35"))
        service.resources.memoryLimit = memory.map { ByteSize(bytes: $0) }
        let project = Project(name: "shop", files: [], services: [service], networks: [], volumes: [], secrets: [])
        return ContainerTarget(project: project, service: service, name: "shop-\(name)-1", configHash: ConfigHash.of(service))
    }

    @Test("kept in <state>/inventory.json (0600), replaced atomically, read back as written")
    func roundTrip() throws {
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try InventoryStore(stateDirectory: dir)
        #expect(store.inventory == Inventory())
        try store.update { inventory in
            inventory.recordContainer(try! Self.target("web", memory: 256 << 20))
            inventory.recordNetwork("shop_default", project: "shop")
            inventory.recordVolume("shop_data", project: "shop")
        }
        #expect(HostFixtures.mode(dir + "/inventory.json")?.mode == S_IFREG | 0o600)
        #expect(!FileManager.default.fileExists(atPath: dir + "/inventory.json.tmp"))
        let reread = try InventoryStore(stateDirectory: dir).inventory
        #expect(reread == store.inventory)
        #expect(reread.containers["shop-web-1"]?.spec.resources.memoryLimit == ByteSize(bytes: 256 << 20))
        #expect(reread.owns(container: "shop-web-1") && !reread.owns(container: "someone-elses"))
    }

    @Test("a name resolves to the id the inventory keeps its container under; a name it does not list is its own id")
    func containerIDs() throws {
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(InventoryStore.containerID(named: "shop-web-1", stateDirectory: dir) == "shop-web-1", "no inventory yet")
        let store = try InventoryStore(stateDirectory: dir)
        try store.update { inventory in
            inventory.recordContainer(try! Self.target("web"), id: "shop-web-1.0a1b2c3d")
            inventory.recordContainer(try! Self.target("db"))
        }
        #expect(InventoryStore.containerID(named: "shop-web-1", stateDirectory: dir) == "shop-web-1.0a1b2c3d")
        #expect(InventoryStore.containerID(named: "shop-db-1", stateDirectory: dir) == "shop-db-1")
        #expect(InventoryStore.containerID(named: "mine", stateDirectory: dir) == "mine", "a bosun run container")
        #expect(store.inventory.containers["shop-web-1.0a1b2c3d"]?.name == "shop-web-1")
    }

    @Test("a damaged inventory is an error naming the file, never silently empty")
    func damaged() throws {
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/inventory.json"))
        #expect { try InventoryStore(stateDirectory: dir) } throws: { "\($0)".hasPrefix("read the inventory \(dir)/inventory.json: ") }
    }

    @Test("observe: what the inventory lists as the host has it; lost containers are missing, lost networks and volumes left out")
    func observe() async throws {
        var inventory = Inventory()
        inventory.recordContainer(try Self.target("web"))
        inventory.recordContainer(try Self.target("db"))
        inventory.recordNetwork("shop_default", project: "shop")
        inventory.recordNetwork("shop_gone", project: "shop")
        inventory.recordVolume("shop_data", project: "shop")
        let facts = HostFacts(
            containerStatus: { $0 == "shop-web-1" ? .running : .missing },
            networkExists: { $0 == "shop_default" },
            volumeExists: { _ in true },
            images: { ["docker.io/library/busybox:1.35"] })
        let observed = try await inventory.observe(facts)
        #expect(observed.containers.map { "\($0.name) \($0.status)" } == ["shop-db-1 missing", "shop-web-1 running"])
        #expect(observed.networks == ["shop_default"])
        #expect(observed.volumes == ["shop_data"] && observed.volumeOwners == ["shop_data": "shop"])
        #expect(observed.images == ["docker.io/library/busybox:1.35"])
        // The planner creates the lost container again instead of starting what is not there.
        let desired = DesiredState(projects: [Project(name: "shop", files: [], services: [try Self.target("db").service, try Self.target("web").service],
                                                      networks: [Network(key: "default", name: "shop_default")], volumes: [], secrets: [])])
        let plan = Planner.plan(desired: desired, observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource) (\($0.cause))" } == [
            "create shop/db (container is missing)", "start shop/db (new container)",
        ])
    }

    @Test("two processes' stores on one state directory: each change starts from the file, each read sees the other's changes")
    func sharedWithAnotherProcess() throws {
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let agent = try InventoryStore(stateDirectory: dir)  // loaded once, kept for the agent's life
        let apply = try InventoryStore(stateDirectory: dir)
        try agent.update { $0.recordContainer(try! Self.target("web")) }
        #expect(apply.inventory.containers.keys.sorted() == ["shop-web-1"], "a read takes the other's change")
        try apply.update { $0.recordNetwork("shop_default", project: "shop") }
        try agent.update { $0.recordContainer(try! Self.target("db")) }
        let onDisk = try InventoryStore(stateDirectory: dir).inventory
        #expect(onDisk.containers.keys.sorted() == ["shop-db-1", "shop-web-1"])
        #expect(onDisk.networks.keys.sorted() == ["shop_default"], "the agent's change did not write back its stale copy")
        #expect(agent.inventory == onDisk && apply.inventory == onDisk)
        #expect(FileManager.default.fileExists(atPath: dir + "/inventory.lock"))
    }
}
