package highlight

import (
	"io/fs"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

func TestLines(t *testing.T) {
	h := New()
	for _, tc := range []struct {
		path, line string
		want       map[string]Class // text -> class
	}{
		{"lib/a.js", `const x = "s"; // note`, map[string]Class{"const": Keyword, `"s"`: String, "// note": Comment, "=": Operator}},
		{"a.min.mjs", `return 42 + true`, map[string]Class{"return": Keyword, "42": Number, "true": Literal}},
		{"package.json", `"version": "1.0.0",`, map[string]Class{`"1.0.0"`: String}},
		{"README.md", `plain words`, map[string]Class{}},
		{"scripts/install.sh", `echo "hi" # x`, map[string]Class{`"hi"`: String, "# x": Comment}},
		{"Dockerfile", `RUN echo "hi"`, map[string]Class{"RUN": Keyword, `"hi"`: String}}, // Bash inside Docker
		{"tools/setup.ps1", `$x = "hi"`, map[string]Class{`"hi"`: String}},
		{"src/addon.cc", `return 1;`, map[string]Class{"return": Keyword, "1": Number}},
		{"types/index.d.ts", `export type A = string`, map[string]Class{"export": Keyword}},
	} {
		spans := h.Lines(tc.path, []string{tc.line})[0]
		got := map[string]Class{}
		for _, s := range spans {
			if s.Start < 0 || s.End > int32(len(tc.line)) || s.Start >= s.End {
				t.Fatalf("%s: span %+v out of %q", tc.path, s, tc.line)
			}
			got[tc.line[s.Start:s.End]] = s.Class
		}
		for text, c := range tc.want {
			if got[text] != c {
				t.Errorf("%s %q: %q is class %d, want %d (spans %v)", tc.path, tc.line, text, got[text], c, got)
			}
		}
	}
	if h.Supports("blob.unknownext") {
		t.Error("a file without a lexer is supported")
	}
	if out := h.Lines("blob.unknownext", []string{"x"}); len(out) != 1 || out[0] != nil {
		t.Errorf("no lexer: %v", out)
	}
}

func TestPalette(t *testing.T) {
	for _, dark := range []bool{true, false} {
		p := Palette(dark)
		if p[Keyword].FG == "" || p[String].FG == "" || p[Comment].FG == "" || p[Keyword].FG == p[String].FG {
			t.Errorf("dark %v: palette %+v", dark, p)
		}
	}
	if Palette(true)[String] == Palette(false)[String] {
		t.Error("dark and light palettes are the same")
	}
}

// The palettes are chroma's GitHub styles, copied (see Palette).
func TestPaletteIsChromas(t *testing.T) {
	for name, dark := range map[string]bool{"github-dark": true, "github": false} {
		st := styles.Get(name)
		of := func(tt chroma.TokenType) Colour {
			e := st.Get(tt)
			c := Colour{Bold: e.Bold == chroma.Yes, Italic: e.Italic == chroma.Yes}
			if e.Colour.IsSet() {
				c.FG = e.Colour.String()
			}
			return c
		}
		want := [NClasses]Colour{Keyword: of(chroma.Keyword), Name: of(chroma.NameFunction), String: of(chroma.LiteralString),
			Number: of(chroma.LiteralNumber), Literal: of(chroma.KeywordConstant), Comment: of(chroma.Comment), Operator: of(chroma.Operator)}
		if got := Palette(dark); got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// BenchmarkScreen lexes one screen of a diff (60 lines of JavaScript), the
// work of one background highlight after a scroll.
func BenchmarkScreen(b *testing.B) {
	h := New()
	lines := make([]string, 60)
	for i := range lines {
		lines[i] = "  return handler(request, response, next, { retries: 2, timeout: 5000, signal }) // 'x'"
	}
	h.Lines("a.js", lines[:1])
	b.ReportAllocs()
	for b.Loop() {
		h.Lines("a.js", lines)
	}
}

// Every embedded definition loads: a broken copy would silently leave its
// language without colour.
func TestEmbeddedLexersLoad(t *testing.T) {
	paths, err := fs.Glob(lexerFiles, "lexers/*.xml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no embedded lexers: %v", err)
	}
	if got := len(loadRegistry().Lexers); got != len(paths) {
		t.Fatalf("%d of %d embedded lexers loaded", got, len(paths))
	}
}
