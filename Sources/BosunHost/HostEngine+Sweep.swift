public import BosunJournal

extension HostEngine {
    /// Finishes what killed processes left in the network records, migrates container records an older bosun
    /// wrote, then removes what interrupted creates left: each container the inventory notes as pending (its create began,
    /// was never recorded) and does not list as created. Called at the start of a convergence, under the
    /// convergence lock, so no create of this host's convergences is in flight. `ContainerOperations.removeInterrupted`
    /// leaves alone a directory whose creating process still runs (a foreground `bosun run` of that name) or a
    /// container that started; those stay pending and are looked at again next time.
    public func sweepInterrupted() async -> [SweptContainer] {
        // Network records a killed process left half made (an attach or a detach cut off): undone or finished,
        // under the records' lock, so a process attaching now is waited for, not undone.
        try? networkManager().recover()
        let current = inventory.inventory
        var swept: [SweptContainer] = []
        // Container records an older bosun wrote, in today's format (metadata only: nothing restarts). One that
        // cannot be is journaled as a failed sweep; its old files stay and are read as they are.
        for (name, reason) in await containers.migrateRecords().failed.sorted(by: { $0.key < $1.key }) {
            swept.append(SweptContainer(name: name, project: current.containers[name]?.project ?? "", action: .failed,
                                        reason: "its record could not be written in today's format: \(reason)"))
        }
        // Repository content no recorded container binds any more (a create reads it back in when needed).
        sourceFiles.prune(keeping: Set(current.containers.values.flatMap { $0.spec.sourceDigests.map { Array($0.values) } ?? [] }))
        for (name, item) in current.pendingContainers.sorted(by: { $0.key < $1.key }) {
            guard current.containers[name] == nil else {
                // Recorded after all (a kill between the two inventory writes cannot happen: they are one write).
                try? inventory.update { $0.pendingContainers[name] = nil }
                continue
            }
            await health.unwatch(container: name)
            await health.quiesce(container: name)
            let outcome = await containers.removeInterrupted(name)
            swept.append(SweptContainer(name: name, project: item.project, action: outcome.action, reason: outcome.reason))
            if outcome.action == .removed || outcome.action == .absent {
                do { try inventory.update { $0.pendingContainers[name] = nil } } catch {
                    swept[swept.count - 1].reason = "removed, but the inventory could not be written: \(error)"
                }
            }
        }
        return swept
    }
}
