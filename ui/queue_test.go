package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

func TestQueueListsGroupsAndReviews(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 120, 30)
	h.mustSee("stagegate", "3 staged versions in 2 packages", "@acme/router", "left-pad",
		"1.5.1", "alice (user)", "5m ago", "github-actions (oidc)", "3d ago", "✓ verified 1 file +1 -1")
	s := h.screen()
	// Grouped: both router versions come before left-pad, oldest first.
	if !(strings.Index(s, "1.5.2") < strings.Index(s, "1.5.1") && strings.Index(s, "1.5.1") < strings.Index(s, "left-pad")) {
		t.Fatalf("not grouped by package:\n%s", s)
	}
}

func TestQueueSelectionFilterAndCount(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.keys(" ", " ")
	h.mustSee("2 selected")
	if len(h.m.selected) != 2 {
		t.Fatalf("selected %v", h.m.selected)
	}
	h.keys("/")
	h.typeText("left")
	h.mustSee("filter /left", "(1 of 3)")
	h.mustNotSee("1.5.2")
	h.keys("enter")
	it, _ := h.m.cursorItem()
	if it.PackageName != "left-pad" {
		t.Fatalf("cursor on %q after filter", it.PackageName)
	}
	h.keys("esc") // clears the filter
	h.mustSee("1.5.2")
	h.keys("esc") // then the selection
	if len(h.m.selected) != 0 {
		t.Fatalf("selection not cleared: %v", h.m.selected)
	}
	h.keys("*")
	h.mustSee("3 selected")
}

func TestQueueRefreshKeepsCursorAndDropsStale(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.keys("j", "j") // left-pad
	// A stale answer (older request id) must not replace the list.
	h.send(listMsg{req: h.m.listReq - 1, items: nil})
	if len(h.m.items) != 3 {
		t.Fatal("stale list applied")
	}
	f.items = append(f.items[:0:0], f.items[1:]...) // 1.5.2 approved elsewhere
	h.keys("r")
	it, _ := h.m.cursorItem()
	if it.PackageName != "left-pad" || len(h.m.items) != 2 {
		t.Fatalf("after refresh cursor on %s, %d items", it.PackageName, len(h.m.items))
	}
	// The item under the cursor goes away: the cursor stays in place, on
	// the next item, instead of jumping to the top.
	f.mu.Lock()
	f.items = []registry.StageItem{stageItems()[2]} // left-pad goes
	f.items = append(f.items, registry.StageItem{ID: "z", PackageName: "zz", Version: "1.0.0"})
	f.mu.Unlock()
	h.keys("r")
	if it, _ := h.m.cursorItem(); it.PackageName != "zz" {
		t.Fatalf("cursor moved to %s", it.PackageName)
	}
}

func TestQueueAutoRefresh(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	n := f.lists
	h.fire()
	if f.lists != n+1 {
		t.Fatalf("auto refresh did not list again (%d → %d)", n, f.lists)
	}
}

func TestQueueErrorScreens(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want []string
	}{
		{"not-logged-in", &registry.Error{Kind: registry.ErrNotLoggedIn, Registry: "http://127.0.0.1:4873/"},
			[]string{"Not logged in to http://127.0.0.1:4873/", "npm login --registry http://127.0.0.1:4873/", "--registry URL"}},
		{"unreachable", &registry.Error{Kind: registry.ErrNetwork, Method: "GET", URL: "http://127.0.0.1:4873/-/stage", Err: fmt.Errorf("connection refused")},
			[]string{"Cannot reach http://127.0.0.1:4873/", "connection refused", "--registry URL", "r to retry"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeBackend{listErr: c.err}
			for _, w := range []int{80, 120, 200} {
				h := newHarness(t, f, w, 24)
				h.mustSee(c.want...)
				golden(t, fmt.Sprintf("queue-%s-%d", c.name, w), h.screen())
			}
			// r retries, and a success replaces the screen.
			h := newHarness(t, f, 100, 24)
			f.mu.Lock()
			f.listErr, f.items = nil, stageItems()
			f.mu.Unlock()
			h.keys("r")
			h.mustSee("left-pad")
		})
	}
}

func TestQueueEmpty(t *testing.T) {
	f := &fakeBackend{}
	for _, w := range []int{80, 120, 200} {
		h := newHarness(t, f, w, 24)
		h.mustSee("No staged versions on http://127.0.0.1:4873/", "npm stage publish")
		golden(t, fmt.Sprintf("queue-empty-%d", w), h.screen())
	}
}

func TestQueueGoldens(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		f := &fakeBackend{items: stageItems()}
		h := newHarness(t, f, w, 24)
		h.keys("j", " ")
		golden(t, fmt.Sprintf("queue-%d", w), h.screen())
	}
}

func TestQueueSanitizesUntrustedText(t *testing.T) {
	items := stageItems()
	items[0].Actor = "mallory\x1b]0;owned\x07\u202e"
	items[0].PackageName = "evil\x1b[2Jpkg"
	f := &fakeBackend{items: items}
	h := newHarness(t, f, 120, 24)
	v := h.m.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\a") || strings.Contains(v, "\u202e") {
		t.Fatalf("raw control sequence reached the view: %q", v)
	}
	h.mustSee("mallory␛]0;owned␇⟦U+202E RL", "evil␛[2Jpkg")
}

func TestTooSmall(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 50, 12)
	h.mustSee("Terminal too small", "50x12", "60x16")
	h.send(resize(80, 24))
	h.mustSee("left-pad")
}

