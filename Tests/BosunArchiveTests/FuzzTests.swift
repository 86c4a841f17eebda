import BosunArchive
import BosunModel
import Foundation
import BosunTestSupport
import Testing

/// Deterministic mutation fuzzing of the two parsers that read what registries and layers send: image
/// references and tar streams (with the layer plan on every entry). A crash fails the run; every input must
/// end in a value or a thrown error. Fixed seeds keep CI reproducible; `BOSUN_FUZZ_ITERATIONS` runs longer.
@Suite("fuzzing: image references and tar layers")
struct FuzzTests {
    /// SplitMix64, so a failing seed reproduces.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static var iterations: Int {
        ProcessInfo.processInfo.environment["BOSUN_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000
    }

    /// Byte-level mutations: flip, replace with an interesting byte, insert, delete, duplicate a run.
    static func mutate(_ input: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = [0, 0x2F, 0x3A, 0x40, 0x2E, 0x20, 0xFF, 0x30, 0x37, 0x5C, 0x0A, 0x80, 0xC3]
        for _ in 0..<(1 + random.below(4)) {
            let at = random.below(bytes.count + 1)
            switch random.below(5) {
            case 0 where at < bytes.count: bytes[at] ^= UInt8(1 << random.below(8))
            case 1 where at < bytes.count: bytes[at] = interesting[random.below(interesting.count)]
            case 2: bytes.insert(interesting[random.below(interesting.count)], at: at)
            case 3 where at < bytes.count: bytes.remove(at: at)
            default:
                let length = min(random.below(16), bytes.count - min(at, bytes.count))
                if length > 0 { bytes.insert(contentsOf: bytes[at..<(at + length)], at: at) }
            }
        }
        return bytes
    }

    @Test("mutated image references parse or fail cleanly; what parses prints back to itself")
    func imageReferences() {
        let seeds = [
            "busybox", "busybox:1.35", "localhost:5000/bosun/busybox:1.35", "ghcr.io/org/app@sha256:" + String(repeating: "a", count: 64),
            "registry.example.org:443/a/b/c:tag-1.2_3", "[::1]:5000/x:y", "docker.io/library/redis:7",
        ]
        var random = Generator(state: 0xB05)
        for index in 0..<Self.iterations {
            let seed = seeds[index % seeds.count]
            let text = String(decoding: Self.mutate(Array(seed.utf8), &random), as: UTF8.self)
            guard let reference = try? ImageReference(parsing: text) else { continue }
            let again = try? ImageReference(parsing: reference.description)
            #expect(again?.description == reference.description, "\(text) → \(reference.description)")
        }
    }

    @Test("mutated tar layers are read to the end or refused, never a crash, and planning every entry never crashes")
    func tarLayers() {
        var builder = TarBuilder()
        builder.add("etc/", type: UInt8(ascii: "5"), mode: 0o755)
        builder.add("etc/passwd", data: Array("root:x:0:0::/root:/bin/sh\n".utf8))
        builder.add("bin/sh", type: UInt8(ascii: "2"), link: "busybox")
        builder.add("bin/.wh.old", data: [])
        builder.add("usr/.wh..wh..opq", data: [])
        builder.add(String(repeating: "deep/", count: 30) + "file", data: Array(repeating: 0x41, count: 700))
        builder.add("hard", type: UInt8(ascii: "1"), link: "etc/passwd")
        builder.add("pax", data: [1, 2, 3], pax: ["path": "pax-renamed", "mtime": "1700000000.5"])
        let seed = builder.finish()
        var random = Generator(state: 0x7A2)
        var refused = 0
        for _ in 0..<(Self.iterations / 3) {
            // Mutations concentrated on the headers, where the parsing is.
            var bytes = seed
            for _ in 0..<(1 + random.below(6)) {
                let block = random.below(bytes.count / 512) * 512
                let at = block + random.below(512)
                if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: random.next()) }
            }
            if random.below(4) == 0 { bytes = Self.mutate(bytes, &random) }
            var reader = TarReader(MemoryByteSource(bytes))
            do {
                var entries = 0
                while let entry = try reader.next(), entries < 10_000 {
                    entries += 1
                    _ = try? LayerOperation.plan(entry)
                    _ = try reader.readData(maximum: 1 << 16)
                }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0, "the mutations never produced an archive the reader refuses")
    }
}
