import BosunManifest
import BosunModel
import Testing

@Suite("Config hash stability")
struct ConfigHashTests {
    static let original = """
        # the web front
        services:
          web:
            image: nginx:1.27
            environment:
              A: "1"
              B: two
            ports: ["8080:80", "8443:443"]
            labels: {x: y, a: b}
            healthcheck:
              test: ["CMD", "true"]
              interval: 30s
          db:
            image: postgres:16
        """

    static let reformatted = """
        services:
          db: {image: "postgres:16"}   # moved first
          web:
            labels:
              a: b
              x: "y"
            healthcheck: {interval: 0.5m, test: [CMD, "true"]}
            ports:
              - 8443:443
              - "8080:80"
            environment: [B=two, A=1]
            image: docker.io/library/nginx:1.27
        """

    func hashes(_ yaml: String, extra: [String: String] = [:]) throws -> [String: String] {
        let result = Fixtures.compose(yaml, extra: extra)
        let state = try #require(result.state, "\(Fixtures.lines(result))")
        return Dictionary(uniqueKeysWithValues: state.projects[0].services.map { ($0.name, ConfigHash.of($0)) })
    }

    @Test("reformatting, reordering keys and lists of maps, comments and equivalent spellings keep every hash")
    func stableUnderReformatting() throws {
        #expect(try hashes(Self.original) == hashes(Self.reformatted))
    }

    @Test("touching other files of the repository keeps every hash")
    func otherFiles() throws {
        let before = try hashes(Self.original)
        let after = try hashes(Self.original, extra: ["README.md": "changed", "other/compose.yaml.bak": "x: 1"])
        #expect(before == after)
    }

    @Test("a meaningful change changes only that service's hash", arguments: [
        ("image: nginx:1.27", "image: nginx:1.28"),
        ("B: two", "B: three"),
        ("\"8080:80\"", "\"8081:80\""),
        ("interval: 30s", "interval: 31s"),
    ])
    func meaningfulChange(from: String, to: String) throws {
        let before = try hashes(Self.original)
        let after = try hashes(Self.original.replacingOccurrences(of: from, with: to))
        #expect(before["web"] != after["web"])
        #expect(before["db"] == after["db"])
    }

    @Test("depends_on order and profiles do not restart a service")
    func orderingOnlyFields() throws {
        let a = try hashes("services:\n  a: {image: busybox, depends_on: [b, c]}\n  b: {image: busybox}\n  c: {image: busybox}\n")
        let b = try hashes("services:\n  a: {image: busybox, depends_on: [c]}\n  b: {image: busybox}\n  c: {image: busybox}\n")
        #expect(a["a"] == b["a"])
    }

    @Test("an interpolated value changes the hash when the variable does")
    func interpolatedValues() throws {
        let yaml = "services:\n  a:\n    image: busybox:${TAG:-1.35}\n"
        let defaultTag = Fixtures.compose(yaml).state?.projects[0].services[0]
        let pinned = Fixtures.compose(yaml, environment: ["TAG": "1.35"]).state?.projects[0].services[0]
        let moved = Fixtures.compose(yaml, environment: ["TAG": "1.36"]).state?.projects[0].services[0]
        #expect(defaultTag.map(ConfigHash.of) == pinned.map(ConfigHash.of))
        #expect(defaultTag.map(ConfigHash.of) != moved.map(ConfigHash.of))
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedByString: target).joined(separator: replacement)
    }
}

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("keys sorted by bytes, no white space, minimal escaping")
    func canonicalForm() {
        let value = JSONValue.object([
            "b": .array([.int(1), .bool(true), .null]), "a": .string("x\"y\\z\n\u{1}é/"), "B": .object([:]),
        ])
        #expect(String(decoding: value.canonicalBytes, as: UTF8.self) == #"{"B":{},"a":"x\"y\\z\n\u0001é/","b":[1,true,null]}"#)
    }

    @Test("render's config hashes are the services' hashes")
    func renderMatches() throws {
        let state = try #require(Fixtures.load([
            "a/compose.yaml": "services:\n  x: {image: busybox, depends_on: [y]}\n  y: {image: busybox}\n",
            "b/compose.yaml": "services:\n  z: {image: nginx, ports: [\"80:80\"], profiles: [web], pull_policy: always}\n",
        ], profiles: ["web"]).state)
        let rendered = DesiredStateRenderer.render(state, revision: nil, format: .json)
        for service in state.projects.flatMap(\.services) {
            #expect(rendered.contains(ConfigHash.of(service)))
        }
        #expect(rendered.contains(ConfigHash.of(state)))
    }
}
