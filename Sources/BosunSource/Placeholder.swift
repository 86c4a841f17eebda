// BosunSource
