import BosunRuntime

/// The runtime's single-threaded helper mode (`bosun __runtime-init <fd>`), dispatched from `main.swift`
/// before anything asynchronous starts.
public enum RuntimeHelperMode {
    /// Runs the helper and never returns when argv asks for it; returns otherwise.
    public static func runIfRequested(_ arguments: [String]) {
        if arguments.count > 1 && arguments[1] == RuntimeHelper.modeArgument {
            RuntimeHelper.main(arguments: arguments)
        }
    }
}
