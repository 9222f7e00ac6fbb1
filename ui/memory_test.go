package ui

import (
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/memory"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// withMemory turns review memory on, in store.
func withMemory(store *memory.Store) func(*Model) {
	return func(m *Model) { m.opts.Memory = store }
}

func TestReviewMemorySurvivesRestart(t *testing.T) {
	store := memory.Open(t.TempDir())
	items := stageItems()
	newBackend := func() *fakeBackend {
		return &fakeBackend{items: items, reviews: map[string]*review.Review{"id-router-152": smallReview(items[0])}}
	}
	h := newHarnessWith(t, newBackend(), 120, 40, withMemory(store))
	h.keys("enter", "m")
	h.typeText("release checked against the changelog")
	h.keys("enter")
	h.keys("n", "v") // index.js viewed
	h.keys("n", "m")
	h.typeText("pad now takes n")
	h.keys("enter")
	h.mustSee("note saved for index.js")

	// A new dashboard on the same store: as after a restart.
	h2 := newHarnessWith(t, newBackend(), 120, 40, withMemory(store))
	h2.keys("enter")
	if !h2.m.viewed[h2.m.rv.key]["index.js"] {
		t.Fatalf("viewed mark not restored: %v", h2.m.viewed[h2.m.rv.key])
	}
	h2.mustSee("Your notes", "release: release checked against the changelog", "index.js: pad now takes n", "viewed 1/1")

	// Another tarball of the same version is another review.
	other := newBackend()
	it := items[0]
	it.Shasum = "9999999999999999999999999999999999999999"
	r := smallReview(it)
	other.items = append(other.items[:0:0], it)
	other.reviews = map[string]*review.Review{"id-router-152": r}
	h3 := newHarnessWith(t, other, 120, 40, withMemory(store))
	h3.keys("enter")
	h3.mustNotSee("Your notes")
}

func TestSinceLastApprovalAndSeenBefore(t *testing.T) {
	store := memory.Open(t.TempDir())
	items := stageItems()
	old, cur := items[2], items[0] // @acme/router 1.5.1 approved earlier, 1.5.2 now
	oldRev, curRev := smallReview(old), smallReview(cur)
	oldRev.Fingerprints = map[string]string{"index.js": "aaaa-104", "lib/net.js": "bbbb-50"}
	oldRev.Deps = []string{"dependencies:a@^1.0.0"}
	oldRev.Signals = []review.Signal{{ID: "process-spawn", Severity: "low", Path: "index.js", Title: "spawn"}}
	curRev.Fingerprints = map[string]string{"index.js": "aaaa-104", "lib/net.js": "cccc-80"}
	curRev.Deps = []string{"dependencies:a@^1.0.0", "dependencies:fresh@1.0.0"}
	curRev.Signals = []review.Signal{
		{ID: "new-endpoint", Severity: "medium", Path: "lib/net.js", Title: "New endpoint: x.example.invalid"},
		{ID: "process-spawn", Severity: "low", Path: "index.js", Title: "spawn"},
	}
	f := &fakeBackend{items: items, reviews: map[string]*review.Review{"id-router-151": oldRev, "id-router-152": curRev}}
	h := newHarnessWith(t, f, 140, 50, withMemory(store))
	// 1.5.1's review is in, then approved: its snapshot is kept.
	h.m.reviews[itemKey(old)] = &reviewEntry{state: revDone, rev: oldRev}
	h.exec(h.m.rememberDecision(old, "approved"))
	h.settle() // the snapshot is written before the next review reads it

	h.keys("enter") // the first row: 1.5.2
	if h.m.rv.item.Version != "1.5.2" {
		t.Fatalf("opened %s", h.m.rv.item.Version)
	}
	h.mustSee("Since your approval of 1.5.1", "1 new or changed signal(s)", "new-endpoint  lib/net.js",
		"new dependencies: dependencies:fresh@1.0.0", "1 file(s) differ from the version you approved",
		"seen before: accepted in 1.5.1, same content")
}

func TestMemoryOffByDefault(t *testing.T) {
	items := stageItems()
	f := &fakeBackend{items: items, reviews: map[string]*review.Review{"id-router-152": smallReview(items[0])}}
	h := newHarness(t, f, 120, 40)
	h.keys("enter", "m")
	h.mustSee("review memory is off")
	if h.m.rv.noting {
		t.Fatal("a note editor opened with no store to keep it")
	}
}

// TestBatchInDependencyOrder: a monorepo batch approves a package before
// the versions that depend on it, and what depends on a version that
// failed is not attempted.
func TestBatchInDependencyOrder(t *testing.T) {
	items := stageItems() // @acme/router 1.5.2, left-pad 2.0.0, @acme/router 1.5.1
	codes := codeRegistry(false, 0, "123456")
	f := &fakeBackend{items: items, decide: func(c call) error {
		if c.id == "id-router-151" && c.otp != "" {
			return &registry.Error{Kind: registry.ErrConflict, Message: "version already published"}
		}
		return codes(c)
	}}
	dependent := smallReview(items[1])
	dependent.Deps = []string{"dependencies:@acme/router@^1.5.0"}
	f.setReview("id-leftpad-200", dependent)
	h := newHarness(t, f, 140, 40)
	h.keys("*", "a")
	h.typeText("123456")
	h.keys("enter")
	var ids []string
	for _, c := range f.callsCopy() {
		if c.otp != "" {
			ids = append(ids, c.id)
		}
	}
	if got := strings.Join(ids, ","); got != "id-router-152,id-router-151" {
		t.Fatalf("approvals sent, in order: %s (left-pad depends on a router that failed: not sent)", got)
	}
	h.mustSee("skipped   left-pad@2.0.0: not attempted: it depends on @acme/router@1.5.1")
}
