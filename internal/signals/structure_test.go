package signals

import (
	stdctx "context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// stAnalyze runs the structural detectors alone on a pair.
func stAnalyze(t testing.TB, old, new *tarball.Package) []Signal {
	t.Helper()
	d, err := diff.Compare(stdctx.Background(), old, new, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newContext(Input{Old: old, New: new, Diff: d})
	structureSignals(c)
	return c.finish()
}

// stPair runs the structural detectors on two synthetic packages (old nil:
// a first release) and returns the signals of one id.
func stPair(t testing.TB, old, new map[string]string, id string) []Signal {
	t.Helper()
	var o *tarball.Package
	if old != nil {
		o = pkg(old)
	}
	var out []Signal
	for _, s := range stAnalyze(t, o, pkg(new)) {
		if s.ID == id {
			out = append(out, s)
		}
	}
	return out
}

// stCase is one table row: base and staged files, then what must show.
type stCase struct {
	name     string
	old, new map[string]string // old nil: a first release
	path     string            // the path that must fire; "-" for none at all
	sev      Severity          // "" for the id's default
	line     int               // 0: not checked; -1: must be 0 (about the whole file)
	want     []string          // substrings of Title + " | " + Detail
}

func runStCases(t *testing.T, id string, cases []stCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := stPair(t, tt.old, tt.new, id)
			if tt.path == "-" {
				if len(got) > 0 {
					t.Fatalf("want no %s, got %+v", id, got)
				}
				return
			}
			var s *Signal
			for i := range got {
				if got[i].Path == tt.path {
					if s != nil {
						t.Fatalf("two %s signals for %q: %+v", id, tt.path, got)
					}
					s = &got[i]
				}
			}
			if s == nil {
				t.Fatalf("want %s on %q, got %+v", id, tt.path, got)
			}
			sev := tt.sev
			if sev == "" {
				sev = DefaultSeverity(id)
			}
			if s.Severity != sev {
				t.Errorf("severity %s, want %s (%+v)", s.Severity, sev, *s)
			}
			if want := max(tt.line, 0); tt.line != 0 && s.Line != want {
				t.Errorf("line %d, want %d (%+v)", s.Line, tt.line, *s)
			}
			text := s.Title + " | " + s.Detail
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
		})
	}
}

// stReadable is a readable JS file of n short lines.
func stReadable(n int) string {
	var b strings.Builder
	b.WriteString("'use strict';\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "function f%d(a, b) {\n  return a + b * %d;\n}\n", i, i)
	}
	return b.String()
}

// stMinifiedJS is minified-looking code: one long line per 4 KB, no
// obfuscation markers.
func stMinifiedJS(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "var a%d=function(e,t){return e+t*%d};", i, i)
		if i%100 == 99 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// stRandom returns n deterministic pseudo-random bytes.
func stRandom(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.Uint32())
	}
	return out
}

const stMarker = "throw new Error(\"fixture – never run\");\n"

