import BosunCLI
import Dispatch

// Helper mode first, synchronously: the runtime's namespace helper must stay single-threaded.
RuntimeHelperMode.runIfRequested(CommandLine.arguments)

Task { await BosunCommand.runAndExit() }
dispatchMain()
