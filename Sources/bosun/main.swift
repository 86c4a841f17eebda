import BosunCLI
import Dispatch

// Helper mode first, synchronously: the runtime's namespace helper must stay single-threaded.
RuntimeHelperMode.runIfRequested(CommandLine.arguments)
// Commands about to attach a process to a cgroup take the kernel's attach lock early (see CgroupAttachWarmup).
AttachWarmup.beginIfAttaching(CommandLine.arguments)
// `runtime run|create` in their plain forms run here, synchronously, without the argument parser.
RuntimeFastPath.runIfPossible(CommandLine.arguments)

Task { await BosunCommand.runAndExit() }
dispatchMain()