func TestObfuscatedCode(t *testing.T) {
	readable := stReadable(100)
	minified := stMinifiedJS(400)
	var hexIDs strings.Builder
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&hexIDs, "var _0x%04x=%d;", 0xa1b0+i, i)
	}
	escaped := `var s='` + strings.Repeat(`\x68\x65`, 10) + `abc';`
	runStCases(t, ObfuscatedCode, []stCase{
		{name: "readable file becomes minified", old: map[string]string{"index.js": readable},
			new: map[string]string{"index.js": minified}, path: "index.js", line: -1, want: []string{"becomes minified", "base"}},
		{name: "markers injected into a readable file", old: map[string]string{"index.js": readable},
			new:  map[string]string{"index.js": readable + stMarker + hexIDs.String() + "while(!![]){break}\n"},
			path: "index.js", line: 303, want: []string{"12 _0x", "while(!![])"}},
		{name: "minified bundle rebuilt: quiet", old: map[string]string{"dist/b.min.js": minified},
			new: map[string]string{"dist/b.min.js": strings.Replace(minified, "e+t*7}", "e-t*7}", 1)}, path: "-"},
		{name: "markers added to an already minified file", old: map[string]string{"dist/b.js": minified},
			new: map[string]string{"dist/b.js": minified + "\nwhile ( !! [ ] ) {}"}, path: "dist/b.js", want: []string{"while(!![])"}},
		{name: "markers already in the base: quiet", old: map[string]string{"a.js": readable + hexIDs.String() + "\nwhile(!![]){}\n"},
			new: map[string]string{"a.js": readable + hexIDs.String() + "\nwhile(!![]){}\n// edit\n"}, path: "-"},
		{name: "string table rotated through quoted names", old: map[string]string{"a.js": readable},
			new:  map[string]string{"a.js": readable + "(function(b,c){var d=function(e){while(--e){b[\"push\"](b[\"shift\"]())}};d(++c)}(a,0x1a3));\n"},
			path: "a.js", want: []string{"string array rotation"}},
		{name: "a dozen calls through quoted names", old: map[string]string{"a.js": readable},
			new:  map[string]string{"a.js": readable + strings.Repeat("q['charCodeAt'](i);r['indexOf'](c);", 6) + "\n"},
			path: "a.js", want: []string{"12 method calls"}},
		{name: "Emscripten glue quoting its own exports: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + strings.Repeat("Module['_malloc'](n);Module['ccall'](f);", 8) + "\n"}, path: "-"},
		{name: "calls through quoted reserved words: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + strings.Repeat("p['catch'](f);p['finally'](g);", 8) + "\n"}, path: "-"},
		{name: "calls through quoted names already in the base: quiet",
			old: map[string]string{"a.js": readable + strings.Repeat("q['charCodeAt'](i);", 12) + "\n"},
			new: map[string]string{"a.js": readable + strings.Repeat("q['charCodeAt'](i);", 13) + "\n"}, path: "-"},
		{name: "fromCharCode with 12 arguments", old: map[string]string{"a.js": readable},
			new:  map[string]string{"a.js": readable + "x=String.fromCharCode(104,101,108,108,111,32,119,111,114,108,100,33);\n"},
			path: "a.js", want: []string{"fromCharCode with 12 arguments"}},
		{name: "fromCharCode with 3 arguments: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "x=String.fromCharCode(104, 101, 108);\n"}, path: "-"},
		{name: "JSFuck run", old: map[string]string{"a.js": readable},
			new:  map[string]string{"a.js": readable + "x=(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(!![]+[])[+[]];\n"},
			path: "a.js", want: []string{"JSFuck"}},
		{name: "escaped literal", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + escaped + "\n"}, path: "a.js", want: []string{"\\x/\\u escapes"}},
		{name: "short escaped literal: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "x='\\u2028'+'\\x1b[0m';\n"}, path: "-"},
		{name: "escaped backslashes are not escapes", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + `x="[\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff]";` + "\n"}, path: "-"},
		{name: "new minified .min.js is low", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable, "dist/a.min.js": minified}, path: "dist/a.min.js", sev: Low, want: []string{"new minified file"}},
		{name: "new minified file", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable, "lib/chunk.js": minified}, path: "lib/chunk.js", want: []string{"new minified file"}},
		{name: "first release minified: quiet", new: map[string]string{"dist/a.js": minified}, path: "-"},
		{name: "first release with markers", new: map[string]string{"a.js": stMarker + hexIDs.String()}, path: "a.js", want: []string{"_0x"}},
		{name: "not JavaScript: quiet", old: map[string]string{"data.json": "{}"},
			new: map[string]string{"data.json": `{"k":"` + strings.Repeat("_0xabcd ", 20) + `"}`}, path: "-"},
		{name: "declarations: quiet", old: map[string]string{"a.d.ts": "export {};\n"},
			new: map[string]string{"a.d.ts": "export {};\n" + hexIDs.String()}, path: "-"},
	})
}

func TestInjectedLongLine(t *testing.T) {
	readable := stReadable(50)
	long := stMarker + "var x='" + strings.Repeat("abc ", 400) + "';"
	runStCases(t, InjectedLongLine, []stCase{
		{name: "long line into a readable file", old: map[string]string{"index.js": readable},
			new:  map[string]string{"index.js": "'use strict';\n" + long + "\n" + readable[len("'use strict';\n"):]},
			path: "index.js", line: 3, want: []string{"readable file", "under 300"}},
		{name: "base already had a 400-byte line: quiet", old: map[string]string{"index.js": readable + "// " + strings.Repeat("x", 400) + "\n"},
			new: map[string]string{"index.js": readable + "// " + strings.Repeat("x", 400) + "\n" + long + "\n"}, path: "-"},
		{name: "a new file is not an injection", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable, "b.js": long}, path: "-"},
		{name: "markdown: quiet", old: map[string]string{"README.md": "# r\n"},
			new: map[string]string{"README.md": "# r\n" + strings.Repeat("word ", 400) + "\n"}, path: "-"},
		{name: "shell script", old: map[string]string{"run.sh": "#!/bin/sh\necho hi\n"},
			new:  map[string]string{"run.sh": "#!/bin/sh\necho hi\n" + "echo " + strings.Repeat("QUJD", 300) + " | base64 -d | sh\n"},
			path: "run.sh", line: 3},
		{name: "line into a file diffed by tokens", old: map[string]string{"index.js": readable},
			new: map[string]string{"index.js": readable + strings.Repeat("var q=1;", 2000) + "\n"}, path: "index.js", line: 152},
	})
}

