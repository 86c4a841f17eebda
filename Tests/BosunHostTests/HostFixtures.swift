import BosunImageSpec
import BosunImageStore
import Foundation
import Testing

/// Scratch directories under /var/tmp, the root gate, and the busybox fixture image.
enum HostFixtures {
    static let isRoot = getuid() == 0
    /// Root tests run when root, and when CI asks for them (then they fail without root instead of skipping).
    static let rootTestsEnabled = isRoot || ProcessInfo.processInfo.environment["CI"] != nil

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A fresh directory (0700) under /var/tmp, removed by the caller.
    static func scratch() throws -> String {
        let path = "/var/tmp/bosun-host-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Runs a shell command, failing when it does.
    static func shell(_ command: String, in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HostFixtureError(message: "\(command) exited \(process.terminationStatus)") }
    }

    /// The busybox image (scripts/make-busybox-image) imported into a store in `directory`; its snapshots.
    /// `healthcheck` is the image config's Healthcheck in Docker's JSON form, if it has one.
    static func busybox(in directory: String, healthcheck: String? = nil) throws -> (ImageStore, [String]) {
        let extra = healthcheck.map { " localhost:5000/bosun/busybox:1.35 '\($0)'" } ?? ""
        try shell("\(repositoryRoot)/scripts/make-busybox-image oci" + extra, in: directory)
        let store = try ImageStore(root: directory + "/images")
        let records = try ImageImporter(store: store, platform: Platform(architecture: "amd64", os: "linux"))
            .importImages(from: directory + "/oci", reference: nil)
        let record = try #require(records.first)
        return (store, try store.ensureSnapshots(record))
    }

    static func mode(_ path: String) -> (mode: mode_t, uid: uid_t, gid: gid_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_mode, info.st_uid, info.st_gid)
    }
}

struct HostFixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
