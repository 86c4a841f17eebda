/// The commit desired state was read from, as the journal records it.
public struct SourceRevision: Sendable, Hashable, Codable {
    /// The repository URL with any credentials removed.
    public var repositoryURL: String
    /// The ref that was asked for (`main`, `refs/tags/v1`, a commit id).
    public var ref: String
    /// The full commit id (40 hex digits for SHA-1 repositories).
    public var commitID: String
    public var author: Signature
    public var committer: Signature
    /// The first line of the commit message.
    public var subject: String

    /// A person and time from a commit.
    public struct Signature: Sendable, Hashable, Codable {
        public var name: String
        public var email: String
        /// Seconds since the Unix epoch.
        public var time: Int64
        /// Offset from UTC in minutes.
        public var offsetMinutes: Int32
        public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
            self.name = name
            self.email = email
            self.time = time
            self.offsetMinutes = offsetMinutes
        }

        enum CodingKeys: String, CodingKey { case name, email, time, offsetMinutes = "offset_minutes" }
    }

    enum CodingKeys: String, CodingKey {
        case repositoryURL = "repository_url", ref, commitID = "commit_id", author, committer, subject
    }

    public init(repositoryURL: String, ref: String, commitID: String, author: Signature, committer: Signature, subject: String) {
        self.repositoryURL = repositoryURL
        self.ref = ref
        self.commitID = commitID
        self.author = author
        self.committer = committer
        self.subject = subject
    }
}