func TestEncodedBlob(t *testing.T) {
	readable := stReadable(20)
	b64 := base64.StdEncoding.EncodeToString(stRandom(1, 300))
	hexRun := hex.EncodeToString(stRandom(2, 100))
	url := base64.RawURLEncoding.EncodeToString(stRandom(3, 300))
	digest := hex.EncodeToString(stRandom(4, 32))
	runStCases(t, EncodedBlob, []stCase{
		{name: "base64 literal", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "const d = '" + b64 + "';\n"}, path: "a.js", line: 62, want: []string{"base64 of 400 characters", "entropy"}},
		{name: "hex literal", old: map[string]string{"test/data.js": "module.exports = {};\n"},
			new: map[string]string{"test/data.js": "module.exports = '" + hexRun + "';\n"}, path: "test/data.js", want: []string{"hex of 200"}},
		{name: "base64url high entropy", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "k=\"" + url + "\"\n"}, path: "a.js", want: []string{"high-entropy"}},
		{name: "hex after 0x", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "k=0x" + hexRun + ";\n"}, path: "a.js", want: []string{"hex"}},
		{name: "one sha256 digest: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "sum='" + digest + "';\n"}, path: "-"},
		{name: "integrity: quiet", old: map[string]string{"a.json": "{}"},
			new: map[string]string{"a.json": `{"integrity":"sha512-` + b64 + `"}`}, path: "-"},
		{name: "lockfile: quiet", old: map[string]string{"npm-shrinkwrap.json": "{}"},
			new: map[string]string{"npm-shrinkwrap.json": `{"x":"` + b64 + `"}`}, path: "-"},
		{name: "inline source map: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "//# sourceMappingURL=data:application/json;base64," + b64 + "\n"}, path: "-"},
		{name: "source map file: quiet", old: map[string]string{"a.js.map": "{}"},
			new: map[string]string{"a.js.map": `{"x":"` + b64 + `"}`}, path: "-"},
		{name: "inline image is low", old: map[string]string{"a.css": "a{}\n"},
			new: map[string]string{"a.css": "a{background:url(data:image/png;base64," + b64 + ")}\n"}, path: "a.css", sev: Low, want: []string{"data: URI"}},
		{name: "blob kept from the base, line edited: quiet", old: map[string]string{"a.js": readable + "const d = '" + b64 + "';\n"},
			new: map[string]string{"a.js": readable + "export const d = '" + b64 + "';\n"}, path: "-"},
		{name: "long identifier-like text: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "x='" + strings.Repeat("abcdefghABCDEFGH", 20) + "';\n"}, path: "-"},
		{name: "decimal digits: quiet", old: map[string]string{"a.js": readable},
			new: map[string]string{"a.js": readable + "x=" + strings.Repeat("1234567890", 10) + ";\n"}, path: "-"},
	})
}

func TestLargeFile(t *testing.T) {
	big := strings.Repeat("x", 300<<10)
	base := map[string]string{"index.js": "module.exports = 1;\n", "pad.txt": strings.Repeat("p", 2<<20)}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	runStCases(t, LargeFile, []stCase{
		{name: "large new file", old: base, new: with(map[string]string{"router_init.js": big}), path: "router_init.js", want: []string{"large new file", "307200 bytes"}},
		{name: "large new declaration file: quiet", old: base, new: with(map[string]string{"lib/x.d.ts": big}), path: "-"},
		{name: "file grows", old: with(map[string]string{"a.js": strings.Repeat("y", 150<<10)}),
			new: with(map[string]string{"a.js": strings.Repeat("y", 300<<10)}), path: "a.js", want: []string{"grows from 150 KB to 300 KB", "+100%"}},
		{name: "small relative growth: quiet", old: with(map[string]string{"a.js": strings.Repeat("y", 1<<20)}),
			new: with(map[string]string{"a.js": strings.Repeat("y", 1<<20+150<<10)}), path: "-"},
		{name: "package grows", old: map[string]string{"index.js": "1"},
			new: map[string]string{"index.js": "1", "lib/a.js": strings.Repeat("z", 200<<10)}, path: "", want: []string{"unpacked"}},
		{name: "small package grows by little: quiet", old: map[string]string{"index.js": "1"},
			new: map[string]string{"index.js": "1", "README.md": strings.Repeat("z", 4<<10)}, path: "-"},
		{name: "first release: quiet", new: map[string]string{"big.js": big}, path: "-"},
	})
}

