/// The version bosun reports in `--version` and records in the journal.
public enum BosunVersion {
    public static let current = "0.1.0"
}
