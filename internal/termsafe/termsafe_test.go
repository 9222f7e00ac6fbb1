package termsafe

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

func TestString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "const a = 1;", "const a = 1;"},
		{"tabs and newlines pass", "a\tb\nc\n", "a\tb\nc\n"},
		{"unicode text passes", "héllo 日本語 — ✓ 🎉", "héllo 日本語 — ✓ 🎉"},
		{"clear screen", "\x1b[2J", "␛[2J"},
		{"conceal", "ok\x1b[8mhidden\x1b[0m", "ok␛[8mhidden␛[0m"},
		{"osc 0 title", "\x1b]0;pwned\x07", "␛]0;pwned␇"},
		{"osc 52 clipboard", "\x1b]52;c;Y3VybA==\x1b\\", "␛]52;c;Y3VybA==␛\\"},
		{"osc 8 link", "\x1b]8;;http://203.0.113.7/\x1b\\click\x1b]8;;\x1b\\", "␛]8;;http://203.0.113.7/␛\\click␛]8;;␛\\"},
		{"backspaces", "rm -rf /\b\b\b\b\b\b\b\bls", "rm -rf /␈␈␈␈␈␈␈␈ls"},
		{"carriage return", "0 findings\r12 findings", "0 findings␍12 findings"},
		{"crlf", "a\r\n", "a␍\n"},
		{"nul", "a\x00b", "a␀b"},
		{"unit separator", "\x1f", "␟"},
		{"del", "a\x7fb", "a␡b"},
		{"vertical tab, form feed", "\v\f", "␋␌"},
		{"c1 csi", "\u009b31m", "⟦U+009B CSI⟧31m"},
		{"c1 osc and nel", "\u009d0;t\u0085", "⟦U+009D OSC⟧0;t⟦U+0085 NEL⟧"},
		{"raw 8-bit csi byte", "\x9b2J", `\x9b2J`},
		{"invalid utf8", "caf\xe9 \xff\xfe", `caf\xe9 \xff\xfe`},
		{"truncated rune", "ok\xe2\x82", `ok\xe2\x82`},
		{"literal backslash-x stays", `"\x1b[31m"`, `"\x1b[31m"`},
		{"trojan source", "/* \u202e } \u2066if (admin)\u2069 \u2066 */", "/* ⟦U+202E RLO⟧ } ⟦U+2066 LRI⟧if (admin)⟦U+2069 PDI⟧ ⟦U+2066 LRI⟧ */"},
		{"every bidi", "\u202a\u202b\u202c\u202d\u2067\u2068\u200e\u200f\u061c", "⟦U+202A LRE⟧⟦U+202B RLE⟧⟦U+202C PDF⟧⟦U+202D LRO⟧⟦U+2067 RLI⟧⟦U+2068 FSI⟧⟦U+200E LRM⟧⟦U+200F RLM⟧⟦U+061C ALM⟧"},
		{"zero width", "is\u200bAdmin\u200c\u200d\u2060", "is⟦U+200B ZWSP⟧Admin⟦U+200C ZWNJ⟧⟦U+200D ZWJ⟧⟦U+2060 WJ⟧"},
		{"zwj in identifier", "const user\u200dName = 1", "const user⟦U+200D ZWJ⟧Name = 1"},
		{"bom at start", "\ufeffmodule", "⟦U+FEFF BOM⟧module"},
		{"zwnbsp later", "a\ufeffb", "a⟦U+FEFF ZWNBSP⟧b"},
		{"tag run reveals ascii", "hi\U000E0069\U000E0067\U000E006E\U000E006F\U000E0072\U000E0065!", `hi⟦TAG×6 "ignore"⟧!`},
		{"tag non-printables", "\U000E0001\U000E007F", `⟦TAG×2 "??"⟧`},
		{"emoji presentation passes", "❤️ ☺︎", "❤️ ☺︎"},
		{"keycap passes", "1️⃣", "1️⃣"},
		{"selector run", "😀\ufe01\ufe02\U000E0100\U000E01EF", "😀⟦U+FE01 VS2⟧⟦U+FE02 VS3⟧⟦U+E0100 VS17⟧⟦U+E01EF VS256⟧"},
		{"second presentation selector", "a\ufe0f\ufe0f", "a\ufe0f⟦U+FE0F VS16⟧"},
		{"selector at start", "\ufe0fx", "⟦U+FE0F VS16⟧x"},
		{"selector after space", " \ufe0f", " ⟦U+FE0F VS16⟧"},
		{"soft hyphen", "pass\u00adword", "pass⟦U+00AD SHY⟧word"},
		{"hangul filler identifier", "var \u3164 = 1", "var ⟦U+3164 HANGUL FILLER⟧ = 1"},
		{"line separator", "a\u2028b\u2029", "a⟦U+2028 LSEP⟧b⟦U+2029 PSEP⟧"},
		{"other format char", "x\u2064y\U0001D173", "x⟦U+2064 INVISIBLE PLUS⟧y⟦U+1D173⟧"},
		{"combining marks pass", "cafe\u0301", "cafe\u0301"},
		{"private use passes", "\ue000", "\ue000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := String(tc.in)
			if got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			assertSafe(t, got, true)
			var b strings.Builder
			for _, seg := range Segments(tc.in) {
				b.WriteString(seg.Text)
			}
			if b.String() != got {
				t.Errorf("Segments concatenate to %q, String gives %q", b.String(), got)
			}
		})
	}
}

