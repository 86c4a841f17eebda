extension MirrorRepository {
    /// The hint for a failed fetch: a full disk is this host's problem, not the server's; anything else is
    /// most often a wrong url or an unreachable server.
    static func fetchHint(for cause: String) -> String {
        let lowered = cause.lowercased()
        if lowered.contains("no space left on device") || lowered.contains("disk quota exceeded") {
            return "free space on the filesystem of the state directory (the git mirror is kept under <state>/git)"
        }
        return "check that the url is right and the server is reachable (libgit2 1.5 has no connect timeout)"
    }
}
