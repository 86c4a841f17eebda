// BosunYAML
