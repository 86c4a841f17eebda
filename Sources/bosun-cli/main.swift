import BosunCLI
import BosunRuntimeCLI
import Dispatch

// The whole command line, started by the `bosun` front for everything but `bosun runtime …` (which it also
// runs when called directly). Helper mode first, synchronously: the runtime's namespace helper must stay
// single-threaded.
RuntimeHelperMode.runIfRequested(CommandLine.arguments)
Task { await BosunCommand.runAndExit() }
dispatchMain()
