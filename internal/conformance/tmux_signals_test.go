package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTmuxSignalJump is a person following a signal in the real binary:
// open scopewalk's review, press > to go to the first signal's file and
// line (marked in the diff, the full text in the detail pane), enter to
// close the detail, esc to go back.
func TestTmuxSignalJump(t *testing.T) {
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
	s := startTmux(t, 160, 50, env, []string{bin, "demo"}, nil)
	s.waitFor("12 staged versions", 15*time.Second)
	s.send("/")
	s.typeText("scopewalk")
	s.send("Enter")
	s.waitFor("(1 of 12)", 5*time.Second)
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
	s.waitFor("(1 of 12)", 5*time.Second)
	s.send("q")
}
