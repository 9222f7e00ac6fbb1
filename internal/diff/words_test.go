package diff

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func spanText(s string, spans []Span) string {
	var parts []string
	for _, sp := range spans {
		parts = append(parts, s[sp.Start:sp.End])
	}
	return strings.Join(parts, "|")
}

func TestWordSpans(t *testing.T) {
	tests := []struct {
		name, old, new   string
		wantOld, wantNew string
		none             bool
	}{
		{name: "one word", old: "const x = require('a');", new: "const x = require('b');", wantOld: "a", wantNew: "b"},
		{name: "insertion", old: "foo(a, b)", new: "foo(a, evil, b)", wantOld: "", wantNew: "evil, "},
		{name: "utf8 kept whole", old: "say('héllo')", new: "say('hello')", wantOld: "héllo", wantNew: "hello"},
		{name: "identical", old: "same", new: "same", none: true},
		{name: "too different", old: "alpha beta gamma", new: "1+2*3/4", none: true},
		{name: "too long", old: strings.Repeat("a ", 1001), new: strings.Repeat("a ", 1000) + "b", none: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, n := WordSpans(tc.old, tc.new)
			if tc.none {
				if o != nil || n != nil {
					t.Fatalf("spans %v %v, want none", o, n)
				}
				return
			}
			if g := spanText(tc.old, o); g != tc.wantOld {
				t.Fatalf("old spans %q, want %q", g, tc.wantOld)
			}
			if g := spanText(tc.new, n); g != tc.wantNew {
				t.Fatalf("new spans %q, want %q", g, tc.wantNew)
			}
			for _, sp := range append(o, n...) {
				if sp.Start >= sp.End {
					t.Fatalf("empty span %v", sp)
				}
			}
		})
	}
}

func FuzzWordSpans(f *testing.F) {
	f.Add("a b c", "a x c")
	f.Add("héllo wörld", "hello world")
	f.Fuzz(func(t *testing.T, a, b string) {
		o, n := WordSpans(a, b)
		check := func(s string, spans []Span) {
			end := 0
			for _, sp := range spans {
				if sp.Start < end || sp.End <= sp.Start || sp.End > len(s) {
					t.Fatalf("bad span %v in %d bytes", sp, len(s))
				}
				if utf8.ValidString(s) && (!utf8.ValidString(s[sp.Start:sp.End])) {
					t.Fatalf("span %v splits a rune", sp)
				}
				end = sp.End
			}
		}
		check(a, o)
		check(b, n)
	})
}

func TestPairLines(t *testing.T) {
	h := Hunk{Lines: []Line{
		{Kind: Context}, {Kind: Del}, {Kind: Del}, {Kind: Add}, // 1,2 del; 3 add
		{Kind: Context}, {Kind: Add}, // lone add
		{Kind: Del}, {Kind: Add}, {Kind: Add}, // 6 del; 7,8 add
		{Kind: Del}, // lone del
	}}
	got := fmt.Sprint(PairLines(h))
	if want := "[[1 3] [6 7]]"; got != want {
		t.Fatalf("pairs %s, want %s", got, want)
	}
}