func TestHelpListsEveryBinding(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 200, 60)
	h.keys("?")
	for _, sec := range h.m.keys.helpSections() {
		for _, b := range sec.keys {
			h.mustSee(b.Help().Key + " ") // key column
			h.mustSee(b.Help().Desc)
		}
	}
	h.keys("x") // any key closes help, and does nothing else
	if h.m.overlay != ovNone {
		t.Fatal("help did not close")
	}
	// On 80x24 the help scrolls; scrolling to the end shows every key.
	h = newHarness(t, f, 80, 24)
	h.keys("?")
	seen := h.screen()
	for i := 0; i < 40; i++ {
		h.keys("j")
		seen += h.screen()
	}
	for _, sec := range h.m.keys.helpSections() {
		for _, b := range sec.keys {
			if !strings.Contains(seen, b.Help().Desc) {
				t.Fatalf("help at 80x24 never shows %q", b.Help().Desc)
			}
		}
	}
	golden(t, "help-80", h.screen())
	h.keys("q")
	if h.quit || h.m.overlay != ovNone {
		t.Fatal("q on the help screen should close help, not quit")
	}
}

func TestQuitAndCtrlC(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.keys("q")
	if !h.quit {
		t.Fatal("q did not quit when idle")
	}
	h = newHarness(t, f, 100, 24)
	h.keys("ctrl+c")
	if !h.quit || h.m.ctx.Err() == nil {
		t.Fatal("ctrl+c did not cancel and quit")
	}
}

func TestBurstKeysAndPaste(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Gk")}) // typed fast: two keys
	if it, _ := h.m.cursorItem(); it.Version != "1.5.1" {
		t.Fatalf("cursor on %s", it.Version)
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a"), Paste: true})
	if h.m.overlay != ovNone {
		t.Fatal("a pasted 'a' opened the approve modal")
	}
	h.keys("a")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("123 456"), Paste: true}) // a pasted code is fine
	if got := h.m.act.input.String(); got != "123456" {
		t.Fatalf("pasted code %q", got)
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if h.m.cursor != 1 {
		t.Fatalf("cursor %d after wheel", h.m.cursor)
	}
	h.send(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if h.m.cursor != 0 {
		t.Fatalf("cursor %d after wheel up", h.m.cursor)
	}
}

func TestDemoCodeInStatusBar(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 120, 24)
	h.m.opts.DemoCode = func() string { return "424242" }
	h.mustSee("demo 2FA code 424242")
}

// Typing a filter and clearing it (esc) keep the cursor on its row when the
// row is still shown.
func TestFilterAndEscKeepCursorRow(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	h.keys("G") // left-pad, the last row
	h.keys("/")
	h.typeText("2") // 1.5.2 and 2.0.0 match; left-pad is the second of them
	if it, _ := h.m.cursorItem(); it.PackageName != "left-pad" {
		t.Fatalf("filter moved the cursor to %s@%s", it.PackageName, it.Version)
	}
	h.keys("esc") // cancels the filter
	if it, _ := h.m.cursorItem(); it.PackageName != "left-pad" || h.m.cursor != 2 {
		t.Fatalf("esc moved the cursor to %s@%s (row %d)", it.PackageName, it.Version, h.m.cursor)
	}
	h.keys("k") // router 1.5.1
	h.keys("/")
	h.typeText("router")
	h.keys("enter")
	h.keys("esc") // clears the applied filter
	if it, _ := h.m.cursorItem(); it.Version != "1.5.1" {
		t.Fatalf("clearing the filter moved the cursor to %s@%s", it.PackageName, it.Version)
	}
}

// On a narrow terminal the stager, then the age, make room: the review
// cell (verified, risk) stays whole.
func TestNarrowQueueKeepsRiskColumn(t *testing.T) {
	f := &fakeBackend{items: stageItems(), reviews: map[string]*review.Review{}}
	for _, it := range f.items {
		f.reviews[it.ID] = richReview(it)
	}
	for _, w := range []int{60, 66, 72, 100} {
		h := newHarness(t, f, w, 20)
		s := h.screen()
		if !strings.Contains(s, "✓ verified !high risk 2") {
			t.Errorf("width %d: risk cut:\n%s", w, s)
		}
		for _, l := range strings.Split(s, "\n") {
			if len([]rune(l)) > w {
				t.Errorf("width %d: line of %d columns: %q", w, len([]rune(l)), l)
			}
		}
		if w == 100 && !strings.Contains(s, "alice (user)") {
			t.Errorf("width 100 drops the stager:\n%s", s)
		}
		if w == 60 && (strings.Contains(s, "alice") || strings.Contains(s, "ago")) {
			t.Errorf("width 60 keeps stager or age:\n%s", s)
		}
	}
}

// "Terminal too small" never draws more lines or columns than there are.
func TestTooSmallFitsAnySize(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	for _, sz := range [][2]int{{1, 1}, {10, 2}, {30, 3}, {59, 15}} {
		h := newHarness(t, f, sz[0], sz[1])
		lines := strings.Split(h.m.View(), "\n")
		if len(lines) > sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for _, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d: line %q is %d wide", sz[0], sz[1], l, w)
			}
		}
	}
}

// A failed refresh's error goes once a refresh works: a stale red line
// must not sit under a queue that is up to date.
func TestRefreshErrorClearsOnSuccess(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	h := newHarness(t, f, 100, 24)
	f.mu.Lock()
	f.listErr = fmt.Errorf("connection refused")
	f.mu.Unlock()
	h.keys("r")
	h.mustSee("refresh failed")
	f.mu.Lock()
	f.listErr = nil
	f.mu.Unlock()
	h.keys("r")
	h.mustNotSee("refresh failed")
}
