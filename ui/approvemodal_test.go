package ui

import (
	"strings"
	"sync"
	"testing"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/signals"
)

// lodashQueue is issue 10 item 1: 4.17.21 and 4.17.22 staged over a live
// 4.17.20.
func lodashQueue() []registry.StageItem {
	return []registry.StageItem{
		{ID: "id-21", PackageName: "lodash", Version: "4.17.21", Tag: "latest", CreatedAt: "2026-11-25T10:00:00Z", Actor: "jdd", Shasum: "2121212121212121212121212121212121212121"},
		{ID: "id-22", PackageName: "lodash", Version: "4.17.22", Tag: "latest", CreatedAt: "2026-11-25T11:00:00Z", Actor: "jdd", Shasum: "2222222222222222222222222222222222222222"},
	}
}

func baseReview(it registry.StageItem, base string, files int) *review.Review {
	r := smallReview(it)
	r.Base = &review.Base{Version: base, Verified: true, Reason: "dist-tag latest"}
	r.Stage.TagFrom = base
	r.Files = nil
	for i := 0; i < files; i++ {
		r.Files = append(r.Files, review.File{Path: strings.Repeat("f", i+1) + ".js", Status: "modified"})
	}
	r.Diff = nil
	return r
}

func (f *fakeBackend) setReview(id string, r *review.Review) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reviews == nil {
		f.reviews = map[string]*review.Review{}
	}
	f.reviews[id] = r
}

// TestStaleBaseRecomputedAfterApproval: approving 4.17.21 in the dashboard
// makes 4.17.22's review (vs 4.17.20, 18 files) stale; it is computed again
// (vs 4.17.21, 2 files) as soon as the queue shows 4.17.21 gone.
func TestStaleBaseRecomputedAfterApproval(t *testing.T) {
	items := lodashQueue()
	f := &fakeBackend{items: items}
	f.setReview("id-21", baseReview(items[0], "4.17.20", 3))
	f.setReview("id-22", baseReview(items[1], "4.17.20", 18))
	var once sync.Once
	f.decide = func(c call) error {
		once.Do(func() {
			// The registry publishes 4.17.21: latest moves, the stage
			// record is gone, 4.17.22 is now reviewed against 4.17.21.
			f.mu.Lock()
			f.items = f.items[1:]
			f.mu.Unlock()
			f.setReview("id-22", baseReview(items[1], "4.17.21", 2))
		})
		return nil
	}
	h := newHarness(t, f, 120, 30)
	if e := h.m.reviews["id-22"]; e == nil || e.sum.base != "4.17.20" || e.sum.files != 18 {
		t.Fatalf("before: %+v", e)
	}
	h.keys("a")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("✓ approved lodash@4.17.21")
	h.settle()
	e := h.m.reviews["id-22"]
	if e == nil || e.state != revDone || e.sum.base != "4.17.21" || e.sum.files != 2 {
		t.Fatalf("4.17.22's review after 4.17.21 was approved: %+v", e)
	}
	h.keys("enter")
	h.mustSee("vs 4.17.21")
}

// TestApproveRefusedWhenBaseChanged: the registry's base moved since the
// review (an approval elsewhere): nothing is sent, the user is asked to
// review again, and the review is recomputed.
func TestApproveRefusedWhenBaseChanged(t *testing.T) {
	items := lodashQueue()[1:]
	f := &fakeBackend{items: items}
	f.setReview("id-22", baseReview(items[0], "4.17.20", 18))
	h := newHarness(t, f, 120, 30)
	f.mu.Lock()
	f.current = map[string]approval.Current{"id-22": {Base: "4.17.21", Tag: approval.TagMove{Tag: "latest", From: "4.17.21", To: "4.17.22"}}}
	f.mu.Unlock()
	f.setReview("id-22", baseReview(items[0], "4.17.21", 2))
	starts := len(f.started)
	h.keys("a")
	// The modal checks before a code is typed, and says so.
	h.mustSee("✗ the base changed: the review compared against 4.17.20", "2FA code:")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("the base changed: the review compared against 4.17.20", "review it again")
	if c := f.callsCopy(); len(c) != 0 {
		t.Fatalf("an approval was sent for a stale review: %+v", c)
	}
	h.keys("q") // close the results
	h.settle()
	if e := h.m.reviews["id-22"]; e == nil || e.sum.base != "4.17.21" || len(f.started) == starts {
		t.Fatalf("the stale review was not recomputed: %+v", e)
	}
}

func riskyReview(it registry.StageItem) *review.Review {
	r := smallReview(it)
	r.Risk = signals.Risk{Level: "high", Reasons: []string{"credential access at install time"}}
	r.Signals = []review.Signal{{ID: "credential-access", Severity: "high", Path: "x.js", Title: "reads .npmrc"}}
	return r
}

