//go:build linux

// Command memprobe runs a command and reports its wall time, its peak RSS
// and the part of its memory that the program itself owns (anonymous,
// private pages), for benchmark scripts:
//
//	memprobe [-json] [-o FILE] -- CMD ARGS...
//
// The report is one line on standard error (or in FILE), because CMD
// keeps the probe's standard output, which bench scripts send to
// /dev/null:
//
//	wall_s peak_rss_kib rss_anon_at_exit_kib rss_file_at_exit_kib exit_code hwm_minus_file_kib
//
// or, with -json, one object that adds RssShmem, VmRSS, smaps_rollup's
// Anonymous, ru_maxrss and the forwarded-signal count.
// The probe exits with the child's exit code (128+N when signal N killed
// it), so `set -e` scripts see failures. Build it once (`go build -o`):
// `go run` replaces any non-zero code with 1.
//
// # Why not peak RSS alone
//
// Peak RSS (VmHWM, what /usr/bin/time -f %M prints) counts the clean,
// file-backed pages of the executable that the kernel maps in 64 KiB
// fault-around windows from the page cache: about 8 MiB for stagegate's
// binary, more than a small compare allocates. Those pages are shared with
// the page cache and cost nothing to evict; the program owns its anonymous
// memory.
//
// # How
//
// CMD is started with PTRACE_TRACEME on its main thread only (no
// PTRACE_O_TRACECLONE: a Go program's other threads never stop). Every
// signal-delivery stop of that thread is continued with the same signal,
// so SIGURG preemption and the program's own handlers work; a job-control
// stop is answered with SIGCONT, because a TRACEME tracer is not told
// when a stop ends and a benchmark must not hang. PTRACE_O_TRACEEXIT stops
// the child in do_exit before its address space is released, where the
// probe reads /proc/PID/status and /proc/PID/smaps_rollup; PTRACE_O_EXITKILL
// kills the child if the probe dies. The time spent reading is left out
// of wall_s. ru_maxrss is reported in JSON only: exec keeps the larger of
// the old and new images' peaks and a vfork child's old image is the
// probe, so it is never below the probe's own RSS (about 2.6 MiB); VmHWM
// at the exit stop is the final image's alone.
//
// # What the readings mean
//
// rss_anon_at_exit_kib is a lower bound on the peak anonymous (private)
// memory, and in a short Go process it is close to the peak: the runtime
// gives freed heap pages back to the OS lazily, through the background
// scavenger (paced at about 1% of one CPU) or, when the heap grows past
// its retained-memory goal, in step with that growth, so anonymous RSS
// falls little in a sub-second run.
//
// hwm_minus_file_kib is VmHWM − RssFile − RssShmem, all at exit. At the
// moment t the peak RSS was reached, RssAnon(t) = VmHWM − RssFile(t) −
// RssShmem(t). Nothing in a Go program unmaps its binary, so file-backed
// pages only grow (short of reclaim under memory pressure), and the
// difference under-reads RssAnon(t) by exactly the file-backed pages first
// touched after t: it is also a lower bound on the peak anonymous memory,
// equal to RssAnon(t) when no code or data page was faulted in after the
// peak. It is an upper bound only in that case, not in general. Its use is
// the program that frees its peak before exit, where RssAnon at exit sees
// nothing.
//
// Measured on such a program (linux/amd64, kernel 6.18, Go 1.26: allocate
// and touch 50 MiB, drop it, debug.FreeOSMemory(), exit; its own
// /proc/self/status at the peak read VmHWM 53,812, RssAnon 52,180, RssFile
// 1,632 KiB): VmHWM 53,996, RssAnon at exit 1,136 (under-reads by 51 MiB),
// RssFile at exit 1,632, VmHWM − RssFile 52,364 KiB, which is RssAnon at
// the HWM moment exactly since no file page came in after it. The same
// program reading an 8 MiB embedded blob after the free (its RssFile grew
// from 1,704 to 9,832 KiB after the peak) reported VmHWM − RssFile 44,168
// KiB against a measured peak RssAnon of at least 52,136: the bound then
// under-reads too, by the late file-backed growth. So the true peak
// anonymous memory P satisfies
//
//	max(rss_anon_at_exit, hwm_minus_file) <= P <= peak_rss
//
// and the two lower bounds agree when the program neither frees its peak
// nor faults code in after it (as in the tests). Exact peak anonymous
// memory would need a reading before every munmap/madvise of every thread
// (seccomp user notification); this probe reads once, at exit.
//
// On kernel 6.18 RssAnon at exit matched smaps_rollup's Anonymous to the
// KiB in every run; kernels that batch the status counters per CPU can be
// off by a few hundred KiB, and smaps_rollup's figure, a page-table walk,
// is the exact one.
//
// When ptrace is refused (EPERM, EACCES or ENOSYS from PTRACE_TRACEME:
// seccomp, Yama ptrace_scope 3, gVisor) the probe says so on stderr, runs
// CMD untraced and reports ru_maxrss as peak_rss_kib with every at-exit
// field -1. Linux only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stderr))
}

// cli parses args, runs the command and writes the report; it returns the
// exit code for the probe: the child's own code, or 2 for a usage or
// start error (the convention of time(1) and env(1) is 125–127, but those
// collide with shell codes the child could return; 2 is what flag uses).
func cli(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("memprobe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object instead of the text line")
	outPath := fs.String("o", "", "write the report to `FILE` instead of standard error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: memprobe [-json] [-o FILE] -- CMD ARGS...")
		fmt.Fprintln(stderr, "prints: wall_s peak_rss_kib rss_anon_at_exit_kib rss_file_at_exit_kib exit_code hwm_minus_file_kib")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	// Signals sent to the probe alone (timeout(1), kill) are passed on to
	// the child, so the probe still reaps it and reports. Handlers, unlike
	// ignored dispositions, are reset by execve: the child gets defaults.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	started := func(pid int) {
		go func() {
			for s := range sigs {
				_ = syscall.Kill(pid, s.(syscall.Signal))
			}
		}()
	}
	warn := func(msg string) { fmt.Fprintln(stderr, msg) }

	res, err := run(fs.Args(), options{Started: started, Warn: warn})
	if err != nil {
		fmt.Fprintf(stderr, "memprobe: %v\n", err)
		return 2
	}

	out := stderr
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			fmt.Fprintf(stderr, "memprobe: %v\n", err)
			return 2
		}
		out = f
	}
	err = report(out, res, *asJSON)
	if f, ok := out.(*os.File); ok && f != stderr {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "memprobe: %v\n", err)
		return 2
	}
	return res.ExitCode
}

// report writes res as one line: the text form's first five fields are
// the ones bench scripts read positionally; hwm_minus_file_kib comes last
// so that adding it did not move them.
func report(w io.Writer, res result, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintf(w, "%.3f %d %d %d %d %d\n", res.WallSeconds, res.PeakRSSKiB,
		res.RSSAnonKiB, res.RSSFileKiB, res.ExitCode, res.HWMMinusFileKiB)
	return err
}
