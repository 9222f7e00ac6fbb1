//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the probed program: with helperEnv set it
// runs one helper mode (see helper) instead of the tests.
const helperEnv = "MEMPROBE_TEST_HELPER"

func init() {
	// init runs on the main thread with the main goroutine locked to it;
	// keeping the lock makes the spinning helper run on the one thread
	// the probe traces, so sysmon's SIGURG preemption lands there.
	if strings.HasPrefix(os.Getenv(helperEnv), "spin") {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// sink keeps helper allocations reachable until the helper decides
// otherwise; it is only written in helper processes.
var sink []byte

// helper is the body of a probed child. Modes: "alloc N" touches N MiB and
// keeps it; "free N" touches N MiB, frees it and returns it to the OS
// (the adversarial case); "exit K"; "kill SIG"; "spin" runs goroutines for
// 300 ms; "notify" waits for a SIGUSR1 it sends its main thread; "stop"
// stops itself with SIGSTOP and waits to be continued.
func helper(mode string) int {
	f := strings.Fields(mode)
	arg := 0
	if len(f) > 1 {
		arg, _ = strconv.Atoi(f[1])
	}
	switch f[0] {
	case "alloc", "free":
		sink = make([]byte, arg<<20)
		for i := 0; i < len(sink); i += 4096 {
			sink[i] = 1 // a fresh mmap is zero: only a write makes it resident
		}
		if f[0] == "free" {
			sink = nil
			debug.FreeOSMemory()
		}
		runtime.KeepAlive(sink)
	case "exit":
		return arg
	case "kill":
		_ = syscall.Kill(os.Getpid(), syscall.Signal(arg))
		time.Sleep(5 * time.Second)
		return 99 // not reached unless the signal was lost
	case "spin":
		var wg sync.WaitGroup
		deadline := time.Now().Add(300 * time.Millisecond)
		n := 0
		spin := func() int {
			x := 0
			for time.Now().Before(deadline) {
				x++
			}
			return x
		}
		for range 4 {
			wg.Go(func() { spin() })
		}
		n = spin() // on the locked main thread
		wg.Wait()
		if n == 0 {
			return 98
		}
	case "notify":
		// A signal directed at the main thread (tid == pid) stops the
		// traced thread: the probe must deliver it, or the handler
		// never runs.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		_ = syscall.Tgkill(os.Getpid(), os.Getpid(), syscall.SIGUSR1)
		select {
		case <-ch:
		case <-time.After(2 * time.Second):
			return 96
		}
	case "stop":
		// The probe answers a stop with SIGCONT (see run): wait for it.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGCONT)
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		select {
		case <-ch:
		case <-time.After(2 * time.Second):
			return 95
		}
	default:
		return 97
	}
	return 0
}

// probeHelper runs the test binary in the given helper mode under run.
func probeHelper(t *testing.T, mode string, opts options) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperEnv, mode)
	res, err := run([]string{exe, "-test.run=^$"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !opts.NoTrace && !res.Traced && os.Getenv("STAGEGATE_REQUIRE_PTRACE") == "" {
		// A sandbox (seccomp, Yama ptrace_scope=3, gVisor) refused ptrace:
		// the fallback is tested on its own below.
		t.Skip("ptrace is not permitted on this machine; set STAGEGATE_REQUIRE_PTRACE=1 to fail instead")
	}
	return res
}

func TestAnonymousMemoryIsSeen(t *testing.T) {
	for _, mib := range []int64{16, 64} {
		t.Run(fmt.Sprint(mib, "MiB"), func(t *testing.T) {
			res := probeHelper(t, fmt.Sprint("alloc ", mib), options{})
			t.Logf("%+v", res)
			want := mib << 10
			if !res.Traced || res.ExitCode != 0 {
				t.Fatalf("traced=%v exit=%d", res.Traced, res.ExitCode)
			}
			if res.RSSAnonKiB < want || res.AnonymousKiB < want || res.HWMMinusFileKiB < want {
				t.Errorf("RssAnon %d, smaps Anonymous %d, VmHWM-RssFile %d KiB: want each >= %d",
					res.RSSAnonKiB, res.AnonymousKiB, res.HWMMinusFileKiB, want)
			}
			if res.PeakRSSKiB < res.RSSAnonKiB || res.PeakRSSKiB < res.HWMMinusFileKiB {
				t.Errorf("peak RSS %d below RssAnon %d or the bound %d", res.PeakRSSKiB, res.RSSAnonKiB, res.HWMMinusFileKiB)
			}
			if res.RSSFileKiB <= 0 {
				t.Errorf("RssFile %d: the executable's own pages should be resident", res.RSSFileKiB)
			}
			if res.VmRSSKiB != res.RSSAnonKiB+res.RSSFileKiB+res.RSSShmemKiB {
				t.Errorf("VmRSS %d != RssAnon+RssFile+RssShmem %d", res.VmRSSKiB, res.RSSAnonKiB+res.RSSFileKiB+res.RSSShmemKiB)
			}
			if res.WallSeconds <= 0 {
				t.Errorf("wall %v", res.WallSeconds)
			}
		})
	}
}

// TestFreedMemory is the adversarial case of the package comment: the
// peak is freed and returned to the OS before exit, so RssAnon at exit
// under-reads and VmHWM − RssFile still holds the peak.
func TestFreedMemory(t *testing.T) {
	const mib = 50
	res := probeHelper(t, fmt.Sprint("free ", mib), options{})
	t.Logf("%+v", res)
	if res.RSSAnonKiB >= mib<<10/2 {
		t.Errorf("RssAnon at exit %d KiB: FreeOSMemory should have returned the %d MiB", res.RSSAnonKiB, mib)
	}
	if res.HWMMinusFileKiB < mib<<10 || res.PeakRSSKiB < mib<<10 {
		t.Errorf("VmHWM %d, VmHWM-RssFile %d KiB: want >= %d MiB", res.PeakRSSKiB, res.HWMMinusFileKiB, mib)
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		mode   string
		code   int
		signal string
	}{
		{"exit 0", 0, ""},
		{"exit 3", 3, ""},
		{"exit 255", 255, ""},
		{"kill 9", 128 + 9, "killed"},
		{"kill 15", 128 + 15, "terminated"},
	}
	for _, tt := range tests {
		for _, noTrace := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/notrace=%v", tt.mode, noTrace), func(t *testing.T) {
				res := probeHelper(t, tt.mode, options{NoTrace: noTrace})
				if res.ExitCode != tt.code || res.Signal != tt.signal {
					t.Errorf("exit %d signal %q, want %d %q", res.ExitCode, res.Signal, tt.code, tt.signal)
				}
				if res.Traced == noTrace {
					t.Errorf("traced=%v with NoTrace=%v", res.Traced, noTrace)
				}
				if res.PeakRSSKiB <= 0 || res.MaxRSSKiB <= 0 {
					t.Errorf("peak %d, ru_maxrss %d", res.PeakRSSKiB, res.MaxRSSKiB)
				}
			})
		}
	}
}

