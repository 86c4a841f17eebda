public import BosunModel
import BosunYAML

/// Reads every compose project under a path of a tree into a validated `DesiredState`, collecting all
/// problems at once. Pure: it reads only through the `FileTree` it is given.
public struct ManifestLoader: Sendable {
    public let tree: any FileTree
    public let options: LoadOptions

    public init(tree: any FileTree, options: LoadOptions) {
        self.tree = tree
        self.options = options
    }

    /// Loads the projects under `path`. `rootName` names the tree's root directory, for a project found
    /// there without `name:` (the directory's base name on disk, the repository's name in git).
    public func load(path: String, rootName: String? = nil) -> ManifestLoadResult {
        var result = ManifestLoadResult()
        let locations: [ProjectLocator.Location]
        do { locations = try ProjectLocator.locate(in: tree, path: path) } catch {
            let file = (error as? FileTreeError)?.path ?? path
            result.diagnostics.append(Diagnostic(.error, file: file, mark: nil, message: (error as? FileTreeError)?.message ?? "\(error)"))
            return result
        }
        var projects: [Project] = []
        let unsetLog = UnsetVariableLog()
        for location in locations {
            if let project = loadProject(location, rootName: rootName, unsetLog: unsetLog, into: &result) { projects.append(project) }
        }
        var seen: [String: String] = [:]
        for project in projects {
            if let other = seen[project.name] {
                result.diagnostics.append(Diagnostic(.error, file: project.files[0], mark: nil,
                    message: "project name \"\(project.name)\" is also used by \(other)", hint: "set a distinct name: in one of them"))
            }
            seen[project.name] = project.files[0]
        }
        result.diagnostics += HostConflicts.check(projects, services: result.serviceMarks, ports: result.portMarks)
        projects.sort { $0.name < $1.name }
        if !result.hasErrors { result.state = DesiredState(projects: projects) }
        return result
    }

