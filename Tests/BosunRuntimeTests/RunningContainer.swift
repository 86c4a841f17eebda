import BosunOCI
import BosunRuntime
import BosunSeccomp
import Foundation
import Testing

/// A container created and started with `bosun runtime` (its process: `sleep`), for exec tests; `tearDown`
/// deletes it (killing whatever was exec'd into it) and checks that nothing is left.
struct RunningContainer {
    let fixture: RuntimeFixture
    let id: String
    /// The container init's host pid.
    let pid: Int32

    /// `stateRoot` overrides the runtime root (for `bosun exec --state-dir`, `<state>/runtime`).
    init(id: String = "x-\(UUID().uuidString.prefix(8))", stateRoot: String? = nil, _ configure: (inout RuntimeSpec) -> Void = { _ in }) throws {
        let fixture = try RuntimeFixture()
        self.fixture = fixture
        self.id = id
        for applet in ["tty", "ps", "pwd", "mkdir", "kill", "readlink", "env", "true", "yes", "printf"] {
            try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try fixture.writeSpec("exec sleep 1000", configure)
        let root = stateRoot ?? fixture.stateRoot
        let log = fixture.directory + "/create.log"
        let create = try RuntimeFixture.run("/bin/sh", ["-c", "'\(RuntimeFixture.binary)' runtime --root '\(root)' create --bundle '\(fixture.bundle)' '\(id)' </dev/null >'\(log)' 2>&1 && '\(RuntimeFixture.binary)' runtime --root '\(root)' start '\(id)'"])
        let createLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(create.status == 0, "create failed: \(createLog)\(create.stderr)")
        let state = try RuntimeFixture.run(RuntimeFixture.binary, ["runtime", "--root", root, "state", id])
        pid = try #require(try JSONDecoder().decode(ContainerState.self, from: Data(state.stdout.utf8)).pid)
    }

    /// The runtime API, driving the built `bosun` as its helper.
    var runtime: ContainerRuntime {
        ContainerRuntime(root: fixture.stateRoot, helperExecutable: RuntimeFixture.binary, seccompCompiler: TestSeccompCompiler())
    }

    /// `bosun runtime exec [options] ID CMD…`.
    func exec(_ options: [String] = [], _ command: String...) throws -> RuntimeFixture.Outcome {
        try fixture.bosun(["exec"] + options + [id] + command)
    }

    /// `bosun runtime exec ID sh -c script`.
    func shell(_ script: String, options: [String] = []) throws -> RuntimeFixture.Outcome {
        try fixture.bosun(["exec"] + options + [id, "sh", "-c", script])
    }

    func tearDown(root: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let deleted = try? RuntimeFixture.run(RuntimeFixture.binary, ["runtime", "--root", root ?? fixture.stateRoot, "delete", "--force", id])
        #expect(deleted?.status == 0, "delete: \(deleted?.stderr ?? "")", sourceLocation: sourceLocation)
        fixture.tearDown(sourceLocation: sourceLocation)
    }
}

/// Connects the runtime's seccomp seam to the BPF compiler, as the CLI does.
struct TestSeccompCompiler: BosunRuntime.SeccompCompiler {
    func compile(_ policy: RuntimeSpec.Seccomp) throws -> BosunRuntime.SeccompProgram {
        let program = try BosunSeccomp.SeccompCompiler.compile(policy)
        return BosunRuntime.SeccompProgram(instructions: program.instructions.map { .init(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) },
                                           flags: program.flags)
    }
}
