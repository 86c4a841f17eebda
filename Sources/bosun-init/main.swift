// The runtime's single-threaded namespace helper as its own small executable: it links only BosunRuntime
// (no git, YAML, HTTP or CLI code), so each container start pays a smaller process start. `bosun` falls
// back to re-executing itself when this binary is not installed next to it.
import BosunRuntime

RuntimeHelper.main(arguments: CommandLine.arguments)
