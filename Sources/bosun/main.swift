import BosunCLI

await BosunCommand.runAndExit()
