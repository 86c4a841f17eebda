import Foundation
import Glibc

/// bosun's nftables table is one per host, so tests in any target that create bosun networks take this
/// file lock for their duration (an flock on the /run directory, shared by every test process and thread).
/// bosun turns on `net.ipv4.ip_forward` for its bridges; the lock puts back the value it found.
public final class HostNetworkLock: @unchecked Sendable {
    private var fd: Int32
    private var savedForward: String?

    public init() {
        // An flock on the /run directory itself: nothing is created, so nothing is left behind.
        fd = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        while fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 { usleep(20_000) }
        savedForward = try? String(contentsOfFile: Self.forward, encoding: .utf8)
    }

    public static let forward = "/proc/sys/net/ipv4/ip_forward"

    deinit { release() }

    public func release() {
        guard fd >= 0 else { return }
        if let savedForward { try? savedForward.write(toFile: Self.forward, atomically: false, encoding: .utf8) }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
