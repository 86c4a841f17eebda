import BosunOCI
import Foundation
import Glibc
import BosunLinux

/// What the runtime records about a container in `<root>/<id>/state.json`.
struct ContainerRecord: Codable, Sendable {
    var id: String
    var bundle: String
    var rootfs: String
    var pid: Int32
    /// The process's start time (field 22 of /proc/<pid>/stat): a pid with another start time is a reused pid.
    var startTime: UInt64
    var created: Date
    var annotations: [String: String]?
    /// The hooks as they were at create time (poststart and poststop run from here).
    var hooks: RuntimeSpec.Hooks?
    /// The container's cgroup relative to each hierarchy (`bosun/web`); nil on a host without cgroups.
    var cgroupPath: String?
    /// False when config.json had no `process` (allowed for `create`; `start` then fails and the container
    /// stops); nil in records written before this field existed.
    var hasProcess: Bool?
    /// The boot the container was created in (`BootID`); nil in records written before this field existed.
    var bootID: String?
    /// Where the cgroup hierarchies were mounted for this container when not at the default (`--cgroup-root`).
    var cgroupRoot: String?
}

/// Container state directories under the runtime root (`/run/bosun/runtime` by default).
struct ContainerStore {
    let root: String

    func directory(_ id: String) -> String { root + "/" + id }
    func fifo(_ id: String) -> String { directory(id) + "/exec.fifo" }
    func stateFile(_ id: String) -> String { directory(id) + "/state.json" }

    static func validate(id: String) throws(RuntimeError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")
        guard !id.isEmpty, id.count <= 1024, id != ".", id != "..", id.allSatisfy({ allowed.contains($0) }) else {
            throw RuntimeError("container id `\(id)`", detail: "use letters, digits and `_+-.`")
        }
    }

    /// Creates the state directory and exec FIFO; fails when the container exists.
    func prepare(_ id: String) throws(RuntimeError) {
        try ContainerStore.validate(id: id)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            throw RuntimeError("create runtime root `\(root)`", detail: "\(error.localizedDescription)")
        }
        if mkdir(directory(id), 0o711) != 0 {
            let code = errno
            if code == EEXIST { throw RuntimeError("create container `\(id)`", detail: "a container with this id already exists") }
            throw RuntimeError("create state directory `\(directory(id))`", errno: code)
        }
        try Sys.check("create exec fifo `\(fifo(id))`") { mkfifo(fifo(id), 0o600) }
    }

    func remove(_ id: String) {
        // The files the runtime makes, then the directory; anything else there (a hook's leftovers) the slow way.
        for name in ["state.json", "state.json.tmp", "exec.fifo"] { unlink(directory(id) + "/" + name) }
        if rmdir(directory(id)) != 0 && errno != ENOENT { try? FileManager.default.removeItem(atPath: directory(id)) }
    }

    func save(_ record: ContainerRecord) throws(RuntimeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            // Written and renamed, not synced: state lives as long as the container (normally on /run's tmpfs).
            let data = try encoder.encode(record)
            try AtomicFile.write(Array(data), to: stateFile(record.id), mode: 0o644, durable: false)
        } catch let error as SystemCallError {
            throw RuntimeError("\(error.call) `\(error.path)`", detail: Errno.lowercased(error.code))
        } catch {
            throw RuntimeError("write `\(stateFile(record.id))`", detail: error.localizedDescription)
        }
    }

    func load(_ id: String) throws(RuntimeError) -> ContainerRecord {
        try ContainerStore.validate(id: id)
        guard let data = FileManager.default.contents(atPath: stateFile(id)) else {
            throw RuntimeError("container `\(id)`", detail: "does not exist", hint: "no \(stateFile(id))")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(ContainerRecord.self, from: data)
        } catch {
            throw RuntimeError("read `\(stateFile(id))`", detail: "\(error)")
        }
    }

    func ids() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            FileManager.default.fileExists(atPath: stateFile($0))
        }.sorted()
    }

    /// `created` (alive, exec FIFO still there), `running`, or `stopped` (gone, a zombie, or a reused pid).
    func status(of record: ContainerRecord) -> String {
        // A record of an earlier boot names no process of this one, whatever runs under its pid now.
        guard BootID.isCurrent(record.bootID), let info = ProcStat(pid: record.pid), info.startTime == record.startTime, !info.hasEnded else {
            return "stopped"
        }
        return access(fifo(record.id), F_OK) == 0 ? "created" : "running"
    }
}

/// The fields of /proc/<pid>/stat the runtime needs.
public struct ProcStat: Sendable {
    /// Field 3: `R`, `S`, `Z` (zombie), `X` (dead)…
    public var state: Character
    /// Field 22, in clock ticks after boot: with the pid (and the boot id) it names one process.
    public var startTime: UInt64

    /// Whether the process has ended (a zombie or dead).
    public var hasEnded: Bool { state == "Z" || state == "X" }

    public init?(pid: Int32) {
        guard let text = Sys.readFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        self.state = state
        self.startTime = start
    }
}
