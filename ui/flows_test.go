package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
)

// These flows run the real bubbletea Program (teatest) against the fake
// Backend: keys go in as a user types them, the screen is read back.

func startFlow(t *testing.T, f *fakeBackend) *teatest.TestModel {
	t.Helper()
	m := New(f, Options{AutoRefresh: -1, Now: func() time.Time { return fixedNow }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	// One wait: a wait consumes the output it has read, and both the list
	// and the first review summaries may arrive in the same frame.
	waitText(t, tm, "✓ verified")
	return tm
}

func waitText(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(s))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func finish(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
}

func TestFlowApproveWithCode(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	tm := startFlow(t, f)
	tm.Type("a")
	waitText(t, tm, "Approve with 2FA")
	tm.Type("123456")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "✓ approved @acme/router@1.5.2")
	m := finish(t, tm)
	if c := f.callsCopy(); len(c) != 1 || c[0].otp != "123456" || c[0].op != "approve" {
		t.Fatalf("calls %+v", c)
	}
	golden(t, "flow-approve", withoutStatusBar(m))
}

func TestFlowWrongCodeThenRetry(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "654321")}
	tm := startFlow(t, f)
	tm.Type("a")
	waitText(t, tm, "Approve with 2FA")
	tm.Type("111111")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "invalid one-time password")
	tm.Type("654321")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "✓ approved @acme/router@1.5.2")
	finish(t, tm)
	if c := f.callsCopy(); len(c) != 2 || c[0].otp != "111111" || c[1].otp != "654321" {
		t.Fatalf("calls %+v", c)
	}
}

func TestFlowRejectWithConfirmation(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	tm := startFlow(t, f)
	tm.Type("jjx") // left-pad
	waitText(t, tm, "Rejection is permanent")
	tm.Type("y")
	waitText(t, tm, "Reject with 2FA")
	tm.Type("123456")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "✓ rejected left-pad@2.0.0")
	finish(t, tm)
	if c := f.callsCopy(); len(c) != 1 || c[0].op != "reject" || c[0].id != "id-leftpad-200" {
		t.Fatalf("calls %+v", c)
	}
}

func TestFlowBatchApprove(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	tm := startFlow(t, f)
	tm.Type("  ") // select the first two rows
	waitText(t, tm, "2 selected")
	tm.Type("a")
	waitText(t, tm, "Publish 2 of 2 versions with one code")
	tm.Type("123456")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "Approve: 2 approved")
	m := finish(t, tm)
	c := f.callsCopy()
	if len(c) != 2 || c[0].otp != "123456" || c[1].otp != "123456" {
		t.Fatalf("calls %+v", c)
	}
	golden(t, "flow-batch", withoutStatusBar(m))
}

func TestFlowWebAuth(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(true, 0, "tok-from-browser"), webOTP: "tok-from-browser", webGate: make(chan struct{})}
	tm := startFlow(t, f)
	tm.Type("a")
	waitText(t, tm, "Approve with 2FA")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "http://127.0.0.1:4873/-/weblogin/abc")
	tm.Type("o")
	close(f.webGate)
	waitText(t, tm, "✓ approved @acme/router@1.5.2")
	m := finish(t, tm)
	if c := f.callsCopy(); len(c) != 2 || c[1].otp != "tok-from-browser" {
		t.Fatalf("calls %+v", c)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.opened) != 1 {
		t.Fatalf("opened %v", f.opened)
	}
	if bytes.Contains([]byte(m.View()), []byte("tok-from-browser")) {
		t.Fatal("the web token reached the screen")
	}
}

// withoutStatusBar is the final screen minus the status bar, whose spinner
// depends on whether the post-action refresh had answered yet.
func withoutStatusBar(m *Model) string {
	s := ansi.Strip(m.View())
	return s[:strings.LastIndexByte(s, '\n')]
}
