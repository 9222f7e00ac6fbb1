package conformance

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/devregistry"
)

// TestTmuxSignalJump is a person following a signal in the real binary:
// open scopewalk's review, press > to go to the first signal's file and
// line (marked in the diff, the full text in the detail pane), enter to
// close the detail, esc to go back.
func TestTmuxSignalJump(t *testing.T) {
	s, _ := startDemoTmux(t, 160, 50)
	s.waitFor("13 staged versions", 15*time.Second)
	s.send("/")
	s.typeText("scopewalk")
	s.send("Enter")
	s.waitFor("(1 of 13)", 5*time.Second)
	s.send("Enter")
	s.waitFor("> goes to each signal", 15*time.Second)
	s.send(">")
	scr := s.waitFor("Signal 1/", 5*time.Second)
	for _, want := range []string{"signal 1/", "lib/build.js:10", "process-spawn", "Runs at install time"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("after >, the screen lacks %q:\n%s", want, scr)
		}
	}
	marked := false
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "▶") && strings.Contains(l, "require('child_process')") {
			marked = true
		}
	}
	if !marked {
		t.Fatalf("line 10 (the spawn) is not marked:\n%s", scr)
	}
	s.send(">")
	s.waitFor("signal 2/", 5*time.Second)
	s.send("Enter") // closes the detail pane
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(s.screen(), "Signal 2/") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if scr := s.screen(); strings.Contains(scr, "Signal 2/") {
		t.Fatalf("enter did not close the detail:\n%s", scr)
	}
	s.send("Escape")
	s.waitFor("(1 of 13)", 5*time.Second)
	s.send("q")
}

// TestTmuxDiffPagerAndInterrupt runs `stagegate diff` on a real terminal:
// the human output goes through $PAGER (here a command that records what
// it was given), --json never does, and ctrl+c while a request hangs exits
// 130.
func TestTmuxDiffPagerAndInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	bin := stagegateBinary(t)
	srv, u := startRegistry(t, devregistry.Options{})
	id := stageDirect(t, u, srv.Token(), "pager-check", "1.0.0", "")
	home := t.TempDir()
	rc := filepath.Join(home, "npmrc")
	if err := os.WriteFile(rc, []byte("registry="+u+"\n"+nerf(u)+":_authToken="+srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	paged := filepath.Join(home, "paged.txt")
	env := []string{"HOME=" + home, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH"), "PAGER=cat > " + paged + "; echo PAGER-DONE"}
	script := filepath.Join(home, "run.sh")
	body := "#!/bin/sh\n" +
		bin + " --userconfig " + rc + " diff " + id + "; echo \"EXIT-PAGED=$?\"\n" +
		bin + " --userconfig " + rc + " diff pager-check@1.0.0 --json > " + filepath.Join(home, "json.txt") + "; echo \"EXIT-JSON=$?\"\n" +
		"sleep 60\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 120, 30, env, []string{"sh", script}, []string{srv.Token()})
	s.waitFor("EXIT-JSON=0", 20*time.Second)
	scr := s.screen()
	if !strings.Contains(scr, "PAGER-DONE") || !strings.Contains(scr, "EXIT-PAGED=0") {
		t.Fatalf("the pager did not run:\n%s", scr)
	}
	b, err := os.ReadFile(paged)
	if err != nil || !strings.Contains(string(b), "pager-check") || !strings.Contains(string(b), "files") {
		t.Fatalf("the pager got %q (%v)", b, err)
	}
	if strings.Count(scr, "PAGER-DONE") != 1 {
		t.Fatalf("--json went through the pager:\n%s", scr)
	}

	// ctrl+c while the registry does not answer: exit 130.
	hang := startHangingServer(t)
	script2 := filepath.Join(home, "hang.sh")
	body2 := "#!/bin/sh\ntrap true INT\n" + bin + " --registry " + hang + " --userconfig " + rc + " diff " + id + "; echo \"EXIT-CODE=$?\"\nsleep 60\n"
	if err := os.WriteFile(script2, []byte(body2), 0o700); err != nil {
		t.Fatal(err)
	}
	s2 := startTmux(t, 120, 30, env, []string{"sh", script2}, []string{srv.Token()})
	time.Sleep(1500 * time.Millisecond)
	s2.send("C-c")
	s2.waitFor("EXIT-CODE=130", 10*time.Second)
}

// startHangingServer accepts requests and never answers them.
func startHangingServer(t *testing.T) string {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL + "/"
}
