import Foundation

/// Whether a test that needs root runs: as root, or whenever `CI` is set — CI runs as root, and a test that
/// needs it must fail there rather than be skipped. Suites use `.enabled(if: RootGate.enabled)` and their
/// tests start with `try RootGate.require()`.
public enum RootGate {
    public static var isRoot: Bool { getuid() == 0 }
    public static var enabled: Bool { isRoot || ProcessInfo.processInfo.environment["CI"] != nil }

    /// Throws, failing the test with the reason, when not root.
    public static func require(_ why: String = "this test needs root (CI runs as root, so it may not be skipped there)") throws {
        guard isRoot else { throw RootRequired(message: why) }
    }
}

/// The error of `RootGate.require`.
public struct RootRequired: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
