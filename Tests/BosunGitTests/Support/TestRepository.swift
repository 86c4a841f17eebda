import Foundation

/// A working repository with an upstream bare repository it pushes to, driven by the git CLI.
///
/// The bare repository is what servers export; commits get fixed identities and dates so ids are stable.
final class TestRepository: @unchecked Sendable {
    let work: String
    let bare: String
    private var tick = 0

    /// Creates `<directory>/<name>.work` (branch main) and `<directory>/<name>.git` (bare) with origin set.
    init(in directory: String, name: String = "repo") throws {
        work = "\(directory)/\(name).work"
        bare = "\(directory)/\(name).git"
        try Command.run("git", ["init", "-q", "--bare", "-b", "main", bare], environment: Command.gitEnvironment)
        try Command.run("git", ["init", "-q", "-b", "main", work], environment: Command.gitEnvironment)
        try git("remote", "add", "origin", bare)
    }

    @discardableResult
    func git(_ arguments: String..., environment: [String: String] = [:]) throws -> String {
        try Command.run(
            "git", ["-C", work, "-c", "user.name=Ada Author", "-c", "user.email=ada@example.test", "-c", "core.symlinks=true"] + arguments,
            environment: Command.gitEnvironment.merging(environment) { $1 })
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ path: String, _ content: String) throws {
        let url = URL(fileURLWithPath: "\(work)/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    }

    func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: "\(work)/\(path)", withDestinationPath: target)
    }

    /// Commits everything with a distinct date per commit (author Ada, committer Carl) and returns the id.
    @discardableResult
    func commit(_ message: String) throws -> String {
        tick += 1
        let date = "\(1_700_000_000 + tick * 60) +0130"
        try git("add", "-A")
        try git(
            "commit", "-q", "--allow-empty", "-m", message,
            environment: [
                "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
                "GIT_COMMITTER_NAME": "Carl Committer", "GIT_COMMITTER_EMAIL": "carl@example.test",
            ])
        return try git("rev-parse", "HEAD")
    }

    /// Pushes all branches and tags to the bare repository, forced.
    func pushAll() throws {
        try git("push", "-q", "--force", "origin", "--all")
        try git("push", "-q", "--force", "origin", "--tags")
    }
}
