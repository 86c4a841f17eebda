// BosunManifest
