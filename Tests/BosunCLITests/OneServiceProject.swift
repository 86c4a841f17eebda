import Foundation
import Testing

/// A scratch directory with the busybox image imported into a state directory and a project of one sleeping
/// service (no network) on disk, for tests of how `bosun apply` copes with a damaged state directory.
/// `cleanUp` runs `bosun down --volumes` and removes the directory.
struct OneServiceProject {
    let directory: String
    let project: String
    var state: String { directory + "/state" }
    var manifests: String { directory + "/manifests" }
    var container: String { state + "/containers/\(project)-svc-1" }

    init(_ tag: String) throws {
        directory = "/var/tmp/bosun-\(tag)-\(UUID().uuidString.prefix(8))"
        project = String(tag.prefix(2)) + UUID().uuidString.prefix(6).lowercased()
        try FileManager.default.createDirectory(atPath: directory + "/manifests", withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: directory)
        #expect(try BosunBinary.run(["image", "import", directory + "/oci", "--state-dir", directory + "/state"]).status == 0)
        try """
        name: \(project)
        services:
          svc:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            network_mode: none
            stop_grace_period: 1s
        """.write(toFile: directory + "/manifests/compose.yaml", atomically: true, encoding: .utf8)
    }

    func cleanUp() {
        _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
