public import ArgumentParser

/// The `bosun` command line: a GitOps agent for one Linux host.
public struct BosunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "Converge this host to the desired state kept in a git repository.",
        subcommands: [])
    public init() {}
}
