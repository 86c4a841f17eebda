// BosunGit
