import BosunBundle
import BosunModel
import BosunOCI
import Glibc
import BosunLinux

/// Compose `devices:` on this host: each host path (symbolic links followed, as `/dev/dri/by-path/…` are) must
/// be a character or block device; its numbers, mode and owner become the container's node.
enum HostDevices {
    static func resolve(_ mappings: [DeviceMapping], for container: String) throws -> [ServiceDevice] {
        try mappings.map { mapping in
            var info = stat()
            guard stat(mapping.hostPath, &info) == 0 else {
                throw HostError("create container \(container)", cause: "device \(mapping.hostPath): \(Errno.text(errno))",
                                hint: "check the device exists on this host, or remove it from devices:")
            }
            let type: String
            switch info.st_mode & S_IFMT {
            case S_IFCHR: type = "c"
            case S_IFBLK: type = "b"
            default:
                throw HostError("create container \(container)", cause: "\(mapping.hostPath) is not a device node",
                                hint: "devices: takes character or block devices; mount files and directories with volumes:")
            }
            let node = RuntimeSpec.Device(type: type, path: mapping.containerPath, major: Int64(major(info.st_rdev)),
                                          minor: Int64(minor(info.st_rdev)), fileMode: UInt32(info.st_mode & 0o777),
                                          uid: info.st_uid, gid: info.st_gid)
            return ServiceDevice(node: node, access: mapping.permissions)
        }
    }

    /// The device number's major and minor parts (glibc's `major`/`minor` are macros).
    static func major(_ device: dev_t) -> UInt64 { (UInt64(device) >> 32) & 0xffff_f000 | (UInt64(device) >> 8) & 0xfff }
    static func minor(_ device: dev_t) -> UInt64 { (UInt64(device) >> 12) & 0xffff_ff00 | UInt64(device) & 0xff }
}
