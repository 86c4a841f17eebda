import CBosunSys
import Glibc

/// The kernel boundary of the cgroup layer: reading and writing interface files and making and removing
/// cgroup directories. `HostCgroupFileSystem` does it for real; tests use a temp-dir tree that imitates the
/// kernel (files appear on `mkdir`, `rmdir` of a cgroup with interface files succeeds).
public protocol CgroupFileSystem: Sendable {
    /// The whole content of an interface file.
    func read(_ path: String) throws(CgroupError) -> String
    /// Writes `value` in one `write(2)`, as the kernel wants.
    func write(_ path: String, _ value: String) throws(CgroupError)
    func exists(_ path: String) -> Bool
    /// Whether this process may write the file (delegation check).
    func isWritable(_ path: String) -> Bool
    /// Creates one directory; an existing one is not an error.
    func makeDirectory(_ path: String) throws(CgroupError)
    /// Removes one cgroup directory; a missing one is not an error.
    func removeDirectory(_ path: String) throws(CgroupError)
    /// The names of the subdirectories (child cgroups).
    func subdirectories(_ path: String) throws(CgroupError) -> [String]
    /// Whether systemd marked the directory as delegated (`trusted.delegate` / `user.delegate` xattr).
    func isDelegated(_ path: String) -> Bool
    /// Loads `program` as the cgroup v2 directory's device filter (`BPF_PROG_TYPE_CGROUP_DEVICE`).
    func attachDeviceFilter(_ directory: String, _ program: [DeviceFilterProgram.Instruction]) throws(CgroupError)
}

/// The real cgroup filesystem through plain system calls, retrying on EINTR.
public struct HostCgroupFileSystem: CgroupFileSystem {
    public init() {}

    public func read(_ path: String) throws(CgroupError) -> String {
        let fd = retrying { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("read", path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in retrying { Glibc.read(fd, raw.baseAddress, raw.count) } }
            if count < 0 { throw .system("read", path, errno: errno) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(_ path: String, _ value: String) throws(CgroupError) {
        let fd = retrying { open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("write", path, value: value, errno: errno) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { raw in retrying { Glibc.write(fd, raw.baseAddress, raw.count) } }
        if written < 0 { throw .system("write", path, value: value, errno: errno) }
        if written != bytes.count {
            throw CgroupError(.io, action: "write", file: path, value: value, hint: "short write (\(written) bytes)")
        }
    }

    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    public func makeDirectory(_ path: String) throws(CgroupError) {
        if retrying({ mkdir(path, 0o755) }) != 0 && errno != EEXIST {
            throw .system("mkdir", path, errno: errno)
        }
    }

    public func removeDirectory(_ path: String) throws(CgroupError) {
        if retrying({ rmdir(path) }) != 0 && errno != ENOENT {
            throw .system("rmdir", path, errno: errno)
        }
    }

    public func subdirectories(_ path: String) throws(CgroupError) -> [String] {
        guard let dir = opendir(path) else { throw .system("list", path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != "..", entry.pointee.d_type == UInt8(DT_DIR) { names.append(name) }
        }
        return names.sorted()
    }

    public func isDelegated(_ path: String) -> Bool {
        for name in ["trusted.delegate", "user.delegate"] {
            var value = [UInt8](repeating: 0, count: 8)
            let count = bosun_lgetxattr(path, name, &value, value.count)
            if count > 0, value[0] == UInt8(ascii: "1") { return true }
        }
        return false
    }

    public func attachDeviceFilter(_ directory: String, _ program: [DeviceFilterProgram.Instruction]) throws(CgroupError) {
        let fd = retrying { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("open", directory, errno: errno) }
        defer { close(fd) }
        let instructions = program.map {
            bosun_bpf_insn(code: $0.code, regs: $0.destination | $0.source << 4, off: $0.offset, imm: $0.immediate)
        }
        var log = [CChar](repeating: 0, count: 4096)
        guard bosun_attach_device_filter(fd, instructions, Int32(instructions.count), &log, Int32(log.count)) == 0 else {
            let code = errno
            let verifier = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CgroupError(.rejected, action: "attach the device filter to", file: directory, errno: code,
                              hint: verifier.isEmpty ? "the kernel needs CONFIG_CGROUP_BPF and CAP_SYS_ADMIN for device rules on cgroup v2"
                                                     : "verifier: \(verifier.prefix(300))")
        }
    }
}

/// Repeats a system call while it fails with EINTR.
func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
