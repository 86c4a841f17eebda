import BosunImageStore
import Foundation
import Testing
import BosunTestSupport

@Suite("Overlay root filesystems", .enabled(if: RootGate.enabled))
struct OverlayRootfsTests {
    @Test("few layers mount with mount(2), 150 long-named layers with the new mount API", arguments: [3, 150])
    func layers(count: Int) throws {
        try RootGate.require()
        let dir = "/tmp/bosun-overlay-" + UUID().uuidString + String(repeating: "-long-path-component", count: 3)
        defer {
            try? OverlayRootfs.unmount(dir + "/merged")
            try? FileManager.default.removeItem(atPath: dir)
        }
        var lowers: [String] = []
        for index in 0..<count {
            let layer = dir + "/snapshots/layer-\(index)"
            try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true)
            try "\(index)".write(toFile: layer + "/file-\(index)", atomically: true, encoding: .utf8)
            try "\(index)".write(toFile: layer + "/top", atomically: true, encoding: .utf8)
            lowers.append(layer)
        }
        for sub in ["upper", "work", "merged"] { try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
        try OverlayRootfs.mount(lowers: lowers, upper: dir + "/upper", work: dir + "/work", target: dir + "/merged")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/merged")
        #expect(files.count == count + 1)
        // The last layer is the top one.
        #expect(try String(contentsOfFile: dir + "/merged/top", encoding: .utf8) == "\(count - 1)")
        try "written".write(toFile: dir + "/merged/new", atomically: false, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: dir + "/upper/new"))
        try OverlayRootfs.unmount(dir + "/merged")
    }
}
