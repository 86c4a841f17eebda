import BosunRuntime
import Foundation
import Synchronization

/// `bosun-default`: the AppArmor profile every container runs under where the host has AppArmor, as Docker
/// confines its containers with `docker-default` and Podman with `containers-default`. Its rules are
/// docker-default's (moby's `profiles/apparmor` template): everything a container's own namespaces allow, but no
/// mounts, no writes to /proc's host-wide files (`sysrq-trigger`, `kcore`, `/proc/sys` but `kernel/shm*`), no
/// writes to /sys but cgroupfs, nothing of /sys/firmware, powercap or securityfs. Self-contained (no includes),
/// so it loads on a host with only `apparmor_parser`.
public enum AppArmorDefault {
    /// The profile's name.
    public static let name = "bosun-default"

    /// The profile's text.
    public static let text = """
        # bosun-default: Docker's docker-default rules, written by bosun (loaded with apparmor_parser -Kr).
        @{PROC}=/proc/

        profile bosun-default flags=(attach_disconnected,mediate_deleted) {
          network,
          capability,
          file,
          umount,
          # Host processes (bosun, its monitor) may signal container processes; containers signal each other.
          signal (receive) peer=unconfined,
          signal (send,receive) peer=bosun-default,

          deny @{PROC}/* w,   # no writes to files directly in /proc
          # no writes outside /proc/<pid>/** and /proc/sys/**
          deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,
          deny @{PROC}/sys/[^k]** w,                          # /proc/sys but kernel/
          deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,    # /proc/sys/kernel but shm*
          deny @{PROC}/sysrq-trigger rwklx,
          deny @{PROC}/kcore rwklx,

          deny mount,

          deny /sys/[^f]*/** wklx,
          deny /sys/f[^s]*/** wklx,
          deny /sys/fs/[^c]*/** wklx,
          deny /sys/fs/c[^g]*/** wklx,
          deny /sys/fs/cg[^r]*/** wklx,
          deny /sys/firmware/** rwklx,
          deny /sys/devices/virtual/powercap/** rwklx,
          deny /sys/kernel/security/** rwklx,

          # ps inside a container, and bosun exec, may read their peers
          ptrace (trace,read,tracedby,readby) peer=bosun-default,
        }

        """

    /// Whether the kernel runs AppArmor (the runtime's check).
    public static var hostHasAppArmor: Bool { SecurityLabels.appArmorEnabled }

    private static let loaded = Mutex(false)

    /// The profile containers get by default: `bosun-default`, loaded into the kernel first if it is not (once
    /// per process); nil where the host has no AppArmor. Throws when AppArmor is on but the profile cannot be
    /// loaded (no `apparmor_parser`, no securityfs): a host with AppArmor never runs containers unconfined in
    /// silence.
    public static func profileForContainers() throws(HostError) -> String? {
        guard hostHasAppArmor else { return nil }
        return try loaded.withLock { done throws(HostError) -> String in
            if done || isLoaded() {
                done = true
                return name
            }
            try load()
            done = true
            return name
        }
    }

    /// Whether the kernel lists the profile (`/sys/kernel/security/apparmor/profiles`).
    static func isLoaded() -> Bool {
        guard let profiles = try? String(contentsOfFile: "/sys/kernel/security/apparmor/profiles", encoding: .utf8) else { return false }
        return profiles.split(separator: "\n").contains { $0.hasPrefix(name + " (") }
    }

    static func load() throws(HostError) {
        let step = "load the AppArmor profile \(name)"
        let candidates: [String] = ["/usr/sbin/apparmor_parser", "/sbin/apparmor_parser", "/usr/local/bin/apparmor_parser"]
        guard let parser = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HostError(step, cause: "AppArmor is enabled on this host but apparmor_parser is missing",
                            hint: "apt-get install apparmor (containers are confined as under Docker), or run services with security_opt apparmor=unconfined at policy level privileged")
        }
        let file = NSTemporaryDirectory() + "bosun-default-\(getpid()).apparmor"
        defer { try? FileManager.default.removeItem(atPath: file) }
        do { try text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
            throw HostError(step, cause: "cannot write \(file): \(error.localizedDescription)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: parser)
        process.arguments = ["-Kr", file]  // replace, no cache
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw HostError(step, cause: "cannot run \(parser): \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HostError(step, cause: "\(parser) failed (exit \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))",
                            hint: "is securityfs mounted at /sys/kernel/security?")
        }
    }
}
