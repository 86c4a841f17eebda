import BosunModel
import BosunYAML

/// Reads `deploy.update_config` / `deploy.rollback_config` of a service and their project-level defaults
/// (`x-bosun: {update_config: …, rollback_config: …}`), every value checked where it is written.
struct UpdateConfigDecoder {
    let reader: NodeReader
    var sink: DiagnosticSink { reader.sink }

    static let keys = ["order", "failure_action", "monitor", "delay", "parallelism", "max_failure_ratio"]

    /// `what` names the mapping in messages (`deploy.update_config`); `rollback` is true for a rollback_config,
    /// whose failure_action cannot itself be rollback (Compose allows pause or continue there).
    func decode(_ node: YAMLNode, _ what: String, rollback: Bool) -> UpdateConfig {
        var config = UpdateConfig()
        for (key, value, keyNode) in reader.mapping(node, what, known: UpdateConfigDecoder.keys) {
            switch key {
            case "order":
                guard let text = reader.string(value, "\(what).order") else { continue }
                if let order = UpdateConfig.Order(rawValue: text) { config.order = order } else {
                    sink.error(value.start, "\(what).order is start-first or stop-first, not \"\(text)\"",
                               hint: "start-first runs the new container beside the old one until it passes its health gate")
                }
            case "failure_action":
                guard let text = reader.string(value, "\(what).failure_action") else { continue }
                let allowed: [UpdateConfig.FailureAction] = rollback ? [.pause, .continue] : UpdateConfig.FailureAction.allCases
                if let action = UpdateConfig.FailureAction(rawValue: text), allowed.contains(action) { config.failureAction = action } else {
                    sink.error(value.start, "\(what).failure_action is \(allowed.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"",
                               hint: rollback ? "a failed rollback can only stop there (pause) or go on (continue)"
                                   : "rollback returns the project to its last good state")
                }
            case "monitor": config.monitor = reader.duration(value, "\(what).monitor")
            case "delay":
                // Compose's delay is the wait between two groups (`parallelism`) of one service's containers.
                config.delay = reader.duration(value, "\(what).delay")
                sink.warning(keyNode.start, "\(what).delay has no effect: it is the wait between groups of a service's containers, and bosun runs one")
            case "parallelism":
                config.parallelism = reader.int(value, "\(what).parallelism", range: 0...Int(Int32.max))
                sink.warning(keyNode.start, "\(what).parallelism has no effect: bosun runs one container per service, updated one at a time")
            case "max_failure_ratio":
                guard let text = reader.scalarText(value, "\(what).max_failure_ratio") else { continue }
                if let ratio = Double(text), (0...1).contains(ratio) { config.maxFailureRatio = ratio } else {
                    sink.error(value.start, "\(what).max_failure_ratio must be a number from 0 to 1, found \"\(text)\"")
                }
                sink.warning(keyNode.start, "\(what).max_failure_ratio has no effect: with one container per service, one failure is all of them")
            default: break
            }
        }
        return config
    }
}
