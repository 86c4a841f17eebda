import BosunOCI
import BosunRuntime
import Foundation
import Testing
import BosunTestSupport

@Suite("runtime lifecycle (root)", .enabled(if: RootGate.enabled))
struct LifecycleTests {
    func shell(_ command: String) throws -> RuntimeFixture.Outcome {
        try RuntimeFixture.run("/bin/sh", ["-c", command])
    }

    @Test func createStartStateDelete() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let output = fixture.directory + "/out"
        try fixture.writeSpec("echo started; sleep 30")
        let create = try shell("'\(RuntimeFixture.binary)' runtime --root '\(fixture.stateRoot)' create --bundle '\(fixture.bundle)' --pid-file '\(fixture.directory)/pid' life </dev/null >'\(output)' 2>&1")
        #expect(create.status == 0, "\((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        let state = try fixture.bosun(["state", "life"])
        let decoded = try JSONDecoder().decode(ContainerState.self, from: Data(state.stdout.utf8))
        #expect(decoded.status == "created")
        #expect(decoded.bundle == fixture.bundle)
        #expect(decoded.pid.map(String.init) == (try String(contentsOfFile: fixture.directory + "/pid", encoding: .utf8)))
        #expect(try fixture.bosun(["list", "-q"]).stdout == "life\n")
        #expect(try fixture.bosun(["start", "life"]).status == 0)
        #expect(try JSONDecoder().decode(ContainerState.self, from: Data(fixture.bosun(["state", "life"]).stdout.utf8)).status == "running")
        #expect(try fixture.bosun(["ps", "--format", "json", "life"]).stdout.hasPrefix("[\(decoded.pid ?? 0)"))
        let refused = try fixture.bosun(["delete", "life"])
        #expect(refused.stderr == "bosun: delete container `life`: the container is running (kill it first or use --force)\n")
        #expect(try fixture.bosun(["kill", "life", "KILL"]).status == 0)
        for _ in 0..<200 where try fixture.bosun(["state", "life"]).stdout.contains("running") { usleep(10_000) }
        #expect(try fixture.bosun(["state", "life"]).stdout.contains("\"stopped\""))
        #expect(try fixture.bosun(["delete", "life"]).status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "started\n")
        #expect(try fixture.bosun(["state", "life"]).stderr.hasPrefix("bosun: container `life`: does not exist"))
    }

    @Test func deleteForceKillsACreatedContainer() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("sleep 30")
        let create = try shell("'\(RuntimeFixture.binary)' runtime --root '\(fixture.stateRoot)' create --bundle '\(fixture.bundle)' held </dev/null >/dev/null 2>&1")
        #expect(create.status == 0)
        let pid = try JSONDecoder().decode(ContainerState.self, from: Data(fixture.bosun(["state", "held"]).stdout.utf8)).pid ?? 0
        #expect(try fixture.bosun(["create", "--bundle", fixture.bundle, "held"]).stderr == "bosun: create container `held`: a container with this id already exists\n")
        #expect(try fixture.bosun(["delete", "--force", "held"]).status == 0)
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        #expect(stat.isEmpty || stat.contains(") Z "), "the container init is still alive: \(stat)")
    }

    @Test func hooksSeeTheState() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let log = fixture.directory + "/hooks"
        try fixture.writeSpec("echo ran") { spec in
            var hooks = RuntimeSpec.Hooks()
            func hook(_ name: String) -> RuntimeSpec.Hook {
                let json = #"{"path": "/bin/sh", "args": ["sh", "-c", "read -r s; echo \#(name) \"$s\" >> \#(log)"]}"#
                return try! JSONDecoder().decode(RuntimeSpec.Hook.self, from: Data(json.utf8))
            }
            hooks.prestart = [hook("prestart")]
            hooks.createRuntime = [hook("createRuntime")]
            hooks.poststart = [hook("poststart")]
            hooks.poststop = [hook("poststop")]
            spec.hooks = hooks
        }
        let outcome = try fixture.bosun(["run", "--bundle", fixture.bundle, "hooked"])
        #expect(outcome.stdout == "ran\n")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ")[0] } == ["prestart", "createRuntime", "poststart", "poststop"])
        #expect(lines.allSatisfy { $0.contains("\"id\":\"hooked\"") })
        let statuses = lines.map { line in ["created", "running", "stopped"].first { line.contains("\"status\":\"\($0)\"") } ?? "" }
        #expect(statuses == ["created", "created", "running", "stopped"])
    }

    @Test func failingPoststartAndPoststopHooksAreWarnings() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let log = fixture.directory + "/hooks"
        try fixture.writeSpec("echo ran") { spec in
            func hook(_ script: String) -> RuntimeSpec.Hook {
                let json = #"{"path": "/bin/sh", "args": ["sh", "-c", "\#(script)"]}"#
                return try! JSONDecoder().decode(RuntimeSpec.Hook.self, from: Data(json.utf8))
            }
            var hooks = RuntimeSpec.Hooks()
            hooks.poststart = [hook("exit 3"), hook("echo poststart >> \(log)")]
            hooks.poststop = [hook("exit 4"), hook("echo poststop >> \(log)")]
            spec.hooks = hooks
        }
        let outcome = try fixture.bosun(["run", "--bundle", fixture.bundle, "warned"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "ran\n")
        #expect(outcome.stderr == "bosun: warning: poststart hook `/bin/sh`: exited with status 3\n"
            + "bosun: warning: poststop hook `/bin/sh`: exited with status 4\n")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "poststart\npoststop\n")
    }

    /// The spec makes `process` REQUIRED only when `start` is called (validation suite: start.t).
    @Test func aContainerWithoutProcessIsCreatedAndRefusesToStart() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("unused") { spec in spec.process = nil }
        #expect(try shell("'\(RuntimeFixture.binary)' runtime --root '\(fixture.stateRoot)' create --bundle '\(fixture.bundle)' bare </dev/null >/dev/null 2>&1").status == 0)
        #expect(try fixture.bosun(["state", "bare"]).stdout.contains("\"created\""))
        let start = try fixture.bosun(["start", "bare"])
        #expect(start.status == 4)
        #expect(start.stderr == "bosun: start container `bare`: config.json has no `process` (add `process` to config.json and create the container again)\n")
        for _ in 0..<200 where try !fixture.bosun(["state", "bare"]).stdout.contains("\"stopped\"") { usleep(10_000) }
        #expect(try fixture.bosun(["state", "bare"]).stdout.contains("\"stopped\""))
        #expect(try fixture.bosun(["delete", "bare"]).status == 0)
    }

    @Test func specWritesADefaultConfig() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let written = try fixture.bosun(["spec", "--bundle", fixture.bundle, "--", "sh", "-c", "echo default"])
        #expect(written.status == 0)
        let spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(contentsOf: URL(fileURLWithPath: fixture.bundle + "/config.json")))
        #expect(spec.process?.args == ["sh", "-c", "echo default"])
        #expect(try fixture.bosun(["run", "--bundle", fixture.bundle, "spec"]).stdout == "default\n")
        #expect(try fixture.bosun(["spec", "--bundle", fixture.bundle]).stderr == "bosun: write `\(fixture.bundle)/config.json`: file exists\n")
    }
}
