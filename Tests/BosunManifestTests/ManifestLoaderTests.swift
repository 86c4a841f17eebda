import BosunManifest
import BosunModel
import Testing

@Suite("Loading projects")
struct ManifestLoaderTests {
    @Test("a directory of projects gives one project each, named by directory or name:")
    func discovery() throws {
        let result = Fixtures.load([
            "Shop/compose.yaml": "services:\n  a: {image: busybox}\n",
            "blog/docker-compose.yml": "name: journal\nservices:\n  b: {image: busybox}\n",
            "notes/README.md": "no compose file here",
        ])
        let state = try #require(result.state)
        #expect(state.projects.map(\.name) == ["journal", "shop"])
        #expect(state.projects[1].networks.map(\.name) == ["shop_default"])
        #expect(state.projects[1].services[0].networks == [NetworkAttachment(network: "default")])
    }

    @Test("a path without compose files is an error naming the path")
    func nothingThere() {
        let result = Fixtures.load(["docs/readme.md": "x"], path: "docs")
        #expect(Fixtures.lines(result) == ["docs: error: no compose.yaml here or in its subdirectories (looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml)"])
    }

    @Test(".env beside the compose file, overridden by the agent's environment; env_file merged under environment")
    func environment() throws {
        let files = [
            "app/compose.yaml": """
                services:
                  a:
                    image: busybox:${TAG}
                    env_file: [common.env]
                    environment:
                      MODE: ${MODE}
                      FROM_FILE_OVERRIDDEN: explicit
                      PASSTHROUGH:
                """,
            "app/.env": "TAG=1.35\nMODE=dev\n",
            "app/common.env": "# shared\nexport GREETING=\"hello\\nworld\"\nFROM_FILE_OVERRIDDEN=file\nLITERAL='${TAG}'\nEXPANDED=${TAG}\n",
        ]
        let result = Fixtures.load(files, environment: ["MODE": "prod", "PASSTHROUGH": "yes"])
        let service = try #require(result.state?.projects[0].services[0])
        #expect(service.image.description == "docker.io/library/busybox:1.35")
        #expect(service.environment == [
            "MODE": "prod", "GREETING": "hello\nworld", "FROM_FILE_OVERRIDDEN": "explicit", "LITERAL": "${TAG}",
            "EXPANDED": "1.35", "PASSTHROUGH": "yes",
        ])
    }

    @Test("types are coerced after interpolation")
    func coercion() throws {
        let yaml = "services:\n  a:\n    image: busybox\n    healthcheck:\n      test: [CMD, \"true\"]\n      retries: $RETRIES\n    read_only: ${RO}\n"
        let service = try #require(Fixtures.compose(yaml, environment: ["RETRIES": "7", "RO": "true"]).state?.projects[0].services[0])
        #expect(service.healthcheck?.retries == 7)
        #expect(service.readOnly)
    }

    @Test("include adds another file's services; a cycle is an error")
    func include() throws {
        let ok = Fixtures.load([
            "app/compose.yaml": "include: [db/compose.yaml]\nservices:\n  web: {image: nginx, depends_on: [db]}\n",
            "app/db/compose.yaml": "services:\n  db: {image: postgres}\n",
        ])
        #expect(try #require(ok.state).projects[0].services.map(\.name) == ["db", "web"])
        let cycle = Fixtures.load([
            "app/compose.yaml": "include: [other.yaml]\nservices: {}\n",
            "app/other.yaml": "include: [compose.yaml]\n",
        ])
        #expect(Fixtures.lines(cycle) == ["app/other.yaml:1:11: error: include cycle: app/compose.yaml -> app/other.yaml -> app/compose.yaml"])
    }

    @Test("profiles leave out services unless enabled")
    func profiles() throws {
        let files = ["app/compose.yaml": "services:\n  a: {image: busybox}\n  debug: {image: busybox, profiles: [debug]}\n"]
        #expect(try #require(Fixtures.load(files).state).projects[0].services.map(\.name) == ["a"])
        #expect(try #require(Fixtures.load(files, profiles: ["debug"]).state).projects[0].services.map(\.name) == ["a", "debug"])
    }

    @Test("an override file is refused rather than silently ignored")
    func overrideFile() {
        let result = Fixtures.load([
            "app/compose.yaml": "services:\n  a: {image: busybox}\n",
            "app/compose.override.yaml": "services:\n  a: {image: nginx}\n",
        ])
        #expect(Fixtures.lines(result) == ["app/compose.override.yaml: error: override files are not merged by bosun"])
    }

    @Test("long and short syntax read into the same model")
    func longAndShortSyntax() throws {
        let short = try #require(Fixtures.compose("""
            services:
              a:
                image: busybox
                ports: ["127.0.0.1:8080:80/udp"]
                volumes: ["data:/data:ro", "./conf:/etc/conf"]
                depends_on: [b]
              b: {image: busybox}
            volumes: {data: {}}
            """).state?.projects[0].services[0])
        let long = try #require(Fixtures.compose("""
            services:
              a:
                image: busybox
                ports: [{target: 80, published: "8080", host_ip: 127.0.0.1, protocol: udp}]
                volumes:
                  - {type: volume, source: data, target: /data, read_only: true}
                  - {type: bind, source: ./conf, target: /etc/conf, bind: {create_host_path: true}}
                depends_on: {b: {condition: service_started}}
              b: {image: busybox}
            volumes: {data: {}}
            """).state?.projects[0].services[0])
        #expect(short == long)
        #expect(short.volumes[1].source == "./app/conf")
    }

    @Test("a bind mount may not climb out of the repository")
    func bindEscape() {
        let result = Fixtures.compose("services:\n  a:\n    image: busybox\n    volumes: [\"../../etc:/etc\"]\n")
        #expect(Fixtures.lines(result) == ["app/compose.yaml:4:15: error: \"../../etc\" points outside the repository"])
    }

    @Test("deploy limits, mem_limit and restart_policy normalise to one set of resources")
    func resources() throws {
        let service = try #require(Fixtures.compose("""
            services:
              a:
                image: busybox
                deploy:
                  resources:
                    limits: {cpus: "0.5", memory: 64M, pids: 100}
                    reservations: {memory: 32m}
                  restart_policy: {condition: on-failure, max_attempts: 3}
            """).state?.projects[0].services[0])
        #expect(service.resources.cpuMillis == 500)
        #expect(service.resources.memoryLimit == ByteSize(bytes: 64 << 20))
        #expect(service.resources.memoryReservation == ByteSize(bytes: 32 << 20))
        #expect(service.resources.pidsLimit == 100)
        #expect(service.restart == .onFailure(maxRetries: 3))
    }

    @Test("the example manifests in the repository are valid")
    func exampleManifests() throws {
        let root = URLPath.repositoryRoot + "/manifests"
        let tree = try DirectoryTreeForTests.load(root)
        let result = ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 2)).load(path: "")
        #expect(!result.hasErrors, "\(Fixtures.lines(result))")
        let project = try #require(result.state?.projects.first)
        #expect(project.services.map(\.name) == ["app", "db", "migrate", "web"])
        #expect(project.volumes.map(\.name) == ["demo_dbdata"])
    }
}

@Suite("Extension keys")
struct ExtensionKeyTests {
    @Test("x- keys are ignored, x-bosun is read at the top level and warned about elsewhere")
    func extensions() throws {
        let result = Fixtures.compose("""
            x-defaults: &d {restart: always}
            services:
              a:
                image: busybox
                x-notes: anything
                x-bosun: {rollout: fast}
                healthcheck: {test: [CMD, "true"]}
                networks: {default: {x-bosun: {}}}
            x-bosun:
              prune_volumes: true
            """)
        #expect(Fixtures.lines(result) == [
            "app/compose.yaml:6:5: warning: x-bosun has no options in service \"a\"; it is ignored here",
            "app/compose.yaml:8:26: warning: x-bosun has no options in network \"default\" of service \"a\"; it is ignored here",
        ])
        #expect(result.state?.projects[0].pruneVolumes == true)
        #expect(result.state?.projects[0].drift == nil)
        #expect(result.state?.projects[0].services[0].healthcheck?.test == ["CMD", "true"])
    }

    @Test("x-bosun drift is enforce or observe; anything else is an error at its place")
    func driftMode() {
        let observe = Fixtures.compose("services:\n  a: {image: busybox}\nx-bosun: {drift: observe}\n")
        #expect(observe.diagnostics.isEmpty)
        #expect(observe.state?.projects[0].drift == .observe)
        let bad = Fixtures.compose("services:\n  a: {image: busybox}\nx-bosun:\n  drift: correct\n")
        #expect(Fixtures.lines(bad) == ["app/compose.yaml:4:10: error: x-bosun drift is enforce or observe, not \"correct\""])
        #expect(bad.state == nil)
    }

    @Test("healthcheck x-bosun http and tcp probes are read, checked, and need no test")
    func probes() throws {
        let result = Fixtures.compose("""
            services:
              web:
                image: busybox
                healthcheck:
                  x-bosun: {http: {url: "http://localhost:8080/healthz", expect_status: 204}}
                  interval: 2s
              db:
                image: busybox
                healthcheck: {x-bosun: {tcp: {port: 5432}}}
            """)
        #expect(Fixtures.lines(result) == [])
        let services = try #require(result.state?.projects[0].services)
        let web = try #require(services.first { $0.name == "web" }?.healthcheck)
        #expect(web.http == HTTPProbe(url: "http://localhost:8080/healthz", expectStatus: 204) && web.test.isEmpty)
        #expect(web.interval == .seconds(2))
        #expect(services.first { $0.name == "db" }?.healthcheck?.tcp == TCPProbe(port: 5432))
        let bad = Fixtures.compose("""
            services:
              a:
                image: busybox
                healthcheck: {x-bosun: {tcp: {port: 70000}, http: {expect_status: 200}}}
            """)
        #expect(Fixtures.lines(bad) == [
            "app/compose.yaml:4:41: error: port must be between 1 and 65535, found 70000",
            "app/compose.yaml:4:55: error: the http probe needs url:",
        ])
    }

    @Test("an unknown x-bosun option is an error with a suggestion")
    func unknownOption() {
        let result = Fixtures.compose("services:\n  a: {image: busybox}\nx-bosun:\n  prune_volume: true\n")
        #expect(Fixtures.lines(result) == ["app/compose.yaml:4:3: error: unknown key \"prune_volume\" in x-bosun"])
    }
}

@Suite("YAML 1.1 words stay strings")
struct NorwayTests {
    @Test("no, yes, on and off stay text where Compose wants a string")
    func words() throws {
        let service = try #require(Fixtures.compose("""
            services:
              a:
                image: busybox
                restart: no
                environment: {DEBUG: no, COUNTRY: NO, FLAG: on}
                labels: [enabled=yes]
                command: echo off
            """).state?.projects[0].services[0])
        #expect(service.restart == .no)
        #expect(service.environment == ["DEBUG": "no", "COUNTRY": "NO", "FLAG": "on"])
        #expect(service.labels == ["enabled": "yes"])
        #expect(service.command == ["echo", "off"])
    }
}
