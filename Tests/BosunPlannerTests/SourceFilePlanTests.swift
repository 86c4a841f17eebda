import BosunManifest
import BosunModel
import BosunPlanner
import Testing

/// Files of the repository a service reads (bind mounts, env_file, secrets) shape its container: a commit
/// that changes one recreates exactly the services that read it, and names the file.
@Suite("Plans for repository files")
struct SourceFilePlanTests {
    static let compose = """
        name: demo
        services:
          web:
            image: busybox:1.35
            volumes: ["./conf/app.conf:/etc/app.conf:ro", "./www:/srv/www:ro"]
          worker:
            image: busybox:1.35
            env_file: worker.env
          vault:
            image: busybox:1.35
            secrets: [token]
          plain:
            image: busybox:1.35
        secrets:
          token: {file: ./token.txt}
        """

    static let files: [String: String] = [
        "compose.yaml": compose,
        "conf/app.conf": "listen 8080\n",
        "www/index.html": "<h1>hello</h1>\n",
        "www/css/site.css": "body {}\n",
        "worker.env": "MODE=fast\n",
        "token.txt": "s3cret\n",
        "README.md": "the demo\n",
    ]

    static func state(_ files: [String: String]) -> DesiredState {
        let tree = InMemoryFileTree(displayName: "t", files: files.mapValues { Array($0.utf8) })
        let result = ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "", rootName: "demo")
        #expect(!result.hasErrors, "\(result.renderedDiagnostics())")
        return result.state!
    }

    static func observed(_ state: DesiredState) -> ObservedState {
        let project = state.projects[0]
        return ObservedState(
            containers: project.services.map { ObservedContainer(project: project.name, service: $0.name, name: "\(project.name)-\($0.name)-1", spec: $0, status: .running) },
            networks: project.networks.map(\.name), images: Set(project.services.map(\.image.description)))
    }

    /// The plan's operation lines after a commit that changes `changes` (path → new content).
    static func planAfter(_ changes: [String: String]) -> [String] {
        let before = state(files)
        let after = state(files.merging(changes) { $1 })
        let plan = Planner.plan(desired: after, observed: observed(before))
        // The removal of the container each recreate keeps aside is planned with it; these cases are about what recreates.
        return PlanRenderer.text(plan, colour: false).split(separator: "\n").filter { $0.hasPrefix("#") && !$0.contains(" remove kept:") }.map(String.init)
    }

    @Test("a bind-mounted file that changes recreates the service that mounts it, naming the file")
    func fileChanged() {
        #expect(Self.planAfter(["conf/app.conf": "listen 9090\n"]) == ["#0 -/+ recreate demo/web  (./conf/app.conf changed)"])
    }

    @Test("a file inside a bind-mounted directory that changes recreates the service, naming the directory")
    func fileInDirectoryChanged() {
        #expect(Self.planAfter(["www/css/site.css": "body { color: red }\n"]) == ["#0 -/+ recreate demo/web  (./www changed)"])
        #expect(Self.planAfter(["www/new.html": "new\n"]) == ["#0 -/+ recreate demo/web  (./www changed)"])
    }

    @Test("a project in a directory of the repository names its files as its compose file writes them")
    func projectInDirectory() {
        let nested = Dictionary(uniqueKeysWithValues: Self.files.map { ("demo/" + $0.key, $0.value) })
        let before = Self.state(nested)
        let after = Self.state(nested.merging(["demo/conf/app.conf": "listen 9090\n"]) { $1 })
        let plan = Planner.plan(desired: after, observed: Self.observed(before))
        #expect(plan.operations.filter { !$0.resource.hasPrefix("kept:") }.map(\.cause) == ["./conf/app.conf changed"])
        #expect(plan.operations[0].changes.map(\.field) == ["source_digests../demo/conf/app.conf"])
    }

    @Test("other files of the commit changing is no operation")
    func untouched() {
        #expect(Self.planAfter(["README.md": "the demo, rewritten\n", "unrelated/x.txt": "x\n"]) == [])
    }

    @Test("an env_file that changes recreates the service that reads it, naming the file first")
    func envFileChanged() {
        #expect(Self.planAfter(["worker.env": "MODE=slow\n"]) == ["#0 -/+ recreate demo/worker  (./worker.env changed, environment.MODE changed)"])
        // A comment changes the file, and so the container (the file is what the service reads).
        #expect(Self.planAfter(["worker.env": "# tuned\nMODE=fast\n"]) == ["#0 -/+ recreate demo/worker  (./worker.env changed)"])
    }

    @Test("a secret's file that changes recreates the service that mounts it; its digest stays out of the plan")
    func secretChanged() {
        let before = Self.state(Self.files)
        let after = Self.state(Self.files.merging(["token.txt": "n3w\n"]) { $1 })
        let plan = Planner.plan(desired: after, observed: Self.observed(before))
        #expect(plan.operations.map(\.resource) == ["demo/vault", "kept:demo-vault-1"])
        #expect(plan.operations[0].cause == "./token.txt changed")
        #expect(plan.operations[0].changes.allSatisfy { $0.sensitive })
        let digests = Set(before.projects[0].services.compactMap { $0.sourceDigests?["./token.txt"] } + after.projects[0].services.compactMap { $0.sourceDigests?["./token.txt"] })
        #expect(digests.count == 2)
        #expect(!digests.contains { PlanRenderer.text(plan, colour: false).contains($0) || PlanRenderer.json(plan).contains($0) })
    }

    @Test("a container recorded without source digests (an older bosun) is not recreated when its files did not change")
    func olderRecord() {
        let state = Self.state(Self.files)
        var observed = Self.observed(state)
        for index in observed.containers.indices { observed.containers[index].spec.sourceDigests = nil }
        #expect(Planner.plan(desired: state, observed: observed).isEmpty)
        // Where the host shows what it binds, a difference is a change.
        let web = observed.containers.firstIndex { $0.service == "web" }!
        observed.containers[web].sourceDigestsOnDisk = ["./conf/app.conf": "sha256:old", "./www": state.projects[0].services.first { $0.name == "web" }!.sourceDigests!["./www"]!]
        let plan = Planner.plan(desired: state, observed: observed)
        #expect(plan.operations.filter { !$0.resource.hasPrefix("kept:") }.map(\.cause) == ["./conf/app.conf changed"])
    }

    @Test("a service that reads no repository file keeps the hash it had before source digests existed")
    func hashUnchangedWithoutFiles() {
        let plain = Self.state(Self.files).projects[0].services.first { $0.name == "plain" }!
        #expect(plain.sourceDigests == nil)
        #expect(!String(decoding: JSONValue.encoding(plain).canonicalBytes, as: UTF8.self).contains("source_digests"))
    }
}
