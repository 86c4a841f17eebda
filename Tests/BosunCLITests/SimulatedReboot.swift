import Foundation
import Glibc
import BosunTestSupport

/// A host reboot as bosun's state directory would live through it, on a VM that cannot be rebooted: everything
/// the kernel holds or keeps in memory is taken away, everything on disk stays.
///
/// Taken away, as a power cut and a boot take it:
/// - every `bosun-monitor` (by `containers/NAME/monitor.pid`, pid and start time) SIGKILLed first, so that no
///   monitor records the exit that follows (a power cut leaves no `exit.json`), then every process in the
///   containers' cgroups (the runtime's `runtime/NAME/state.json` names the init and the cgroup path);
/// - the mounts under the state directory (the containers' overlay roots), unmounted;
/// - the containers' cgroups in every hierarchy, and the `bosun` parent when nothing else uses it;
/// - the bridges and host veths `network/network.json` lists, and its nftables table (`ip bosun-<scope>`);
/// - `net.ipv4.ip_forward`, back to the boot default 0 (the caller's `HostNetworkLock` restores what it found);
/// - the run directory (the agent's control socket: `/run/bosun` is tmpfs).
///
/// Kept, as on disk: the whole state directory — the inventory, the journal, the volumes, the containers'
/// directories (with their stale `monitor.pid`, the `stopped-by-user` marks and the exit records written before
/// the cut), `network.json` with its addresses, `restart-counts.json`, and the runtime root `state/runtime`
/// (on the state directory, so its stale `state.json` files survive a real reboot too).
///
/// Not simulated: a new boot id, /proc start times counted from a new boot (a stale pid could then name
/// another process), kernel state such as conntrack or sysctls other than ip_forward.
struct SimulatedReboot {
    let state: String
    /// The directory that stands for /run (removed whole).
    let runDirectory: String

