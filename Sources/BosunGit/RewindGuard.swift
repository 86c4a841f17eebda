/// The anti-rollback rule: a source may only move forward from the last applied commit.
public enum RewindGuard {
    /// Throws `GitError.Code.rewind` when `new` differs from `last` and does not descend from it,
    /// unless `allowRewind` is set. `descends` is asked only when the commits differ; it returns nil
    /// when `last` is unknown (e.g. the mirror was recreated), which is refused too.
    public static func check(
        ref: String, repositoryURL: String, from last: GitCommitID, to new: GitCommitID, allowRewind: Bool,
        descends: () throws -> Bool?
    ) throws {
        guard last != new, !allowRewind else { return }
        switch try descends() {
        case true?:
            return
        case false?:
            throw GitError(
                code: .rewind, action: "check history of", object: repositoryURL,
                cause: "\(describe(ref)) moved from \(last.short) to \(new.short), which does not descend from it (a force-push or rewind); refusing",
                hint: "pass --allow-rewind to accept")
        case nil:
            throw GitError(
                code: .rewind, action: "check history of", object: repositoryURL,
                cause: "the last applied commit \(last.short) is not in the mirror, so \(describe(ref)) at \(new.short) cannot be shown to descend from it; refusing",
                hint: "pass --allow-rewind to accept")
        }
    }

    static func describe(_ ref: String) -> String {
        if ref.hasPrefix("refs/heads/") { return "branch \(ref.dropFirst("refs/heads/".count))" }
        if ref.hasPrefix("refs/tags/") { return "tag \(ref.dropFirst("refs/tags/".count))" }
        if ref.count >= 4, ref.allSatisfy(\.isHexDigit) { return "commit \(ref)" }
        return "ref \(ref)"
    }
}
