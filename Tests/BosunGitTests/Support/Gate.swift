import Foundation

/// Explicit gates for tests needing tools or root: skipped locally when impossible, failed under CI.
enum Gate {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// True when the test should run: everything needed is there, or CI is set (then `require` fails it).
    static func canRun(tools: [String], root: Bool = false) -> Bool {
        isCI || missing(tools: tools, root: root).isEmpty
    }

    /// Throws naming what is missing; under CI this fails the test instead of skipping it.
    static func require(tools: [String], root: Bool = false) throws {
        let missing = missing(tools: tools, root: root)
        if !missing.isEmpty {
            throw TestSupportError("required for this test but missing: \(missing.joined(separator: ", "))\(isCI ? " (CI is set, so this is a failure)" : "")")
        }
    }

    static func missing(tools: [String], root: Bool) -> [String] {
        var missing = tools.filter { Command.which($0) == nil }
        if root, getuid() != 0 { missing.append("root") }
        return missing
    }
}
