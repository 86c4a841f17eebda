import BosunModel
import Testing

/// Compose's short port syntax read as Docker reads it: the cases and expected values of go-connections'
/// `nat.ParsePortSpec` tests (nat_test.go), plus Compose forms seen in real files.
@Suite("Port specs as Docker parses them")
struct PortSpecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var spec: String
        /// `host_ip|host_port|container/proto` per mapping; nil: an error.
        var expected: [String]?
        var testDescription: String { spec }
    }

    static let cases: [Case] = [
        // TestParsePortSpecFull
        Case(spec: "0.0.0.0:1234-1235:3333-3334/tcp", expected: ["0.0.0.0|1234|3333/tcp", "0.0.0.0|1235|3334/tcp"]),
        // TestPartPortSpecIPV6
        Case(spec: "[2001:4860:0:2001::68]::333", expected: ["2001:4860:0:2001::68||333/tcp"]),
        Case(spec: "[::1]:80:80", expected: ["::1|80|80/tcp"]),
        Case(spec: "2001:4860:0:2001::68::333", expected: ["2001:4860:0:2001::68||333/tcp"]),
        Case(spec: "::1:80:80", expected: ["::1|80|80/tcp"]),
        Case(spec: "::::80", expected: ["::||80/tcp"]),
        // TestParsePortSpecs
        Case(spec: "1234/tcp", expected: ["||1234/tcp"]),
        Case(spec: "2345/udp", expected: ["||2345/udp"]),
        Case(spec: "3456/sctp", expected: ["||3456/sctp"]),
        Case(spec: "1234:1234/tcp", expected: ["|1234|1234/tcp"]),
        Case(spec: "2345:2345/udp", expected: ["|2345|2345/udp"]),
        Case(spec: "0.0.0.0:1234:1234/tcp", expected: ["0.0.0.0|1234|1234/tcp"]),
        Case(spec: "localhost:1234:1234/tcp", expected: nil),
        // TestParsePortSpecsWithRange
        Case(spec: "1234-1236/tcp", expected: ["||1234/tcp", "||1235/tcp", "||1236/tcp"]),
        Case(spec: "2345-2347:2345-2347/udp", expected: ["|2345|2345/udp", "|2346|2346/udp", "|2347|2347/udp"]),
        Case(spec: "0.0.0.0:1234-1236:1234-1236/tcp", expected: ["0.0.0.0|1234|1234/tcp", "0.0.0.0|1235|1235/tcp", "0.0.0.0|1236|1236/tcp"]),
        Case(spec: "localhost:1234-1236:1234-1236/tcp", expected: nil),
        // TestParseNetworkOpts*
        Case(spec: "192.168.1.100::80", expected: ["192.168.1.100||80/tcp"]),
        Case(spec: "192.168.1.100:8080:80", expected: ["192.168.1.100|8080|80/tcp"]),
        Case(spec: "192.168.1.100", expected: nil),
        Case(spec: "192.168.1.100:-1:-1", expected: nil),
        Case(spec: "192.168.1.100::6000/udp", expected: ["192.168.1.100||6000/udp"]),
        // TestSplitProtoPort, TestParsePort: an empty protocol is tcp, case does not matter, leading zeros are read.
        Case(spec: "1234/", expected: ["||1234/tcp"]),
        Case(spec: "1234/UDP", expected: ["||1234/udp"]),
        Case(spec: "0123", expected: ["||123/tcp"]),
        Case(spec: "65536", expected: nil),
        Case(spec: "asdf", expected: nil),
        Case(spec: "1asdf", expected: nil),
        Case(spec: "80/xdp", expected: nil),
        Case(spec: "1234-1230", expected: nil),
        // Ranges: a host range onto one container port is where one port is picked; unequal ranges are refused.
        Case(spec: "8000-8010:80", expected: ["|8000-8010|80/tcp"]),
        Case(spec: "8000-8001:80-82", expected: nil),
        // An empty host address is every address; host port 0 is an ephemeral one.
        Case(spec: ":443:443", expected: ["|443|443/tcp"]),
        Case(spec: ":8080:80/udp", expected: ["|8080|80/udp"]),
        Case(spec: "0:80", expected: ["||80/tcp"]),
        Case(spec: "127.0.0.1::80", expected: ["127.0.0.1||80/tcp"]),
        Case(spec: "", expected: nil),
        Case(spec: "80:", expected: nil),
    ]

    static func text(_ mapping: PortMapping) -> String {
        let host = mapping.hostPortRange.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" } ?? ""
        return "\(mapping.hostIP ?? "")|\(host)|\(mapping.containerPort)/\(mapping.transport.rawValue)"
    }

    @Test("each spec parses as Docker parses it", arguments: cases)
    func parse(_ testCase: Case) {
        let parsed = try? PortMapping.parseShort(testCase.spec)
        #expect(parsed?.map(Self.text) == testCase.expected)
    }
}
