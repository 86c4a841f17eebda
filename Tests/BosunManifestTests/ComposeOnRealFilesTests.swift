import BosunManifest
import BosunModel
import Testing

/// What Docker Compose does with forms found in real compose files, and bosun must do the same.
@Suite("Compose on real files")
struct ComposeOnRealFilesTests {
    static func service(_ yaml: String, environment: [String: String] = [:], extra: [String: String] = [:]) throws -> Service {
        let result = Fixtures.compose(yaml, environment: environment, extra: extra)
        #expect(!result.hasErrors, "\(Fixtures.lines(result))")
        return try #require(result.state?.projects[0].services[0])
    }

    @Test("an interpolated empty value stays an empty string, never 'no value' or another variable's value")
    func emptyInterpolation() throws {
        let yaml = """
            services:
              a:
                image: busybox
                environment:
                  DEFAULTED: "${VAR:-}"
                  UNSET: ${REALLY_UNSET}
                  EMPTY_KEPT: ${EMPTY-x}
                  NULL_WORD: ${NULLISH}
                  TILDE: $TILDE
                  LISTED: x
            """
        // Same-named variables in .env and the agent's environment must not fill the blanks.
        let service = try Self.service(yaml, environment: ["EMPTY": "", "NULLISH": "null", "TILDE": "~", "DEFAULTED": "agent", "UNSET": "agent"],
                                       extra: ["app/.env": "UNSET=dotenv\nDEFAULTED=dotenv\n"])
        #expect(service.environment["DEFAULTED"] == "")
        #expect(service.environment["UNSET"] == "")
        #expect(service.environment["EMPTY_KEPT"] == "")
        #expect(service.environment["NULL_WORD"] == "null")
        #expect(service.environment["TILDE"] == "~")
        let unset = try Self.service("services:\n  a:\n    image: busybox\n    environment:\n      KEY: ${NOT_SET_ANYWHERE}\n",
                                     environment: ["KEY": "agent-value"])
        #expect(unset.environment["KEY"] == "")
    }

