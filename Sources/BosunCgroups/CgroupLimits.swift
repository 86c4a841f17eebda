public import BosunModel

/// The limits of one container's cgroup, in the units Compose and Docker use. Nil means "no limit" (or the
/// kernel default); applying limits writes every file, so a limit removed from the manifest is reset too.
public struct CgroupLimits: Sendable, Hashable {
    /// Hard memory limit in bytes (`mem_limit`).
    public var memory: Int64?
    /// Soft memory limit in bytes (`mem_reservation`).
    public var memoryReservation: Int64?
    /// Memory plus swap in bytes, Docker's `memswap_limit`; -1 is unlimited swap, nil is twice `memory`.
    public var memorySwap: Int64?
    /// CPU quota in thousandths of a CPU (`cpus: 0.5` is 500).
    public var cpuMillis: Int?
    /// CPU reservation in thousandths; Docker treats it as a swarm scheduling hint and so does bosun: not applied.
    public var cpuReservationMillis: Int?
    /// Relative CPU weight on the v1 scale, 2...262144 (`cpu_shares`; 1024 is the default).
    public var cpuShares: Int?
    /// CPUs the container may run on, in the kernel's list format (`0-2,4`).
    public var cpuset: String?
    /// Maximum number of tasks; zero or negative is unlimited (`pids_limit`).
    public var pids: Int?
    /// Block-I/O weight on Docker's 10...1000 scale (`blkio_config.weight`).
    public var ioWeight: Int?

    public init(
        memory: Int64? = nil, memoryReservation: Int64? = nil, memorySwap: Int64? = nil, cpuMillis: Int? = nil,
        cpuReservationMillis: Int? = nil, cpuShares: Int? = nil, cpuset: String? = nil, pids: Int? = nil,
        ioWeight: Int? = nil
    ) {
        self.memory = memory
        self.memoryReservation = memoryReservation
        self.memorySwap = memorySwap
        self.cpuMillis = cpuMillis
        self.cpuReservationMillis = cpuReservationMillis
        self.cpuShares = cpuShares
        self.cpuset = cpuset
        self.pids = pids
        self.ioWeight = ioWeight
    }

    /// The limits of a service's `ResourceLimits`; `cpu_shares: 0` means unset, as in Docker.
    public init(_ resources: ResourceLimits, ioWeight: Int? = nil) {
        self.init(
            memory: resources.memoryLimit?.bytes, memoryReservation: resources.memoryReservation?.bytes,
            memorySwap: resources.memorySwap?.bytes, cpuMillis: resources.cpuMillis,
            cpuReservationMillis: resources.cpuReservationMillis,
            cpuShares: resources.cpuShares == 0 ? nil : resources.cpuShares, cpuset: resources.cpuset,
            pids: resources.pidsLimit, ioWeight: ioWeight)
    }

    /// The CFS period bosun uses, in microseconds (Docker's and runc's default).
    public static let cpuPeriod = 100_000
    /// Docker's smallest memory limit (`linuxMinMemory`): below it a container cannot even start.
    public static let minimumMemory: Int64 = 6 * 1024 * 1024

    /// Memory plus swap that the kernel should enforce, Docker's rules: nil without a memory limit or with
    /// unlimited swap (-1), twice the memory limit when unset.
    var effectiveMemorySwap: Int64? {
        guard let memory else { return nil }
        guard let memorySwap else { return memory.multipliedReportingOverflow(by: 2).overflow ? nil : memory * 2 }
        return memorySwap == -1 ? nil : memorySwap
    }

    /// runc's conversion of v1 shares to v2 weight: `1 + ((shares - 2) * 9999) / 262142`.
    public static func cpuWeight(shares: Int) -> Int { 1 + ((shares - 2) * 9999) / 262_142 }

    /// runc's conversion of a blkio weight (10...1000) to v2 `io.weight` (1...10000).
    public static func ioWeight(blkioWeight: Int) -> Int { 1 + ((blkioWeight - 10) * 9999) / 990 }
}
