import BosunModel

/// Prints a plan as `terraform plan` does: a summary line with the plan's hash, then one line per operation
/// (colour on a terminal) with its cause and field changes; or as JSON.
public enum PlanRenderer {
    public static func text(_ plan: Plan, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        if plan.isEmpty { return "No changes: the host matches the desired state.\nplan \(plan.hash)" }
        let creates = plan.count([.pullImage, .createNetwork, .createVolume, .createContainer])
        let starts = plan.count([.startContainer])
        let updates = plan.count([.updateLimits])
        let recreates = plan.count([.recreateContainer])
        let restores = plan.count([.restoreContainer])
        let removes = plan.count([.removeContainer, .removeNetwork, .removeVolume])
        var lines = ["Plan: \(creates) to create, \(starts) to start, \(updates) to update in place, \(recreates) to recreate, "
                     + (restores > 0 ? "\(restores) to restore, " : "") + "\(removes) to remove.",
                     "plan \(plan.hash)", ""]
        for operation in plan.operations {
            let (symbol, code): (String, String)
            switch operation.kind {
            case .pullImage, .createNetwork, .createVolume, .createContainer: (symbol, code) = ("+", "32")
            case .startContainer, .updateLimits: (symbol, code) = ("~", "33")
            case .recreateContainer, .restoreContainer: (symbol, code) = ("-/+", "35")
            case .stopContainer, .removeContainer, .removeNetwork, .removeVolume: (symbol, code) = ("-", "31")
            }
            var line = "\(paint(symbol.padding(3), code)) \(operation.kind.rawValue) \(operation.resource)  (\(operation.cause))"
            if !operation.dependsOn.isEmpty { line += "  after #" + operation.dependsOn.map(String.init).joined(separator: ", #") }
            lines.append("#\(operation.id) " + line)
            for change in operation.changes {
                let old = change.sensitive ? "(sensitive)" : quoted(change.old)
                let new = change.sensitive ? "(sensitive)" : quoted(change.new)
                lines.append("      \(change.field): \(old) → \(new)")
            }
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ plan: Plan) -> String {
        String(decoding: JSONValue.object(["hash": .string(plan.hash), "operations": .array(plan.operations.map(\.json))]).canonicalBytes, as: UTF8.self)
    }

    static func quoted(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "(none)" }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
