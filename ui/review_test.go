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
	l := newLRU(100)
	l.touch("a", 40)
	l.touch("b", 40)
	l.touch("a", 0) // a is now the most recent, b the least
	if old := l.touch("c", 30); len(old) != 1 || old[0] != "b" {
		t.Fatalf("evicted %q", old)
	}
	if l.bytes() != 70 {
		t.Fatalf("bytes %d", l.bytes())
	}
	// One entry larger than the whole budget evicts everything else but
	// stays while it is the newest.
	if old := l.touch("huge", 500); len(old) != 2 || l.len() != 1 || l.bytes() != 500 {
		t.Fatalf("evicted %q, len %d, bytes %d", old, l.len(), l.bytes())
	}
	l.remove("huge")
	if l.len() != 0 || l.bytes() != 0 {
		t.Fatalf("len %d bytes %d", l.len(), l.bytes())
	}
}

// The review cache is bounded by bytes: many small reviews all stay, a few
// large ones push the older ones out, whatever their count.
func TestReviewCacheBoundedByBytes(t *testing.T) {
	var items []registry.StageItem
	for i := 0; i < 20; i++ {
		items = append(items, registry.StageItem{ID: fmt.Sprintf("id-%02d", i), PackageName: fmt.Sprintf("pkg-%02d", i), Version: "1.0.0", Shasum: "ab"})
	}
	f := &fakeBackend{items: items, reviews: map[string]*review.Review{}}
	// Four big reviews of ~1 MB each among small ones.
	for _, id := range []string{"id-00", "id-01", "id-02", "id-03"} {
		r := smallReview(items[0])
		big := synthDiff(8000) // ~8,000 lines of ~80 bytes
		r.Diff.Files[0].Hunks = big.Hunks
		f.reviews[id] = r
	}
	h := newHarnessWith(t, f, 120, 40, func(m *Model) {
		// Room for three big ones and all the small ones.
		m.lruKeys = newLRU(3*reviewBytes(f.reviews["id-00"]) + 20*reviewBytes(smallReview(items[4])))
	})
	evicted, done := 0, 0
	for _, e := range h.m.reviews {
		switch e.state {
		case revEvicted:
			evicted++
		case revDone:
			done++
		}
	}
	if evicted != 1 || done != 19 {
		t.Fatalf("evicted %d done %d (cache %d bytes of %d)", evicted, done, h.m.lruKeys.bytes(), h.m.lruKeys.budget)
	}
	if h.m.lruKeys.bytes() > h.m.lruKeys.budget {
		t.Fatalf("cache holds %d bytes over its budget %d", h.m.lruKeys.bytes(), h.m.lruKeys.budget)
	}
}

