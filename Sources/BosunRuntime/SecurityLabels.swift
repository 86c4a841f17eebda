import BosunOCI
import Foundation
import Glibc

/// The Linux security modules' settings of a spec — `process.apparmorProfile`, `process.selinuxLabel`,
/// `linux.mountLabel` — applied as runc applies them, or refused with a clear error before anything is made
/// when this host cannot apply them: a user who asked for confinement never gets less in silence.
public enum SecurityLabels {
    /// Whether the kernel runs AppArmor (what runc checks).
    public static var appArmorEnabled: Bool {
        (try? String(contentsOfFile: "/sys/module/apparmor/parameters/enabled", encoding: .utf8))?.hasPrefix("Y") == true
    }

    /// Whether the kernel runs SELinux (its filesystem is mounted).
    static var seLinuxEnabled: Bool { access("/sys/fs/selinux/enforce", F_OK) == 0 }

    /// Refuses a spec whose labels this host cannot apply (called before the container is made).
    static func check(process: RuntimeSpec.Process?, mountLabel: String?, step: String) throws(RuntimeError) {
        if let profile = process?.apparmorProfile, !profile.isEmpty, !appArmorEnabled {
            throw RuntimeError(step, detail: "process.apparmorProfile is \"\(profile)\" but AppArmor is not enabled on this host",
                               hint: "remove apparmorProfile, or run on a host with AppArmor")
        }
        if let label = process?.selinuxLabel, !label.isEmpty, !seLinuxEnabled {
            throw RuntimeError(step, detail: "process.selinuxLabel is set but SELinux is not enabled on this host",
                               hint: "remove selinuxLabel, or run on a host with SELinux")
        }
        if let label = mountLabel, !label.isEmpty, !seLinuxEnabled {
            throw RuntimeError(step, detail: "linux.mountLabel is set but SELinux is not enabled on this host",
                               hint: "remove mountLabel, or run on a host with SELinux")
        }
    }

    /// In the process about to exec: the AppArmor profile and SELinux label it execs into
    /// (`/proc/thread-self/attr/…/exec`, as runc writes them).
    static func apply(_ process: RuntimeSpec.Process) throws(RuntimeError) {
        if let profile = process.apparmorProfile, !profile.isEmpty {
            let modern = "/proc/thread-self/attr/apparmor/exec"
            let path = access(modern, F_OK) == 0 ? modern : "/proc/thread-self/attr/exec"
            try write("exec \(profile)", to: path, step: "apply AppArmor profile `\(profile)`",
                      hint: "load it first: apparmor_parser -r PROFILE_FILE")
        }
        if let label = process.selinuxLabel, !label.isEmpty {
            try write(label, to: "/proc/thread-self/attr/exec", step: "apply SELinux label `\(label)`", hint: nil)
        }
    }

    static func write(_ text: String, to path: String, step: String, hint: String?) throws(RuntimeError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RuntimeError(step, errno: errno, hint: hint) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw RuntimeError(step, errno: errno, hint: hint) }
    }

    /// Mount data with the SELinux context of `mountLabel` (for the filesystems runc labels).
    static func labelled(type: String, data: String, mountLabel: String?) -> String {
        guard let mountLabel, !mountLabel.isEmpty, ["tmpfs", "devpts", "mqueue", "shm"].contains(type) else { return data }
        let context = "context=\"\(mountLabel)\""
        return data.isEmpty ? context : data + "," + context
    }
}