// TestBatchLeavesOutHighRisk is issue 10 item 4: `*` then `a` must not
// publish a credential stealer with one code.
func TestBatchLeavesOutHighRisk(t *testing.T) {
	for _, include := range []bool{false, true} {
		f := &fakeBackend{items: stageItems(), decide: codeRegistry(false, 0, "123456")}
		f.setReview("id-leftpad-200", riskyReview(stageItems()[1]))
		h := newHarness(t, f, 120, 30)
		h.keys("*", "a")
		h.mustSee("Publish 2 of 3 versions with one code:", "risk high", "1 high-risk version(s) left out", "press i to include")
		if !include {
			golden(t, "modal-batch-risk-120", h.screen())
		} else {
			h.keys("i")
			h.mustSee("Publish 3 of 3 versions", "1 high-risk version(s) INCLUDED")
		}
		h.typeText("123456")
		h.keys("enter")
		var ids []string
		for _, c := range f.callsCopy() {
			ids = append(ids, c.id)
		}
		sent := strings.Join(ids, ",")
		if include != strings.Contains(sent, "id-leftpad-200") || len(ids) != 2+map[bool]int{true: 1}[include] {
			t.Fatalf("include=%v: approvals sent for %s", include, sent)
		}
		if !include {
			h.mustSee("Approve: 2 approved, 1 skipped", "left-pad@2.0.0: high risk: left out of the batch")
		}
	}
}

// TestBatchShowsUnverifiedAndTagDirection: each row says whether its
// tarball is verified and what it does to its tag.
func TestBatchShowsUnverifiedAndTagDirection(t *testing.T) {
	items := stageItems()
	f := &fakeBackend{items: items}
	unv := smallReview(items[2])
	unv.Base.Verified = false // the live base does not match its integrity
	f.setReview("id-router-151", unv)
	back := smallReview(items[1])
	back.Stage.TagFrom = "2.1.0"
	f.setReview("id-leftpad-200", back)
	// @acme/router 1.5.2's base moved since its review.
	f.current = map[string]approval.Current{"id-router-152": {Base: "1.5.1", Tag: approval.TagMove{Tag: "latest", From: "1.5.1", To: "1.5.2"}}}
	h := newHarness(t, f, 140, 30)
	h.keys("*", "a")
	h.mustSee("✗ base 1.0.0 unverified", "✓ verified", "⚠ moves next back from 2.1.0 to 2.0.0", "staged 3d ago",
		"✗ changed since the review: review it again")
	if n := strings.Count(h.screen(), "changed since the review"); n != 1 {
		t.Errorf("%d versions marked changed, want 1:\n%s", n, h.screen())
	}
}

// TestTagBackwardsAsksFirst is issue 10 item 5: with latest at 1.0.4,
// approving 1.0.1 under latest says so and asks; any key but y cancels.
func TestTagBackwardsAsksFirst(t *testing.T) {
	it := registry.StageItem{ID: "id-101", PackageName: "pad", Version: "1.0.1", Tag: "latest", CreatedAt: "2026-11-25T10:00:00Z", Actor: "bob", Shasum: "1010101010101010101010101010101010101010"}
	f := &fakeBackend{items: []registry.StageItem{it}, decide: codeRegistry(false, 0, "123456")}
	r := smallReview(it)
	r.Stage.TagFrom = "1.0.4"
	f.setReview("id-101", r)
	h := newHarness(t, f, 120, 30)
	h.keys("a")
	h.mustSee("moves latest back from 1.0.4 to 1.0.1", "y yes, move the tag back")
	h.mustNotSee("2FA code:")
	golden(t, "modal-tag-backwards-120", h.screen())
	h.typeText("1") // a digit is not a yes
	if h.m.act != nil {
		t.Fatal("a key other than y did not cancel")
	}
	h.mustSee("approve cancelled; nothing was sent")
	h.keys("a", "y")
	h.mustSee("2FA code:", "moves latest back from 1.0.4 to 1.0.1")
	h.typeText("123456")
	h.keys("enter")
	h.mustSee("✓ approved pad@1.0.1")
	if c := f.callsCopy(); len(c) != 1 {
		t.Fatalf("calls %+v", c)
	}
}

// TestSelfStagedWarning is issue 10 item 6: the modal says when the
// approving user staged the version, and how long ago it was staged.
func TestSelfStagedWarning(t *testing.T) {
	f := &fakeBackend{items: stageItems(), user: "alice"}
	h := newHarness(t, f, 120, 30)
	h.keys("a") // @acme/router@1.5.2, staged by github-actions
	h.mustSee("staged 2h ago by github-actions")
	h.mustNotSee("staged this version yourself")
	h.keys("esc", "j", "a") // @acme/router@1.5.1, staged by alice
	h.mustSee("staged 5m ago by alice", "! you (alice) staged this version yourself")
	h.keys("esc", "*", "a")
	h.mustSee("staged by you")
}
