@testable import BosunRuntime
import Foundation
import Testing

/// A create killed between its state directory and its state.json (found by `make chaos`: the agent killed
/// while starting a container) left `<root>/<id>/exec.fifo`, and every later create of that id failed with "a
/// container with this id already exists". `removeIncomplete` clears such a leftover and nothing else.
@Suite("Incomplete creates")
struct IncompleteCreateTests {
    @Test("a state directory without state.json is removed; one with state.json is not")
    func leftoverOnly() throws {
        let root = "/var/tmp/bosun-incomplete-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runtime = ContainerRuntime(root: root, helperExecutable: "/nonexistent")
        let store = ContainerStore(root: root)
        try store.prepare("leftover")  // the directory and exec.fifo, as a killed create leaves them
        #expect(throws: RuntimeError.self) { try store.prepare("leftover") }
        #expect(runtime.removeIncomplete(id: "leftover", bundle: nil))
        #expect(!FileManager.default.fileExists(atPath: root + "/leftover"))
        try store.prepare("leftover")  // the id can be created again

        try store.prepare("recorded")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: store.stateFile("recorded")))
        #expect(!runtime.removeIncomplete(id: "recorded", bundle: nil))
        #expect(FileManager.default.fileExists(atPath: store.stateFile("recorded")))
        #expect(!runtime.removeIncomplete(id: "missing", bundle: nil))
        #expect(!runtime.removeIncomplete(id: "../escape", bundle: nil))
    }

    @Test("delete --force clears a leftover, as runc's does; delete without --force leaves it")
    func deleteForce() throws {
        let root = "/var/tmp/bosun-incomplete-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runtime = ContainerRuntime(root: root, helperExecutable: "/nonexistent")
        let store = ContainerStore(root: root)
        try store.prepare("leftover")
        #expect(throws: RuntimeError.self) { try runtime.delete(id: "leftover") }
        #expect(FileManager.default.fileExists(atPath: root + "/leftover"))
        try runtime.delete(id: "leftover", force: true)
        #expect(!FileManager.default.fileExists(atPath: root + "/leftover"))
        // Gone now: --force succeeds as runc's does (containerd and podman delete with it to clean up).
        try runtime.delete(id: "leftover", force: true)
        #expect(throws: RuntimeError.self) { try runtime.delete(id: "leftover") }
    }
}