// TestFallbackReportsUnknown checks the untraced path: rusage only, and
// the fields it cannot know are -1, never a plausible-looking 0.
func TestFallbackReportsUnknown(t *testing.T) {
	res := probeHelper(t, "alloc 16", options{NoTrace: true})
	if res.Traced || res.RSSAnonKiB != -1 || res.RSSFileKiB != -1 || res.HWMMinusFileKiB != -1 || res.AnonymousKiB != -1 {
		t.Errorf("untraced run reported at-exit fields: %+v", res)
	}
	if res.PeakRSSKiB < 16<<10 || res.PeakRSSKiB != res.MaxRSSKiB {
		t.Errorf("peak %d, ru_maxrss %d: want ru_maxrss >= 16 MiB", res.PeakRSSKiB, res.MaxRSSKiB)
	}
}

// TestGoPreemptionSignals runs goroutines for 300 ms with the main
// goroutine locked to the traced thread: the runtime preempts it with
// SIGURG, which the probe must deliver for the program to run normally.
func TestGoPreemptionSignals(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2")
	res := probeHelper(t, "spin", options{})
	if res.ExitCode != 0 || res.Signal != "" {
		t.Fatalf("exit %d signal %q", res.ExitCode, res.Signal)
	}
	if res.SignalsForwarded == 0 {
		t.Errorf("no signal reached the traced main thread in 300 ms of spinning")
	}
	if res.WallSeconds < 0.3 {
		t.Errorf("wall %.3f s < 0.3 s", res.WallSeconds)
	}
}

// TestSignalsAreDelivered: a signal the traced thread stops for reaches
// the program's handler.
func TestSignalsAreDelivered(t *testing.T) {
	res := probeHelper(t, "notify", options{})
	if res.ExitCode != 0 || res.SignalsForwarded == 0 {
		t.Errorf("exit %d (96: SIGUSR1 lost), %d signals forwarded", res.ExitCode, res.SignalsForwarded)
	}
}

// TestStopDoesNotHang: a child that stops itself is continued.
func TestStopDoesNotHang(t *testing.T) {
	res := probeHelper(t, "stop", options{})
	if res.ExitCode != 0 { // 95: no SIGCONT came
		t.Errorf("exit %d signal %q", res.ExitCode, res.Signal)
	}
}

func TestCLI(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	t.Setenv(helperEnv, "exit 7")
	var stderr bytes.Buffer
	if code := cli([]string{"-o", out, "--", exe, "-test.run=^$"}, &stderr); code != 7 {
		t.Fatalf("cli exit %d, want the child's 7; stderr %q", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(data))
	if len(f) != 6 || f[4] != "7" || !strings.HasSuffix(string(data), "\n") || strings.Count(string(data), "\n") != 1 {
		t.Fatalf("report %q: want one line of 6 fields with exit code 7 fifth", data)
	}
	for i, s := range f {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			t.Errorf("field %d %q is not a number", i, s)
		}
	}

	stderr.Reset()
	if code := cli([]string{"-json", "--", exe, "-test.run=^$"}, &stderr); code != 7 {
		t.Fatalf("cli -json exit %d", code)
	}
	if !strings.Contains(stderr.String(), `"exit_code":7`) || !strings.Contains(stderr.String(), `"rss_anon_at_exit_kib":`) {
		t.Errorf("json report %q", stderr.String())
	}

	for _, args := range [][]string{{}, {"-json"}, {"-nosuchflag", "--", "true"}} {
		stderr.Reset()
		if code := cli(args, &stderr); code != 2 {
			t.Errorf("cli %q exit %d, want 2", args, code)
		}
	}
	stderr.Reset()
	if code := cli([]string{"--", "/nonexistent/memprobe-test"}, &stderr); code != 2 || !strings.Contains(stderr.String(), "memprobe:") {
		t.Errorf("missing command: exit %d, stderr %q", code, stderr.String())
	}
}