    @Test("a typed field interpolated to empty is a located error, not the default")
    func emptyTypedField() {
        let result = Fixtures.compose("""
            services:
              a:
                image: busybox
                healthcheck:
                  test: [CMD, "true"]
                  retries: $UNSET_RETRIES
                  interval: "$UNSET_INTERVAL"
            """)
        let errors = Fixtures.lines(result).filter { $0.contains("error") }
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("app/compose.yaml:6:16: error: retries must be an integer"))
        #expect(errors[1].hasPrefix("app/compose.yaml:7:17: error: healthcheck interval"))
    }

    @Test("an unset variable is warned about once per load, at its first use")
    func unsetWarning() {
        let result = Fixtures.load([
            "one/compose.yaml": "services:\n  a:\n    image: busybox\n    environment: [\"X=${GONE}\", \"Y=$GONE\", \"Z=${GONE:-fine}\"]\n",
            "two/compose.yaml": "services:\n  b:\n    image: busybox:${GONE}1.35\n    labels: {l: \"${ALSO_GONE}\"}\n",
        ])
        #expect(Fixtures.lines(result).filter { $0.contains("warning") } == [
            "one/compose.yaml:4:19: warning: variable GONE is not set, defaulting to a blank string",
            "two/compose.yaml:4:17: warning: variable ALSO_GONE is not set, defaulting to a blank string",
        ])
    }

    @Test(".env and env_file lines use the lines above them, then the environment")
    func dotEnvReferences() throws {
        let service = try Self.service("""
            services:
              a:
                image: busybox:${TAG}
                env_file: [app.env]
                environment: {FROM_DOTENV: "${REF}"}
            """, environment: ["OUTER": "env"], extra: [
                "app/.env": "BASE=base\nREF=${BASE}-ref\nTAG=1.${MINOR}\nMINOR=35\n",
                "app/app.env": "HOST=db\nURL=postgres://${HOST}:5432/${OUTER}\nLATER=${NEXT:-none}\nNEXT=set\n",
            ])
        #expect(service.environment["FROM_DOTENV"] == "base-ref")
        #expect(service.environment["URL"] == "postgres://db:5432/env")
        #expect(service.environment["LATER"] == "none")
        // Lines below do not count (Compose reads top to bottom): TAG saw no MINOR yet.
        #expect(service.image.description == "docker.io/library/busybox:1.")
    }

    @Test("env_file format raw takes values as written")
    func rawEnvFile() throws {
        let service = try Self.service("services:\n  a:\n    image: busybox\n    env_file: [{path: raw.env, format: raw}]\n",
                                       extra: ["app/raw.env": "A=${NOT_EXPANDED}\nB='quoted' # kept\n"])
        #expect(service.environment == ["A": "${NOT_EXPANDED}", "B": "'quoted' # kept"])
    }

    @Test("healthcheck disable: false keeps the image's check; timings alone override the image's")
    func healthcheckDisableFalse() throws {
        #expect(try Self.service("services:\n  a:\n    image: busybox\n    healthcheck:\n      disable: false\n").healthcheck == nil)
        let timed = try Self.service("services:\n  a:\n    image: busybox\n    healthcheck:\n      interval: 10s\n      retries: 5\n")
        #expect(timed.healthcheck?.test == [])
        #expect(timed.healthcheck?.interval == .seconds(10))
        #expect(timed.healthcheck?.retries == 5)
        #expect(try Self.service("services:\n  a:\n    image: busybox\n    healthcheck: {disable: true}\n").healthcheck?.isDisabled == true)
    }

    @Test("an empty host address in a port is every address")
    func emptyHostAddress() throws {
        let service = try Self.service("""
            services:
              a:
                image: busybox
                ports: ["${HTTPS_BIND:-}:443:443", ":8080:80/udp"]
            """)
        #expect(service.ports == [
            PortMapping(hostIP: nil, hostPort: 8080, containerPort: 80, transport: .udp),
            PortMapping(hostIP: nil, hostPort: 443, containerPort: 443),
        ])
    }

    @Test("a host range onto one container port is kept whole, for the network layer to pick a free port")
    func hostRange() throws {
        let service = try Self.service("services:\n  a:\n    image: busybox\n    ports: [\"8000-8010:80\"]\n")
        #expect(service.ports == [PortMapping(hostIP: nil, hostPort: 8000, hostPortEnd: 8010, containerPort: 80)])
        #expect(service.ports[0].hostPortRange == 8000...8010)
    }

    @Test("a port conflict points at the port entry and names the other's place")
    func portConflictLocation() {
        let result = Fixtures.compose("""
            services:
              one:
                image: busybox
                ports: ["8080:80"]
              two:
                image: busybox
                ports:
                  - "9090:9090"
                  - "8080:8080"
            """)
        #expect(Fixtures.lines(result) == [
            "app/compose.yaml:9:9: error: service app/two publishes host port 8080/tcp, already published by app/one as 8080/tcp (app/compose.yaml:4:13)",
        ])
    }

    @Test("a fixed port inside another service's host range conflicts")
    func portInRange() {
        let result = Fixtures.compose("services:\n  one:\n    image: busybox\n    ports: [\"8000-8010:80\"]\n  two:\n    image: busybox\n    ports: [\"8005:80\"]\n")
        #expect(Fixtures.lines(result).count == 1)
        #expect(Fixtures.lines(result).first?.hasPrefix("app/compose.yaml:7:13: error: service app/two publishes host port 8005/tcp") == true)
    }

    @Test("COMPOSE_PROJECT_NAME in .env names the project, above name: and the directory")
    func composeProjectName() throws {
        let named = Fixtures.compose("name: fromfile\nservices:\n  a: {image: busybox}\n", extra: ["app/.env": "COMPOSE_PROJECT_NAME=fromdotenv\n"])
        #expect(named.state?.projects[0].name == "fromdotenv")
        #expect(named.state?.projects[0].networks.map(\.name) == ["fromdotenv_default"])
        // The agent's environment is every project's: it names none of them.
        let agent = Fixtures.compose("services:\n  a: {image: busybox}\n", environment: ["COMPOSE_PROJECT_NAME": "agentwide"])
        #expect(agent.state?.projects[0].name == "app")
        let invalid = Fixtures.compose("services:\n  a: {image: busybox}\n", extra: ["app/.env": "# name\nCOMPOSE_PROJECT_NAME=Not Valid\n"])
        #expect(Fixtures.lines(invalid) == ["app/.env:2:1: error: COMPOSE_PROJECT_NAME \"Not Valid\" is not a valid project name"])
    }

    @Test("COMPOSE_PROFILES in .env enables profiles unless the agent names its own")
    func composeProfiles() {
        let files = [
            "app/compose.yaml": "services:\n  a: {image: busybox}\n  debug: {image: busybox, profiles: [debug]}\n  other: {image: busybox, profiles: [other]}\n",
            "app/.env": "COMPOSE_PROFILES=debug, extra\n",
        ]
        #expect(Fixtures.load(files).state?.projects[0].services.map(\.name) == ["a", "debug"])
        #expect(Fixtures.load(files, profiles: ["other"]).state?.projects[0].services.map(\.name) == ["a", "other"])
    }

    @Test("a list-form environment entry with whitespace in its name is refused, as Compose refuses it")
    func environmentWhitespace() {
        let result = Fixtures.compose("services:\n  a:\n    image: busybox\n    environment:\n      - \"A = x\"\n      - B=fine\n")
        #expect(Fixtures.lines(result) == ["app/compose.yaml:5:9: error: environment entry \"A = x\" has whitespace in its name \"A \""])
    }

    @Test("two merge keys in one mapping are refused, not first-wins")
    func twoMergeKeys() {
        let result = Fixtures.compose("""
            x-a: &a {image: busybox}
            x-b: &b {image: alpine}
            services:
              s:
                <<: *a
                <<: *b
            """)
        #expect(Fixtures.lines(result).count == 1)
        #expect(Fixtures.lines(result).first?.hasPrefix("app/compose.yaml:6:5: error: duplicate merge key << (first at 5:5)") == true)
    }
}
