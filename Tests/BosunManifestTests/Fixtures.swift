import BosunManifest
import BosunModel

/// Loads manifests held in memory, as they would be read from a repository.
enum Fixtures {
    static func load(_ files: [String: String], path: String = "", environment: [String: String] = [:],
                     allowPrivileged: Bool = false, policy: HostPolicy? = nil, cpus: Int = 4, profiles: [String] = []) -> ManifestLoadResult {
        let tree = InMemoryFileTree(displayName: "test", files: files.mapValues { Array($0.utf8) })
        let options = LoadOptions(environment: environment, allowPrivileged: allowPrivileged, policy: policy, hostCPUCount: cpus, profiles: profiles)
        return ManifestLoader(tree: tree, options: options).load(path: path, rootName: "root")
    }

    /// One compose file in project directory `app`.
    static func compose(_ text: String, environment: [String: String] = [:], extra: [String: String] = [:],
                        policy: HostPolicy? = nil) -> ManifestLoadResult {
        var files = extra
        files["app/compose.yaml"] = text
        return load(files, environment: environment, policy: policy)
    }

    /// The diagnostics as `file:line:col: severity: message`, in file order.
    static func lines(_ result: ManifestLoadResult) -> [String] {
        result.sortedDiagnostics.map { d in
            "\(d.file)\(d.mark.map { ":\($0.line):\($0.column)" } ?? ""): \(d.severity.rawValue): \(d.message)"
        }
    }
}
