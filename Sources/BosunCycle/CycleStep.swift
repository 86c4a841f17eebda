/// The steps of one convergence cycle, in the order they run. Every caller — `apply`, `plan`, `down`, the
/// agent's poll, webhook and drift paths — runs these; what a step refuses is journaled as `rejected` and
/// changes nothing on the host.
///
/// | step | what it does | on failure |
/// | --- | --- | --- |
/// | source | fetch, resolve the ref, refuse a rewind past the last applied commit | rejected (once per distinct error for the agent), exit 3 |
/// | verify | under a signature policy (`verify: {signatures: tip}`), the commit's SSH signature by an allowed signer (`CommitSignatureVerification`) | rejected (once per commit for the agent), exit 1 |
/// | load | read and validate the manifests at that commit; quarantined projects are read from their last good commit (`ConvergenceCycle+Holds`) | rejected with every diagnostic |
/// | admit | the host's policy (checked while loading) and the state directory's source | rejected |
/// | lock | take the convergence lock; catch the journal up with other processes | failed (host error) |
/// | observe, plan, converge | what `Convergence` does: sweep, observe, plan, execute | partially-failed/failed |
/// | gate | `HealthGate`: every container created or recreated starts, is healthy, and stays so for its monitor (a `gate` record) | failed, with the service and the check; then, for `failure_action: rollback`, the project is quarantined and rolled back to its last good commit (`ConvergenceCycle+Rollback`) |
/// | record | the begin/end records, the applied index | host error |
public enum CycleStep: String, Sendable, Hashable, CaseIterable {
    case source, verify, load, admit, lock, observe, plan, converge, gate, record
}
