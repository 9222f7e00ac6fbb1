package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/faultproxy"
)

// TestTmuxCtrlCDuringApproval is a person pressing ctrl+c while an
// approve is with the registry (held by a proxy, so the version stays
// staged): the dashboard says the outcome is being checked and shows the
// checks; a second ctrl+c quits with status 130, and the audit log
// records the outcome as unknown.
func TestTmuxCtrlCDuringApproval(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	bin := stagegateBinary(t)
	srv, regURL := startRegistry(t, devregistry.Options{})
	if err := srv.Seed(assets.Demo()); err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.New(regURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.Add(faultproxy.Rule{Method: "POST", Path: "/approve", Fault: faultproxy.Delay, Delay: 5 * time.Minute})

	home := t.TempDir()
	uc := filepath.Join(home, "npmrc")
	if err := os.WriteFile(uc, []byte("registry="+p.URL()+"\n"+nerf(p.URL())+":_authToken="+srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(home, "audit.jsonl")
	secrets := []string{srv.Token(), srv.TOTPSecret()}
	env := []string{"HOME=" + home, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH"), "STAGEGATE_AUDIT_LOG=" + logPath,
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache")}
	// The shell prints the exit status once the dashboard has left the screen.
	script := `"$0" --registry "$1" --userconfig "$2" --no-mouse; echo "EXIT=$?"; sleep 60`
	s := startTmux(t, 120, 36, env, []string{"/bin/sh", "-c", script, bin, p.URL(), uc}, secrets)
	s.waitFor("staged versions", 15*time.Second)

	// a opens the 2FA modal once the current row's review is in.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.screen(), "2FA code") {
		if time.Now().After(deadline) {
			t.Fatalf("the 2FA modal never opened:\n%s", Redact(s.screen(), secrets...))
		}
		s.send("a")
		time.Sleep(300 * time.Millisecond)
	}
	otp := code(t, srv.TOTPSecret())
	s.secrets = append(s.secrets, otp)
	s.typeText(otp)
	s.send("Enter")
	s.waitFor("Approving", 5*time.Second)
	// Wait until the intent is synced: the request is then on its way.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if es, _ := audit.Read(logPath); len(es) == 1 && es[0].Result == audit.Intent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no intent in the audit log")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)

	s.send("C-c")
	s.waitFor("Interrupted", 5*time.Second)
	scr := s.waitFor("checking whether it took effect", 10*time.Second)
	if !strings.Contains(scr, "ctrl+c again quits") {
		t.Errorf("the modal does not say what a second ctrl+c does:\n%s", Redact(scr, secrets...))
	}
	s.send("C-c")
	scr = s.waitFor("EXIT=130", 10*time.Second)
	if !strings.Contains(scr, "after ctrl+c") || !strings.Contains(scr, "unknown") {
		t.Errorf("the outcome is not reported after the dashboard closed:\n%s", Redact(scr, secrets...))
	}
	es, err := audit.Read(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Result != audit.Intent || es[1].Result != audit.Unknown || es[1].Via != "dashboard" {
		t.Fatalf("audit log %+v", es)
	}
	if n := len(p.Events()); n == 0 {
		t.Fatal("nothing went through the proxy")
	}
	for _, e := range p.Events() {
		if e.Method == "POST" {
			t.Fatalf("the held approve reached the registry: %+v", e)
		}
	}
}
