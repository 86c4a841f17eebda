import BosunModel
import Foundation
import Testing
@testable import BosunNetwork
import BosunTestSupport

/// Time to attach a namespace to a network with one published port (setup only); run with BOSUN_BENCH=1.
/// Prints the median and p90 of 30 runs; nothing is asserted.
@Test(.enabled(if: ProcessInfo.processInfo.environment["BOSUN_BENCH"] != nil && RootGate.isRoot))
func attachBenchmark() throws {
    let f = try HostFixture("b")
    var manager: NetworkManager?
    defer { f.cleanUp(manager) }
    let m = try NetworkManager(stateDirectory: f.stateDirectory)
    manager = m
    let net = try m.ensureNetwork(network("\(f.tag)-bench"))
    var attach: [Double] = []
    var detach: [Double] = []
    let clock = ContinuousClock()
    for i in 0..<30 {
        let ns = try f.namespace("n\(i)")
        let ports = try PortMapping.parseShort("\(19000 + i):80")
        attach.append(Double((clock.measure {
            _ = try? m.attach(containerID: "b\(i)", netnsPath: ns, attachments: [NetworkAttachment(network: net.name)], ports: ports)
        }).components.attoseconds) / 1e15)
        detach.append(Double((clock.measure { try? m.detach(containerID: "b\(i)") }).components.attoseconds) / 1e15)
    }
    func stats(_ values: [Double]) -> String {
        let sorted = values.sorted()
        return String(format: "median %.2f ms, p90 %.2f ms, min %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 9 / 10], sorted[0])
    }
    print("bosun attach (veth + address + route + 1 published port + hosts files): \(stats(attach))")
    print("bosun detach: \(stats(detach))")
}
