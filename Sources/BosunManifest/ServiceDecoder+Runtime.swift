import BosunModel
import BosunYAML

/// The parts of `deploy:` bosun reads.
struct DeployValues {
    var memoryLimit: ByteSize?
    var memoryReservation: ByteSize?
    var cpuMillis: Int?
    var cpuReservationMillis: Int?
    var pidsLimit: Int?
    var restartPolicy: RestartPolicy?
    var update: UpdateConfig?
    var rollback: UpdateConfig?
}

extension ServiceDecoder {
    func dependsOn(_ node: YAMLNode) -> [ServiceDependency] {
        var result: [ServiceDependency] = []
        if let items = node.sequence {
            for item in items {
                guard let other = reader.string(item, "a dependency") else { continue }
                context.noteServiceReference(other, item.start, from: name)
                result.append(ServiceDependency(service: other))
            }
        } else if let pairs = node.mapping {
            for pair in pairs {
                guard let other = reader.string(pair.key, "a dependency") else { continue }
                context.noteServiceReference(other, pair.key.start, from: name)
                var dependency = ServiceDependency(service: other)
                for (key, value, _) in reader.mapping(pair.value, "depends_on.\(other)", known: ["condition", "required", "restart"]) {
                    switch key {
                    case "condition":
                        guard let text = reader.string(value, key) else { continue }
                        guard let condition = ServiceDependency.Condition(rawValue: text) else {
                            sink.error(value.start, "unknown depends_on condition \"\(text)\"",
                                       hint: "use service_started, service_healthy or service_completed_successfully")
                            continue
                        }
                        dependency.condition = condition
                    case "required": dependency.required = reader.bool(value, key) ?? true
                    default: dependency.restart = reader.bool(value, key) ?? false
                    }
                }
                result.append(dependency)
            }
        } else if !node.isNull {
            sink.error(node.start, "depends_on must be a list or a mapping, found \(node.kindDescription)")
        }
        return result.sorted { $0.service < $1.service }
    }

    func healthcheck(_ node: YAMLNode) -> HealthCheck? {
        var check = HealthCheck(test: [])
        var disabled = false
        for (key, value, _) in reader.mapping(node, "healthcheck", known: ComposeKeys.healthcheck) {
            switch key {
            case "test":
                if let text = value.scalar {
                    check.test = ["CMD-SHELL", text]
                } else {
                    let words = reader.stringList(value, "healthcheck test")
                    guard let kind = words.first, ["CMD", "CMD-SHELL", "NONE"].contains(kind) else {
                        sink.error(value.start, "healthcheck test must start with CMD, CMD-SHELL or NONE", hint: "e.g. [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]")
                        continue
                    }
                    if kind == "CMD-SHELL" && words.count != 2 {
                        sink.error(value.start, "CMD-SHELL takes exactly one string, the shell command")
                    }
                    if kind == "CMD" && words.count < 2 { sink.error(value.start, "CMD needs the program to run") }
                    check.test = words
                }
            case "interval": check.interval = positive(reader.duration(value, "healthcheck interval"), value) ?? check.interval
            case "timeout": check.timeout = positive(reader.duration(value, "healthcheck timeout"), value) ?? check.timeout
            case "start_period": check.startPeriod = reader.duration(value, "start_period") ?? check.startPeriod
            case "start_interval": check.startInterval = positive(reader.duration(value, "start_interval"), value) ?? check.startInterval
            case "retries": check.retries = reader.int(value, "retries", range: 1...Int(Int32.max)) ?? check.retries
            case "x-bosun": probes(value, into: &check)
            default: disabled = reader.bool(value, "disable") ?? false
            }
        }
        if disabled || check.test.first == "NONE" { return HealthCheck(test: ["NONE"]) }
        let hasProbe = check.http != nil || check.tcp != nil
        if hasProbe && !check.test.isEmpty {
            sink.error(node.start, "healthcheck has both test: and an x-bosun probe", hint: "keep one: test runs in the container, x-bosun http/tcp from the host")
        }
        if check.test.isEmpty && !hasProbe {
            // No test (`disable: false`, or only timings): the image's HEALTHCHECK is kept, as Compose and Docker
            // do; timings given here replace the image's, the others stay the image's (zero stands for them).
            let timings = ["interval", "timeout", "start_period", "start_interval", "retries"]
            guard timings.contains(where: { node[$0] != nil }) else { return nil }
            var adjusted = HealthCheck.imageTimings
            if node["interval"] != nil { adjusted.interval = check.interval }
            if node["timeout"] != nil { adjusted.timeout = check.timeout }
            if node["retries"] != nil { adjusted.retries = check.retries }
            if node["start_period"] != nil { adjusted.startPeriod = check.startPeriod }
            if node["start_interval"] != nil { adjusted.startInterval = check.startInterval }
            return adjusted
        }
        return check
    }

