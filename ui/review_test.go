package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

func richBackend() *fakeBackend {
	items := stageItems()
	return &fakeBackend{items: items, reviews: map[string]*review.Review{
		"id-router-152": richReview(items[0]),
	}}
}

// openRich opens the review of @acme/router 1.5.2 (first row).
func openRich(t *testing.T, w, hgt int) *harness {
	h := newHarness(t, richBackend(), w, hgt)
	h.keys("enter")
	if h.m.rv == nil || h.m.rv.rev == nil {
		t.Fatalf("review not open:\n%s", h.screen())
	}
	return h
}

func TestReviewOverviewFirst(t *testing.T) {
	h := openRich(t, 120, 40)
	h.mustSee("@acme/router 1.5.2 (latest) vs 1.0.0", "base: dist-tag latest", "staged by github-actions (oidc) 2h ago",
		"✓ verified · HIGH risk: 2 high 1 medium · sha1 1111111111111111111111111111111", "Files 6 · viewed 0/6",
		"Manifest changes", "scripts.postinstall", "HIGH   install-script")
	s := h.screen()
	// Riskiest manifest fields first: scripts, dependencies, then the rest.
	if !(strings.Index(s, "scripts.postinstall") < strings.Index(s, "dependencies.left-pad") &&
		strings.Index(s, "dependencies.left-pad") < strings.Index(s, "description")) {
		t.Fatalf("manifest order:\n%s", s)
	}
	for _, w := range []int{80, 120, 200} {
		h := openRich(t, w, map[int]int{80: 24, 120: 40, 200: 60}[w])
		golden(t, fmt.Sprintf("review-overview-%d", w), h.screen())
	}
}

func TestReviewFileNavigationViewedAndCollapse(t *testing.T) {
	h := openRich(t, 120, 40)
	h.keys("n")
	h.mustSee("Binary file", "contents are not shown")
	h.keys("e")
	h.mustSee("binary files have no text")
	h.keys("n")
	h.mustSee("Collapsed: minified", "Press e to render it anyway")
	h.mustNotSee("_0x1")
	h.keys("e")
	h.mustSee("compared token by token", "var _0x1=1;")
	h.keys("n")
	h.mustSee("@@ -10,3 +10,4 @@", "return match(normalize(path))")
	h.keys("v") // marks lib/index.js viewed and moves on
	h.mustSee("viewed 1/6", "Collapsed: lockfile")
	h.keys("N", "N", "N", "N")
	h.mustSee("Overview")
	h.keys("N") // stays on the first entry
	if h.m.rv.fileIdx != 0 {
		t.Fatalf("fileIdx %d", h.m.rv.fileIdx)
	}
	h.keys("n", "n", "n", "n", "n")
	h.mustSee("Mode changed: 0644 → 0755")
	h.keys("esc")
	if h.m.screen != scrQueue {
		t.Fatal("esc did not go back")
	}
	// Viewed marks survive leaving and reopening.
	h.keys("enter")
	h.mustSee("viewed 1/6")
}

func TestReviewDiffGoldens(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		h := openRich(t, w, map[int]int{80: 24, 120: 40, 200: 60}[w])
		h.keys("n", "n", "n")
		golden(t, fmt.Sprintf("review-diff-%d", w), h.screen())
	}
	h := openRich(t, 200, 60)
	h.keys("n", "n", "n", "s")
	if !h.m.rv.pane.sbs {
		t.Fatal("side by side not on at 200 columns")
	}
	golden(t, "review-diff-sbs-200", h.screen())
}

func TestReviewHostileLineIsSanitized(t *testing.T) {
	h := openRich(t, 200, 60)
	h.keys("n", "n", "n")
	v := h.m.View()
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]0;") || strings.Contains(v, "\a") {
		t.Fatalf("escape sequence from the tarball reached the terminal: %q", v)
	}
	h.mustSee("// evil ␛[2J␛]0;pwned␇ title")
}

