import Foundation
import Testing

/// A convergence killed while it created a container (the agent SIGKILLed) leaves the container's directory
/// half made: no service record, nothing the runtime knows. The next convergence must replace it rather than
/// fail on "a container with this name already exists" forever (found by `make chaos`).
@Suite("interrupted create", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct InterruptedCreateTests {
    @Test("a half-created container directory is replaced by the next apply")
    func halfCreatedDirectoryIsReplaced() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let fixture = try OneServiceProject("halfcreate")
        defer { fixture.cleanUp() }
        let state = fixture.state, manifests = fixture.manifests, project = fixture.project
        // What a create killed in ContainerDirectory.prepare leaves: the directories and a temporary file.
        let container = fixture.container
        for sub in ["bundle/rootfs", "upper", "work"] {
            try FileManager.default.createDirectory(atPath: container + "/" + sub, withIntermediateDirectories: true)
        }
        try "127.0.0.1\tlocalhost\n".write(toFile: container + "/.dat.nosync0001.abcdef", atomically: false, encoding: .utf8)

        let applied = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        let status = try BosunBinary.run(["ps", "--format", "json", "--state-dir", state])
        #expect(status.stdout.contains("\"name\":\"\(project)-svc-1\"") && status.stdout.contains("\"running\""), "\(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: container + "/.dat.nosync0001.abcdef"))
    }
}