    var containerNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: state + "/containers")) ?? []).sorted()
    }

    /// Every cgroup hierarchy mounted under /sys/fs/cgroup (the v1 controllers and the unified one).
    static var hierarchies: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        return names.map { "/sys/fs/cgroup/" + $0 }.filter { FileManager.default.fileExists(atPath: $0 + "/cgroup.procs") }
    }

    /// The runtime's record of a container: its init's pid and start time, and its cgroup path.
    func runtimeRecord(_ name: String) -> (pid: Int32, startTime: UInt64, cgroup: String?)? {
        guard let data = FileManager.default.contents(atPath: state + "/runtime/\(name)/state.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let pid = object["pid"] as? Int, let start = object["startTime"] as? Int else { return nil }
        return (Int32(pid), UInt64(start), object["cgroupPath"] as? String)
    }

    /// `PID STARTTIME` files as bosun writes them, when that process still runs (not a zombie).
    static func alive(pid: Int32, startTime: UInt64?) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return false }
        return startTime.map { String(fields[19]) == String($0) } ?? true
    }

    func monitor(_ name: String) -> (pid: Int32, startTime: UInt64?)? {
        guard let text = try? String(contentsOfFile: state + "/containers/\(name)/monitor.pid", encoding: .utf8) else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let first = words.first, let pid = Int32(first) else { return nil }
        return (pid, words.count > 1 ? UInt64(words[1]) : nil)
    }

    /// The cgroup directories of the containers, in every hierarchy.
    var cgroups: [String] {
        containerNames.compactMap { runtimeRecord($0)?.cgroup }.flatMap { path in Self.hierarchies.map { $0 + "/" + path } }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func pids(in cgroup: String) -> [Int32] {
        ((try? String(contentsOfFile: cgroup + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// Mount points at or under the state directory, latest first (so nested ones go before their parents).
    var mounts: [String] {
        // Read to the end: a /proc file has no size, and a one-shot read may stop after the first page.
        let table = String(decoding: FileHandle(forReadingAtPath: "/proc/self/mountinfo")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        let points = table.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = Self.unescape(String(fields[4]))
            return point == state || point.hasPrefix(state + "/") ? point : nil
        }
        return points.reversed()
    }

    /// mountinfo escapes space, tab, newline and backslash as `\OOO`.
    static func unescape(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            let code = rest[rest.index(after: slash)...].prefix(3)
            if code.count == 3, let value = UInt8(code, radix: 8) {
                result.append(Character(UnicodeScalar(value)))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                result.append("\\")
                rest = rest[rest.index(after: slash)...]
            }
        }
        return result + rest
    }

    /// The state directory's nftables table name, as `nft` takes it (`bosun` or `bosun-<scope>`).
    var table: String {
        guard let data = FileManager.default.contents(atPath: state + "/network/network.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let scope = object["scope"] as? String else { return "bosun" }
        return "bosun-" + scope
    }

    /// The bridges and host veths bosun's network state lists.
    var links: [String] {
        guard let data = FileManager.default.contents(atPath: state + "/network/network.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        let bridges = (object["networks"] as? [String: [String: Any]] ?? [:]).values.compactMap { $0["bridge"] as? String }
        let veths = (object["containers"] as? [String: [String: Any]] ?? [:]).values.flatMap { record in
            (record["interfaces"] as? [[String: Any]] ?? []).compactMap { $0["hostVeth"] as? String }
        }
        return (veths + bridges).sorted()
    }

    static func linkExists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "/sys/class/net/" + name) }

    /// Performs the cut and the boot; the agent must already be gone. Returns what it could not take away
    /// (empty when the host now looks as after a reboot).
    func perform() throws -> [String] {
        // The power goes: monitors first, so none of them writes an exit record, then the containers.
        let monitors = containerNames.compactMap { monitor($0) }.filter { Self.alive(pid: $0.pid, startTime: $0.startTime) }
        for monitor in monitors { kill(monitor.pid, SIGKILL) }
        try wait("monitors to die") { monitors.allSatisfy { !Self.alive(pid: $0.pid, startTime: $0.startTime) } }
        let inits = containerNames.compactMap { runtimeRecord($0) }
        try wait("container processes to die") {
            for record in inits where Self.alive(pid: record.pid, startTime: record.startTime) { kill(record.pid, SIGKILL) }
            let left = cgroups.flatMap(Self.pids(in:))
            for pid in left { kill(pid, SIGKILL) }
            return left.isEmpty && !inits.contains { Self.alive(pid: $0.pid, startTime: $0.startTime) }
        }
        // The boot: no mounts, no cgroups, no links, no table, forwarding off, an empty /run.
        for point in mounts { umount2(point, Int32(MNT_DETACH)) }
        for cgroup in cgroups { rmdir(cgroup) }
        for hierarchy in Self.hierarchies { rmdir(hierarchy + "/bosun") }  // only when no other test uses it
        // A veth goes away by itself once its container's namespace is freed, which may happen between the check
        // and the delete: only a link that is still there after a failed delete is a failure.
        for link in links where Self.linkExists(link) {
            do { try Self.run("/usr/sbin/ip", ["link", "delete", link]) } catch where !Self.linkExists(link) {}
        }
        _ = try? Self.run("/usr/sbin/nft", ["delete", "table", "ip", table])
        try "0\n".write(toFile: "/proc/sys/net/ipv4/ip_forward", atomically: false, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: runDirectory)

        var left: [String] = []
        left += monitors.filter { Self.alive(pid: $0.pid, startTime: $0.startTime) }.map { "monitor \($0.pid)" }
        left += mounts.map { "mount \($0)" }
        left += cgroups.map { "cgroup \($0)" }
        left += links.filter(Self.linkExists).map { "link \($0)" }
        if (try? Self.run("/usr/sbin/nft", ["list", "table", "ip", table])) != nil { left.append("nft table ip \(table)") }
        return left
    }

    func wait(_ what: String, _ condition: () -> Bool) throws {
        for _ in 0..<200 {
            if condition() { return }
            usleep(50_000)
        }
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "simulated reboot: timed out waiting for \(what)"])
    }

    /// Runs a tool quietly; throws when it fails.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)"])
        }
        return process.terminationStatus
    }
}
