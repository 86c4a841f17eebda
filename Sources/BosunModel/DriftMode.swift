/// What the agent does when the live state of a project drifts from its desired state between commits
/// (`x-bosun: {drift: enforce|observe}`; the agent's config sets the default).
public enum DriftMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Correct it: a convergence with trigger `drift`, journaled.
    case enforce
    /// Report it in status and the journal only; nothing on the host is touched.
    case observe
}
