package conformance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession drives the real stagegate binary in a real terminal (tmux):
// keys go in with send-keys, the screen comes back with capture-pane.
type tmuxSession struct {
	t       testing.TB
	name    string
	socket  string
	secrets []string
}

func needTmux(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("STAGEGATE_REQUIRE_TMUX") == "1" {
			t.Fatal("tmux is required (STAGEGATE_REQUIRE_TMUX=1) but not installed: run `make setup`")
		}
		t.Skip("tmux not installed; `make setup` installs it")
	}
	return bin
}

func startTmux(t testing.TB, width, height int, env []string, command []string, secrets []string) *tmuxSession {
	t.Helper()
	needTmux(t)
	s := &tmuxSession{t: t, name: "sg", socket: filepath.Join(t.TempDir(), "tmux.sock"), secrets: secrets}
	// The command line holds no secret: the token is in the user config file.
	args := []string{"-S", s.socket, "-f", "/dev/null", "new-session", "-d", "-s", s.name,
		"-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "--"}
	args = append(args, "env", "-i")
	args = append(args, env...)
	args = append(args, command...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if out, err := exec.Command("tmux", "-S", s.socket, "send-keys", "-t", s.name, k).CombinedOutput(); err != nil {
			s.t.Fatalf("send-keys %q: %v %s", k, err, out)
		}
		time.Sleep(60 * time.Millisecond) // a person types; bubbletea batches fast input
	}
}

// typeText sends literal text (no key-name lookup).
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	for _, r := range text {
		if out, err := exec.Command("tmux", "-S", s.socket, "send-keys", "-t", s.name, "-l", string(r)).CombinedOutput(); err != nil {
			s.t.Fatalf("send-keys -l: %v %s", err, out)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

func (s *tmuxSession) screen() string {
	s.t.Helper()
	out, err := exec.Command("tmux", "-S", s.socket, "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitFor polls the screen until it contains want, and returns it.
func (s *tmuxSession) waitFor(want string, within time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		last = s.screen()
		if strings.Contains(last, want) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %q; last screen:\n%s", want, Redact(last, s.secrets...))
	return ""
}

func (s *tmuxSession) alive() bool {
	return exec.Command("tmux", "-S", s.socket, "has-session", "-t", s.name).Run() == nil
}

// TestTmuxApproveAndReject is a person at the dashboard: open a review,
// approve it with the current TOTP code, reject another after confirming,
// and check with npm that the first is live and the second gone.
func TestTmuxApproveAndReject(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	npmBin := needNPM(t)
	needTmux(t)
	sl := startBinaryRegistry(t, "--seed", "demo")
	w := newWorld(t, npmBin, sl.URL, sl.Token, sl.TOTPSecret)
	bin := stagegateBinary(t)

	env := w.dashboardEnv()
	s := startTmux(t, 120, 36, env, []string{bin, "--registry", sl.URL, "--userconfig", w.userrc, "--no-mouse"}, w.secrets)

	s.waitFor("slugkit", 15*time.Second)
	s.waitFor("13 staged versions", 15*time.Second)

	// Open slugkit's review through the filter.
	s.send("/")
	s.typeText("slugkit")
	s.send("Enter")
	s.send("Enter")
	screen := s.waitFor("vs 1.2.0", 15*time.Second)
	if !strings.Contains(screen, "verified") {
		t.Errorf("review header does not say the tarball is verified:\n%s", screen)
	}
	s.send("Tab", "n")
	s.waitFor("@@", 5*time.Second)

	// Approve from the review with a live code.
	s.send("a")
	s.waitFor("2FA code", 5*time.Second)
	otp := code(t, sl.TOTPSecret)
	w.addSecret(otp)
	s.secrets = w.secrets
	s.typeText(otp)
	s.send("Enter")
	s.waitFor("approved slugkit@1.2.1", 20*time.Second)
	if scr := s.screen(); strings.Contains(scr, otp) {
		t.Error("the one-time code stayed on screen after approval")
	}
	v := w.npmView("slugkit")
	if !contains(v.Versions, "1.2.1") || v.DistTags["latest"] != "1.2.1" {
		t.Fatalf("npm view after approval: %+v", v)
	}

	// Reject @acme/router 1.5.2 from the queue: confirm, then 2FA.
	s.send("Escape")
	s.waitFor("12 staged versions", 10*time.Second)
	s.send("/")
	s.typeText("router")
	s.send("Enter")
	s.waitFor("1.5.2", 5*time.Second)
	s.send("x")
	s.waitFor("permanent", 5*time.Second)
	s.send("y")
	s.waitFor("2FA code", 5*time.Second)
	otp = code(t, sl.TOTPSecret)
	w.addSecret(otp)
	s.secrets = w.secrets
	s.typeText(otp)
	s.send("Enter")
	s.waitFor("rejected @acme/router@1.5.2", 20*time.Second)
	if rv := w.npmView("@acme/router"); contains(rv.Versions, "1.5.2") || rv.DistTags["latest"] != "1.5.1" {
		t.Fatalf("npm view after rejection: %+v", rv)
	}
	if got := w.runSG("view", "--json", findID(t, w, "@acme/router", "1.5.2")); got.ExitCode == 0 {
		t.Fatal("the rejected stage item is still there")
	}

	s.send("q")
	deadline := time.Now().Add(5 * time.Second)
	for s.alive() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if s.alive() {
		t.Errorf("q did not quit; screen:\n%s", Redact(s.screen(), s.secrets...))
	}
	audit, err := os.ReadFile(filepath.Join(w.home, "state", "stagegate", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"result":"approved"`, `"result":"rejected"`} {
		if !strings.Contains(string(audit), want) {
			t.Errorf("audit log lacks %s:\n%s", want, audit)
		}
	}
	for _, sec := range w.secrets {
		if strings.Contains(string(audit), sec) {
			t.Error("the audit log holds a secret")
		}
	}
}

// findID returns the stage id that a rejected item had, from the audit log's point of view:
// the item is gone, so look it up in the registry's seed order via the audit log.
func findID(t testing.TB, w *world, pkg, version string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.home, "state", "stagegate", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"package":"`+pkg+`"`) && strings.Contains(line, `"version":"`+version+`"`) {
			i := strings.Index(line, `"id":"`)
			if i >= 0 {
				rest := line[i+6:]
				return rest[:strings.Index(rest, `"`)]
			}
		}
	}
	t.Fatalf("no audit entry for %s@%s", pkg, version)
	return ""
}

// startDemoTmux runs `stagegate demo` in tmux at width x height with a
// fresh HOME and TMPDIR, and returns the session and that TMPDIR.
func startDemoTmux(t *testing.T, width, height int) (*tmuxSession, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	bin := stagegateBinary(t)
	home := t.TempDir()
	tmp := filepath.Join(home, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "TMPDIR=" + tmp, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	return startTmux(t, width, height, env, []string{bin, "demo"}, nil), tmp
}

// TestTmuxDemoSmallAndWide opens `stagegate demo` at 80x24 and 200x60, checks
// the layout fits, resizes below the minimum, and quits leaving nothing behind.
func TestTmuxDemoSmallAndWide(t *testing.T) {
	s, tmp := startDemoTmux(t, 80, 24)
	scr := s.waitFor("demo 2FA code", 15*time.Second)
	s.waitFor("13 staged versions", 15*time.Second)
	for i, line := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("line %d is %d columns wide at 80x24", i+1, w)
		}
	}
	s.send("?")
	s.waitFor("approve", 5*time.Second)
	s.send("Escape")
	exec.Command("tmux", "-S", s.socket, "resize-window", "-t", s.name, "-x", "40", "-y", "10").Run()
	s.waitFor("too small", 5*time.Second)
	exec.Command("tmux", "-S", s.socket, "resize-window", "-t", s.name, "-x", "200", "-y", "60").Run()
	s.waitFor("13 staged versions", 5*time.Second)
	s.send("Enter")
	s.waitFor("verified", 15*time.Second)
	s.send("Escape", "q")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for s.alive() && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	if s.alive() {
		t.Fatalf("demo did not quit; screen:\n%s", s.screen())
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("the demo left %d entries in TMPDIR", len(left))
	}
}

// TestTmuxDemoPosture: in the real binary, P opens the release posture
// view over the demo registry's packages, with the safe and the unsafe
// package in red and green, and any other key closes it.
func TestTmuxDemoPosture(t *testing.T) {
	s, _ := startDemoTmux(t, 130, 40)
	s.waitFor("13 staged versions", 15*time.Second)
	s.send("P")
	scr := s.waitFor("1 of 1 trusted publisher may npm publish", 15*time.Second)
	for _, want := range []string{"Release posture", "✓ mfa=publish", "✗ mfa=automation", "✓ 1 trusted publisher, stage-only", "THIS PROJECT AND MACHINE"} {
		if !strings.Contains(scr, want) {
			t.Errorf("posture view lacks %q:\n%s", want, scr)
		}
	}
	for i, line := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
		if w := len([]rune(line)); w > 130 {
			t.Errorf("line %d is %d columns wide at 130x40", i+1, w)
		}
	}
	s.send("Escape")
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(s.screen(), "Release posture") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if scr := s.screen(); strings.Contains(scr, "Release posture") || !strings.Contains(scr, "scopewalk") {
		t.Errorf("esc did not go back to the queue:\n%s", scr)
	}
	s.send("q")
}