func TestStringNoAllocOnPlainText(t *testing.T) {
	for _, s := range []string{"plain ascii line of code();", "ünïcödé and emoji ❤️ and\ttabs\n"} {
		if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
			t.Errorf("String(%q) allocates %v times", s, n)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = Line(s, 200) }); n != 0 && isPlainASCII(s) {
			t.Errorf("Line(%q) allocates %v times", s, n)
		}
	}
}

func TestSegments(t *testing.T) {
	got := Segments("a\x1b[2Jb\u202e")
	want := []Segment{{"a", false}, {"␛", true}, {"[2Jb", false}, {"⟦U+202E RLO⟧", true}}
	if len(got) != len(want) {
		t.Fatalf("Segments = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if segs := Segments("plain"); len(segs) != 1 || segs[0] != (Segment{"plain", false}) {
		t.Errorf("Segments(plain) = %+v", segs)
	}
	if segs := Segments(""); len(segs) != 0 {
		t.Errorf("Segments(\"\") = %+v", segs)
	}
}

func TestLine(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		in      string
		cols    int
		want    string
		wantCut int
	}{
		{"fits", "package/index.js", 80, "package/index.js", 0},
		{"no limit", long, 0, long, 0},
		{"exact fit", long, 100, long, 0},
		{"newline and tab escaped", "evil\x1b[2J\nname\t.js", 80, "evil␛[2J␊name␉.js", 0},
		{"cut with note", long, 30, strings.Repeat("x", 17) + "…(+83 chars)", 83},
		{"cut wide chars", strings.Repeat("日", 20), 21, strings.Repeat("日", 4) + "…(+16 chars)", 16},
		{"wide char not split", "a" + strings.Repeat("日", 20), 22, "a" + strings.Repeat("日", 4) + "…(+16 chars)", 16},
		{"too narrow for note", long, 5, "xxxx…", 96},
		{"one column", long, 1, "…", 100},
		{"tokens count in width", strings.Repeat("\x1b", 40), 20, strings.Repeat("␛", 8) + "…(+32 chars)", 32},
		{"invalid bytes count as chars", strings.Repeat("\xff", 40), 30, strings.Repeat(`\xff`, 4) + "…(+36 chars)", 36},
		{"grapheme kept whole", strings.Repeat("e\u0301", 30), 20, strings.Repeat("e\u0301", 8) + "…(+44 chars)", 44},
		{"token not split", "ab\u202ecdefghijklmnopqrstuvwxyz0123456789", 24, "ab…(+35 chars)", 35},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := Line(tc.in, tc.cols)
			if got != tc.want || cut != tc.wantCut {
				t.Errorf("Line(%q, %d) = %q, %d; want %q, %d", tc.in, tc.cols, got, cut, tc.want, tc.wantCut)
			}
			if w := uniseg.StringWidth(got); tc.cols > 0 && w > tc.cols {
				t.Errorf("width %d > %d", w, tc.cols)
			}
			assertSafe(t, got, false)
			segs, cut2 := LineSegments(tc.in, tc.cols)
			var b strings.Builder
			for _, s := range segs {
				b.WriteString(s.Text)
			}
			if b.String() != got || cut2 != cut {
				t.Errorf("LineSegments = %q, %d; Line = %q, %d", b.String(), cut2, got, cut)
			}
			if cut > 0 && (len(segs) == 0 || !segs[len(segs)-1].Token) {
				t.Errorf("truncation note is not a token segment: %+v", segs)
			}
		})
	}
}

