package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

func TestApproveWithCode(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.mustSee("Approve with 2FA", "Publish:", "@acme/router@1.5.2 → latest", "sha1 1111111111111111111111111111111111111111",
		"✓ tarball verified", "2FA code:")
	for _, w := range []int{80, 120, 200} {
		h.send(resize(w, 30))
		golden(t, fmt.Sprintf("modal-approve-%d", w), h.screen())
	}
	h.send(resize(120, 30))
	h.typeText("12a3 456") // non-digits are ignored
	h.mustSee("••••••")
	h.mustNotSee("123456")
	h.keys("enter")
	calls := f.callsCopy()
	if len(calls) != 1 || calls[0] != (call{"approve", "id-router-152", "1111111111111111111111111111111111111111", "123456", ""}) {
		t.Fatalf("calls %+v", calls)
	}
	if h.m.act != nil || h.m.overlay != ovNone {
		t.Fatal("modal still open after success")
	}
	h.mustSee("✓ approved @acme/router@1.5.2")
}

func TestWrongCodeThenRetry(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("000000")
	h.keys("enter")
	h.mustSee("Approve with 2FA", "✗ The registry did not accept the code: invalid one-time password")
	if got := h.m.act.input.String(); got != "" {
		t.Fatalf("field not cleared: %q", got)
	}
	golden(t, "modal-wrong-code-120", h.screen())
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("✓ approved @acme/router@1.5.2")
	if n := len(f.callsCopy()); n != 2 {
		t.Fatalf("%d calls", n)
	}
}

func TestRejectAsksFirstDefaultNo(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 120, 30)
	h.keys("x")
	h.mustSee("Reject?", "Rejection is permanent", "y reject", "No (default)")
	for _, w := range []int{80, 120, 200} {
		h.send(resize(w, 30))
		golden(t, fmt.Sprintf("confirm-reject-%d", w), h.screen())
	}
	h.keys("enter") // anything but y is No
	if h.m.overlay != ovNone || len(f.callsCopy()) != 0 {
		t.Fatal("enter confirmed a rejection")
	}
	h.mustSee("reject cancelled; nothing was sent")
	h.keys("x", "y")
	h.mustSee("Reject with 2FA", "Permanently reject:")
	h.typeText("123456")
	h.keys("enter")
	calls := f.callsCopy()
	if len(calls) != 1 || calls[0].op != "reject" || calls[0].otp != "123456" {
		t.Fatalf("calls %+v", calls)
	}
	h.mustSee("✓ rejected @acme/router@1.5.2")
}

func TestApproveFromReviewUsesReviewedShasum(t *testing.T) {
	f := richBackend()
	f.reviews["id-router-152"].ReviewedSHA1 = "9999999999999999999999999999999999999999"
	f.decide = codeRegistry(false, 0, "123456")
	h := newHarness(t, f, 120, 30)
	h.keys("enter", "a")
	h.mustSee("sha1 9999999999999999999999999999999999999999")
	h.typeText("123456")
	h.keys("enter")
	if c := f.callsCopy(); len(c) != 1 || c[0].shasum != "9999999999999999999999999999999999999999" {
		t.Fatalf("calls %+v", c)
	}
	if h.m.screen != scrQueue {
		t.Fatal("an approved review should close")
	}
}

func TestWebAuthFlow(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(true, 0, "web-token-xyz"), webOTP: "web-token-xyz", webGate: make(chan struct{})}
	h := newHarness(t, f, 120, 30)
	h.keys("a", "enter") // empty code: browser sign-in
	h.mustSee("Confirm in your browser:", "http://127.0.0.1:4873/-/weblogin/abc", "o open in browser", "waiting for the browser")
	golden(t, "modal-webauth-120", h.screen())
	h.keys("o")
	if len(f.opened) != 1 || f.opened[0] != "http://127.0.0.1:4873/-/weblogin/abc" {
		t.Fatalf("opened %v", f.opened)
	}
	close(f.webGate)
	h.settle()
	calls := f.callsCopy()
	if len(calls) != 2 || calls[0].otp != "" || calls[1].otp != "web-token-xyz" {
		t.Fatalf("calls %+v", calls)
	}
	h.mustSee("✓ approved @acme/router@1.5.2")
	h.mustNotSee("web-token-xyz")
}

func TestWebAuthCancelAndCodesOnly(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(true, 0, "123456"), webGate: make(chan struct{})}
	h := newHarness(t, f, 120, 30)
	h.keys("a", "enter")
	h.mustSee("Confirm in your browser:")
	h.keys("esc")
	h.mustSee("Browser sign-in cancelled", "2FA code:")
	if h.m.act == nil || h.m.act.phase != phaseCode {
		t.Fatal("esc should return to the code field")
	}
	// A registry without web auth says so and keeps the modal.
	f.decide = codeRegistry(false, 0, "123456")
	h.keys("enter")
	h.mustSee("does not offer browser sign-in")
	h.keys("esc")
	if h.m.act != nil {
		t.Fatal("esc did not close the modal")
	}
}

