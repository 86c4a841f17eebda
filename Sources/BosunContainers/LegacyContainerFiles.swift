import BosunModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A container directory as bosun wrote it before format 2 of `container.json`: the record was spread over
/// `container.json` (written when a start was asked for), `service.json` (a service container's creation
/// record), `address`, `ports`, `stopped-by-user` and `creator`, and the phase was told by which of them
/// existed. `compose()` reads them into one `ContainerMetadata`; `removeLeftovers()` deletes them once format 2
/// is on disk. `Tests/BosunContainersTests/Fixtures/state-v1` holds such files as bosun wrote them.
struct LegacyContainerFiles {
    let directory: String

    static let fileNames = ["service.json", "address", "ports", "stopped-by-user", "creator"]

    /// format 1's `service.json`.
    struct ServiceRecord: Decodable {
        var project: Project
        var service: Service
        var name: String
        var configHash: String
        var image: ContainerMetadata.Image
        var command: [String]
        var imageStopSignal: String?
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// `container.json`'s format version alone (the sweep asks for every container at every convergence: the
    /// whole record need not be built for that).
    struct FormatProbe: Decodable { var version: Int? }

    /// Whether the directory holds format 1's files: any file format 2 folds into `container.json`, or a
    /// `container.json` without a version.
    var present: Bool {
        if Self.fileNames.contains(where: { access(path($0), F_OK) == 0 }) { return true }
        guard let data = FileManager.default.contents(atPath: path("container.json")),
              let probe = try? JSONDecoder().decode(FormatProbe.self, from: data) else { return false }
        return (probe.version ?? 1) < 2
    }

    func text(_ name: String) -> String? { try? String(contentsOfFile: path(name), encoding: .utf8) }

    /// The record format 1's files describe, nil when there are none. `startRecord` is format 1's
    /// `container.json`, as the caller decoded it (nil when there is none: no start was asked for).
    func compose(startRecord: ContainerMetadata?) throws -> ContainerMetadata? {
        var record = startRecord
        var origin: ServiceRecord?
        if let data = FileManager.default.contents(atPath: path("service.json")) {
            origin = try JSONDecoder().decode(ServiceRecord.self, from: data)
        }
        let creator = text("creator")
        if record == nil {
            guard origin != nil || creator != nil else { return nil }
            // No start was asked for: created by the convergence (with service.json) or still being prepared.
            let name = (directory as NSString).lastPathComponent
            let created = (try? FileManager.default.attributesOfItem(atPath: path(origin == nil ? "creator" : "service.json")))?[.modificationDate] as? Date
            record = ContainerMetadata(name: origin?.name ?? name, image: origin?.image, command: origin?.command ?? [],
                                       created: created ?? Date(), bundle: directory + "/bundle",
                                       phase: origin == nil ? .preparing : .created)
        }
        guard var record else { return nil }
        record.version = 1
        record.creator = creator
        if let origin {
            record.service = ContainerMetadata.ServiceOrigin(project: origin.project, service: origin.service, configHash: origin.configHash,
                                                             imageStopSignal: origin.imageStopSignal)
        }
        record.address = (text("address")?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : $0 }
        record.publishedPorts = text("ports").map { $0.split(separator: "\n").map(String.init) }
        if let stop = text("stopped-by-user") {
            record.stoppedByUser = Double(stop.trimmingCharacters(in: .whitespacesAndNewlines)).map { Date(timeIntervalSince1970: $0) } ?? Date()
        }
        return record
    }

    /// Removes format 1's separate files (call only once format 2's `container.json` is on disk).
    func removeLeftovers() {
        for name in Self.fileNames { unlink(path(name)) }
    }
}
