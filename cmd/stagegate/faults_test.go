package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/conformance"
	"github.com/stagegate/stagegate/internal/faultproxy"
)

// proxied puts a fault-injecting proxy in front of the fixture's registry
// and returns it with a userconfig that logs stagegate in through it.
func (f *fixture) proxied() (*faultproxy.Proxy, string) {
	f.t.Helper()
	p, err := faultproxy.New(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { p.Close() })
	uc := filepath.Join(f.t.TempDir(), "npmrc")
	nerf := strings.TrimPrefix(p.URL(), "http:")
	if err := os.WriteFile(uc, []byte("registry="+p.URL()+"\n"+nerf+":_authToken="+f.srv.Token()+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return p, uc
}

// runVia runs stagegate in-process against registry url with userconfig uc.
func (f *fixture) runVia(url, uc string, args ...string) result {
	f.t.Helper()
	saved := f.url
	savedUC := f.userconfig
	f.url, f.userconfig = url, uc
	defer func() { f.url, f.userconfig = saved, savedUC }()
	return f.run(args...)
}

func auditEntries(t *testing.T, path string) []audit.Entry {
	t.Helper()
	es, err := audit.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func results(es []audit.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Result)
	}
	return out
}

func TestUnwritableAuditLogIsAnError(t *testing.T) {
	f := newFixture(t)
	t.Setenv("STAGEGATE_AUDIT_LOG", "/dev/null/x/audit.jsonl")
	it := f.find("slugkit", "1.2.1")
	r := f.run("approve", it.ID, "--otp", f.code())
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "audit log") {
		t.Fatalf("approve with an unwritable audit log: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "✓") {
		t.Errorf("printed a success:\n%s", r.stdout)
	}
	if ok, _ := f.published("slugkit", "1.2.1"); ok {
		t.Fatal("published although no audit record could be written")
	}
	r = f.run("reject", it.ID, "--otp", f.code(), "--yes")
	if r.code == 0 {
		t.Fatalf("reject with an unwritable audit log: exit 0\n%s%s", r.stdout, r.stderr)
	}
	if it2 := f.find("slugkit", "1.2.1"); it2.ID != it.ID {
		t.Fatal("rejected although no audit record could be written")
	}
}

func TestRefusalsAreAudited(t *testing.T) {
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
	it := f.find("slugkit", "1.2.1")
	r := f.run("approve", it.ID, "--otp", f.code(), "--shasum", strings.Repeat("0", 40))
	if r.code != 1 || !strings.Contains(r.stdout, "refused") {
		t.Fatalf("--shasum mismatch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	const gone = "00000000-0000-4000-8000-000000000000"
	if r := f.run("reject", gone, "--otp", f.code(), "--yes"); r.code != 1 || !strings.Contains(r.stdout, "no such staged version") {
		t.Fatalf("unknown id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	es := auditEntries(t, logPath)
	if len(es) != 2 || es[0].Result != "refused" || es[0].ID != it.ID || es[0].Package != "slugkit" || !strings.Contains(es[0].Detail, "--shasum") ||
		es[1].Result != "refused" || es[1].ID != gone || es[1].Action != "reject" {
		t.Fatalf("audit log %+v", es)
	}
}

// A registry that applies an approve 6 s after it was sent, to a client
// whose requests time out after 3 s: the outcome is re-checked, not
// reported as a failure, and ends "approved".
func TestLateDeliveryEndsApproved(t *testing.T) {
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
	p, uc := f.proxied()
	p.Add(faultproxy.Rule{Method: "POST", Path: "/approve", Fault: faultproxy.Delay, Delay: 6 * time.Second})
	it := f.find("slugkit", "1.2.1")
	start := time.Now()
	r := f.runVia(p.URL(), uc, "--fetch-timeout", "3s", "approve", it.ID, "--otp", f.code())
	if r.code != 0 {
		t.Fatalf("exit %d after %v\n%s%s", r.code, time.Since(start), r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "✓ slugkit@1.2.1 approved") {
		t.Errorf("want one outcome line, got:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "failed") || strings.Contains(r.stdout+r.stderr, "did not take effect") {
		t.Errorf("contradictory output:\n%s%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "checking whether it took effect") {
		t.Errorf("no progress while checking:\n%s", r.stderr)
	}
	if ok, _ := f.published("slugkit", "1.2.1"); !ok {
		t.Fatal("not published")
	}
	es := auditEntries(t, logPath)
	if got := strings.Join(results(es), ","); got != "intent,approved" {
		t.Fatalf("audit results %s: %+v", got, es)
	}
	if n := len(p.Events()); n == 0 {
		t.Fatal("nothing went through the proxy")
	}
}

var builtBinary struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// stagegateBin builds this command once per test process.
func stagegateBin(t *testing.T) string {
	t.Helper()
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "stagegate-faults-")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "stagegate")
		builtBinary.out, builtBinary.err = exec.Command("go", "build", "-o", builtBinary.path, ".").CombinedOutput()
	})
	if builtBinary.err != nil {
		t.Fatalf("go build: %v\n%s", builtBinary.err, builtBinary.out)
	}
	return builtBinary.path
}

// The process is killed (SIGKILL) after the registry applied its approve
// but before the answer arrived; the next run finds the open intent in
// the audit log, checks the registry and audits the real outcome.
func TestKilledMidApprovalRerunAuditsTheOutcome(t *testing.T) {
	bin := stagegateBin(t)
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	p, uc := f.proxied()
	p.Add(faultproxy.Rule{Method: "POST", Path: "/approve", Fault: faultproxy.Hang})
	it := f.find("slugkit", "1.2.1")

	env := append(os.Environ(), "STAGEGATE_AUDIT_LOG="+logPath, "NO_COLOR=1")
	cmd := exec.Command(bin, "--registry", p.URL(), "--userconfig", uc, "approve", it.ID, "--otp", f.code())
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ev, err := p.Wait(ctx, func(e faultproxy.Event) bool { return e.Method == "POST" && strings.HasSuffix(e.Path, "/approve") })
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("the approve never reached the registry: %v\n%s", err, out.String())
	}
	if ev.Status != 200 {
		t.Fatalf("the registry answered %d", ev.Status)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ok, _ := f.published("slugkit", "1.2.1"); !ok {
		t.Fatal("the approve did not take effect")
	}
	if got := strings.Join(results(auditEntries(t, logPath)), ","); got != "intent" {
		t.Fatalf("after the kill the log holds %q, want the intent alone", got)
	}

	p.Clear()
	rerun := exec.Command(bin, "--registry", p.URL(), "--userconfig", uc, "approve", it.ID, "--otp", f.code())
	rerun.Env = env
	b, err := rerun.CombinedOutput()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "✓ slugkit@1.2.1 approved") || !strings.Contains(string(b), "interrupted") {
		t.Errorf("re-run output:\n%s", b)
	}
	es := auditEntries(t, logPath)
	if got := strings.Join(results(es), ","); got != "intent,approved" {
		t.Fatalf("audit results %s: %+v", got, es)
	}
	if last := es[1]; !last.Resolved || last.ID != it.ID || last.Package != "slugkit" || last.Version != "1.2.1" || last.Shasum != it.Shasum {
		t.Errorf("resolved entry %+v", last)
	}
	for _, e := range p.Events() {
		if e.Method == "POST" && e.Fault == faultproxy.Pass {
			t.Errorf("the re-run sent the approve again: %+v", e)
		}
	}
	if len(audit.Pending(es, "")) != 0 {
		t.Error("an intent is still open")
	}
}

// An intent another run left open (a dashboard killed mid-approval) is
// settled by the next approve of any version, once the registry proves
// its outcome.
func TestOpenIntentOfAnotherIdIsSettled(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	other := f.find("mdtoc", "0.5.0")
	t.Setenv("STAGEGATE_AUDIT_LOG", filepath.Join(t.TempDir(), "elsewhere.jsonl"))
	if r := f.run("approve", it.ID, "--otp", f.code()); r.code != 0 {
		t.Fatalf("approve: %d %s%s", r.code, r.stdout, r.stderr)
	}
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
	// What a process killed right after sending leaves behind.
	open := audit.Entry{Action: "approve", ID: it.ID, Package: "slugkit", Version: "1.2.1", Shasum: it.Shasum, Registry: f.url, Result: audit.Intent, Via: "dashboard"}
	if err := audit.Open(logPath).Append(open); err != nil {
		t.Fatal(err)
	}
	r := f.run("approve", other.ID, "--otp", f.code())
	if r.code != 0 || !strings.Contains(r.stderr, "An earlier, interrupted approve of slugkit@1.2.1: approved") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	es := auditEntries(t, logPath)
	if got := strings.Join(results(es), ","); got != "intent,approved,intent,approved" || !es[1].Resolved || es[1].ID != it.ID {
		t.Fatalf("audit %s: %+v", got, es)
	}
	if len(audit.Pending(es, "")) != 0 {
		t.Error("an intent is still open")
	}
}

// startApprove runs the binary's approve of id through registry url and
// waits until the approve request has reached the proxy's rule.
func startApprove(t *testing.T, bin, url, uc, logPath, id, code string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "--registry", url, "--userconfig", uc, "approve", id, "--otp", code)
	cmd.Env = append(os.Environ(), "STAGEGATE_AUDIT_LOG="+logPath, "NO_COLOR=1")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, out
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitForOutput(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(out.String(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("never printed %q:\n%s", text, out.String())
}

// ctrl+c after the registry applied the approve: the CLI checks and
// reports "approved" once, and audits it.
func TestInterruptedApproveIsCheckedNotFailed(t *testing.T) {
	bin := stagegateBin(t)
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	p, uc := f.proxied()
	p.Add(faultproxy.Rule{Method: "POST", Path: "/approve", Fault: faultproxy.Hang})
	it := f.find("slugkit", "1.2.1")
	cmd, out := startApprove(t, bin, p.URL(), uc, logPath, it.ID, f.code())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := p.Wait(ctx, func(e faultproxy.Event) bool { return e.Method == "POST" }); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("exit %v\n%s", err, out.String())
	}
	s := out.String()
	if !strings.Contains(s, "Interrupted: a request may be in flight; its outcome is being checked") ||
		strings.Count(s, "slugkit@1.2.1") != 1 || !strings.Contains(s, "✓ slugkit@1.2.1 approved") {
		t.Fatalf("output:\n%s", s)
	}
	if got := strings.Join(results(auditEntries(t, logPath)), ","); got != "intent,approved" {
		t.Fatalf("audit %s", got)
	}
}

// A second ctrl+c while the outcome is being checked stops the checks:
// the outcome is recorded as unknown and the command fails.
func TestSecondInterruptRecordsUnknown(t *testing.T) {
	bin := stagegateBin(t)
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	p, uc := f.proxied()
	// Held before the registry sees it: the version stays staged.
	p.Add(faultproxy.Rule{Method: "POST", Path: "/approve", Fault: faultproxy.Delay, Delay: time.Minute})
	it := f.find("slugkit", "1.2.1")
	cmd, out := startApprove(t, bin, p.URL(), uc, logPath, it.ID, f.code())
	// The intent is synced before the request goes out.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if es, _ := audit.Read(logPath); len(es) == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the POST is with the proxy
	cmd.Process.Signal(os.Interrupt)
	waitForOutput(t, out, "checking whether it took effect")
	cmd.Process.Signal(os.Interrupt)
	start := time.Now()
	err := cmd.Wait()
	// Interrupted commands exit 130, as a shell expects of ctrl+c.
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || time.Since(start) > 5*time.Second {
		t.Fatalf("exit %v after %v\n%s", err, time.Since(start), out.String())
	}
	if s := out.String(); !strings.Contains(s, "✗ slugkit@1.2.1 unknown") || !strings.Contains(s, "checks were stopped") {
		t.Fatalf("output:\n%s", s)
	}
	es := auditEntries(t, logPath)
	if got := strings.Join(results(es), ","); got != "intent,unknown" {
		t.Fatalf("audit %s", got)
	}
	if len(audit.Pending(es, "")) != 1 {
		t.Fatal("an unknown outcome must stay open for the next run")
	}

	// The next run finds the version still staged: it says so and goes ahead.
	p.Clear()
	rerun := exec.Command(bin, "--registry", p.URL(), "--userconfig", uc, "approve", it.ID, "--otp", f.code())
	rerun.Env = append(os.Environ(), "STAGEGATE_AUDIT_LOG="+logPath, "NO_COLOR=1")
	b, err := rerun.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "has no known outcome and the version is still staged") || !strings.Contains(string(b), "✓ slugkit@1.2.1 approved") {
		t.Fatalf("re-run: %v\n%s", err, b)
	}
	if got := strings.Join(results(auditEntries(t, logPath)), ","); got != "intent,unknown,intent,approved" {
		t.Fatalf("audit %s", got)
	}
}

// A refusal for a dist-tag moving back (issue 10 item 5) is audited like
// every other refusal.
func TestTagBackwardsRefusalIsAudited(t *testing.T) {
	f := newFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
	id, err := conformance.StageViaAPI(context.Background(), http.DefaultClient, f.url, f.srv.Token(), "slugkit", "1.1.5", "latest")
	if err != nil {
		t.Fatal(err)
	}
	if r := f.run("approve", id, "--otp", f.code()); r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	es := auditEntries(t, logPath)
	if len(es) != 1 || es[0].Result != "refused" || es[0].ID != id || !strings.Contains(es[0].Detail, "moves latest back") {
		t.Fatalf("audit %+v", es)
	}
}
