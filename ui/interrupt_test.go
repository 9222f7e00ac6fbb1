package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
)

// checkingBackend plays a Backend whose approve is in flight until the
// request is cancelled, then checks its outcome until resolved is closed
// (it took effect) or the checks are stopped (unknown).
func checkingBackend(resolved chan struct{}, stopped chan<- bool) func(ctx context.Context, c call) error {
	return func(ctx context.Context, c call) error {
		<-ctx.Done() // the request is cut off by ctrl+c
		checks, ok := approval.ChecksContext(ctx)
		if !ok {
			return errors.New("no checks context")
		}
		select {
		case <-resolved:
			stopped <- false
			return nil // the checks found the version published
		case <-checks.Done():
			stopped <- true
			return &registry.Error{Kind: registry.ErrCanceled, Method: "POST", URL: "http://127.0.0.1:4873/-/stage/x/approve", Sent: true}
		}
	}
}

func TestCtrlCWhileSendingChecksTheOutcome(t *testing.T) {
	resolved, stopped := make(chan struct{}), make(chan bool, 1)
	f := &fakeBackend{items: stageItems(), decideCtx: checkingBackend(resolved, stopped)}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c with an approve in flight quit without checking its outcome")
	}
	h.mustSee("Interrupted.", "may have reached the registry: checking its", "ctrl+c again quits", "checking the outcome of the interrupted approve")
	close(resolved)
	h.settle()
	if !h.quit {
		t.Fatal("did not quit once the outcome was known")
	}
	if <-stopped {
		t.Fatal("the checks were stopped")
	}
	if h.m.interrupts == 0 || !strings.Contains(h.m.interruptMsg, "@acme/router@1.5.2 approved (checked after ctrl+c)") {
		t.Fatalf("interrupts %d, message %q", h.m.interrupts, h.m.interruptMsg)
	}
	if len(f.callsCopy()) != 1 {
		t.Fatal("re-sent")
	}
}

func TestSecondCtrlCStopsTheChecksAndQuits(t *testing.T) {
	resolved, stopped := make(chan struct{}), make(chan bool, 1)
	f := &fakeBackend{items: stageItems(), decideCtx: checkingBackend(resolved, stopped)}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.keys("ctrl+c")
	h.keys("ctrl+c")
	if !h.quit {
		t.Fatal("a second ctrl+c did not quit")
	}
	if !<-stopped {
		t.Fatal("the checks were not stopped")
	}
	if !strings.Contains(h.m.interruptMsg, "outcome is unknown") {
		t.Fatalf("message %q", h.m.interruptMsg)
	}
}

func TestCtrlCWhenIdleStillQuitsAtOnce(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 120, 30)
	h.keys("a") // the 2FA modal: nothing in flight
	h.keys("ctrl+c")
	if !h.quit || h.m.interrupts != 0 {
		t.Fatalf("quit %v, interrupts %d", h.quit, h.m.interrupts)
	}
}

func TestAuditWriteFailureIsAFailedRow(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	f.decide = func(c call) error {
		return errors.Join(errors.New("approve approved, but the audit log could not be written"), approval.ErrAuditWrite)
	}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("Approve: 0 approved, 1 failed", "✗", "audit log could not be written")
	h.mustNotSee("✓ approved")
}

func TestChecksProgressShowsInTheModal(t *testing.T) {
	release := make(chan struct{})
	f := &fakeBackend{items: stageItems()}
	f.decideCtx = func(ctx context.Context, c call) error {
		approval.ProgressFunc(ctx)("the registry's answer to the approve was lost; checking whether it took effect: the version is still staged (3s of 30s)")
		<-release
		return nil
	}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("answer to the approve was lost", "(3s of 30s)")
	close(release)
	h.settle()
	h.mustSee("✓ approved @acme/router@1.5.2")
}
