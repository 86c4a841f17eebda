import BosunOCI
import Foundation
import Testing

/// The runtime spec model reads what other tools write and writes what it read.
@Suite("Runtime spec coding")
struct RuntimeSpecCodingTests {
    /// `runc spec`'s untouched output (runc 1.1.5, Debian 12), shared with the runtime's tests.
    static let runcSpec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../BosunRuntimeTests/Fixtures/runc-1.1.5-spec.json").standardized.path

    @Test("runc's default spec decodes field by field, and survives a round trip")
    func runcSpec() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.runcSpec))
        let spec = try JSONDecoder().decode(RuntimeSpec.self, from: data)
        #expect(spec.process?.terminal == true && spec.process?.args == ["sh"] && spec.root?.path == "rootfs" && spec.root?.readonly == true)
        #expect(spec.process?.capabilities?.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
        #expect(spec.mounts?.map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        #expect(spec.linux?.namespaces?.map(\.type) == ["pid", "network", "ipc", "uts", "mount"])
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
        let again = try JSONDecoder().decode(RuntimeSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    @Test("bosun's default spec is Docker's: its capabilities, mounts, masked and read-only paths, every namespace but user")
    func defaultSpec() {
        let spec = DefaultSpec.make(args: ["/bin/sh"])
        #expect(spec.process?.capabilities?.bounding == DefaultSpec.capabilities && DefaultSpec.capabilities.count == 14)
        #expect(spec.mounts == DefaultSpec.mounts)
        #expect(spec.linux?.maskedPaths == DefaultSpec.maskedPaths && spec.linux?.readonlyPaths == DefaultSpec.readonlyPaths)
        #expect(spec.linux?.namespaces?.contains { $0.type == "user" } == false)
        #expect(spec.process?.noNewPrivileges == true)
    }
}
