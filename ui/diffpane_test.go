package ui

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/diff"
)

func paneWith(p termenv.Profile, lines []diff.Line, w, h int) *diffPane {
	st := newStyles(p, true)
	dp := newDiffPane(&st)
	fd := &diff.FileDiff{Path: "a.js", Status: diff.Modified, Hunks: []diff.Hunk{{OldStart: 1, OldLines: 2, NewStart: 1, NewLines: 2, Lines: lines}}}
	dp.setFile(fd, nil, false)
	dp.setSize(w, h)
	return &dp
}

var pairLines = []diff.Line{
	{Kind: diff.Del, OldNo: 1, Text: "const timeout = 3000"},
	{Kind: diff.Add, NewNo: 1, Text: "const timeout = 5000"},
	{Kind: diff.Context, OldNo: 2, NewNo: 2, Text: "x\ty"},
}

func TestDiffPaneRows(t *testing.T) {
	p := paneWith(termenv.Ascii, pairLines, 60, 10)
	v := p.view()
	if len(v) != 10 {
		t.Fatalf("%d lines", len(v))
	}
	got := ansi.Strip(strings.Join(v[:4], "\n"))
	want := strings.Join([]string{
		"@@ -1,2 +1,2 @@  hunk 1/1",
		"  1     - const timeout = 3000",
		"      1 + const timeout = 5000",
		"  2   2   x   y",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestDiffPaneWordHighlightWithoutColour(t *testing.T) {
	for _, prof := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		p := paneWith(prof, pairLines, 60, 10)
		add := p.view()[2]
		st := newStyles(prof, true)
		// The changed word is wrapped in the word style, which underlines
		// (and bolds) in every profile, so it shows without colour.
		if !strings.Contains(add, st.addWord.r("5000")) || !strings.Contains(st.addWord.pre, "4") {
			t.Fatalf("profile %v: no word highlight in %q", prof, add)
		}
		if strings.Contains(add, st.addWord.r("const")) {
			t.Fatalf("unchanged word highlighted: %q", add)
		}
	}
}

func TestDiffPaneTokensStandOut(t *testing.T) {
	lines := []diff.Line{{Kind: diff.Add, NewNo: 1, Text: "a\x1b[2Jb\u202ec"}}
	p := paneWith(termenv.TrueColor, lines, 80, 3)
	row := p.view()[1]
	st := newStyles(termenv.TrueColor, true)
	if !strings.Contains(row, st.token.r("␛")) {
		t.Fatalf("escape token not styled: %q", row)
	}
	if strings.Contains(row, "\x1b[2J") || strings.Contains(row, "\u202e") {
		t.Fatalf("raw control reached the row: %q", row)
	}
}

func TestDiffPaneHorizontalScrollAndWide(t *testing.T) {
	lines := []diff.Line{{Kind: diff.Context, OldNo: 1, NewNo: 1, Text: "0123456789漢字abcdefghij"}}
	p := paneWith(termenv.Ascii, lines, 24, 3)
	// Gutter "  1   1 " (8) and marker (2) leave 14 columns of text.
	if got := ansi.Strip(p.view()[1]); got != "  1   1   0123456789漢字" {
		t.Fatalf("got %q", got)
	}
	p.hscroll(8)
	if got := ansi.Strip(p.view()[1]); got != "  1   1   89漢字abcdefgh" {
		t.Fatalf("after scroll got %q", got)
	}
	p.hscroll(3) // starts inside 漢: a space keeps columns aligned
	if got := ansi.Strip(p.view()[1]); got != "  1   1    字abcdefghij" {
		t.Fatalf("wide edge got %q", got)
	}
}

func TestDiffPaneHugeLineIsCut(t *testing.T) {
	long := strings.Repeat("é", 1<<20)
	lines := []diff.Line{{Kind: diff.Add, NewNo: 1, Text: long}}
	p := paneWith(termenv.Ascii, lines, 100, 3)
	row := p.view()[1]
	if w := ansi.StringWidth(row); w > 100 {
		t.Fatalf("row is %d columns", w)
	}
	if !utf8.ValidString(row) {
		t.Fatal("cut inside a rune")
	}
}

func TestDiffPaneSideBySidePairs(t *testing.T) {
	st := newStyles(termenv.Ascii, true)
	dp := newDiffPane(&st)
	lines := append([]diff.Line{{Kind: diff.Del, OldNo: 0, Text: "gone"}}, pairLines...)
	lines[0].OldNo = 1
	fd := &diff.FileDiff{Hunks: []diff.Hunk{{OldStart: 1, OldLines: 3, NewStart: 1, NewLines: 2, Lines: lines}}}
	dp.setFile(fd, nil, true)
	dp.setSize(81, 6)
	v := dp.view()
	// Two removals beside one addition: the second removal has an empty right side.
	left, right, _ := strings.Cut(ansi.Strip(v[1]), "│")
	if !strings.Contains(left, "- gone") || !strings.Contains(right, "+ const timeout = 5000") {
		t.Fatalf("row 1: %q | %q", left, right)
	}
	left, right, _ = strings.Cut(ansi.Strip(v[2]), "│")
	if !strings.Contains(left, "- const timeout = 3000") || strings.TrimSpace(right) != "" {
		t.Fatalf("row 2: %q | %q", left, right)
	}
	for _, l := range v {
		if w := ansi.StringWidth(l); w > 81 {
			t.Fatalf("line %d columns wide", w)
		}
	}
}

func TestDiffPaneResizeKeepsRows(t *testing.T) {
	p := paneWith(termenv.Ascii, pairLines, 60, 10)
	before := &p.rows[0]
	p.view()
	p.setSize(100, 20)
	if &p.rows[0] != before || len(p.cache) != 0 {
		t.Fatal("resize rebuilt rows or kept a stale cache")
	}
}

// FuzzRenderText: whatever a tarball line contains, the rendered row has
// no control character outside our own SGR sequences and fits the width.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "tab\there", "\u202egnp.exe", "漢字\x00\x9b", "\xff\xfe", "a\rb"} {
		f.Add(s, s+"x", uint8(0))
	}
	st := newStyles(termenv.TrueColor, true)
	f.Fuzz(func(t *testing.T, a, b string, xoff uint8) {
		dp := newDiffPane(&st)
		fd := &diff.FileDiff{Hunks: []diff.Hunk{{Lines: []diff.Line{{Kind: diff.Del, OldNo: 1, Text: a}, {Kind: diff.Add, NewNo: 1, Text: b}}}}}
		for _, sbs := range []bool{false, true} {
			dp.setFile(fd, nil, sbs)
			dp.setSize(70, 4)
			dp.hscroll(int(xoff))
			dp.setQuery("x")
			for _, row := range dp.view() {
				plain := stripOurSGR(st, row)
				for _, r := range plain {
					if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
						t.Fatalf("control %U in %q", r, row)
					}
				}
				if w := ansi.StringWidth(row); w > 70 {
					t.Fatalf("row %d columns: %q", w, row)
				}
			}
		}
	})
}

