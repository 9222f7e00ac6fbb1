package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/posture"
	"github.com/stagegate/stagegate/internal/registry"
)

func postureReport() posture.Report {
	return posture.Evaluate("http://127.0.0.1:4873/", "maintainer", []posture.PackageFacts{
		{Name: "@demo/greet", MFA: registry.MFA{PublishRequiresTFA: true},
			Trust: []registry.TrustRelation{{ID: "t1", Type: "github", Permissions: []string{registry.PermStagePublish}}}},
		{Name: "pad-lite\x1b[2J", MFA: registry.MFA{PublishRequiresTFA: true, AutomationOverrides: true},
			Trust: []registry.TrustRelation{{ID: "34a3dd6c", Type: "github", Permissions: []string{registry.PermPublish},
				Claims: map[string]string{"repository": "demo/pad-lite", "workflow_ref.file": "publish.yml"}}}},
	}, []registry.TokenInfo{{Key: "e41562aa", Bypass2FA: true}}, nil,
		posture.LocalFacts{Settings: map[string]string{posture.CheckGit: "none"}, NPMVersion: "11.19.1"})
}

// newPostureHarness is newHarness with Options.Posture answering fn.
func newPostureHarness(t *testing.T, fn func(context.Context) (posture.Report, error), w, h int) *harness {
	t.Helper()
	f := &fakeBackend{items: stageItems()}
	m := newModel(context.Background(), f, Options{Now: func() time.Time { return fixedNow }, Posture: fn}, termenv.Ascii, true)
	hs := &harness{t: t, m: m, f: f, msgs: make(chan tea.Msg, 64)}
	m.after = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		hs.timers = append(hs.timers, fn)
		return nil
	}
	t.Cleanup(m.cancel)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.exec(m.Init())
	hs.settle()
	return hs
}

func TestPostureView(t *testing.T) {
	calls := 0
	h := newPostureHarness(t, func(context.Context) (posture.Report, error) {
		calls++
		return postureReport(), nil
	}, 120, 40)
	h.keys("P")
	got := h.screen()
	golden(t, "posture-120", got)
	for _, want := range []string{"✓ mfa=publish", "✗ mfa=automation", "✗ 1 of 1 trusted publisher may npm publish",
		"npm access set mfa=publish", "npm token revoke e41562", "npm config set allow-remote=none --location=project"} {
		if !strings.Contains(got, want) {
			t.Errorf("view lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(h.m.View(), "\x1b[2J") {
		t.Error("a raw escape sequence from the registry reached the screen")
	}
	// At 80 columns the widest column gives way; nothing wraps.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 30})
	golden(t, "posture-80", h.screen())
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.keys("r")
	if calls != 2 {
		t.Errorf("r re-checks: %d calls", calls)
	}
	h.keys("esc")
	if h.m.overlay != ovNone || !strings.Contains(h.screen(), "PACKAGE") && strings.Contains(h.screen(), "Release posture") {
		t.Errorf("esc did not close the view:\n%s", h.screen())
	}
}

func TestPostureViewErrorAndMissing(t *testing.T) {
	h := newPostureHarness(t, func(context.Context) (posture.Report, error) {
		return posture.Report{}, errors.New("unauthorized: log in\x07")
	}, 80, 24)
	h.keys("P")
	if s := h.screen(); !strings.Contains(s, "✗ unauthorized: log in") || strings.Contains(h.m.View(), "\x07") {
		t.Errorf("error view:\n%s", s)
	}
	// Without Options.Posture (tests, other hosts) the key only says so.
	h2 := newHarness(t, &fakeBackend{items: stageItems()}, 80, 24)
	h2.keys("P")
	if h2.m.overlay == ovPosture || !strings.Contains(h2.screen(), "release posture is not available") {
		t.Errorf("no posture func:\n%s", h2.screen())
	}
}