func TestBatchApproveReusesCodeThenAsksAgain(t *testing.T) {
	items := stageItems()
	items = append(items, registry.StageItem{ID: "id-gone", PackageName: "zzz", Version: "0.1.0", Tag: "latest", Shasum: "44"})
	f := &fakeBackend{items: items}
	// Each code is good for two approvals; zzz is gone (404) and fails alone.
	codes := codeRegistry(false, 2, "111111", "222222")
	f.decide = func(c call) error {
		if err := codes(c); err != nil {
			return err
		}
		if c.id == "id-gone" {
			return &registry.Error{Kind: registry.ErrNotFound, Status: 404, Method: "POST", URL: "http://127.0.0.1:4873/-/stage/id-gone/approve", Message: "no such stage"}
		}
		return nil
	}
	h := newHarness(t, f, 120, 30)
	h.keys("*")
	h.mustSee("4 selected")
	h.keys("a")
	h.mustSee("Publish 4 of 4 versions with one code:", "zzz@0.1.0 → latest")
	golden(t, "modal-batch-120", h.screen())
	h.typeText("111111")
	h.keys("enter")
	h.mustSee("2 of 4 done; the registry asks for a new code.", "one-time password expired")
	h.typeText("222222")
	h.keys("enter")
	h.mustSee("Approve: 3 approved, 1 failed", "✓ approved  @acme/router@1.5.2", "✗ failed    zzz@0.1.0: not found", "no such stage")
	golden(t, "results-batch-120", h.screen())
	var otps []string
	for _, c := range f.callsCopy() {
		otps = append(otps, c.otp)
	}
	if strings.Join(otps, ",") != "111111,111111,111111,222222,222222" {
		t.Fatalf("codes sent: %v", otps)
	}
	if len(h.m.selected) != 1 || !h.m.selected["id-gone"] {
		t.Fatalf("selection after batch: %v", h.m.selected)
	}
	h.keys("q") // any key closes the results (and does not quit)
	if h.quit || h.m.overlay != ovNone {
		t.Fatal("results did not close cleanly")
	}
}

func TestBatchStopsOnNetworkError(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	n := 0
	f.decide = func(c call) error {
		n++
		if n == 2 {
			return &registry.Error{Kind: registry.ErrNetwork, Method: "POST", URL: "http://127.0.0.1:4873/-/stage/x/approve", Sent: true}
		}
		return nil
	}
	h := newHarness(t, f, 120, 30)
	h.keys("*", "x", "y")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("Reject: 1 rejected, 1 failed, 1 skipped", "cannot reach the registry", "not attempted")
	if len(f.callsCopy()) != 2 {
		t.Fatalf("%d calls after a network error", len(f.callsCopy()))
	}
}

func TestQuitWhileSendingAsks(t *testing.T) {
	f := &fakeBackend{items: stageItems(), decide: codeRegistry(true, 0, "x"), webGate: make(chan struct{})}
	h := newHarness(t, f, 120, 30)
	h.keys("a", "enter") // waiting for the browser: in flight
	h.keys("q")
	h.mustSee("Quit?", "y quit anyway")
	golden(t, "quit-confirm-120", h.screen())
	h.keys("n")
	if h.quit || h.m.overlay != ovAction {
		t.Fatal("declining should return to the modal")
	}
	h.keys("q", "y")
	if !h.quit {
		t.Fatal("y did not quit")
	}
}

func TestUnknownOutcomeIsReportedNotResent(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	f.decide = func(c call) error {
		return &registry.Error{Kind: registry.ErrTimeout, Method: "POST", URL: "http://127.0.0.1:4873/-/stage/x/approve", Sent: true}
	}
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("Approve: 0 approved, 1 failed", "outcome is unknown")
	if len(f.callsCopy()) != 1 {
		t.Fatal("an approval with an unknown outcome was re-sent")
	}
}

// An approval is only ever sent for a tarball stagegate has read and verified.
func TestApproveRefusesWhatWasNotReviewed(t *testing.T) {
	gate := make(chan struct{})
	f := &fakeBackend{items: stageItems(), gate: gate, decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 120, 40)
	h.keys("a")
	h.mustSee("not approving yet", "still being reviewed")
	h.mustNotSee("Approve with 2FA")
	close(gate)
	h.settle()
	h.keys("a")
	h.mustSee("Approve with 2FA")
	if len(f.callsCopy()) != 0 {
		t.Fatal("something was sent before the code")
	}
}

func TestApproveRefusesAnIntegrityMismatch(t *testing.T) {
	items := stageItems()
	bad := smallReview(items[0])
	bad.Staged.Verified = false
	f := &fakeBackend{items: items, reviews: map[string]*review.Review{items[0].ID: bad}, decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 120, 40)
	h.keys("a")
	h.mustSee("not approving", "does not match its stage record")
	h.mustNotSee("Approve with 2FA")
	// Rejecting it stays possible: it publishes nothing.
	h.keys("x")
	h.mustSee("Rejection is permanent")
}

func TestApproveRefusesAFailedReview(t *testing.T) {
	items := stageItems()
	f := &fakeBackend{items: items, reviewErr: map[string]error{items[0].ID: errors.New("malformed tarball: unexpected EOF")}}
	h := newHarness(t, f, 120, 40)
	h.keys("a")
	h.mustSee("not approving", "review failed")
	h.mustNotSee("Approve with 2FA")
}

func TestApproveValidatingRefused(t *testing.T) {
	items := stageItems()
	items[0].Status = registry.StatusValidating
	f := &fakeBackend{items: items, decide: codeRegistry(false, 0, "123456")}
	h := newHarness(t, f, 160, 30)
	h.keys("a")
	h.mustSee("still validating on the registry; try again in a moment")
	if h.m.overlay == ovAction || len(f.callsCopy()) != 0 {
		t.Fatal("the 2FA modal opened for a validating version")
	}
	h.keys("enter")
	h.mustSee("validating: not approvable yet")
}
