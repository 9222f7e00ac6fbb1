package ui

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

func TestAnnounceNewlyStaged(t *testing.T) {
	var mu sync.Mutex
	var got []string
	f := &fakeBackend{items: stageItems()}
	h := newHarnessWith(t, f, 120, 30, func(m *Model) {
		m.opts.Notify = func(title, body string) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, title+" | "+body)
			return nil
		}
	})
	h.keys("r")
	mu.Lock()
	if len(got) != 0 {
		t.Fatalf("the first lists are the baseline, not news: %v", got)
	}
	mu.Unlock()
	f.mu.Lock()
	f.items = append(f.items, registry.StageItem{ID: "id-new", PackageName: "evil\x1b]0;x\apkg", Version: "9.9.9", Tag: "latest", Shasum: "4444444444444444444444444444444444444444"})
	f.mu.Unlock()
	h.keys("r")
	h.mustSee("newly staged: evil␛]0;x␇pkg@9.9.9")
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "stagegate: 1 newly staged | ") {
		t.Fatalf("notifications %q", got)
	}
}

func TestNotifySequenceIsSafe(t *testing.T) {
	var buf bytes.Buffer
	w := &syncWriter{w: &buf}
	if err := w.notify("stagegate: 1 newly staged", "a\x1b]52;c;aGk=\a;b\u202e@1.0.0"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	want := "\a\x1b]9;stagegate: 1 newly staged: a ]52;c;aGk= ;b@1.0.0\a\x1b]777;notify;stagegate: 1 newly staged;a ]52,c,aGk= ,b@1.0.0\a"
	if out != want {
		t.Fatalf("got  %q\nwant %q", out, want)
	}
	if strings.Count(out, "\x1b") != 2 || strings.Count(out, "\a") != 3 {
		t.Errorf("registry text added control bytes: %q", out)
	}
}

// TestTerminalWriterKeepsTheTerminal: bubbletea reads the terminal size
// through its output's file descriptor; the notification writer must not
// hide it.
func TestTerminalWriterKeepsTheTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, _ := terminalWriter(f)
	if tf, ok := w.(ttyFile); !ok || tf.Fd() != f.Fd() {
		t.Fatalf("a file output lost its Fd: %T", w)
	}
	var buf bytes.Buffer
	if _, ok := func() (io.Writer, bool) { w, _ := terminalWriter(&buf); _, ok := w.(ttyFile); return w, ok }(); ok {
		t.Fatal("a buffer became a file")
	}
}

// TestDesktopNotification: --notify desktop shows the terminal's
// notification and a desktop one, with the same cleaned text; a desktop
// failure (no notification daemon) does not stop the terminal's.
func TestDesktopNotification(t *testing.T) {
	var buf bytes.Buffer
	w := &syncWriter{w: &buf}
	var gotTitle, gotBody string
	n := withDesktop(w.notify, func(title, body string) error {
		gotTitle, gotBody = title, body
		return errors.New("no notification daemon")
	})
	err := n("stagegate: 1 newly staged", "evil\x1b[2J\u202e@1.0.0")
	if err == nil || !strings.Contains(err.Error(), "no notification daemon") {
		t.Fatalf("the desktop error is lost: %v", err)
	}
	if !strings.Contains(buf.String(), "\x1b]9;") {
		t.Fatalf("no terminal notification: %q", buf.String())
	}
	if gotTitle != "stagegate: 1 newly staged" || gotBody != "evil [2J@1.0.0" {
		t.Fatalf("desktop got %q / %q", gotTitle, gotBody)
	}
	if withDesktop(w.notify, nil) == nil {
		t.Fatal("no notifier without a desktop one")
	}
}