func TestReviewSideBySideNeedsWidth(t *testing.T) {
	h := openRich(t, 120, 40)
	h.keys("n", "n", "n", "s")
	if h.m.rv.pane.sbs {
		t.Fatal("side by side at 120 columns")
	}
	h.mustSee("side by side needs a terminal at least 140 columns wide (this one has 120)")
	// Wide enough: on. Narrowed afterwards: unified again, without a new review.
	h.send(resize(200, 50))
	h.keys("s")
	if !h.m.rv.pane.sbs {
		t.Fatal("side by side off at 200 columns")
	}
	started := len(h.f.started)
	h.send(resize(100, 30))
	if h.m.rv.pane.sbs || len(h.f.started) != started {
		t.Fatalf("resize: sbs=%v, reviews started %d → %d", h.m.rv.pane.sbs, started, len(h.f.started))
	}
	h.mustSee("return match(normalize(path))")
}

func TestReviewHunksAndSearch(t *testing.T) {
	h := openRich(t, 120, 16)
	h.keys("n", "n", "n", "tab")
	p := &h.m.rv.pane
	if p.currentHunk() != 1 {
		t.Fatalf("hunk %d", p.currentHunk())
	}
	h.keys("]")
	if p.currentHunk() != 2 {
		t.Fatalf("hunk %d", p.currentHunk())
	}
	h.keys("[")
	if p.currentHunk() != 1 {
		t.Fatalf("hunk %d after [", p.currentHunk())
	}
	h.keys("/")
	h.typeText("module")
	h.keys("enter")
	if len(p.matches) != 2 {
		t.Fatalf("matches %v", p.matches)
	}
	first := p.off
	h.keys("ctrl+n")
	if p.off == first && len(p.rows) > p.height {
		t.Fatal("ctrl+n did not move")
	}
	h.mustSee("/module 2")
	h.keys("esc") // clears the search first
	if p.query != "" || h.m.screen != scrReview {
		t.Fatal("esc should clear the search and stay")
	}
}

func TestReviewLoadingShowsProgressAndLateResultsDropped(t *testing.T) {
	f := richBackend()
	f.gate = make(chan struct{})
	h := newHarness(t, f, 120, 30)
	h.keys("enter")
	h.mustSee("Reviewing @acme/router@1.5.2: staged tarball 45%", "[##")
	// A late answer from a superseded job is ignored.
	stale := &reviewJob{key: "id-router-152", cancel: func() {}}
	h.send(reviewDoneMsg{job: stale, rev: smallReview(f.items[0])})
	if h.m.rv.rev != nil {
		t.Fatal("stale result displayed")
	}
	close(f.gate)
	h.settle()
	h.mustSee("Files 6")
	shown := h.m.rv.rev
	// Even a current-looking answer does not replace what is on screen.
	h.m.jobs["id-router-152"] = stale
	h.send(reviewDoneMsg{job: stale, rev: smallReview(f.items[0])})
	if h.m.rv.rev != shown {
		t.Fatal("a later result replaced the open review")
	}
}

func TestReviewFailureAndRetry(t *testing.T) {
	f := richBackend()
	f.reviewErr = map[string]error{"id-router-152": &registry.Error{Kind: registry.ErrServer, Status: 502, Method: "GET", URL: "http://127.0.0.1:4873/x.tgz"}}
	h := newHarness(t, f, 120, 30)
	h.mustSee("✗ review failed")
	h.keys("enter")
	h.mustSee("The review could not be computed", "502", "r retries")
	f.mu.Lock()
	f.reviewErr = nil
	f.mu.Unlock()
	h.keys("r")
	h.mustSee("Files 6")
}

