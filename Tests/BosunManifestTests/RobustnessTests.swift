import BosunManifest
import BosunModel
import BosunYAML
import Testing

/// Mutated and hostile input never crashes the loader: it yields diagnostics or a state.
@Suite("Robustness against bad input")
struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let seed = """
        name: demo
        x-common: &common {image: "busybox:1.35", restart: unless-stopped}
        services:
          web:
            <<: *common
            ports: ["127.0.0.1:8080:80", "9000-9001:9000-9001/udp"]
            environment: {A: "${A:-x}", B: $$literal}
            volumes: ["data:/data:ro", "./conf:/etc/conf", {type: tmpfs, target: /tmp, tmpfs: {size: 64m}}]
            depends_on: {db: {condition: service_healthy}}
            healthcheck: {test: ["CMD-SHELL", "true"], interval: 1m30s, retries: 3}
            deploy: {resources: {limits: {cpus: "0.5", memory: 64m, pids: 10}}}
            ulimits: {nofile: {soft: 10, hard: 20}}
          db:
            <<: *common
            networks: {back: {ipv4_address: 10.1.0.5, aliases: [database]}}
        networks:
          back: {ipam: {config: [{subnet: 10.1.0.0/24}]}}
        volumes: {data: {}}
        """

    @Test("thousands of byte-level mutations of a valid manifest never crash")
    func mutations() {
        var generator = Generator(state: 0xB05_0001)
        let original = Array(Self.seed.utf8)
        let alphabet = Array(" :-[]{}&*!|>'\"#$%@,\n\t?~0123456789abcxyz\\".utf8)
        var outcomes = (valid: 0, invalid: 0)
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0..<(1 + generator.below(4)) {
                let position = generator.below(bytes.count)
                switch generator.below(3) {
                case 0: bytes[position] = alphabet[generator.below(alphabet.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[generator.below(alphabet.count)], at: position)
                }
            }
            let result = Fixtures.compose(String(decoding: bytes, as: UTF8.self))
            if result.state != nil { outcomes.valid += 1 } else { outcomes.invalid += 1 }
            #expect(result.state != nil || result.hasErrors)
        }
        #expect(outcomes.invalid > 0 && outcomes.valid > 0)
    }

    @Test("deep nesting is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: YAMLError.self) { try YAMLParser.parseDocument(deep) }
        let result = Fixtures.compose("services:\n  a:\n    image: busybox\n    command: " + String(repeating: "[", count: 5000) + "\n")
        #expect(result.hasErrors)
        let nested = String(repeating: "${A:-", count: 1000) + "x" + String(repeating: "}", count: 1000)
        #expect(throws: Interpolator.Failure.self) { try Interpolator { _ in nil }.interpolate(nested) }
    }

    @Test("binary garbage and wrong shapes give diagnostics")
    func garbage() {
        for text in ["\u{0}\u{1}\u{2}", "- a\n- b\n", "services: [a, b]", "services:\n  a: 5\n", "services:\n  a:\n    image: [x]\n", "\u{FEFF}services: {}"] {
            let result = Fixtures.compose(text)
            #expect(result.state != nil || result.hasErrors, "\(text.debugDescription)")
        }
    }
}
