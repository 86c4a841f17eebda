import BosunModel
public import BosunConverge
import Foundation
import Synchronization
import BosunLinux

/// The inventory on disk: `<state>/inventory.json` (0600), replaced atomically (and fsync'd) on every change.
/// Thread-safe: the engine's concurrent operations record through it. Other processes write it too (the agent
/// beside `bosun apply`): every change holds the file's lock and starts from the file as it is on disk, and a
/// read takes the file again when another process replaced it (`SharedStateFile`).
public final class InventoryStore: Sendable {
    public let path: String
    private let file: SharedStateFile
    private let current: Mutex<Inventory>

    /// Loads `<stateDirectory>/inventory.json`; a missing file is an empty inventory.
    public init(stateDirectory: String) throws(HostError) {
        let layout = StateLayout(stateDirectory)
        path = layout.inventory
        file = SharedStateFile(path: layout.inventory, lockPath: layout.inventoryLock)
        current = Mutex(try Self.load(path))
        file.noteSeen()
    }

    static func load(_ path: String) throws(HostError) -> Inventory {
        guard let data = FileManager.default.contents(atPath: path) else { return Inventory() }
        let loaded: Inventory
        do { loaded = try JSONDecoder().decode(Inventory.self, from: data) } catch {
            throw HostError("read the inventory \(path)", cause: "\(error)",
                            hint: "restore it from a backup; without it bosun does not know what it created")
        }
        return loaded
    }

    /// The id of the container users know as `name` in the state directory's inventory: the name itself for a
    /// container the inventory does not list (`bosun run`) or lists under its name. What `logs`, `stop`, `rm`,
    /// `exec` and `start` act on.
    public static func containerID(named name: String, stateDirectory: String) -> String {
        (try? load(StateLayout(stateDirectory).inventory))?.containerID(named: name) ?? name
    }

    /// The inventory as it is now (read again when another process changed it; kept as it was when the new
    /// file cannot be read, which the next change reports).
    public var inventory: Inventory {
        current.withLock { inventory in
            try? file.refresh(&inventory) { () throws(HostError) in try Self.load(path) }
            return inventory
        }
    }

    /// Changes the inventory as it is on disk and writes it before returning.
    public func update(_ change: (inout Inventory) -> Void) throws(HostError) {
        try file.exclusively(lockFailed: { HostError($0) }) { () throws(HostError) in
            try current.withLock { inventory throws(HostError) in
                try file.refresh(&inventory) { () throws(HostError) in try Self.load(path) }
                var next = inventory
                change(&next)
                guard next != inventory else { return }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                let data: Data
                do { data = try encoder.encode(next) } catch { throw HostError("encode the inventory", cause: "\(error)") }
                do throws(SystemCallError) { try AtomicFile.write(Array(data) + [0x0A], to: path) } catch { throw HostError(error) }
                inventory = next
                file.noteSeen()
            }
        }
    }
}
