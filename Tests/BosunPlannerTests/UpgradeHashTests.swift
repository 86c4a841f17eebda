import BosunManifest
import BosunModel
import BosunPlanner
import Foundation
import Testing

/// Upgrading bosun restarts nothing: `Fixtures/upgrade/inventory.json` was written by bosun at commit 95b019b
/// (before repository files were part of config hashes) converging `Fixtures/upgrade/project`; planning the
/// same project against it now finds nothing to do — though since then repository files joined the hashes and
/// `no_new_privileges` went off by default.
@Suite("Upgrade from a state directory of an earlier bosun")
struct UpgradeHashTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/upgrade").path

    /// The project's files, as a tree.
    static func project() throws -> InMemoryFileTree {
        try FixtureTree.read(fixtures + "/project", displayName: "upgrade")
    }

    /// The containers of the old inventory.
    struct OldInventory: Decodable {
        struct Container: Decodable {
            var name: String
            var project: String
            var service: String
            var config_hash: String
            var spec: Service
            /// The defaults generation (absent in records of a bosun before generations: 1).
            var defaults: Int?
        }
        var containers: [String: Container]
    }

    @Test("the earlier bosun's inventory plans as no change, whatever changed in hashes and defaults since")
    func noChange() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/inventory.json"))
        let old = try JSONDecoder().decode(OldInventory.self, from: data)
        let result = ManifestLoader(tree: try Self.project(), options: LoadOptions(hostCPUCount: 4)).load(path: "", rootName: "upgrade")
        let desired = try #require(result.state, "\(result.renderedDiagnostics())")
        let observed = ObservedState(
            containers: old.containers.values.sorted { $0.name < $1.name }.map {
                ObservedContainer(project: $0.project, service: $0.service, name: $0.name, spec: $0.spec, status: .running,
                                  defaultsGeneration: $0.defaults ?? 1)
            },
            networks: desired.projects[0].networks.map(\.name), images: Set(desired.projects[0].services.map(\.image.description)))
        #expect(Planner.plan(desired: desired, observed: observed).isEmpty)

        let services = Dictionary(uniqueKeysWithValues: desired.projects[0].services.map { ($0.name, $0) })
        // no_new_privileges is off by default now (Docker's default): every hash changed, yet nothing restarts;
        // with the old default the hash is the old one.
        var plain = try #require(services["plain"])
        #expect(!plain.noNewPrivileges && old.containers["upgrade-plain-1"]?.spec.noNewPrivileges == true)
        #expect(ConfigHash.of(plain) != old.containers["upgrade-plain-1"]?.config_hash)
        plain.noNewPrivileges = true
        #expect(ConfigHash.of(plain) == old.containers["upgrade-plain-1"]?.config_hash)
        // The service that reads repository files has a new hash (its files are in it now), yet nothing restarts.
        #expect(services["web"]?.sourceDigests?.keys.sorted() == ["./app.env", "./conf/app.conf", "./token.txt", "./www"])
        #expect(ConfigHash.of(try #require(services["web"])) != old.containers["upgrade-web-1"]?.config_hash)
    }
}

/// A container recorded with today's defaults whose compose file stops asking for no-new-privileges is
/// recreated without it; one recorded by an older bosun (no_new_privileges on by default) is not.
@Suite("no_new_privileges default")
struct NoNewPrivilegesDefaultTests {
    @Test("an explicit change recreates; the old default alone does not")
    func defaultsGeneration() throws {
        var asked = Service(name: "web", image: try ImageReference(parsing: "busybox:1"))
        asked.noNewPrivileges = true
        let wanted = Service(name: "web", image: try ImageReference(parsing: "busybox:1"))
        let project = Project(name: "p", files: ["compose.yaml"], services: [wanted], networks: [], volumes: [], secrets: [])
        let desired = DesiredState(projects: [project])
        func plan(_ generation: Int) -> Plan {
            Planner.plan(desired: desired, observed: ObservedState(
                containers: [ObservedContainer(project: "p", service: "web", name: "p-web-1", spec: asked, status: .running, defaultsGeneration: generation)],
                images: ["docker.io/library/busybox:1"]))
        }
        #expect(plan(1).isEmpty)
        let recreate = plan(Service.defaultsGeneration)
        #expect(recreate.operations.map(\.kind) == [.recreateContainer, .removeContainer], "\(recreate.operations)")
        #expect(recreate.operations.first?.cause.contains("no_new_privileges") == true)
    }
}
