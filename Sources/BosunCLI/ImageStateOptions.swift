import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

/// Helpers for image commands.
enum ImageStateOptions {
    static func parse(_ reference: String) throws -> ImageReference {
        do { return try ImageReference(parsing: reference) } catch {
            throw CommandFailure(.usage, error.message)
        }
    }

    static func normalise(_ reference: String) throws -> String {
        try parse(reference).description
    }
}

extension StateOptions {
    func imageStore() throws -> ImageStore {
        do {
            _ = try FileManager.default.createDirectory(atPath: resolvedStateDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try ImageStore(root: StateLayout(resolvedStateDir).images)
        } catch {
            throw CommandFailure(.internalError, "cannot open the image store in \(resolvedStateDir)/images: \(error)")
        }
    }
}

extension ByteSize {
    /// `12.3 MB` style, decimal, for tables.
    var humanReadable: String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
