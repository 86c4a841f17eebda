import BosunModel
import Testing

/// The state directory's layout is a compatibility promise: an upgrade that moved a path would lose state.
@Suite("State layout")
struct StateLayoutTests {
    @Test("every path of the state directory where the previous releases put it")
    func paths() {
        let layout = StateLayout("/var/lib/bosun")
        let paths = [
            layout.journal, layout.journalSalt, layout.inventory, layout.convergenceLock, layout.restartCounts, layout.git,
            layout.sources, layout.sourceCommits, layout.sourceContent, layout.images, layout.volumes, layout.network,
            layout.runtime, layout.containers, layout.container("web-1"),
        ]
        #expect(paths == [
            "/var/lib/bosun/journal", "/var/lib/bosun/journal-salt", "/var/lib/bosun/inventory.json", "/var/lib/bosun/converge.lock",
            "/var/lib/bosun/restart-counts.json", "/var/lib/bosun/git", "/var/lib/bosun/sources", "/var/lib/bosun/sources/commits",
            "/var/lib/bosun/sources/content", "/var/lib/bosun/images", "/var/lib/bosun/volumes", "/var/lib/bosun/network",
            "/var/lib/bosun/runtime", "/var/lib/bosun/containers", "/var/lib/bosun/containers/web-1",
        ])
        let network = StateLayout.Network(layout.network)
        #expect(network.records == "/var/lib/bosun/network/network.json")
        #expect(network.containers == "/var/lib/bosun/network/containers")
    }
}
