import BosunManifest
import BosunModel
import BosunPlanner
import Foundation
import Testing

/// The planner's decisions, case by case, against plans written down by hand: `Fixtures/golden/*.plan`. Each
/// file says what the host runs (`@@ before FILE`: compose files the host converged, every container running,
/// every image present, every volume owned by its project), what it does differently (`@@ host`), what git now
/// wants (`@@ after FILE`; the same files when absent) and the plan expected, operation by operation with its cause (`@@ plan`).
/// `docs/extending.md` says how to add one.
@Suite("Golden plans")
struct GoldenPlanTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden").path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".plan") }.sorted()
    }

    @Test("the fixtures are there", .tags(.golden))
    func present() {
        #expect(Self.cases.count >= 15, "Fixtures/golden holds \(Self.cases.count) cases")
    }

    @Test("each case plans as written", .tags(.golden), arguments: cases)
    func plan(_ file: String) throws {
        let golden = try GoldenPlan(parsing: String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/" + file)), as: UTF8.self), name: file)
        let after = try golden.load(golden.after)
        var observed = golden.before.isEmpty ? ObservedState.empty : GoldenPlan.observed(running: try golden.load(golden.before))
        try golden.applyHost(to: &observed)
        let plan = Planner.plan(desired: after, observed: observed)
        let lines = PlanRenderer.text(plan, colour: false).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The summary and hash lines change with every cause's wording; the operations are what is pinned.
        let operations = plan.isEmpty ? ["(no changes)"] : Array(lines.dropFirst(3))
        #expect(operations == golden.expected, "\(file): got\n\(operations.joined(separator: "\n"))")
        // Planning is deterministic, and once the plan ran nothing more is planned (but pull_policy: always pulls).
        #expect(Planner.plan(desired: after, observed: observed).hash == plan.hash)
        let again = Planner.plan(desired: after, observed: GoldenPlan.observed(running: after))
        #expect(again.operations.allSatisfy { $0.cause == "pull_policy: always" }, "\(again.operations)")
    }
}

extension Tag {
    @Tag static var golden: Self
}

/// One parsed `.plan` file.
struct GoldenPlan {
    var name: String
    var before: [String: [UInt8]] = [:]
    var after: [String: [UInt8]] = [:]
    var host: [String] = []
    var expected: [String] = []

    init(parsing text: String, name: String) throws {
        self.name = name
        enum Section { case none, before(String), after(String), host, plan }
        var section = Section.none
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("@@ ") {
                let words = line.dropFirst(3).split(separator: " ").map(String.init)
                switch (words.first, words.count) {
                case ("before", 2): section = .before(words[1])
                case ("after", 2): section = .after(words[1])
                case ("host", 1): section = .host
                case ("plan", 1): section = .plan
                default: throw GoldenError(file: name, message: "unknown section \(line)")
                }
                continue
            }
            switch section {
            case .none: continue  // the description
            case .before(let file): before[file, default: []] += Array((line + "\n").utf8)
            case .after(let file): after[file, default: []] += Array((line + "\n").utf8)
            case .host: if !line.trimmingCharacters(in: .whitespaces).isEmpty { host.append(line) }
            case .plan: if !line.isEmpty { expected.append(line) }
            }
        }
        if after.isEmpty { after = before }
    }

    func load(_ files: [String: [UInt8]]) throws -> DesiredState {
        let result = ManifestLoader(tree: InMemoryFileTree(displayName: name, files: files), options: LoadOptions(hostCPUCount: 4)).load(path: "")
        guard let state = result.state else { throw GoldenError(file: name, message: result.renderedDiagnostics()) }
        return state
    }

    /// The host after converging `state`: every container running, every image present, every volume owned.
    static func observed(running state: DesiredState) -> ObservedState {
        var observed = ObservedState()
        for project in state.projects {
            for service in project.services {
                observed.containers.append(ObservedContainer(project: project.name, service: service.name,
                                                             name: service.containerName ?? "\(project.name)-\(service.name)-1", spec: service, status: .running))
                observed.images.insert(service.image.description)
            }
            observed.networks += project.networks.filter { !$0.external }.map(\.name)
            for volume in project.volumes where !volume.external {
                observed.volumes.append(volume.name)
                observed.volumeOwners[volume.name] = project.name
            }
        }
        return observed
    }

    /// `exited NAME CODE`, `created NAME`, `missing NAME`, `kept-stopped NAME`, `gone NAME` (not on the host at
    /// all), `no-image REF`, `network NAME`, `volume NAME OWNER`.
    func applyHost(to observed: inout ObservedState) throws {
        for line in host {
            let words = line.split(separator: " ").map(String.init)
            func container(_ name: String) throws -> Int {
                guard let index = observed.containers.firstIndex(where: { $0.name == name }) else {
                    throw GoldenError(file: self.name, message: "no container \(name) for \(line)")
                }
                return index
            }
            switch (words[0], words.count) {
            case ("exited", 3): observed.containers[try container(words[1])].status = .exited(code: Int32(words[2]) ?? 1)
            case ("created", 2): observed.containers[try container(words[1])].status = .created
            case ("missing", 2): observed.containers[try container(words[1])].status = .missing
            case ("kept-stopped", 2): observed.keptStopped.insert(words[1])
            case ("gone", 2): observed.containers.remove(at: try container(words[1]))
            case ("no-image", 2): observed.images.remove(words[1])
            case ("network", 2): observed.networks.append(words[1])
            case ("volume", 3): observed.volumes.append(words[1]); observed.volumeOwners[words[1]] = words[2]
            default: throw GoldenError(file: name, message: "unknown host line \(line)")
            }
        }
    }
}

/// A malformed golden file.
struct GoldenError: Error, CustomStringConvertible {
    var file: String
    var message: String
    var description: String { "\(file): \(message)" }
}
