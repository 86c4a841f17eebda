import BosunOCI
import Foundation
import Glibc
@testable import BosunRuntime
import Testing

/// Hooks need not read the state on their stdin: one that exits first must not take the runtime down with
/// SIGPIPE (found by the OCI validation suite: `hooks.t`, `poststart.t` and `poststop_fail.t` saw `create`,
/// `start` or `delete` die of a broken pipe, leaving state and cgroups behind).
@Suite("hooks: state on stdin, failures")
struct HookRunnerTests {
    func hook(_ path: String, _ arguments: [String]) throws -> RuntimeSpec.Hook {
        let json = try JSONSerialization.data(withJSONObject: ["path": path, "args": arguments])
        return try JSONDecoder().decode(RuntimeSpec.Hook.self, from: json)
    }

    @Test func aHookThatDoesNotReadItsStdinDoesNotKillTheCaller() throws {
        // More than a pipe holds: the write blocks until the hook exits, then fails with EPIPE every time.
        let input = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
        try HookRunner.run(try hook("/bin/true", ["true"]), phase: "prestart", input: input)
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0, "a SIGPIPE was left pending")
        #expect(throws: RuntimeError("prestart hook `/bin/false`", detail: "exited with status 1")) {
            try HookRunner.run(try hook("/bin/false", ["false"]), phase: "prestart", input: input)
        }
    }

    @Test func poststartAndPoststopFailuresAreWarningsAndTheRestRun() throws {
        let directory = "/var/tmp/bosun-hooks-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/log"
        let hooks = [try hook("/bin/false", ["false"]), try hook("/bin/sh", ["sh", "-c", "echo second >> \(log)"])]
        var warnings: [String] = []
        let state = ContainerState(id: "c", status: "stopped", pid: 0, bundle: directory, annotations: nil)
        HookRunner.runWarning(hooks, phase: "poststop", state: state) { warnings.append($0) }
        #expect(warnings == ["poststop hook `/bin/false`: exited with status 1"])
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "second\n")
    }
}