    func loadProject(_ location: ProjectLocator.Location, rootName: String?, unsetLog: UnsetVariableLog,
                     into result: inout ManifestLoadResult) -> Project? {
        let references = ReferenceLog()
        let dotEnvPath = ProjectLocator.joined(location.directory, ".env")
        var dotEnv: [String: String] = [:]
        var dotEnvLines: [String: Int] = [:]
        if tree.kind(of: dotEnvPath) == .file, let bytes = try? tree.readFile(dotEnvPath) {
            let text = String(decoding: bytes, as: UTF8.self)
            result.sources[dotEnvPath] = text
            let environment = options.environment
            do {
                // Compose's dotenv: each value is interpolated from the entries above it, then the agent's environment.
                let entries = try EnvFile.parse(text, environment: { environment[$0] })
                for entry in entries {
                    dotEnv[entry.key] = entry.value
                    dotEnvLines[entry.key] = entry.line
                    for name in entry.unset where unsetLog.firstUse(of: name) {
                        result.diagnostics.append(Diagnostic(.warning, file: dotEnvPath, mark: YAMLMark(line: entry.line, column: 1),
                            message: "variable \(name) is not set, defaulting to a blank string", hint: "set \(name) in the agent's environment or earlier in .env"))
                    }
                }
            } catch let error as EnvFile.LineError {
                result.diagnostics.append(Diagnostic(.error, file: dotEnvPath, mark: YAMLMark(line: error.line, column: 1), message: error.message, hint: error.hint))
            } catch {
                result.diagnostics.append(Diagnostic(.error, file: dotEnvPath, mark: nil, message: "\(error)"))
            }
        }
        let decoder = ComposeFileDecoder()
        var files: [String] = []
        for extra in location.alsoPresent {
            let isOverride = ProjectLocator.overrideFileNames.contains(extra)
            result.diagnostics.append(Diagnostic(isOverride ? .error : .warning, file: ProjectLocator.joined(location.directory, extra), mark: nil,
                message: isOverride ? "override files are not merged by bosun" : "\(extra) is ignored: \(location.composeFile) is read",
                hint: isOverride ? "fold its settings into \(location.composeFile)" : "keep one compose file per directory"))
        }

        func loadFile(_ file: String, stack: [String], includedAt: (String, YAMLMark)?) {
            let sink = DiagnosticSink(file: file)
            defer { result.diagnostics += sink.items }
            if stack.contains(file) {
                let (from, mark) = includedAt!
                result.diagnostics.append(Diagnostic(.error, file: from, mark: mark, message: "include cycle: \((stack + [file]).joined(separator: " -> "))"))
                return
            }
            let text: String
            do { text = String(decoding: try tree.readFile(file), as: UTF8.self) } catch {
                if let (from, mark) = includedAt {
                    result.diagnostics.append(Diagnostic(.error, file: from, mark: mark, message: "cannot read included file \(file): \(error)"))
                } else {
                    sink.error(nil, "cannot read: \(error)")
                }
                return
            }
            files.append(file)
            result.sources[file] = text
            let root: YAMLNode
            do {
                guard let document = try YAMLParser.parseDocument(text) else {
                    sink.error(nil, "the file is empty", hint: "declare services:")
                    return
                }
                root = document
            } catch {
                sink.error(error.mark, error.message)
                return
            }
            let context = ProjectContext(tree: tree, directory: location.directory, dotEnv: dotEnv, options: options, file: file, references: references,
                                         unsetLog: unsetLog)
            let interpolated = NodeInterpolation(interpolator: context.interpolator, sink: sink, unsetLog: unsetLog).apply(root)
            decoder.decode(interpolated, context: context, sink: sink) { path, mark in
                guard let resolved = context.resolve(path, at: mark, sink: sink) else { return }
                loadFile(resolved, stack: stack + [file], includedAt: (file, mark))
            }
        }
        loadFile(location.composeFile, stack: [], includedAt: nil)

        let directoryName = location.directory.split(separator: "/").last.map(String.init) ?? rootName ?? ""
        // Compose's precedence: COMPOSE_PROJECT_NAME in the project's .env, then name:, then the directory. (The
        // agent's own environment is the agent's, shared by every project, so it does not name them.)
        var name = decoder.name ?? ProjectNames.normalise(directoryName)
        if let fromDotEnv = dotEnv["COMPOSE_PROJECT_NAME"], !fromDotEnv.isEmpty {
            if ProjectNames.isValid(fromDotEnv) { name = fromDotEnv } else {
                result.diagnostics.append(Diagnostic(.error, file: dotEnvPath, mark: dotEnvLines["COMPOSE_PROJECT_NAME"].map { YAMLMark(line: $0, column: 1) },
                    message: "COMPOSE_PROJECT_NAME \"\(fromDotEnv)\" is not a valid project name",
                    hint: "use lower-case letters, digits, '-' and '_', starting with a letter or digit"))
                return nil
            }
        }
        if name.isEmpty {
            result.diagnostics.append(Diagnostic(.error, file: location.composeFile, mark: nil,
                message: "cannot derive a project name from \"\(directoryName)\"", hint: "set name: at the top of the file"))
            return nil
        }
        let project = ProjectAssembler(name: name, decoder: decoder, references: references, files: files, tree: tree,
                                       policy: options.policy).assemble(into: &result)
        return project
    }
}

/// The outcome of loading manifests: the desired state when there were no errors, and every diagnostic.
public struct ManifestLoadResult: Sendable {
    public var state: DesiredState?
    public var diagnostics: [Diagnostic] = []
    /// The text of every file read, for caret snippets.
    public var sources: [String: String] = [:]
    /// Where each service was declared, keyed `project/service`.
    var serviceMarks: [String: (file: String, mark: YAMLMark)] = [:]
    /// Where each published port was written, keyed `project/service`, then the mapping's description.
    var portMarks: [String: [String: (file: String, mark: YAMLMark)]] = [:]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// Every diagnostic with its snippet, in file order; `pathPrefix` is put before file names
    /// (the directory the tree was read from, so the names are right from the caller's directory).
    public func renderedDiagnostics(pathPrefix: String = "") -> String {
        sortedDiagnostics.map { diagnostic in
            var shown = diagnostic
            if !pathPrefix.isEmpty && pathPrefix != "." { shown.file = pathPrefix + "/" + diagnostic.file }
            return shown.rendered(source: sources[diagnostic.file])
        }.joined(separator: "\n")
    }

    public var sortedDiagnostics: [Diagnostic] {
        diagnostics.sorted { ($0.file, $0.mark?.line ?? 0, $0.mark?.column ?? 0) < ($1.file, $1.mark?.line ?? 0, $1.mark?.column ?? 0) }
    }
}
