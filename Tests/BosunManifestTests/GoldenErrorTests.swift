import BosunManifest
import Testing

/// Broken manifests and the exact diagnostics they must produce: file, line, column and text.
@Suite("Golden error messages")
struct GoldenErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown key with a suggestion", yaml: """
            services:
              web:
                image: nginx
                resart: always
            """, expected: ["app/compose.yaml:4:5: error: unknown key \"resart\" in service \"web\""]),
        Case(name: "depends_on cycle", yaml: """
            services:
              a: {image: busybox, depends_on: [b]}
              b: {image: busybox, depends_on: [c]}
              c: {image: busybox, depends_on: [a]}
            """, expected: ["app/compose.yaml:2:36: error: dependency cycle: a -> b -> c -> a"]),
        Case(name: "depends_on itself", yaml: """
            services:
              a:
                image: busybox
                depends_on: [a]
            """, expected: ["app/compose.yaml:4:18: error: dependency cycle: a -> a"]),
        Case(name: "unknown dependency", yaml: """
            services:
              a:
                image: busybox
                depends_on:
                  db:
                    condition: service_healthy
            """, expected: ["app/compose.yaml:5:7: error: service \"a\" depends on \"db\", which is not defined"]),
        Case(name: "undefined network, volume and secret", yaml: """
            services:
              a:
                image: busybox
                networks: [back]
                volumes: ["data:/data"]
                secrets: [token]
            """, expected: [
                "app/compose.yaml:4:16: error: service \"a\" uses network \"back\", which is not defined",
                "app/compose.yaml:5:15: error: service \"a\" uses volume \"data\", which is not defined",
                "app/compose.yaml:6:15: error: service \"a\" uses secret \"token\", which is not defined",
            ]),
        Case(name: "host port conflict", yaml: """
            services:
              a:
                image: busybox
                ports: ["8080:80"]
              b:
                image: busybox
                ports: ["127.0.0.1:8080:81"]
            """, expected: ["app/compose.yaml:7:13: error: service app/b publishes host port 127.0.0.1:8080/tcp, already published by app/a as 8080/tcp (app/compose.yaml:4:13)"]),
        Case(name: "malformed image reference", yaml: """
            services:
              a:
                image: "Nginx:latest"
            """, expected: ["app/compose.yaml:3:12: error: invalid image reference \"Nginx:latest\": path component \"Nginx\" must be lower-case letters and digits, separated by '.', '_', '__' or '-'"]),
        Case(name: "bad duration, size and port", yaml: """
            services:
              a:
                image: busybox
                stop_grace_period: 10 seconds
                shm_size: lots
                ports: ["80:99999"]
            """, expected: [
                "app/compose.yaml:4:24: error: stop_grace_period: invalid duration \"10 seconds\"; write e.g. 30s, 1m30s, 500ms or 2h",
                "app/compose.yaml:5:15: error: shm_size: invalid size \"lots\"; write a number with an optional unit b, k, m, g or t, e.g. 512m or 1.5g",
                "app/compose.yaml:6:13: error: invalid port \"80:99999\": \"99999\" is not a port number between 1 and 65535",
            ]),
        Case(name: "memory below 6 MiB and cpus above the host's", yaml: """
            services:
              a:
                image: busybox
                mem_limit: 4m
                cpus: 16
            """, expected: [
                "app/compose.yaml:4:16: error: memory limit 4m is below the minimum of 6m",
                "app/compose.yaml:5:11: error: cpus is 16 but this host has 4 CPUs",
            ]),
        Case(name: "build without image", yaml: """
            services:
              a:
                build: .
            """, expected: ["app/compose.yaml:3:12: error: service \"a\" has build: but no image:; bosun does not build images"]),
        Case(name: "build beside an image warns", yaml: """
            services:
              a:
                image: busybox
                build: .
            """, expected: ["app/compose.yaml:4:5: warning: service \"a\": build: is ignored, bosun runs the image given by image:"]),
        Case(name: "replicas above one", yaml: """
            services:
              a:
                image: busybox
                deploy:
                  replicas: 3
            """, expected: ["app/compose.yaml:5:17: error: deploy.replicas is 3; bosun runs one container per service"]),
        Case(name: "GPU reservations", yaml: """
            services:
              a:
                image: busybox
                deploy:
                  resources:
                    reservations:
                      devices: [{capabilities: [gpu]}]
            """, expected: ["app/compose.yaml:7:11: error: deploy.resources.reservations.devices is not supported by bosun"]),
        Case(name: "unsupported key with a hint", yaml: """
            services:
              a:
                image: busybox
                extends: {service: base}
            """, expected: ["app/compose.yaml:4:5: error: extends is not supported by bosun (service \"a\")"]),
        Case(name: "privileged without permission", yaml: """
            services:
              a:
                image: busybox
                privileged: true
            """, expected: ["app/compose.yaml:4:17: error: service \"a\" asks for privileged: true, which this host's policy (baseline) does not allow"]),
        Case(name: "duplicate key", yaml: """
            services:
              a:
                image: busybox
                image: nginx
            """, expected: ["app/compose.yaml:4:5: error: duplicate key \"image\" (first defined at 3:5); remove one of them"]),
        Case(name: "syntax error", yaml: """
            services:
              a:
                image: [busybox
            """, expected: ["app/compose.yaml:4:1: error: did not find expected ',' or ']' while parsing a flow sequence at 3:12"]),
        Case(name: "missing required variable", yaml: """
            services:
              a:
                image: busybox
                environment:
                  PASSWORD: ${DB_PASSWORD:?needed by the app}
            """, expected: ["app/compose.yaml:5:17: error: required variable DB_PASSWORD is missing a value: needed by the app"]),
        Case(name: "unknown top-level key and external secret", yaml: """
            servics: {}
            secrets:
              s: {external: true}
            """, expected: [
                "app/compose.yaml:1:1: error: unknown key \"servics\" in the compose file",
                "app/compose.yaml:3:7: error: external secrets are not supported",
            ]),
        Case(name: "ipv4_address outside the subnet", yaml: """
            services:
              a:
                image: busybox
                networks:
                  back: {ipv4_address: 10.0.1.5}
            networks:
              back:
                ipam:
                  config: [{subnet: 10.0.0.0/24}]
            """, expected: ["app/compose.yaml:5:28: error: service \"a\": ipv4_address 10.0.1.5 is outside network \"back\" (10.0.0.0/24)"]),
        Case(name: "unknown capability and bad healthcheck", yaml: """
            services:
              a:
                image: busybox
                cap_add: [NET_ADMN]
                healthcheck:
                  test: ["RUN", "true"]
            """, expected: [
                "app/compose.yaml:4:15: error: unknown capability \"NET_ADMN\" in cap_add",
                "app/compose.yaml:6:13: error: healthcheck test must start with CMD, CMD-SHELL or NONE",
            ]),
    ]

    @Test("each broken manifest gives exactly its diagnostics", arguments: cases)
    func golden(_ testCase: Case) {
        let result = Fixtures.compose(testCase.yaml)
        #expect(Fixtures.lines(result) == testCase.expected)
        let hasErrors = testCase.expected.contains { $0.contains(": error: ") }
        #expect(result.hasErrors == hasErrors)
        #expect((result.state == nil) == hasErrors)
    }

    @Test("a rendered diagnostic shows the line and a caret under the column, and the hint")
    func caretSnippet() {
        let result = Fixtures.compose("services:\n  web:\n    image: nginx\n    resart: always\n")
        #expect(result.renderedDiagnostics() == """
            app/compose.yaml:4:5: error: unknown key "resart" in service "web"
             4 |     resart: always
               |     ^
               = hint: did you mean "restart"?
            """)
    }

    @Test("all errors of a file are reported at once")
    func allAtOnce() {
        let result = Fixtures.compose("""
            services:
              a: {image: busybox, mem_limit: 1m, cap_add: [BOGUS], restart: sometimes, depends_on: [zz]}
              b: {image: "UPPER", ports: ["x"]}
            """)
        #expect(result.errors.count == 6)
    }
}
