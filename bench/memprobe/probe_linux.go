//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// Ptrace constants the syscall package does not name.
const (
	ptraceOExitKill   = 0x100000 // PTRACE_O_EXITKILL (Linux 3.8)
	ptraceGetSiginfo  = 0x4202   // PTRACE_GETSIGINFO
	siginfoBufferSize = 128      // sizeof(siginfo_t) on every Linux ABI
)

// result is what one probed run measured. Sizes are KiB; -1 means "not
// measured" (no exit stop was seen, or ptrace was not permitted).
type result struct {
	WallSeconds float64 `json:"wall_s"`
	// PeakRSSKiB is VmHWM read at the exit stop, or ru_maxrss when
	// there was no exit stop. The two are the same counter.
	PeakRSSKiB int64 `json:"peak_rss_kib"`
	// RSSAnonKiB, RSSFileKiB and RSSShmemKiB are the split of resident
	// memory at the exit stop, before the address space is torn down.
	RSSAnonKiB  int64 `json:"rss_anon_at_exit_kib"`
	RSSFileKiB  int64 `json:"rss_file_at_exit_kib"`
	RSSShmemKiB int64 `json:"rss_shmem_at_exit_kib"`
	VmRSSKiB    int64 `json:"vm_rss_at_exit_kib"`
	// HWMMinusFileKiB is VmHWM − RssFile − RssShmem at exit: what the
	// peak would be if every file-backed page resident at exit had also
	// been resident at the peak. See the package comment for what it
	// bounds.
	HWMMinusFileKiB int64 `json:"hwm_minus_file_kib"`
	// AnonymousKiB comes from smaps_rollup (a page-table walk, so it is
	// exact where the status counters are batched on older kernels).
	// Private_Dirty is not reported: it also counts the not yet written
	// back page cache of a freshly built binary.
	AnonymousKiB int64 `json:"smaps_anonymous_at_exit_kib"`
	// MaxRSSKiB is ru_maxrss from wait4: the kernel's own peak RSS,
	// which /usr/bin/time -f %M prints.
	MaxRSSKiB int64 `json:"ru_maxrss_kib"`
	// ExitCode is the child's exit status, or 128+signal when a signal
	// killed it (the shell convention), and Signal names that signal.
	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal,omitempty"`
	// SignalsForwarded counts the signal-delivery stops of the main
	// thread whose signal was passed on (SIGURG preemption, mostly).
	SignalsForwarded int `json:"signals_forwarded"`
	// Traced is false when ptrace was not permitted and only wait4's
	// rusage is reported.
	Traced bool `json:"traced"`
}

// options configure run.
type options struct {
	// NoTrace skips ptrace: the path taken when the kernel refuses it.
	NoTrace bool
	// Started, when not nil, is told the child's pid (to pass on the
	// signals the probe itself receives).
	Started func(pid int)
	// Warn, when not nil, receives a note when ptrace was refused.
	Warn func(string)
}

