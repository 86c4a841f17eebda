import Foundation
import Glibc
import Testing

/// Ctrl-C (SIGINT) or SIGTERM during `bosun apply` stops the convergence safely, as the agent's shutdown does:
/// what runs finishes, nothing new starts, the gate gives no verdict, the convergence is journaled
/// `interrupted` and apply exits 130; the next apply gates the container the interrupted one created.
@Suite("apply interrupted by a signal", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ApplyInterruptTests {
    @Test("SIGINT in the gate: exit 130, journaled interrupted, the next apply gates what it created")
    func interruptedInTheGate() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let fixture = try OneServiceProject("interrupt")
        defer { fixture.cleanUp() }
        let state = fixture.state, manifests = fixture.manifests
        let compose = manifests + "/compose.yaml"
        try (try String(contentsOfFile: compose, encoding: .utf8) + "\n    deploy: {update_config: {monitor: 120s}}\n")
            .write(toFile: compose, atomically: true, encoding: .utf8)

        let apply = Process()
        apply.executableURL = URL(fileURLWithPath: BosunBinary.path)
        apply.arguments = ["apply", "--path", manifests, "--state-dir", state]
        let output = Pipe(), errors = Pipe()
        apply.standardOutput = output
        apply.standardError = errors
        try apply.run()
        // Once the container runs, the apply is in (or about to enter) its 120 s gate.
        let record = fixture.container + "/container.json"
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: record, encoding: .utf8), text.contains("\"started\" : \"") { break }
            usleep(50_000)
        }
        let running = apply.isRunning
        if running { kill(apply.processIdentifier, SIGINT) }
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        apply.waitUntilExit()
        try #require(running, "apply ended before the gate: \(stdout)\n\(stderr)")
        #expect(apply.terminationStatus == 130, "\(stdout)\n\(stderr)")
        #expect(stdout.contains("interrupted: "), "\(stdout)")
        #expect(stderr.contains("journaled"), "\(stderr)")
        let history = try BosunBinary.run(["history", "--state-dir", state]).stdout
        #expect(history.contains("interrupted"), "\(history)")
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
        #expect(try BosunBinary.run(["ps", "--state-dir", state]).stdout.contains("\(fixture.project)-svc-1"), "the container keeps running")

        // The next apply (a short monitor now) owes the interrupted one its gate.
        try (try String(contentsOfFile: compose, encoding: .utf8).replacingOccurrences(of: "120s", with: "1s"))
            .write(toFile: compose, atomically: true, encoding: .utf8)
        let again = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("gate passed  \(fixture.project)/svc"), "\(again.stdout)")
    }
}