func TestUnreferencedFile(t *testing.T) {
	man := func(extra string) string { return `{"name":"p","version":"1.0.0","main":"index.js"` + extra + `}` }
	base := map[string]string{"package.json": man(""), "index.js": "module.exports = 1;\n"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	code := stMarker + "module.exports = 2;\n"
	runStCases(t, UnreferencedFile, []stCase{
		{name: "new file nothing reaches", old: base, new: with(map[string]string{"lib/x.js": code}), path: "lib/x.js", sev: Low, want: []string{"nothing references"}},
		{name: "large new file nothing reaches", old: base, new: with(map[string]string{"lib/x.js": code + strings.Repeat("// pad\n", 10000)}),
			path: "lib/x.js", want: []string{"nothing references"}},
		{name: "required", old: base, new: with(map[string]string{"lib/x.js": code, "index.js": "module.exports = require('./lib/x');\n"}), path: "-"},
		{name: "required with extension from a folder", old: base,
			new: with(map[string]string{"lib/a/x.cjs": code, "lib/b/y.js": "require(\"../a/x.cjs\")", "index.js": "require('./lib/b/y')"}), path: "-"},
		{name: "imported", old: base, new: with(map[string]string{"lib/x.mjs": code, "index.js": "import {\n  a,\n  b\n} from './lib/x.mjs';\n"}), path: "-"},
		{name: "re-exported", old: base, new: with(map[string]string{"lib/x.mjs": code, "index.js": "export * from \"./lib/x.mjs\";\n"}), path: "-"},
		{name: "dynamic import", old: base, new: with(map[string]string{"lib/x.js": code, "index.js": "const m = await import( './lib/x.js' );\n"}), path: "-"},
		{name: "folder index", old: base, new: with(map[string]string{"lib/util/index.js": code, "index.js": "require('./lib/util')"}), path: "-"},
		{name: "self reference", old: base, new: with(map[string]string{"lib/x.js": code, "index.js": "require('p/lib/x')"}), path: "-"},
		{name: "exports map", old: base,
			new: with(map[string]string{"package.json": man(`,"exports":{".":{"import":"./lib/index.mjs","require":"./lib/index.cjs"}}`), "lib/index.mjs": code, "lib/index.cjs": code}), path: "-"},
		{name: "exports pattern", old: base,
			new: with(map[string]string{"package.json": man(`,"exports":{"./*":"./lib/*.js"}`), "lib/feature.js": code}), path: "-"},
		{name: "bin", old: base, new: with(map[string]string{"package.json": man(`,"bin":{"p":"cli.js"}`), "cli.js": code}), path: "-"},
		{name: "named by a script", old: base, new: with(map[string]string{"package.json": man(`,"scripts":{"gen":"node tools/gen.js --out x"}`), "tools/gen.js": code}), path: "-"},
		{name: "worker by file name", old: base,
			new: with(map[string]string{"lib/worker.js": code, "index.js": "new Worker(path.join(__dirname, 'lib', 'worker.js'))"}), path: "-"},
		{name: "known payload name even when referenced", old: base,
			new:  with(map[string]string{"package.json": man(`,"scripts":{"preinstall":"node setup_bun.js"}`), "setup_bun.js": code}),
			path: "setup_bun.js", want: []string{"known payload file name: setup_bun.js"}},
		{name: "known payload name in a folder", old: base, new: with(map[string]string{"lib/build.js": code}), path: "lib/build.js", sev: Low, want: []string{"known payload"}},
		{name: "distinct payload name", old: base, new: with(map[string]string{"router_init.js": code}), path: "router_init.js", want: []string{"known payload"}},
		{name: "shell script", old: base, new: with(map[string]string{"scripts/run.sh": "#!/bin/sh\nexit 1\n"}), path: "scripts/run.sh", sev: Low},
		{name: "tests, docs, types, data: quiet", old: base, new: with(map[string]string{"test/a.test.js": code, "docs/x.js": code,
			"index.d.ts": "export {}", "data.json": "{}", "README.md": "#", "lib/a.spec.ts": code, "a.js.map": "{}"}), path: "-"},
		{name: "first release: quiet", new: map[string]string{"package.json": man(""), "index.js": "1", "lib/x.js": code, "bundle.js": code}, path: "-"},
		{name: "existing file: quiet", old: with(map[string]string{"lib/x.js": code}), new: with(map[string]string{"lib/x.js": code + "//\n"}), path: "-"},
	})
}

func TestBinaryFile(t *testing.T) {
	elf := "\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00", 64)
	png := func(fill byte) string {
		return "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + strings.Repeat(string(fill), 40) + "\x00\x00\x00\x00IEND\xaeB`\x82"
	}
	zip := "PK\x03\x04" + strings.Repeat("\x00", 40)
	wasm := "\x00asm\x01\x00\x00\x00"
	class := "\xca\xfe\xba\xbe\x00\x00\x00\x34" + strings.Repeat("\x00", 10)
	base := map[string]string{"index.js": "1", "docs/logo.png": png('a'), "README.md": "# r\n", "run.sh": "#!/bin/sh\n"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	runStCases(t, BinaryFile, []stCase{
		{name: "new ELF", old: base, new: with(map[string]string{"bin/ip_fetcher": elf}), path: "bin/ip_fetcher", sev: High, want: []string{"native code added", "ELF", "shipped no native code"}},
		{name: "ELF next to the base's natives: medium", old: with(map[string]string{"build/a.node": "\x7fELF"}),
			new: with(map[string]string{"build/a.node": "\x7fELF", "bin/tool": elf}), path: "bin/tool", want: []string{"native code added"}},
		{name: "wasm the base shipped, rebuilt: low", old: with(map[string]string{"build/q.wasm": wasm + "a"}),
			new: with(map[string]string{"build/q.wasm": wasm + "b"}), path: "build/q.wasm", sev: Low, want: []string{"native code changed", "base shipped"}},
		{name: "large opaque binary", old: base, new: with(map[string]string{"vendor/tool.bin": strings.Repeat("\x00", 1<<20)}),
			path: "vendor/tool.bin", sev: High, want: []string{"large opaque binary added"}},
		{name: "new .node", old: base, new: with(map[string]string{"build/addon.node": "not really native"}), path: "build/addon.node", sev: High, want: []string{".node"}},
		{name: "JS file that is ELF", old: base, new: with(map[string]string{"lib/x.js": elf}), path: "lib/x.js", sev: High, want: []string{"ELF"}},
		{name: "PNG that is JavaScript", old: base, new: with(map[string]string{"docs/logo.png": stMarker + "require('child_process').exec(x)"}),
			path: "docs/logo.png", want: []string{"does not match", "JavaScript"}},
		{name: "PNG redrawn is low", old: base, new: with(map[string]string{"docs/logo.png": png('b')}), path: "docs/logo.png", sev: Low, want: []string{"changed", "png"}},
		{name: "data after the PNG end", old: base, new: with(map[string]string{"docs/logo.png": png('a') + stMarker}), path: "docs/logo.png", want: []string{"after the end"}},
		{name: "zip", old: base, new: with(map[string]string{"vendor/x.zip": zip}), path: "vendor/x.zip", want: []string{"archive added: zip"}},
		{name: "wasm", old: base, new: with(map[string]string{"lib/x.wasm": wasm}), path: "lib/x.wasm", want: []string{"WebAssembly"}},
		{name: "java class", old: base, new: with(map[string]string{"A.class": class}), path: "A.class", sev: High, want: []string{"Java class"}},
		{name: "text change: quiet", old: base, new: with(map[string]string{"index.js": "2", "README.md": "# s\n"}), path: "-"},
		{name: "first release image: quiet", new: map[string]string{"logo.png": png('a')}, path: "-"},
		{name: "first release ELF", new: map[string]string{"x": elf}, path: "x", sev: High},
	})

	// Modes: pkg makes every file 0644, so set them by hand.
	mode := func(files map[string]string, path string, m uint32) *tarball.Package {
		p := pkg(files)
		p.Lookup(path).Mode = m
		return p
	}
	for _, tt := range []struct {
		path string
		fire bool
	}{{"README.md", true}, {"run.sh", false}} {
		old := mode(base, tt.path, 0o644)
		new := mode(base, tt.path, 0o755)
		var got []Signal
		for _, s := range stAnalyze(t, old, new) {
			if s.ID == BinaryFile {
				got = append(got, s)
			}
		}
		if fired := len(got) == 1 && strings.Contains(got[0].Title, "executable bit"); fired != tt.fire {
			t.Errorf("exec bit on %s: %+v, want fire=%v", tt.path, got, tt.fire)
		}
	}
}

func TestCIConfig(t *testing.T) {
	base := map[string]string{"index.js": "1", ".github/FUNDING.yml": "github: x\n", ".vscode/settings.json": "{}"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	wf := "on: pull_request_target\njobs:\n  x:\n    runs-on: self-hosted\n    steps:\n      - run: echo '${{ toJSON( secrets ) }}'\n"
	runStCases(t, CIConfig, []stCase{
		{name: "new workflow", old: base, new: with(map[string]string{".github/workflows/x.yml": wf}), path: ".github/workflows/x.yml",
			want: []string{"workflow added", "pull_request_target", "toJSON(secrets)", "self-hosted"}},
		{name: "changed vscode config", old: base, new: with(map[string]string{".vscode/settings.json": `{"a":1}`}), path: ".vscode/settings.json", want: []string{"changed"}},
		{name: "agent config", old: base, new: with(map[string]string{".claude/settings.json": "{}"}), path: ".claude/settings.json"},
		{name: "gitlab", old: base, new: with(map[string]string{".gitlab-ci.yml": "x: 1"}), path: ".gitlab-ci.yml"},
		{name: "unchanged and unrelated: quiet", old: base, new: with(map[string]string{".github/FUNDING.yml": "github: y\n", "index.js": "2"}), path: "-"},
		{name: "first release is low", new: map[string]string{".github/workflows/ci.yml": "on: push\n"}, path: ".github/workflows/ci.yml", sev: Low},
	})
}

func TestHiddenUnicode(t *testing.T) {
	src := "const a = 1;\nconst b = 2;\n"
	runStCases(t, HiddenUnicode, []stCase{
		{name: "Trojan Source in code is high", old: map[string]string{"util.js": src},
			new:  map[string]string{"util.js": src + "if (isAdmin) { /* \u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n"},
			path: "util.js", sev: High, line: 3, want: []string{"U+202E RLO ×1", "U+2066 LRI ×2", "U+2069 PDI ×1"}},
		{name: "zero-width joiner in an identifier", old: map[string]string{"a.ts": src},
			new: map[string]string{"a.ts": src + "const ad\u200dmin = true;\n"}, path: "a.ts", sev: High, want: []string{"ZWJ"}},
		{name: "markdown is medium", old: map[string]string{"README.md": "# a\n"},
			new: map[string]string{"README.md": "# a\nsee\u200b here\n"}, path: "README.md", want: []string{"ZWSP"}},
		{name: "locale file is low", old: map[string]string{"locales/ar.json": "{}"},
			new: map[string]string{"locales/ar.json": "{\"x\":\"\u200fمرحبا\"}"}, path: "locales/ar.json", sev: Low},
		{name: "byte-order mark at the start: quiet", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": "\ufeff" + src, "b.js": "\ufeffx"}, path: "-"},
		{name: "byte-order mark inside: fires", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src + "x = 'a\ufeffb';\n"}, path: "a.js", sev: High},
		{name: "hidden characters amid a packed glyph table: medium", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src + "const t = '≫≪𝔑ℕ⫬≢\u200b\u200b≭≮ΜЊŃŇ';\n"}, path: "a.js", sev: Medium},
		{name: "a zero-width space in ASCII code: high", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src + "const is\u200bAdmin = user.role === 'admin';\n"}, path: "a.js", sev: High},
		{name: "a lone character in quotes is a table entry: medium", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src + "const t = { ZeroWidthSpace: '\u200b', zwj: \"\u200d\" };\n"}, path: "a.js", sev: Medium},
		{name: "emoji: quiet", old: map[string]string{"README.md": "# a\n"},
			new: map[string]string{"README.md": "# a\nLove \u2764\ufe0f, devs \U0001F469\u200d\U0001F4BB, keycap 1\ufe0f\u20e3, flag \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F, Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645\n"}, path: "-"},
		{name: "variation selectors hiding data", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src + "x = '😀\ufe01\ufe02\ufe03\U000E0100\U000E0101';\n"}, path: "a.js", sev: High, want: []string{"VS2", "VS17"}},
		{name: "already in the base: quiet", old: map[string]string{"README.md": "# a\u200b\n"},
			new: map[string]string{"README.md": "# a\u200b\nmore\n"}, path: "-"},
		{name: "edited line keeps its mark: quiet", old: map[string]string{"README.md": "x\u200fy\n"},
			new: map[string]string{"README.md": "x\u200fyz\n"}, path: "-"},
		{name: "hidden character in a new file name", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src, "lib/in\u202edex.js": "1"}, path: "lib/in\u202edex.js", want: []string{"name"}},
		{name: "first release still fires", new: map[string]string{"a.js": "x\u202ey"}, path: "a.js", sev: High},
	})
}

func TestControlCharacters(t *testing.T) {
	src := "const a = 1;\n"
	runStCases(t, ControlCharacters, []stCase{
		{name: "raw ESC", old: map[string]string{"README.md": "# a\n"},
			new: map[string]string{"README.md": "# a\nok\n\x1b[2Jfake \x1b[8mhidden\n"}, path: "README.md", line: 3, want: []string{"ESC 0x1B ×2"}},
		{name: "backspace and bell", old: map[string]string{"a.js": src}, new: map[string]string{"a.js": src + "x\b\by\a\n"}, path: "a.js", want: []string{"BS 0x08 ×2", "BEL 0x07 ×1"}},
		{name: "lone CR", old: map[string]string{"a.js": src}, new: map[string]string{"a.js": src + "evil();\r// harmless\n"}, path: "a.js", want: []string{"lone CR"}},
		{name: "CRLF batch file: quiet", old: map[string]string{"a.js": src},
			new: map[string]string{"a.js": src, "preinstall.bat": "@echo off\r\n@exit /b 1\r\n"}, path: "-"},
		{name: "escaped ESC text: quiet", old: map[string]string{"a.js": src}, new: map[string]string{"a.js": src + "const red = '\\u001B[31m';\n"}, path: "-"},
		{name: "C1 CSI as UTF-8", old: map[string]string{"a.js": src}, new: map[string]string{"a.js": src + "x='\u009b2J'\n"}, path: "a.js", want: []string{"C1 U+009B"}},
		{name: "raw C1 byte in a Latin-1 file", old: map[string]string{"a.txt": "a\n"}, new: map[string]string{"a.txt": "a\n\x9b2J caf\xe9\n"}, path: "a.txt", want: []string{"raw C1 byte 0x9B"}},
		{name: "already in the base: quiet", old: map[string]string{"colors.js": "x='\x1b[31m';\n"}, new: map[string]string{"colors.js": "x='\x1b[31m';\ny=1;\n"}, path: "-"},
		{name: "control character in a file name", old: map[string]string{"a.js": src}, new: map[string]string{"a.js": src, "evil\x1b[2J.js": "1"},
			path: "evil\x1b[2J.js", want: []string{"name", "0x1B"}},
	})
}

// stIDs are the ids the structural detectors own.
func stIDs() []string {
	return []string{ObfuscatedCode, InjectedLongLine, EncodedBlob, LargeFile, UnreferencedFile, BinaryFile, CIConfig, HiddenUnicode, ControlCharacters}
}

// TestStructureDemo checks the demo README's expectations for the
// structural ids: each staged version raises exactly these (by id, with
// the paths named), and nothing high.
func TestStructureDemo(t *testing.T) {
	want := map[string]map[string][]string{ // name@version → id → paths that must fire
		"slugkit@1.2.1":   {},
		"termhue@1.0.1":   {ObfuscatedCode: {"index.js"}, InjectedLongLine: {"index.js"}},
		"scopewalk@2.1.2": {UnreferencedFile: {"preinstall.sh", "preinstall.bat", "lib/build.js"}},
		"@acme/router@1.5.2": {LargeFile: {"router_init.js"}, ObfuscatedCode: {"router_init.js"},
			UnreferencedFile: {"router_init.js"}, EncodedBlob: {"router_init.js"}},
		"@acme/charts@3.3.1": {BinaryFile: {"docs/logo.png"}},
		"qlimit@1.2.1": {CIConfig: {".github/workflows/shai-hulud-workflow.yml"}, LargeFile: {""},
			ObfuscatedCode: {"bun_environment.js"}, UnreferencedFile: {"setup_bun.js", "bun_environment.js"}, EncodedBlob: {"bun_environment.js"}},
		"mdtoc@0.5.0":              {},
		"@acme/forms@1.9.1":        {},
		"@acme/forms@2.0.0-beta.1": {},
		"@acme/tokens@0.1.0":       {},
		"envcase@2.3.1":            {},
		"@acme/icons@2.1.1":        {},
		"pathkit@2.0.1":            {},
	}
	releases := demoReleases(t)
	if len(releases) != len(want) {
		t.Fatalf("%d staged demo versions, the test knows %d", len(releases), len(want))
	}
	for _, r := range releases {
		key := r.Name + "@" + r.Version
		t.Run(key, func(t *testing.T) {
			exp, ok := want[key]
			if !ok {
				t.Fatalf("no expectation for %s", key)
			}
			got := map[string]map[string]Signal{}
			for _, s := range stAnalyze(t, r.Input.Old, r.Input.New) {
				if got[s.ID] == nil {
					got[s.ID] = map[string]Signal{}
				}
				if _, dup := got[s.ID][s.Path]; dup {
					t.Errorf("two %s signals for %q", s.ID, s.Path)
				}
				got[s.ID][s.Path] = s
				// Only termhue's obfuscated line in its main file is high:
				// code that runs whenever the package is loaded.
				if s.Severity == High && !(r.Name == "termhue" && s.ID == ObfuscatedCode) {
					t.Errorf("high signal in the demo from a structural detector: %+v", s)
				}
			}
			for _, id := range stIDs() {
				paths := exp[id]
				if len(got[id]) != len(paths) {
					t.Errorf("%s: got %v, want paths %q", id, got[id], paths)
					continue
				}
				for _, p := range paths {
					if _, ok := got[id][p]; !ok {
						t.Errorf("%s: no signal for %q (got %v)", id, p, got[id])
					}
				}
			}
		})
	}
}

// TestStructureRealPairs: the four real benign releases raise no
// structural signal (see BenchmarkStructureSignals for their cost).
func TestStructureRealPairs(t *testing.T) {
	for _, p := range realPairs() {
		t.Run(p.name, func(t *testing.T) {
			c := newContext(realPair(t, p))
			structureSignals(c)
			for _, s := range c.finish() {
				t.Errorf("benign release raised %s %s on %q: %s | %s", s.Severity, s.ID, s.Path, s.Title, s.Detail)
			}
		})
	}
}

// stNaiveRuns is the obvious O(n) scan stRuns must agree with.
func stNaiveRuns(b []byte, minLen int, in *stClass) [][2]int {
	var out [][2]int
	for i := 0; i < len(b); {
		if !in[b[i]] {
			i++
			continue
		}
		j := i
		for j < len(b) && in[b[j]] {
			j++
		}
		if j-i >= minLen {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func FuzzStRuns(f *testing.F) {
	f.Add([]byte("abc def ghijklmnop qrstuvwxyzABCDEFGHIJ"), uint8(5))
	f.Add([]byte(strings.Repeat("a", 100)+" "+strings.Repeat("b", 3)), uint8(4))
	f.Add([]byte{}, uint8(1))
	class := newStClass(stBlobByte)
	f.Fuzz(func(t *testing.T, b []byte, n uint8) {
		minLen := int(n%64) + 1
		var got [][2]int
		stRuns(b, minLen, &class, func(s, e int) { got = append(got, [2]int{s, e}) })
		if want := stNaiveRuns(b, minLen, &class); !slices.Equal(got, want) {
			t.Fatalf("stRuns(%q, %d) = %v, want %v", b, minLen, got, want)
		}
	})
}

// FuzzStructureSignals feeds arbitrary base and staged contents and paths
// to the detectors: they must not panic, report each (id, path) once, and
// report only their own ids on paths of the staged package.
func FuzzStructureSignals(f *testing.F) {
	f.Add([]byte("a\nb\n"), []byte("a\n\x1b[2J\u202e\nwhile(!![]){}\n"), "index.js", "x.js")
	f.Add([]byte(""), []byte("\x7fELF\x00\x00"), "a.png", "bin/x")
	f.Add([]byte("x='\\x41\\x42"), []byte("x='\\x41\\x42\\x43\\x44\\x45\\x46\\x47\\x48\\x49\\x50\\x51'"), "a.js", ".github/workflows/a.yml")
	f.Add([]byte("require('./"), []byte("import x from '../"), "lib/a.mjs", "lib/b/index.js")
	f.Fuzz(func(t *testing.T, old, new []byte, p1, p2 string) {
		if p1 == "" || p2 == "" || p1 == p2 || p1 == "package.json" || p2 == "package.json" {
			return
		}
		man := `{"name":"fz","main":"` + strings.ReplaceAll(p1, `"`, "") + `","scripts":{"x":"node ` + strings.ReplaceAll(p2, `"`, "") + `"}}`
		o := pkg(map[string]string{"package.json": man, p1: string(old)})
		n := pkg(map[string]string{"package.json": man, p1: string(new), p2: string(new) + string(old)})
		seen := map[[2]string]bool{}
		for _, s := range stAnalyze(t, o, n) {
			if !slices.Contains(stIDs(), s.ID) {
				t.Fatalf("foreign id %q", s.ID)
			}
			if _, ok := ParseSeverity(string(s.Severity)); !ok {
				t.Fatalf("bad severity %q", s.Severity)
			}
			k := [2]string{s.ID, s.Path}
			if seen[k] {
				t.Fatalf("two %s signals for %q", s.ID, s.Path)
			}
			seen[k] = true
			if s.Path != "" && n.Lookup(s.Path) == nil {
				t.Fatalf("signal on a path not in the package: %q", s.Path)
			}
		}
	})
}

func TestStructureHelpers(t *testing.T) {
	for _, tt := range []struct {
		lit  string
		want int
	}{
		{`\x41\x42`, 8}, {`\u2028abc`, 6}, {`\u{1F600}`, 9}, {`\\x41`, 0}, {`plain`, 0}, {`\n\t`, 0}, {`\x4`, 0},
	} {
		if got := stEscapeBytes([]byte(tt.lit)); got != tt.want {
			t.Errorf("stEscapeBytes(%q) = %d, want %d", tt.lit, got, tt.want)
		}
	}
	var lits []string
	stLiterals([]byte(`a('x', "y\"z", `+"`t`"+`, 'unterminated`), func(lit []byte, _ int) bool {
		lits = append(lits, string(lit))
		return true
	})
	if want := []string{"x", `y\"z`, "t", "unterminated"}; !slices.Equal(lits, want) {
		t.Errorf("stLiterals = %q, want %q", lits, want)
	}
	for p, want := range map[string]bool{
		"locales/fr.json": true, "lib/i18n/x.js": true, "lang/pt-BR.json": true, "de.json": true, "zh_CN.js": true,
		"messages.po": true, "lib/cs/diagnosticMessages.generated.json": true,
		"index.js": false, "lib/util.js": false, "package.json": false, "src/parser.js": false,
	} {
		if got := stIsLocale(p); got != want {
			t.Errorf("stIsLocale(%q) = %v", p, got)
		}
	}
	for p, want := range map[string]bool{"a.js": true, "a.d.ts": false, "a.MJS": true, "a.json": false, "a.tsx": true} {
		if got := stIsJS(p); got != want {
			t.Errorf("stIsJS(%q) = %v", p, got)
		}
	}
	if stEntropy([]byte("aaaa")) != 0 || stEntropy([]byte("abcd")) != 2 {
		t.Error("stEntropy")
	}
	for _, tt := range []struct {
		data string
		n    int
		want bool
	}{{"ab\ncd\n", 3, false}, {"ab\ncdef\n", 3, true}, {"abcd", 4, true}, {"", 1, false}} {
		if got := stMaxLineAtLeast([]byte(tt.data), tt.n); got != tt.want {
			t.Errorf("stMaxLineAtLeast(%q, %d) = %v", tt.data, tt.n, got)
		}
	}
	if no, n := stFirstLongLine([]byte("a\nbbbb\ncc"), 3); no != 2 || n != 4 {
		t.Errorf("stFirstLongLine = %d, %d", no, n)
	}
	if got := stCut("héllo", 2); got != "h…" {
		t.Errorf("stCut = %q", got)
	}
	for k, want := range map[string]string{".github/workflows/a.yml": "GitHub Actions workflow", ".github/FUNDING.yml": "",
		"pkg/.vscode/tasks.json": "VS Code workspace config", ".vscode": "", ".gitlab-ci.yml": "GitLab CI config"} {
		if got := stCIConfig(k); got != want {
			t.Errorf("stCIConfig(%q) = %q, want %q", k, got, want)
		}
	}
}