// run starts argv under ptrace, forwards every signal the main thread
// receives, reads /proc at the PTRACE_EVENT_EXIT stop and reaps the child.
func run(argv []string, opts options) (result, error) {
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return result{}, err
	}
	// The tracer is the thread that forked the tracee, and every ptrace
	// request must come from it: keep this goroutine on one OS thread
	// from fork to reap.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	res := result{
		PeakRSSKiB: -1, RSSAnonKiB: -1, RSSFileKiB: -1, RSSShmemKiB: -1, VmRSSKiB: -1,
		HWMMinusFileKiB: -1, AnonymousKiB: -1, MaxRSSKiB: -1,
	}
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Ptrace: !opts.NoTrace},
	}
	start := time.Now()
	pid, err := syscall.ForkExec(path, argv, attr)
	if err != nil && attr.Sys.Ptrace && refused(err) {
		warn(fmt.Sprintf("memprobe: ptrace not permitted (%v): falling back to wait4 rusage; anonymous and file-backed fields are -1", err))
		attr.Sys.Ptrace = false
		start = time.Now()
		pid, err = syscall.ForkExec(path, argv, attr)
	}
	if err != nil {
		return result{}, fmt.Errorf("start %s: %w", argv[0], err)
	}
	if opts.Started != nil {
		opts.Started(pid)
	}

	var (
		ws      syscall.WaitStatus
		ru      syscall.Rusage
		reading time.Duration // time spent reading /proc, kept out of wall_s
	)
	done := false
	if attr.Sys.Ptrace {
		res.Traced = true
		// The first stop is the SIGTRAP that follows a successful execve
		// of a PTRACE_TRACEME child.
		if err := wait(pid, &ws, &ru); err != nil {
			return result{}, err
		}
		// Killed before it ran (SIGKILL from outside): nothing to trace.
		done = !ws.Stopped()
		if !done {
			// TRACEEXEC turns a later execve's legacy SIGTRAP into an
			// event stop, so it is never forwarded (which would kill a
			// child that does not handle SIGTRAP). No TRACECLONE: only
			// the main thread is traced, so the other threads of a Go
			// program never stop.
			opts := syscall.PTRACE_O_TRACEEXIT | syscall.PTRACE_O_TRACEEXEC | ptraceOExitKill
			if err := syscall.PtraceSetOptions(pid, opts); err != nil {
				warn(fmt.Sprintf("memprobe: PTRACE_SETOPTIONS: %v: falling back to wait4 rusage", err))
				res.Traced = false
				_ = syscall.PtraceDetach(pid)
			} else if err := syscall.PtraceCont(pid, 0); err != nil {
				return result{}, fmt.Errorf("PTRACE_CONT: %w", err)
			}
		}
	}
	for !done {
		if err := wait(pid, &ws, &ru); err != nil {
			return result{}, err
		}
		if done = ws.Exited() || ws.Signaled(); done {
			break
		}
		if !ws.Stopped() {
			continue
		}
		sig := ws.StopSignal()
		forward := 0
		switch {
		case sig == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			// The tracee has not yet released its address space: the
			// counters below are those of the finished program.
			t := time.Now()
			readProc(pid, &res)
			reading += time.Since(t)
		case sig == syscall.SIGTRAP && ws.TrapCause() > 0:
			// Another event stop (exec): nothing to deliver.
		case groupStop(pid):
			// A job-control stop. A PTRACE_TRACEME tracer is not told
			// of the SIGCONT that would end it, and the traced main
			// thread would stay stopped after it: stops are not
			// honoured, the whole child is continued at once, so a
			// benchmark never hangs in one.
			_ = syscall.Kill(pid, syscall.SIGCONT)
		default:
			// A signal-delivery stop: deliver the signal unchanged. Go
			// programs get SIGURG for goroutine preemption here.
			forward = int(sig)
			res.SignalsForwarded++
		}
		if err := syscall.PtraceCont(pid, forward); err != nil && !errors.Is(err, syscall.ESRCH) {
			return result{}, fmt.Errorf("PTRACE_CONT: %w", err)
		}
	}
	res.WallSeconds = (time.Since(start) - reading).Seconds()
	res.MaxRSSKiB = ru.Maxrss // KiB on Linux
	if res.PeakRSSKiB < 0 {
		res.PeakRSSKiB = res.MaxRSSKiB
	}
	if ws.Signaled() {
		res.ExitCode = 128 + int(ws.Signal())
		res.Signal = ws.Signal().String()
	} else {
		res.ExitCode = ws.ExitStatus()
	}
	return res, nil
}

// refused reports whether a ForkExec error means the kernel or a sandbox
// (seccomp, Yama ptrace_scope=3, gVisor) refused PTRACE_TRACEME.
func refused(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ENOSYS)
}

// wait is wait4 on pid, retried on EINTR.
func wait(pid int, ws *syscall.WaitStatus, ru *syscall.Rusage) error {
	for {
		_, err := syscall.Wait4(pid, ws, 0, ru)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("wait4: %w", err)
		}
	}
}

// groupStop reports whether the tracee's current stop is a group-stop:
// PTRACE_GETSIGINFO fails with EINVAL there and succeeds at a
// signal-delivery stop (ptrace(2), "Group-stop").
func groupStop(pid int) bool {
	var info [siginfoBufferSize]byte
	_, _, errno := syscall.Syscall6(syscall.SYS_PTRACE, ptraceGetSiginfo, uintptr(pid), 0, uintptr(unsafe.Pointer(&info[0])), 0, 0)
	return errno == syscall.EINVAL
}

// readProc fills the at-exit fields from /proc/PID/status and
// /proc/PID/smaps_rollup. A file that cannot be read leaves its fields -1.
func readProc(pid int, res *result) {
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		m := kib(data, "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")
		res.PeakRSSKiB = m["VmHWM"]
		res.VmRSSKiB = m["VmRSS"]
		res.RSSAnonKiB = m["RssAnon"]
		res.RSSFileKiB = m["RssFile"]
		res.RSSShmemKiB = m["RssShmem"]
		if res.PeakRSSKiB >= 0 && res.RSSFileKiB >= 0 && res.RSSShmemKiB >= 0 {
			res.HWMMinusFileKiB = res.PeakRSSKiB - res.RSSFileKiB - res.RSSShmemKiB
		}
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		res.AnonymousKiB = kib(data, "Anonymous")["Anonymous"]
	}
}
