// BosunCLI
