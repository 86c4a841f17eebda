import BosunRuntimeCLI

// The small front (see FrontCommand). Helper mode first, synchronously: the runtime's namespace helper must
// stay single-threaded.
RuntimeHelperMode.runIfRequested(CommandLine.arguments)
// `runtime run|create` in their plain forms run here, synchronously, without the argument parser.
RuntimeFastPath.runIfPossible(CommandLine.arguments)
FrontCommand.run(CommandLine.arguments)
