import BosunModel
import Testing

@Suite("Sizes, durations, image references and ports")
struct ModelValueTests {
    @Test("sizes as Compose writes them", arguments: [
        ("512m", Int64(536_870_912)), ("1.5G", Int64(1_610_612_736)), ("100kb", Int64(102_400)), ("1024", Int64(1024)),
        ("6M", Int64(6_291_456)), ("2b", Int64(2)),
    ])
    func sizes(text: String, bytes: Int64) throws {
        #expect(try ByteSize(parsing: text).bytes == bytes)
    }

    @Test("bad sizes are refused", arguments: ["", "12q", "-1m", "m", "1..5m", "1 g g"])
    func badSizes(text: String) {
        #expect(throws: ModelValueError.self) { try ByteSize(parsing: text) }
    }

    @Test("durations as Go writes them", arguments: [
        ("1m30s", Int64(90_000_000_000)), ("500ms", Int64(500_000_000)), ("2h", Int64(7_200_000_000_000)),
        ("1.5s", Int64(1_500_000_000)), ("10", Int64(10_000_000_000)), ("1h2m3s", Int64(3_723_000_000_000)),
    ])
    func durations(text: String, nanoseconds: Int64) throws {
        #expect(try ComposeDuration(parsing: text).nanoseconds == nanoseconds)
    }

    @Test("durations print canonically")
    func durationText() throws {
        #expect(try ComposeDuration(parsing: "90s").description == "1m30s")
        #expect(try ComposeDuration(parsing: "0.5s").description == "500ms")
        #expect(throws: ModelValueError.self) { try ComposeDuration(parsing: "10x") }
    }

    @Test("image references normalise as Docker does", arguments: [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.27", "docker.io/library/nginx:1.27"),
        ("org/app", "docker.io/org/app:latest"),
        ("ghcr.io/org/app:v2", "ghcr.io/org/app:v2"),
        ("localhost:5000/a/b", "localhost:5000/a/b:latest"),
        ("127.0.0.1:5000/busybox:1.35", "127.0.0.1:5000/busybox:1.35"),
        ("index.docker.io/library/redis:7", "docker.io/library/redis:7"),
        ("registry:5000/app@sha256:" + String(repeating: "a", count: 64), "registry:5000/app@sha256:" + String(repeating: "a", count: 64)),
    ])
    func imageReferences(text: String, normalised: String) throws {
        #expect(try ImageReference(parsing: text).description == normalised)
    }

    @Test("malformed image references are refused", arguments: [
        "", "Nginx", "nginx:", "nginx:-bad", "a//b", "app@sha256:abc", "app@md5:" + String(repeating: "a", count: 32), "-app", "host:99999/app",
    ])
    func badImageReferences(text: String) {
        #expect(throws: ModelValueError.self) { try ImageReference(parsing: text) }
    }

    @Test("short port syntax, with ranges, host addresses and protocols")
    func ports() throws {
        #expect(try PortMapping.parseShort("80").map(\.description) == ["80/tcp"])
        #expect(try PortMapping.parseShort("8080:80").map(\.description) == ["8080:80/tcp"])
        #expect(try PortMapping.parseShort("127.0.0.1:8080:80/udp").map(\.description) == ["127.0.0.1:8080:80/udp"])
        #expect(try PortMapping.parseShort("127.0.0.1::80").map(\.description) == ["127.0.0.1::80/tcp"])
        #expect(try PortMapping.parseShort("[::1]:53:53/udp").map(\.description) == ["[::1]:53:53/udp"])
        #expect(try PortMapping.parseShort("9000-9002:8000-8002").map(\.description) == ["9000:8000/tcp", "9001:8001/tcp", "9002:8002/tcp"])
        for bad in ["0", "70000", "a:b", "80/icmp", "9000-9001:8000-8002", "300.1.1.1:80:80", "90-80"] {
            #expect(throws: ModelValueError.self, "\(bad)") { try PortMapping.parseShort(bad) }
        }
    }

    @Test("restart policies")
    func restart() throws {
        #expect(try RestartPolicy(parsing: "on-failure:3") == .onFailure(maxRetries: 3))
        #expect(try RestartPolicy(parsing: "unless-stopped").description == "unless-stopped")
        #expect(throws: ModelValueError.self) { try RestartPolicy(parsing: "sometimes") }
    }
}
