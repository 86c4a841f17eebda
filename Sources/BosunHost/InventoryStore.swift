import BosunModel
public import BosunConverge
import Foundation
import Synchronization
import BosunLinux

/// The inventory on disk: `<state>/inventory.json` (0600), replaced atomically (and fsync'd) on every change.
/// Thread-safe: the engine's concurrent operations record through it.
public final class InventoryStore: Sendable {
    public let path: String
    private let current: Mutex<Inventory>

    /// Loads `<stateDirectory>/inventory.json`; a missing file is an empty inventory.
    public init(stateDirectory: String) throws(HostError) {
        path = StateLayout(stateDirectory).inventory
        var loaded = Inventory()
        if let data = FileManager.default.contents(atPath: path) {
            do { loaded = try JSONDecoder().decode(Inventory.self, from: data) } catch {
                throw HostError("read the inventory \(path)", cause: "\(error)",
                                hint: "restore it from a backup; without it bosun does not know what it created")
            }
            guard loaded.version == 1 else {
                throw HostError("read the inventory \(path)", cause: "format version \(loaded.version) is not known", hint: "use a newer bosun")
            }
        }
        current = Mutex(loaded)
    }

    /// The inventory as it is now.
    public var inventory: Inventory { current.withLock { $0 } }

    /// Changes the inventory and writes it before returning.
    public func update(_ change: (inout Inventory) -> Void) throws(HostError) {
        try current.withLock { inventory throws(HostError) in
            var next = inventory
            change(&next)
            guard next != inventory else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let data: Data
            do { data = try encoder.encode(next) } catch { throw HostError("encode the inventory", cause: "\(error)") }
            do throws(SystemCallError) { try AtomicFile.write(Array(data) + [0x0A], to: path) } catch { throw HostError(error) }
            inventory = next
        }
    }
}
