//go:build !linux

// Command memprobe reads Linux's per-process memory counters
// (/proc/PID/status at a ptrace exit stop); elsewhere it only says so.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "memprobe: Linux only (this is %s): it reads /proc/PID/status at a ptrace exit stop\n", runtime.GOOS)
	os.Exit(2)
}