    /// bosun's probes: `x-bosun: {http: {url: "http://localhost:8080/healthz", expect_status: 200}}` or
    /// `x-bosun: {tcp: {port: 5432}}`.
    func probes(_ node: YAMLNode, into check: inout HealthCheck) {
        for (key, value, _) in reader.mapping(node, "healthcheck x-bosun", known: ["http", "tcp"]) {
            if key == "http" {
                var url: String?, status = 200
                for (field, fieldValue, _) in reader.mapping(value, "x-bosun http probe", known: ["url", "expect_status"]) {
                    if field == "url" { url = reader.string(fieldValue, "url") }
                    if field == "expect_status" { status = reader.int(fieldValue, "expect_status", range: 100...599) ?? status }
                }
                guard let url else {
                    sink.error(value.start, "the http probe needs url:", hint: "e.g. url: http://localhost:8080/healthz")
                    continue
                }
                guard url.hasPrefix("http://") else {
                    sink.error(value.start, "the http probe's url must start with http:// (found \"\(url)\")", hint: "https probes are not supported")
                    continue
                }
                check.http = HTTPProbe(url: url, expectStatus: status)
            } else {
                var port: Int?, given = false
                for (field, fieldValue, _) in reader.mapping(value, "x-bosun tcp probe", known: ["port"]) where field == "port" {
                    given = true
                    port = reader.int(fieldValue, "port", range: 1...65535)
                }
                guard let port else {
                    if !given { sink.error(value.start, "the tcp probe needs port:", hint: "e.g. port: 5432") }
                    continue
                }
                check.tcp = TCPProbe(port: port)
            }
        }
        if check.http != nil && check.tcp != nil {
            sink.error(node.start, "x-bosun probes: give http or tcp, not both")
        }
    }

    func positive(_ duration: ComposeDuration?, _ node: YAMLNode) -> ComposeDuration? {
        guard let duration else { return nil }
        if duration.nanoseconds < 1_000_000 {
            sink.error(node.start, "the duration must be at least 1ms, found \(duration)")
            return nil
        }
        return duration
    }

    func deploy(_ node: YAMLNode) -> DeployValues {
        var values = DeployValues()
        for (key, value, keyNode) in reader.mapping(node, "deploy", known: ComposeKeys.deploy) {
            switch key {
            case "replicas":
                if let n = reader.int(value, key), n != 1 {
                    sink.error(value.start, "deploy.replicas is \(n); bosun runs one container per service", hint: "declare one service per instance")
                }
            case "mode":
                if let mode = reader.string(value, key), mode != "replicated" {
                    sink.error(value.start, "deploy.mode \"\(mode)\" is not supported", hint: "remove it; bosun runs one container per service")
                }
            case "resources": resources(value, into: &values)
            case "restart_policy": values.restartPolicy = restartPolicy(value)
            case "update_config": values.update = UpdateConfigDecoder(reader: reader).decode(value, "deploy.update_config", rollback: false)
            case "rollback_config": values.rollback = UpdateConfigDecoder(reader: reader).decode(value, "deploy.rollback_config", rollback: true)
            default:
                sink.warning(keyNode.start, "deploy.\(key) is ignored: it applies to Swarm clusters, not to one host")
            }
        }
        return values
    }

