import BosunModel
public import BosunSource
import Foundation
public import BosunFailure

extension SourceFiles {
    /// Where the desired state's files are on disk: a directory source where it is (bound live), or a commit
    /// exported under `<state>/sources/commits/<commit>` with the content store `<state>/sources/content` that
    /// containers bind from. Exports made before the content store (`<state>/sources/<commit>`) are left alone:
    /// containers made then still bind them.
    public static func location(of opened: SourceReader.Opened, stateDirectory: String) throws -> (root: String, store: String?) {
        if let directory = opened.tree as? DirectoryFileTree { return (directory.root, nil) }
        let layout = StateLayout(stateDirectory)
        guard let commit = opened.revision?.commitID else { return (layout.sources + "/none", nil) }
        do {
            let root = try SourceExport.export(opened.tree, path: opened.path, commit: commit, into: layout.sourceCommits)
            return (root, layout.sourceContent)
        } catch {
            throw SourceFilesError(message: "cannot export the commit's files to \(layout.sourceCommits): \(error)")
        }
    }
}

/// A commit's files could not be exported for its containers.
public struct SourceFilesError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension SourceFilesError: FailureDescribing {
    public var failure: Failure { Failure(action: "export the commit's files", cause: message, handling: .fixHost) }
}