func TestEvictedReviewRefetchedOnOpen(t *testing.T) {
	var items []registry.StageItem
	for i := 0; i < 6; i++ {
		items = append(items, registry.StageItem{ID: fmt.Sprintf("id-%02d", i), PackageName: fmt.Sprintf("pkg-%02d", i), Version: "1.0.0", Shasum: "ab"})
	}
	f := &fakeBackend{items: items}
	one := reviewBytes(smallReview(items[0]))
	h := newHarnessWith(t, f, 120, 30, func(m *Model) { m.lruKeys = newLRU(3 * one) })
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

// bigQueue is n staged versions in packages of ten.
func bigQueue(n int) []registry.StageItem {
	var items []registry.StageItem
	for i := 0; i < n; i++ {
		items = append(items, registry.StageItem{ID: fmt.Sprintf("id-%03d", i), PackageName: fmt.Sprintf("pkg-%02d", i/10),
			Version: fmt.Sprintf("1.0.%d", i%10), Shasum: "ab", CreatedAt: fmt.Sprintf("2026-01-01T00:00:%02dZ", i%10)})
	}
	return items
}

// After G on a 200-version queue, the rows on screen are the ones
// reviewed first, then a window around the cursor in both directions, and
// nothing wraps to the top.
func TestPrefetchServesScreenAfterBottom(t *testing.T) {
	f := &fakeBackend{items: bigQueue(200)}
	h := newHarnessWith(t, f, 120, 60, func(m *Model) {})
	f.mu.Lock()
	f.started = nil
	f.mu.Unlock()
	h.keys("G")
	h.fire() // debounce: prefetch around the new position
	if strings.Contains(h.screen(), "not reviewed yet") {
		t.Fatalf("rows on screen left unreviewed after G:\n%s", h.screen())
	}
	vis := h.m.visible()
	lo, hi := h.m.queueOnScreen(vis)
	if hi != 200 || hi-lo < 40 {
		t.Fatalf("on screen %d..%d", lo, hi)
	}
	// Everything within the window above the screen is reviewed too; the
	// top of the queue, beyond it, is not fetched by wrapping around.
	for vi := lo - prefetchWindow; vi < 200; vi++ {
		if e := h.m.reviews[itemKey(h.m.items[vis[vi]])]; e == nil || e.state != revDone {
			t.Fatalf("row %d not reviewed", vi)
		}
	}
	f.mu.Lock()
	started := append([]string(nil), f.started...)
	f.mu.Unlock()
	for _, id := range started {
		if id < fmt.Sprintf("id-%03d", lo-prefetchWindow) {
			t.Fatalf("%s reviewed: outside the screen and the window (the queue wrapped)", id)
		}
	}
	// The order asked for: the cursor, then every row on screen, then the
	// rows beyond the screen's edges, nearest first.
	h.keys("k", "k", "k") // the cursor away from the edge
	order := h.m.prefetchOrder(vis)
	if order[0] != h.m.cursor {
		t.Fatalf("order starts at %d, cursor %d", order[0], h.m.cursor)
	}
	n := hi - lo
	for i, vi := range order {
		if (i < n) != (vi >= lo && vi < hi) {
			t.Fatalf("position %d is row %d; on screen %d..%d: %v", i, vi, lo, hi, order)
		}
	}
	if len(order) != n+prefetchWindow || order[n] != lo-1 || order[len(order)-1] != lo-prefetchWindow {
		t.Fatalf("window beyond the screen: %v", order[n:])
	}
}

// multiHunkReview is one file of nine short hunks (all fit on a tall
// screen) and a lockfile of three, collapsed until e.
func multiHunkReview(it registry.StageItem) *review.Review {
	r := smallReview(it)
	mk := func(path string, n int) diff.FileDiff {
		fd := diff.FileDiff{Path: path, Status: diff.Modified, OldSize: 1000, NewSize: 1000}
		for i := 0; i < n; i++ {
			no := 10 + i*20
			fd.Hunks = append(fd.Hunks, diff.Hunk{OldStart: no, OldLines: 1, NewStart: no, NewLines: 1, Lines: []diff.Line{
				{Kind: diff.Del, OldNo: no, Text: fmt.Sprintf("old %d", i)}, {Kind: diff.Add, NewNo: no, Text: fmt.Sprintf("new %d", i)}}})
			fd.LinesAdded++
			fd.LinesRemoved++
		}
		return fd
	}
	r.Diff = &diff.Result{Files: []diff.FileDiff{mk("lib/a.js", 9), mk("package-lock.json", 3)}}
	r.Files = nil
	for _, f := range r.Diff.Files {
		r.Files = append(r.Files, review.File{Path: f.Path, Status: string(f.Status), LinesAdded: f.LinesAdded, LinesRemoved: f.LinesRemoved})
	}
	r.Signals = []review.Signal{
		{ID: "dynamic-code", Severity: "high", Path: "lib/a.js", Line: 130, Title: "eval of decoded data", Detail: "a long explanation " + strings.Repeat("of what the code does ", 12) + "END-OF-DETAIL"},
		{ID: "install-script", Severity: "high", Path: "package.json", Title: "postinstall added"},
		{ID: "lockfile-source", Severity: "medium", Path: "package-lock.json", Line: 50, Title: "resolved from a git host"},
	}
	return r
}

func openMulti(t *testing.T, w, hgt int) *harness {
	items := stageItems()
	f := &fakeBackend{items: items, reviews: map[string]*review.Review{"id-router-152": multiHunkReview(items[0])}}
	h := newHarness(t, f, w, hgt)
	h.keys("enter")
	if h.m.rv == nil || h.m.rv.rev == nil {
		t.Fatalf("review not open:\n%s", h.screen())
	}
	return h
}

// ] and [ reach every hunk even when the last ones fit on screen (the view
// cannot scroll to them), and they work on a collapsed file after e.
func TestHunkKeysReachEveryHunk(t *testing.T) {
	h := openMulti(t, 120, 50)
	h.keys("n", "tab") // lib/a.js: 9 hunks of 3 rows, all on screen
	p := &h.m.rv.pane
	if p.currentHunk() != 1 {
		t.Fatalf("a file opens at hunk %d", p.currentHunk())
	}
	for want := 2; want <= 9; want++ {
		h.keys("]")
		if p.currentHunk() != want {
			t.Fatalf("after %d × ]: hunk %d", want, p.currentHunk())
		}
	}
	h.mustSee("hunk 9/9", "▶@@ -170,1 +170,1 @@")
	h.keys("]")
	h.mustSee("no next hunk in this file")
	for want := 8; want >= 1; want-- {
		h.keys("[")
		if p.currentHunk() != want {
			t.Fatalf("[ back to %d: hunk %d", want, p.currentHunk())
		}
	}
	h.keys("n") // the lockfile: collapsed
	h.mustSee("Collapsed: lockfile")
	h.mustNotSee("no next hunk") // a new file: the old hint is gone
	h.keys("e")
	for want := 2; want <= 3; want++ {
		h.keys("]")
		if p.currentHunk() != want {
			t.Fatalf("after e, %d × ]: hunk %d", want, p.currentHunk())
		}
	}
	h.mustSee("hunk 3/3")
}

// Search shows i/N and says when it wraps around the end of the file.
func TestSearchShowsPositionAndWraps(t *testing.T) {
	h := openMulti(t, 120, 50)
	h.keys("n", "tab", "/")
	h.typeText("new")
	h.keys("enter")
	h.mustSee("match 1/9", "/new 1/9")
	for i := 0; i < 8; i++ {
		h.keys("ctrl+n")
	}
	h.mustSee("match 9/9", "/new 9/9")
	h.mustNotSee("wrapped")
	h.keys("ctrl+n")
	h.mustSee("match 1/9 · search wrapped to the top of the file")
	h.keys("ctrl+p")
	h.mustSee("match 9/9 · search wrapped to the bottom of the file")
}

// > goes to each signal's file and line (expanding a collapsed file), the
// detail pane shows its full text, enter closes and opens it, esc closes it
// before leaving the review.
func TestSignalJumpAndDetail(t *testing.T) {
	h := openMulti(t, 120, 40)
	h.keys(">")
	rv := h.m.rv
	if fd := rv.current(); fd == nil || fd.Path != "lib/a.js" {
		t.Fatalf("signal 1 opened %v", rv.current())
	}
	h.mustSee("signal 1/3: HIGH dynamic-code · lib/a.js:130", "Signal 1/3", "END-OF-DETAIL")
	markedLine(t, h, "130 + new 6")
	if rv.pane.markRow < rv.pane.off || rv.pane.markRow >= rv.pane.off+rv.pane.height {
		t.Fatalf("marked row %d not on screen (%d..%d)", rv.pane.markRow, rv.pane.off, rv.pane.off+rv.pane.height)
	}
	h.keys(">") // package.json is not in this diff: the overview
	h.mustSee("signal 2/3", "no file in the diff")
	h.keys(">") // the collapsed lockfile is expanded to show the line
	if fd := rv.current(); fd == nil || fd.Path != "package-lock.json" || !rv.expanded["package-lock.json"] {
		t.Fatalf("signal 3 opened %v", rv.current())
	}
	h.mustSee("signal 3/3", "package-lock.json:50")
	markedLine(t, h, "50 + new 2")
	h.keys(">")
	h.mustSee("signal 1/3", "wrapped to the first")
	h.keys("<")
	h.mustSee("signal 3/3", "wrapped to the last")
	h.keys("enter")
	h.mustNotSee("Signal 3/3")
	h.keys("enter")
	h.mustSee("Signal 3/3")
	h.keys("esc") // closes the detail, stays in the review
	if h.m.screen != scrReview {
		t.Fatal("esc left the review instead of closing the detail")
	}
	h.mustNotSee("Signal 3/3")
	h.keys("esc")
	if h.m.screen != scrQueue {
		t.Fatal("second esc should go back")
	}
}

// markedLine checks that the line showing text carries the ▶ marker.
func markedLine(t *testing.T, h *harness, text string) {
	t.Helper()
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, text) {
			if !strings.Contains(l, "▶") {
				t.Fatalf("line %q is not marked", l)
			}
			return
		}
	}
	t.Fatalf("no line shows %q:\n%s", text, h.screen())
}

// Side by side, the signal's line is found on the new side, whatever the
// rows hold on the old side (absent lines included).
func TestSignalJumpSideBySide(t *testing.T) {
	h := openMulti(t, 200, 40)
	h.keys("s", ">")
	if !h.m.rv.pane.sbs {
		t.Fatal("not side by side")
	}
	h.mustSee("lib/a.js:130")
	markedLine(t, h, "new 6")
	h.keys(">", ">") // the lockfile, expanded
	markedLine(t, h, "new 2")
}

// A taller terminal shows more rows: they are reviewed without a key press.
func TestPrefetchAfterResize(t *testing.T) {
	f := &fakeBackend{items: bigQueue(200)}
	h := newHarness(t, f, 120, 20)
	h.keys("G")
	h.fire()
	h.send(resize(120, 80))
	body := strings.Join(strings.Split(h.screen(), "\n")[:79], "\n")
	if strings.Contains(body, "not reviewed yet") {
		t.Fatalf("rows shown after the resize are not reviewed:\n%s", body)
	}
}
