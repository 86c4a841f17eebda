public import ArgumentParser
import Foundation
public import BosunFailure

/// bosun's exit codes, as documented in the README.
public enum BosunExitCode: Int32, Sendable {
    case success = 0, invalidManifests = 1, usage = 2, sourceUnavailable = 3, internalError = 4
    /// A convergence failed its health gate and its projects were rolled back to their last good state.
    case rolledBack = 5
    /// A check found a problem (a damaged journal): the same code as invalid manifests.
    public static let checkFailed = BosunExitCode.invalidManifests
}

/// An error that ends the command with a given exit code; its message is printed after `bosun: `.
public struct CommandFailure: Error, Sendable {
    public var code: BosunExitCode
    public var message: String
    public init(_ code: BosunExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Ends the command with a status that is not one of bosun's own codes: a container's exit status.
public struct PassthroughExit: Error, Sendable {
    public var status: Int32
    public init(_ status: Int32) { self.status = status }
}

extension CommandFailure {
    /// Prints what `error` says (to stderr unless it is a success such as `--help`) and returns the exit status:
    /// a `CommandFailure`'s code, a `PassthroughExit`'s status, or the parser's `exitCode`, with its usage
    /// errors mapped to bosun's 2.
    public static func report(_ error: any Error, exitCode: ExitCode, message: String) -> Int32 {
        if let passthrough = error as? PassthroughExit { return passthrough.status }
        if let failure = error as? CommandFailure {
            FileHandle.standardError.write(Data((failure.message.isEmpty ? "" : "bosun: \(failure.message)\n").utf8))
            return failure.code.rawValue
        }
        if !message.isEmpty {
            if exitCode == ExitCode.success { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        }
        return exitCode == .validationFailure ? BosunExitCode.usage.rawValue : exitCode.rawValue
    }
}

extension CommandFailure: FailureDescribing {
    /// By exit code: an unreadable source may come back, refused manifests or usage need a change, the rest is the host's.
    public var failure: Failure {
        let handling: Failure.Handling
        switch code {
        case .sourceUnavailable: handling = .retry
        case .invalidManifests, .usage, .rolledBack: handling = .fixInput
        case .success, .internalError: handling = .fixHost
        }
        return Failure(action: "", cause: message, handling: handling)
    }
}

extension PassthroughExit: FailureDescribing {
    /// A container's own exit status, passed on: the container decides, nothing to retry.
    public var failure: Failure { Failure(action: "run the container", cause: "it exited with status \(status)", handling: .fixInput) }
}