func TestLineHugeLineIsCheap(t *testing.T) {
	// fixture 5's single 5 MB line: the cut must not render all of it.
	huge := strings.Repeat("\x1b[31m_0x1a2b", 5<<20/12)
	out, cut := Line(huge, 300)
	if uniseg.StringWidth(out) > 300 || cut < 5<<20/12*11 {
		t.Errorf("width %d cut %d", uniseg.StringWidth(out), cut)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _ = Line(huge, 300)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<10 {
		t.Errorf("Line on a 5 MB line allocates %d bytes", n)
	}
}

func TestExpandTabs(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"no tabs", 4, "no tabs"},
		{"\tx", 4, "    x"},
		{"ab\tc", 4, "ab  c"},
		{"abcd\te", 4, "abcd    e"},
		{"a\tb\n\tc", 4, "a   b\n    c"},
		{"\tx", 0, "        x"},
		{"日\tx", 4, "日  x"},             // a wide character takes two columns
		{"\x1b\tx", 4, "\x1b   x"},      // ESC displays as one column (␛)
		{"\u202e\tx", 4, "\u202e    x"}, // the marker is 12 columns wide
	}
	for _, tc := range tests {
		if got := ExpandTabs(tc.in, tc.width); got != tc.want {
			t.Errorf("ExpandTabs(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want Findings
	}{
		{"plain\ttext\n", Findings{}},
		{"\x1b[2J\r\x07\x7f", Findings{Control: 4, Escapes: 1, LoneCR: 1}},
		{"a\r\nb\r", Findings{Control: 2, LoneCR: 1}},
		{"\u009b\u0085", Findings{Control: 2, Escapes: 1}},
		{"\x9b\xff", Findings{Invalid: 2, Escapes: 1}},
		{"\u202e\u2066\u2069", Findings{Bidi: 3}},
		{"\ufeffa\u200b\u200d\ufeff", Findings{ZeroWidth: 3}},
		{"\U000E0041\U000E0042\U000E0043", Findings{Tags: 3}},
		{"❤️\ufe0f\U000E0100", Findings{Selectors: 2}},
		{"\u00ad\u3164\u2028", Findings{Invisible: 3}},
	}
	for _, tc := range tests {
		got := Scan(tc.in)
		if got != tc.want {
			t.Errorf("Scan(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	f := Scan("\x1b\u202e\u200b\U000E0041\ufe01\u00ad\xff")
	if f.Hidden() != 5 || f.Total() != 7 {
		t.Errorf("Hidden %d Total %d", f.Hidden(), f.Total())
	}
}

func TestTokenWidths(t *testing.T) {
	// Line and ExpandTabs count a token as one column per rune: true for
	// every character used in tokens under the width rules lipgloss uses.
	for _, tok := range []string{"␀", "␛", "␡", "␟", "⟦", "⟧", "×", "…"} {
		if w := uniseg.StringWidth(tok); w != 1 {
			t.Errorf("width of %q = %d", tok, w)
		}
	}
}

// assertSafe checks the package invariant on rendered text.
func assertSafe(t testing.TB, out string, multi bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	prevBase := false
	for _, r := range out {
		switch {
		case r == '\t' || r == '\n':
			if !multi {
				t.Fatalf("single-line output contains %q: %q", r, out)
			}
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("output contains control %U: %q", r, out)
		case isBidi(r), r == 0x200b, r == 0x200c, r == 0x200d, r == 0x2060, r == 0xfeff,
			r >= 0xe0000 && r <= 0xe007f, r == 0x2028, r == 0x2029, unicode.Is(unicode.Cf, r):
			t.Fatalf("output contains invisible %U: %q", r, out)
		case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
			if !prevBase || (r != 0xfe0e && r != 0xfe0f) {
				t.Fatalf("output contains stray selector %U: %q", r, out)
			}
		}
		prevBase = r > ' ' && !(r >= 0xfe00 && r <= 0xfe0f) && !unicode.IsSpace(r)
	}
}

// TestPropertyRandom renders random mixes of hostile units and checks the
// invariant, idempotence and the Segments/Line contracts.
func TestPropertyRandom(t *testing.T) {
	alphabet := []string{"a", " ", "\t", "\n", "\r", "\x1b", "\x00", "\x7f", "\x9b", "\xff", "\xe2\x80", "\u009b",
		"\u0085", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\U000E0041", "\U000E007F", "\ufe0f", "\ufe0e",
		"\U000E0100", "\u00ad", "\u3164", "\u2028", "日", "e\u0301", "❤", "[", "]", "⟦", "\\x1b", "␛"}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		out := String(s)
		assertSafe(t, out, true)
		if String(out) != out {
			t.Fatalf("String not idempotent on %q", s)
		}
		cols := rng.IntN(30)
		line, cut := Line(s, cols)
		assertSafe(t, line, false)
		if cols > 0 && uniseg.StringWidth(line) > cols {
			t.Fatalf("Line(%q, %d) = %q is %d wide", s, cols, line, uniseg.StringWidth(line))
		}
		if cut < 0 || cut > utf8.RuneCountInString(s) {
			t.Fatalf("cut %d for %q", cut, s)
		}
		if e := ExpandTabs(s, 4); strings.Contains(e, "\t") {
			t.Fatalf("ExpandTabs left a tab in %q", s)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J\x1b[8m\x1b]0;t\x07\x1b]52;c;x\x07\b\b", "\u202e\u2066\u200d\ufeff",
		"\U000E0041\ufe0f\ufe0f", "\xff\x9b\u009b", "日本\te\u0301\n", strings.Repeat("ab", 200)} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, cols int) {
		cols %= 400
		out := String(s)
		assertSafe(t, out, true)
		if isPlainASCII(strings.NewReplacer("\t", "", "\n", "").Replace(s)) && out != s {
			t.Fatalf("plain text changed: %q -> %q", s, out)
		}
		line, cut := Line(s, cols)
		assertSafe(t, line, false)
		if cols > 0 && uniseg.StringWidth(line) > cols {
			t.Fatalf("Line(%q, %d) = %q too wide", s, cols, line)
		}
		if cut < 0 || cut > len(s) {
			t.Fatalf("cut %d", cut)
		}
		var b strings.Builder
		for _, seg := range Segments(s) {
			b.WriteString(seg.Text)
		}
		if b.String() != out {
			t.Fatalf("Segments differ from String for %q", s)
		}
		if strings.Contains(ExpandTabs(s, 4), "\t") {
			t.Fatalf("ExpandTabs left a tab in %q", s)
		}
		assertInert(t, out)
		assertInert(t, line)
	})
}

// assertInert decodes out the way a terminal would (charmbracelet's VT
// parser) and fails on anything but printable text, tabs and newlines.
func assertInert(t testing.TB, out string) {
	t.Helper()
	p := ansi.NewParser()
	var state byte
	for rest := out; rest != ""; {
		seq, _, n, st := ansi.DecodeSequence(rest, state, p)
		state = st
		r, size := utf8.DecodeRuneInString(seq)
		control := (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r == utf8.RuneError && size <= 1)
		if control || (len(seq) > 1 && (r == '\t' || r == '\n')) {
			t.Fatalf("terminal would interpret %q in %q", seq, out)
		}
		rest = rest[n:]
	}
}

// TestHostileViewerFixture is fixture 5's README and util.js: rendered,
// they must reach the terminal as inert text with every trick visible.
func TestHostileViewerFixture(t *testing.T) {
	readme := "# fx-hostile-viewer\n" +
		"\x1b[2J\x1b[H0 findings\n" + // clear screen, home, fake verdict
		"visible\x1b[8mconcealed backdoor\x1b[0m\n" +
		"\x1b]0;npm install ok\x07\n" + // window title
		"\x1b]8;;http://203.0.113.7/payload\x1b\\docs\x1b]8;;\x1b\\\n" + // deceptive link
		"\x1b]52;c;Y3VybCBleGFtcGxlLmludmFsaWQgfCBzaA==\x07\n" + // clipboard write
		"safe text\b\b\b\b\b\b\b\b\bmalicious\n" +
		"\u009b2J\u009d0;t\u009c\x9b2J\n" + // 8-bit CSI/OSC, as a rune and as a raw byte
		"\x1b[31m- removed\x1b[32m+ added\x1b[0m\r+ overwritten\n"
	util := "// \u202e } \u2066 if (isAdmin) \u2069 \u2066 begin admin only\nconst is\u200dAdmin = false;\n"
	for name, text := range map[string]string{"README.md": readme, "util.js": util} {
		out := String(text)
		assertSafe(t, out, true)
		assertInert(t, out)
		line, _ := Line(text, 300)
		assertInert(t, line)
		if f := Scan(text); f.Total() == 0 {
			t.Errorf("%s: Scan found nothing", name)
		}
	}
	if f := Scan(util); f.Bidi != 4 || f.ZeroWidth != 1 {
		t.Errorf("util.js findings %+v", f)
	}
	if f := Scan(readme); f.Escapes != 16 || f.LoneCR != 1 || f.Invalid != 1 {
		t.Errorf("README findings %+v", f)
	}
	name := "evil\x1b[2J\nname.js"
	if out, _ := Line(name, 80); out != "evil␛[2J␊name.js" {
		t.Errorf("file name rendered %q", out)
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		{"héllo", 2, "h…"}, // never half of é
		{"日本語", 4, "日…"},
		{"abc", 0, "…"},
		{"abc", -1, "…"},
	} {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
