import ArgumentParser
import BosunModel
import BosunOCI
import BosunRuntime
import Foundation

/// `bosun runtime update`: changes a running container's limits in place, as `runc update` does.
struct RuntimeUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a running container's cgroup limits in place.",
        discussion: "--resources reads OCI `linux.resources` JSON (`-` for stdin); the flags override its fields.")
    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("resources"), .customShort("r")], help: "A JSON file of OCI linux.resources, or - for stdin.") var resources: String?
    @Option(help: "Memory limit in bytes (or 64m).") var memory: String?
    @Option(help: "Memory reservation (soft limit) in bytes (or 32m).") var memoryReservation: String?
    @Option(help: "Memory plus swap limit in bytes, -1 unlimited.") var memorySwap: String?
    @Option(help: "CFS quota in microseconds per period, -1 unlimited.") var cpuQuota: Int64?
    @Option(help: "CFS period in microseconds.") var cpuPeriod: UInt64?
    @Option(help: "CPU shares (relative weight).") var cpuShare: UInt64?
    @Option(help: "CPUs to run on, e.g. 0-1.") var cpusetCpus: String?
    @Option(help: "Maximum number of tasks, 0 or -1 unlimited.") var pidsLimit: Int64?
    @Argument(help: "The container id.") var id: String

    func run() throws {
        var update = RuntimeSpec.LinuxResources()
        if let resources {
            let data = resources == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: resources)
            guard let data else { throw CommandFailure(.usage, "cannot read \(resources)") }
            do {
                update = try JSONDecoder().decode(RuntimeSpec.LinuxResources.self, from: data)
            } catch {
                throw CommandFailure(.usage, "\(resources) is not OCI linux.resources JSON: \(error)")
            }
        }
        func bytes(_ text: String?, _ flag: String) throws -> Int64? {
            guard let text else { return nil }
            if text == "-1" { return -1 }
            if let value = Int64(text) { return value }
            do { return try ByteSize(parsing: text).bytes } catch { throw CommandFailure(.usage, "--\(flag) \(text): \(error.message)") }
        }
        if memory != nil || memoryReservation != nil || memorySwap != nil {
            var current = update.memory ?? RuntimeSpec.LinuxResources.Memory()
            current.limit = try bytes(memory, "memory") ?? current.limit
            current.reservation = try bytes(memoryReservation, "memory-reservation") ?? current.reservation
            current.swap = try bytes(memorySwap, "memory-swap") ?? current.swap
            update.memory = current
        }
        if cpuQuota != nil || cpuPeriod != nil || cpuShare != nil || cpusetCpus != nil {
            var cpu = update.cpu ?? RuntimeSpec.LinuxResources.CPU()
            cpu.quota = cpuQuota ?? cpu.quota
            cpu.period = cpuPeriod ?? cpu.period
            cpu.shares = cpuShare ?? cpu.shares
            cpu.cpus = cpusetCpus ?? cpu.cpus
            update.cpu = cpu
        }
        if let pidsLimit { update.pids = .init(limit: pidsLimit) }
        guard update != RuntimeSpec.LinuxResources() else { throw CommandFailure(.usage, "nothing to update: give --resources or a limit flag") }
        try runtimeCall { () throws(RuntimeError) in try options.runtime.update(id: id, resources: update) }
    }
}