// stripOurSGR removes exactly the sequences our styles emit, so anything
// else that looks like an escape sequence is caught, not stripped.
func stripOurSGR(st styles, s string) string {
	v := reflect.ValueOf(st)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Type() != reflect.TypeOf(style{}) {
			continue
		}
		if pre := f.Field(0).String(); pre != "" {
			s = strings.ReplaceAll(s, pre, "")
			s = strings.ReplaceAll(s, f.Field(1).String(), "")
		}
	}
	return s
}

// markLine finds a line in rows that hold only one side (a new file side
// by side has no old line on any row).
func TestMarkLineOneSidedRows(t *testing.T) {
	st := newStyles(termenv.Ascii, true)
	fd := &diff.FileDiff{Path: "setup.js", Status: diff.Added, Hunks: []diff.Hunk{{NewStart: 1, NewLines: 3, Lines: []diff.Line{
		{Kind: diff.Add, NewNo: 1, Text: "a"}, {Kind: diff.Add, NewNo: 2, Text: "b"}, {Kind: diff.Add, NewNo: 3, Text: "c"}}}}}
	for _, sbs := range []bool{false, true} {
		p := newDiffPane(&st)
		p.setFile(fd, nil, sbs)
		p.setSize(100, 10)
		if !p.markLine(2, false) || p.markRow != 2 {
			t.Errorf("sbs=%v: line 2 at row %d", sbs, p.markRow)
		}
		if p.markLine(9, false) || p.markRow != -1 {
			t.Errorf("sbs=%v: line 9 is not in the diff, marked row %d", sbs, p.markRow)
		}
	}
	old := &diff.FileDiff{Path: "gone.js", Status: diff.Removed, Hunks: []diff.Hunk{{OldStart: 1, OldLines: 2, Lines: []diff.Line{
		{Kind: diff.Del, OldNo: 1, Text: "x"}, {Kind: diff.Del, OldNo: 2, Text: "y"}}}}}
	p := newDiffPane(&st)
	p.setFile(old, nil, true)
	p.setSize(100, 10)
	if !p.markLine(2, true) || p.markRow != 2 {
		t.Errorf("removed file: old line 2 at row %d", p.markRow)
	}
}
