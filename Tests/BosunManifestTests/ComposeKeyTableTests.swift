@testable import BosunManifest
import BosunModel
import Foundation
import Testing

/// The table of Compose service keys (`ComposeKeys`) and the decoder say the same thing: every key the table
/// lists is read (it changes the decoded service), rejected with an error or ignored with a warning — none is
/// accepted and dropped — and every key the decoder reads is in the table and in the manifest reference.
@Suite("Compose key table")
struct ComposeKeyTableTests {
    /// A value for each key bosun reads, in a project that has what it refers to (service `peer`, network `n`,
    /// secret `s`, file `a.env`).
    static let samples: [String: String] = [
        "command": "[sleep, \"1\"]", "entrypoint": "[/bin/sh]", "environment": "{A: b}", "env_file": "[a.env]",
        "ports": "[\"8080:80\"]", "expose": "[\"90\"]", "volumes": "[{type: tmpfs, target: /cache}]", "tmpfs": "[/run]",
        "networks": "[n]", "network_mode": "none", "depends_on": "[peer]",
        "healthcheck": "{test: [CMD, \"true\"], interval: 5s}", "restart": "always",
        "deploy": "{resources: {limits: {memory: 64m}}}", "mem_limit": "64m", "mem_reservation": "32m",
        "memswap_limit": "128m", "cpus": "0.5", "cpu_shares": "512", "cpuset": "\"0\"", "pids_limit": "50",
        "user": "\"1000\"", "group_add": "[audio]", "working_dir": "/srv", "hostname": "box", "domainname": "example.org",
        "stop_signal": "SIGINT", "stop_grace_period": "3s", "read_only": "true", "cap_add": "[NET_ADMIN]", "cap_drop": "[CHOWN]",
        "privileged": "true", "security_opt": "[\"no-new-privileges:true\"]", "labels": "{team: a}", "init": "true",
        "ulimits": "{nofile: 1024}", "sysctls": "{net.core.somaxconn: \"512\"}", "shm_size": "32m",
        "logging": "{driver: local}", "container_name": "named", "profiles": "[debug]", "extra_hosts": "[\"h:10.0.0.1\"]",
        "dns": "[10.0.0.53]", "dns_search": "[example.org]", "secrets": "[s]", "platform": "linux/amd64",
        "pull_policy": "never", "stdin_open": "true", "tty": "true", "devices": "[\"/dev/null:/dev/xnull\"]",
    ]

    /// Keys whose sample gives a diagnostic instead of a change, by design.
    static let diagnosed: [String: Diagnostic.Severity] = ["build": .warning, "scale": .error]
    static let diagnosedSamples = ["build": ".", "scale": "2"]

    static func load(_ key: String?, _ value: String?) -> ManifestLoadResult {
        var text = "name: keys\nservices:\n  peer: {image: busybox:1.35}\n  probe:\n    image: busybox:1.35\n"
        if let key, let value { text += "    \(key): \(value)\n" }
        text += "networks: {n: {}}\nsecrets: {s: {file: ./s.txt}}\n"
        return Fixtures.load(["app/compose.yaml": text, "app/a.env": "X=1\n", "app/s.txt": "secret\n"],
                             policy: HostPolicy(level: .privileged), profiles: ["debug"])
    }

    static func probe(_ result: ManifestLoadResult) -> Service? {
        result.state?.projects.first?.services.first { $0.name == "probe" }
    }

    @Test("every key bosun reads changes the service", arguments: ComposeKeys.service.filter {
        ComposeKeys.unsupportedService[$0] == nil && ComposeKeys.ignoredService[$0] == nil && diagnosed[$0] == nil && $0 != "image"
    })
    func read(_ key: String) throws {
        let sample = try #require(Self.samples[key], "add a sample value for \(key) to ComposeKeyTableTests.samples")
        let base = try #require(Self.probe(Self.load(nil, nil)))
        let result = Self.load(key, sample)
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(key): \(Fixtures.lines(result))")
        let service = try #require(Self.probe(result), "\(key): \(Fixtures.lines(result))")
        #expect(service != base, "\(key) is listed as read, but the decoded service is the same with or without it")
    }

    @Test("every key bosun does not support is rejected or warned about, by name",
          arguments: Array(ComposeKeys.unsupportedService.keys) + Array(ComposeKeys.ignoredService.keys) + Array(diagnosed.keys))
    func refused(_ key: String) {
        #expect(ComposeKeys.service.contains(key), "\(key) has a verdict but is not in ComposeKeys.service")
        let expected: Diagnostic.Severity = Self.diagnosed[key] ?? (ComposeKeys.unsupportedService[key] != nil ? .error : .warning)
        let result = Self.load(key, Self.diagnosedSamples[key] ?? "{}")
        #expect(result.diagnostics.contains { $0.severity == expected && $0.message.contains(key) }, "\(key): \(Fixtures.lines(result))")
    }

    @Test("a key outside the table is named in a diagnostic")
    func unknown() {
        let result = Self.load("mem_limits", "64m")
        #expect(result.diagnostics.contains { $0.message.contains("mem_limits") }, "\(Fixtures.lines(result))")
    }

    @Test("the samples and the table list the same keys")
    func samplesMatchTable() {
        let read = Set(ComposeKeys.service).subtracting(ComposeKeys.unsupportedService.keys).subtracting(ComposeKeys.ignoredService.keys)
            .subtracting(Self.diagnosed.keys).subtracting(["image"])
        #expect(Set(Self.samples.keys) == read)
    }

    @Test("the manifest reference names every key bosun reads")
    func documented() throws {
        let reference = try String(contentsOfFile: URLPath.repositoryRoot + "/docs/manifest-reference.md", encoding: .utf8)
        let missing = Self.samples.keys.filter { !reference.contains("`\($0)`") && !reference.contains("`\($0).") }.sorted()
        #expect(missing.isEmpty, "docs/manifest-reference.md does not name \(missing)")
    }
}