    func resources(_ node: YAMLNode, into values: inout DeployValues) {
        for (key, value, _) in reader.mapping(node, "deploy.resources", known: ["limits", "reservations"]) {
            for (field, fieldValue, fieldKey) in reader.mapping(value, "deploy.resources.\(key)", known: ["cpus", "memory", "pids", "devices", "generic_resources"]) {
                switch (key, field) {
                case ("limits", "cpus"): values.cpuMillis = cpuMillis(fieldValue, "cpus")
                case ("limits", "memory"): values.memoryLimit = reader.size(fieldValue, "memory")
                case ("limits", "pids"): values.pidsLimit = reader.int(fieldValue, "pids", range: -1...Int(Int32.max))
                case ("reservations", "cpus"): values.cpuReservationMillis = cpuMillis(fieldValue, "cpus")
                case ("reservations", "memory"): values.memoryReservation = reader.size(fieldValue, "memory")
                default:
                    sink.error(fieldKey.start, "deploy.resources.\(key).\(field) is not supported by bosun",
                               hint: field == "devices" ? "GPU and device reservations are not supported; remove it" : "remove it")
                }
            }
        }
    }

    func restartPolicy(_ node: YAMLNode) -> RestartPolicy? {
        var condition = "any", attempts: Int?
        for (key, value, _) in reader.mapping(node, "restart_policy", known: ["condition", "delay", "max_attempts", "window"]) {
            if key == "condition" { condition = reader.string(value, key) ?? condition }
            if key == "max_attempts" { attempts = reader.int(value, key, range: 0...Int(Int32.max)) }
            if key == "delay" || key == "window" { _ = reader.duration(value, key) }
        }
        switch condition {
        case "none": return RestartPolicy.no
        case "on-failure": return .onFailure(maxRetries: attempts)
        case "any": return attempts == nil ? .always : .onFailure(maxRetries: attempts)
        default:
            sink.error(node.start, "restart_policy condition \"\(condition)\" must be none, on-failure or any")
            return nil
        }
    }

    func cpuMillis(_ node: YAMLNode, _ key: String) -> Int? {
        guard let text = reader.scalarText(node, key) else { return nil }
        guard let value = Double(text), value >= 0, value.isFinite else {
            sink.error(node.start, "\(key) must be a number of CPUs such as 0.5 or 2, found \"\(text)\"")
            return nil
        }
        let millis = Int((value * 1000).rounded())
        if value > Double(context.options.hostCPUCount) {
            sink.error(node.start, "\(key) is \(text) but this host has \(context.options.hostCPUCount) CPUs", hint: "ask for at most \(context.options.hostCPUCount)")
        }
        return millis
    }

    func memorySwap(_ node: YAMLNode) -> ByteSize? {
        if let text = node.scalar, text == "-1" { return ByteSize(bytes: -1) }
        return reader.size(node, "memswap_limit")
    }

    func cpuset(_ node: YAMLNode) -> String? {
        guard let text = reader.scalarText(node, "cpuset") else { return nil }
        let valid = text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { part in
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            return (1...2).contains(bounds.count) && bounds.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
        if !valid { sink.error(node.start, "cpuset \"\(text)\" must list CPUs like 0-3 or 0,2") }
        return valid ? text : nil
    }

    func applyResources(_ deploy: DeployValues?, memLimit: ByteSize?, memReservation: ByteSize?, cpus: Int?, pidsLimit: Int?,
                        to service: inout Service, at node: YAMLNode) {
        func pick<T: Equatable>(_ short: T?, _ long: T?, _ key: String) -> T? {
            if let short, let long, short != long {
                sink.error(node[key]?.start ?? node.start, "\(key) disagrees with deploy.resources", hint: "set the limit in one place")
            }
            return long ?? short
        }
        service.resources.memoryLimit = pick(memLimit, deploy?.memoryLimit, "mem_limit")
        service.resources.memoryReservation = pick(memReservation, deploy?.memoryReservation, "mem_reservation")
        service.resources.cpuMillis = pick(cpus, deploy?.cpuMillis, "cpus")
        service.resources.cpuReservationMillis = deploy?.cpuReservationMillis
        service.resources.pidsLimit = pick(pidsLimit, deploy?.pidsLimit, "pids_limit")
        let minimum = ByteSize(bytes: 6 * 1_048_576)
        if let limit = service.resources.memoryLimit, limit < minimum {
            let where_ = node["mem_limit"]?.start ?? node["deploy"]?.start ?? node.start
            sink.error(where_, "memory limit \(limit) is below the minimum of 6m", hint: "give the container at least 6m")
        }
        if let limit = service.resources.memoryLimit, let reservation = service.resources.memoryReservation, reservation > limit {
            sink.error(node["mem_reservation"]?.start ?? node["deploy"]?.start ?? node.start,
                       "memory reservation \(reservation) is above the limit \(limit)")
        }
    }
}
