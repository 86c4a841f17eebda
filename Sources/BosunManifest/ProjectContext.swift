import BosunModel
import BosunYAML

/// What reading one project needs to know: its directory in the tree, its variables, the agent's options.
struct ProjectContext {
    let tree: any FileTree
    /// Tree-relative directory of the project's compose file.
    let directory: String
    /// Variables from `.env` beside the compose file; the agent's environment wins over them.
    let dotEnv: [String: String]
    let options: LoadOptions
    /// The compose file being read, tree-relative (for references' positions).
    let file: String
    /// Names written in the manifest, with where; shared by every file of the project.
    let references: ReferenceLog
    /// Unset variables already warned about in this load.
    let unsetLog: UnsetVariableLog

    func lookup(_ name: String) -> String? {
        options.environment[name] ?? dotEnv[name]
    }

    /// The profiles enabled for this project: the agent's `--profile` options, else `COMPOSE_PROFILES`
    /// (comma-separated, from the agent's environment, then `.env`), as Compose takes them.
    var activeProfiles: [String] {
        if !options.profiles.isEmpty { return options.profiles }
        return (lookup("COMPOSE_PROFILES") ?? "").split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    var interpolator: Interpolator {
        let environment = options.environment
        let dotEnv = dotEnv
        return Interpolator { environment[$0] ?? dotEnv[$0] }
    }

    /// A path written in the manifest, relative to the project directory, as a tree-relative path;
    /// nil (with an error) when it leaves the tree.
    func resolve(_ path: String, at mark: YAMLMark, sink: DiagnosticSink) -> String? {
        if path.hasPrefix("/") {
            sink.error(mark, "\"\(path)\" is an absolute path; files read by bosun must be in the repository", hint: "write it relative to the compose file")
            return nil
        }
        guard let normalised = ProjectContext.normalise(directory.isEmpty ? path : directory + "/" + path) else {
            sink.error(mark, "\"\(path)\" points outside the repository", hint: "keep referenced files inside the repository")
            return nil
        }
        return normalised
    }

    /// Folds `.` and `..`; nil when `..` climbs above the root.
    static func normalise(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    func readEnvFile(_ path: String, required: Bool, raw: Bool, at mark: YAMLMark, sink: DiagnosticSink) -> [String: String]? {
        guard tree.kind(of: path) != nil else {
            if required { sink.error(mark, "env_file \"\(path)\" does not exist", hint: "add the file, or mark it required: false") }
            return nil
        }
        let text: String
        do { text = String(decoding: try tree.readFile(path), as: UTF8.self) } catch {
            sink.error(mark, "cannot read env_file \"\(path)\": \(error)")
            return nil
        }
        let environment = options.environment
        let dotEnv = dotEnv
        do {
            // Compose: entries above first, then the project's environment (the agent's, then .env).
            let entries = try EnvFile.parse(text, environment: { environment[$0] ?? dotEnv[$0] }, raw: raw)
            for entry in entries {
                for name in entry.unset where unsetLog.firstUse(of: name) {
                    sink.add(Diagnostic(.warning, file: path, mark: YAMLMark(line: entry.line, column: 1),
                                        message: "variable \(name) is not set, defaulting to a blank string",
                                        hint: "set \(name) in the agent's environment, in .env beside the compose file, or earlier in this file"))
                }
            }
            return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, later in later })
        } catch let error as EnvFile.LineError {
            sink.error(mark, "env_file \"\(path)\" line \(error.line): \(error.message)", hint: error.hint)
        } catch {
            sink.error(mark, "env_file \"\(path)\": \(error)")
        }
        return nil
    }
}
