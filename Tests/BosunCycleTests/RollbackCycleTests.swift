import BosunConverge
import BosunCycle
import BosunJournal
import BosunModel
import Testing

/// The cycle's rollback step and quarantines, with a recording engine whose gate observations decide.
@Suite("Rollback and quarantine")
struct RollbackCycleTests {
    let apply = ConvergenceCycle.Request(trigger: .manual, mode: .apply(expectedPlanHash: nil))

    /// A container seen running, then exited with code 1 (its gate fails within its monitor), then running again.
    static let crashOnce = [GateObservation(status: .running), GateObservation(status: .exited(code: 1)), GateObservation(status: .running)]

    /// A cycle of `source` that has converged commit c1 (site/web on nginx:1.27), its gates passed.
    static func convergedFirst(_ bench: CycleBench, _ source: MemorySource) async -> ConvergenceCycle {
        source.commit("c1", Compose.web("nginx:1.27"))
        var cycle = bench.cycle(source)
        _ = await cycle.run(ConvergenceCycle.Request(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        return cycle
    }

    func result(_ report: CycleReport) -> Convergence.Result? {
        if case .converged(let result) = report.outcome { return result }
        return nil
    }

    func image(_ state: DesiredState?, _ project: String) -> String? {
        state?.projects.first { $0.name == project }?.services.first?.image.description
    }

    @Test("a failed gate quarantines the project and converges it back to its last good commit, journaled as a rollback")
    func rollsBack() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        var cycle = await Self.convergedFirst(bench, source)
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c1"))

        source.commit("c2", Compose.web("nginx:1.28"))
        await bench.engine.setGateObservations("site-web-1", Self.crashOnce)
        let report = await cycle.run(apply)
        let failed = try #require(result(report))
        #expect(failed.outcome == .failed)
        let rollback = try #require(report.rollback)
        #expect(rollback.projects == ["site"] && rollback.rolledBack && rollback.problem == nil)
        #expect(report.finalOutcome == .rolledBack)
        #expect(image(report.desired, "site") == "docker.io/library/nginx:1.27")
        #expect(bench.records == ["genesis", "begin", "gate", "end converged", "begin", "gate", "end failed",
                                  "quarantine", "rollback", "begin", "gate", "end rolled-back"])
        let quarantine = try #require(try bench.bodies(.quarantine).first?.decode(QuarantineRecord.self))
        #expect(quarantine.project == "site" && quarantine.commitID == MemorySource.id("c2") && quarantine.servingCommitID == MemorySource.id("c1"))
        #expect(quarantine.cause == .gate && quarantine.failedSeq == failed.beginSeq)
        #expect(quarantine.reason.contains("site/web (monitor): it exited with code 1"))
        let record = try #require(try bench.bodies(.rollback).first?.decode(RollbackRecord.self))
        #expect(record.projects == ["site": MemorySource.id("c1")] && record.fromCommitID == MemorySource.id("c2"))
        let begin = try #require(bench.begins.last)
        #expect(begin["trigger"]?.stringValue == "rollback")
        #expect(begin["project_commits"]?["site"]?.stringValue == MemorySource.id("c1"))
        #expect(begin["source"]?["commit_id"]?.stringValue == MemorySource.id("c2"))
        #expect(bench.host.calls.suffix(2) == ["publish \(MemorySource.id("c2")) \(MemorySource.id("c1"))", "release"])
        // The index: the project is held at c2's hash, good at c1; the rewind guard's anchor stays at c1 (a
        // force-push back to it is no rewind).
        #expect(bench.journal.index.quarantined["site"]?.hash == quarantine.hash)
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c1"))
        #expect(bench.journal.index.lastApplied(from: source.origin) == MemorySource.id("c1"))
    }

    @Test("while quarantined, the project converges from its last good commit; a change releases it, and so does --retry")
    func quarantine() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        var cycle = await Self.convergedFirst(bench, source)
        source.commit("c2", Compose.web("nginx:1.28"))
        await bench.engine.setGateObservations("site-web-1", Self.crashOnce)
        _ = await cycle.run(apply)

        // Another cycle (the agent after a restart, a plan) reads the quarantine from the journal.
        var later = bench.cycle(source)
        let plan = await later.run(.init(trigger: .manual, mode: .plan))
        #expect(image(plan.desired, "site") == "docker.io/library/nginx:1.27")
        #expect(plan.held?.projectCommits == ["site": MemorySource.id("c1")])
        #expect(plan.held?.notes.first?.contains("project site is quarantined at commit 000000000000") == true)
        let again = await later.run(apply)
        #expect(result(again)?.outcome == .converged && again.rollback == nil)
        #expect(bench.begins.last?["project_commits"]?["site"]?.stringValue == MemorySource.id("c1"))
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c1"))

        // --retry releases it: the failed state is converged again (and fails again here).
        await bench.engine.setGateObservations("site-web-1", Self.crashOnce)
        let retried = await later.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil), retry: true))
        let release = try #require(try bench.bodies(.release).last?.decode(QuarantineRelease.self))
        #expect(release.cause == .retry && release.project == "site")
        #expect(retried.rollback?.rolledBack == true)
        #expect(bench.journal.index.quarantined["site"] != nil)

        // A new desired state for the project ends the quarantine.
        source.commit("c3", Compose.web("nginx:1.29"))
        let fixed = await later.run(apply)
        #expect(result(fixed)?.outcome == .converged)
        #expect(try bench.bodies(.release).last?.decode(QuarantineRelease.self).cause == .changed)
        #expect(bench.journal.index.quarantined.isEmpty)
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c3"))
    }

    @Test("only the failed project rolls back; the others keep the new commit")
    func onlyFailedProject() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        source.commit("c1", Compose.two(web: "nginx:1.27", api: "api:1"))
        var cycle = bench.cycle(source)
        _ = await cycle.run(apply)
        source.commit("c2", Compose.two(web: "nginx:1.28", api: "api:2"))
        await bench.engine.setGateObservations("shop-api-1", Self.crashOnce)
        let report = await cycle.run(apply)
        #expect(report.rollback?.projects == ["shop"] && report.finalOutcome == .rolledBack)
        #expect(image(report.desired, "shop") == "docker.io/library/api:1")
        #expect(image(report.desired, "site") == "docker.io/library/nginx:1.28")
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c2"))
        #expect(bench.journal.index.lastGood["shop"]?.commitID == MemorySource.id("c1"))
        #expect(Set(bench.journal.index.quarantined.keys) == ["shop"])
    }

    @Test("one failing service of several rolls its whole project back: every service returns to the good commit")
    func wholeProject() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        func shop(_ tag: String) -> [String: String] {
            ["compose.yaml": "name: shop\nservices:\n  api: {image: \"api:\(tag)\"}\n  web: {image: \"web:\(tag)\"}\n"]
        }
        source.commit("c1", shop("1"))
        var cycle = bench.cycle(source)
        _ = await cycle.run(apply)
        source.commit("c2", shop("2"))
        await bench.engine.setGateObservations("shop-api-1", Self.crashOnce)
        let report = await cycle.run(apply)
        #expect(result(report)?.gates.filter { !$0.passed }.map(\.resource) == ["shop/api"])
        #expect(report.finalOutcome == .rolledBack)
        let images = report.desired?.projects.first?.services.map(\.image.description).sorted()
        #expect(images == ["docker.io/library/api:1", "docker.io/library/web:1"], "web passed its gate, and returns with its project")
    }

    @Test("a project with no earlier good state is quarantined and left as it failed; failure_action pause is only reported")
    func nothingToRollBackTo() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        source.commit("c1", Compose.web("nginx:1.27"))
        await bench.engine.setGateObservations("site-web-1", Self.crashOnce)
        var cycle = bench.cycle(source)
        let first = await cycle.run(apply)
        #expect(first.rollback?.quarantined.map(\.project) == ["site"] && first.rollback?.result == nil)
        #expect(first.rollback?.notes.first?.contains("no earlier good state") == true)
        #expect(bench.records.suffix(2) == ["end failed", "quarantine"])
        #expect(first.finalOutcome == .failed)

        let paused = MemorySource(location: "https://git.example.org/ops/paused.git")
        paused.commit("d1", ["compose.yaml": "name: site\nservices:\n  web:\n    image: nginx:1.27\n    deploy: {update_config: {failure_action: pause}}\n"])
        let other = CycleBench()
        await other.engine.setGateObservations("site-web-1", Self.crashOnce)
        var pausedCycle = other.cycle(paused)
        let report = await pausedCycle.run(apply)
        #expect(result(report)?.outcome == .failed && report.rollback == nil)
        #expect(!other.records.contains("quarantine"))
    }

    @Test("a directory source has no history: the failure is reported, nothing quarantined")
    func directorySource() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "/srv/manifests", isRepository: false)
        var cycle = await Self.convergedFirst(bench, source)
        source.commit("c2", Compose.web("nginx:1.28"))
        await bench.engine.setGateObservations("site-web-1", Self.crashOnce)
        let report = await cycle.run(apply)
        #expect(report.rollback?.problem?.contains("directory source") == true)
        #expect(!bench.records.contains("quarantine") && report.finalOutcome == .failed)
    }

    @Test("a convergence left open by a process that died is ended interrupted under the lock and what it created is gated again")
    func interrupted() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        source.commit("c1", Compose.web("nginx:1.27"))
        var open = ConvergenceBegin(trigger: .manual, source: nil, desiredStateHash: "sha256:x", services: [:], state: nil, planHash: "sha256:p",
                                    operations: [RecordedOperation(id: 1, resource: "site/web", kind: "recreate", cause: "image changed", changes: [])])
        open.origin = source.origin
        _ = try bench.journal.begin(open)
        #expect(bench.journal.openConvergence != nil)
        var cycle = bench.cycle(source)
        let report = await cycle.run(apply)
        #expect(bench.records == ["genesis", "begin", "end interrupted", "begin", "gate", "end converged"])
        #expect(bench.bodies(.end).first?["reason"]?.stringValue == InterruptedConvergence.reason)
        #expect(result(report)?.gates.map(\.resource) == ["site/web"])
        #expect(bench.journal.openConvergence == nil)
    }

    @Test("bosun rollback converges a project from an earlier commit and pins it there; history finds the previous good state; a change releases it")
    func manual() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git")
        var cycle = await Self.convergedFirst(bench, source)
        source.commit("c2", Compose.web("nginx:1.28"))
        _ = await cycle.run(apply)
        var history = ConvergenceHistory(records: bench.storage.segments.flatMap { JournalRecord.records(in: $0.bytes) })
        #expect(history.previousGoodCommit(of: "site") == MemorySource.id("c1"))
        #expect(history.commits(matching: "0000") == [MemorySource.id("c1"), MemorySource.id("c2")])
        #expect(history.projectCommits(at: 2) == ["site": MemorySource.id("c1")])

        let report = await cycle.rollBack(to: ["site": MemorySource.id("c1")], reason: "asked: bosun rollback")
        #expect(result(report)?.outcome == .rolledBack)
        #expect(image(report.desired, "site") == "docker.io/library/nginx:1.27")
        #expect(bench.records.suffix(5) == ["quarantine", "rollback", "begin", "gate", "end rolled-back"])
        let pin = try #require(bench.journal.index.quarantined["site"])
        #expect(pin.cause == .rollback && pin.servingCommitID == MemorySource.id("c1") && pin.commitID == MemorySource.id("c2") && pin.failedSeq == nil)
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c1"))
        history = ConvergenceHistory(records: bench.storage.segments.flatMap { JournalRecord.records(in: $0.bytes) })
        #expect(history.previousGoodCommit(of: "site") == MemorySource.id("c2"))
        #expect(history.convergences.last?.rollback?.projects == ["site": MemorySource.id("c1")])

        source.commit("c3", Compose.web("nginx:1.29"))
        _ = await cycle.run(apply)
        #expect(bench.journal.index.quarantined.isEmpty)
        #expect(bench.journal.index.lastGood["site"]?.commitID == MemorySource.id("c3"))
    }
}