func TestPrefetchIsBoundedAndOpenWins(t *testing.T) {
	var items []registry.StageItem
	for i := 0; i < 6; i++ {
		items = append(items, registry.StageItem{ID: fmt.Sprintf("id-%d", i), PackageName: fmt.Sprintf("pkg-%d", i), Version: "1.0.0", Shasum: "ab"})
	}
	f := &fakeBackend{items: items, gate: make(chan struct{})}
	h := newHarness(t, f, 120, 30)
	if len(h.m.jobs) != maxReviewJobs || len(f.started) != maxReviewJobs {
		t.Fatalf("jobs %d, started %v", len(h.m.jobs), f.started)
	}
	h.keys("G", "enter") // open the last item: it must start now
	h.fire()             // debounce
	if _, ok := h.m.jobs["id-5"]; !ok || len(h.m.jobs) > maxReviewJobs {
		t.Fatalf("open item not running or bound exceeded: %v", h.m.jobs)
	}
	close(f.gate)
	h.settle()
	h.keys("esc")
	h.settle()
	if f.maxRun > maxReviewJobs+1 { // +1: a cancelled job may still be unwinding
		t.Fatalf("max concurrent reviews %d", f.maxRun)
	}
	for i := 0; i < 6; i++ {
		if e := h.m.reviews[fmt.Sprintf("id-%d", i)]; e == nil || e.state != revDone {
			t.Fatalf("item %d not prefetched", i)
		}
	}
}

func TestLRU(t *testing.T) {
	l := newLRU(2)
	l.touch("a")
	l.touch("b")
	l.touch("a")
	if old, ok := l.touch("c"); !ok || old != "b" {
		t.Fatalf("evicted %q %v", old, ok)
	}
	l.remove("a")
	if l.len() != 1 {
		t.Fatalf("len %d", l.len())
	}
}

func TestEvictedReviewRefetchedOnOpen(t *testing.T) {
	var items []registry.StageItem
	for i := 0; i < keepReviews+3; i++ {
		items = append(items, registry.StageItem{ID: fmt.Sprintf("id-%02d", i), PackageName: fmt.Sprintf("pkg-%02d", i), Version: "1.0.0", Shasum: "ab"})
	}
	f := &fakeBackend{items: items}
	h := newHarness(t, f, 120, 30)
	evicted := 0
	for _, e := range h.m.reviews {
		if e.state == revEvicted {
			evicted++
			if e.rev != nil || e.sum.files != 1 {
				t.Fatal("evicted entry must drop the review but keep the summary")
			}
		}
	}
	if evicted != 3 {
		t.Fatalf("evicted %d", evicted)
	}
	h.mustSee("1 file +1 -1")
	h.keys("enter") // id-00 was evicted first
	h.mustSee("Files 1")
}

func TestReviewMouseWheel(t *testing.T) {
	f := richBackend()
	hk := &f.reviews["id-router-152"].Diff.Files[2].Hunks[1]
	for i := 0; i < 4; i++ {
		hk.Lines = append(hk.Lines, diff.Line{Kind: diff.Context, OldNo: 41 + i, NewNo: 43 + i, Text: "more"})
	}
	h := newHarness(t, f, 120, 16)
	h.keys("enter", "n", "n", "n")
	h.screen() // lays the pane out: 11 rows shown of 13
	h.send(tea.MouseMsg{X: 80, Y: 8, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if h.m.rv.pane.off != 2 || h.m.rv.fileIdx != 3 {
		t.Fatalf("wheel over diff: off %d file %d", h.m.rv.pane.off, h.m.rv.fileIdx)
	}
	h.send(tea.MouseMsg{X: 5, Y: 8, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if h.m.rv.fileIdx != 4 {
		t.Fatalf("wheel over list: file %d", h.m.rv.fileIdx)
	}
}

func TestReviewWithoutSignalEngineSaysNotComputed(t *testing.T) {
	f := richBackend()
	rv := f.reviews["id-router-152"]
	rv.Signals = nil
	rv.SignalsChecked = false
	h := newHarness(t, f, 120, 40)
	h.keys("enter")
	h.mustSee("Signals (0)", "not computed")
	h.mustNotSee("  none")

	rv.SignalsChecked = true
	h = newHarness(t, f, 120, 40)
	h.keys("enter")
	h.mustSee("Signals (0)", "none")
	h.mustNotSee("not computed")
}
