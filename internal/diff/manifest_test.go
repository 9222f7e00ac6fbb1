package diff

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

func changesString(cs []ManifestChange) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s %s->%s", c.Path, c.Change, jsonText(c.Old), jsonText(c.New)))
	}
	return strings.Join(parts, "\n")
}

func TestManifest(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
		wantErr  string
	}{
		{name: "identical", old: `{"name":"a","version":"1.0.0"}`, new: `{"version":"1.0.0","name":"a"}`},
		{name: "postinstall added",
			old:  `{"scripts":{"test":"jest"}}`,
			new:  `{"scripts":{"test":"jest","postinstall":"node x.js"}}`,
			want: []string{`scripts.postinstall added null->"node x.js"`}},
		{name: "scripts section added", old: `{}`, new: `{"scripts":{"preinstall":"sh i.sh"}}`,
			want: []string{`scripts.preinstall added null->"sh i.sh"`}},
		{name: "dependency sections in order",
			old: `{"devDependencies":{"jest":"1"},"dependencies":{"a":"1","b":"1"},"peerDependencies":{"react":"17"}}`,
			new: `{"devDependencies":{"jest":"2"},"dependencies":{"a":"2","c":"git+https://x/y"},"peerDependencies":{"react":"18"},"optionalDependencies":{"o":"1"}}`,
			want: []string{
				`dependencies.a changed "1"->"2"`,
				`dependencies.b removed "1"->null`,
				`dependencies.c added null->"git+https://x/y"`,
				`optionalDependencies.o added null->"1"`,
				`peerDependencies.react changed "17"->"18"`,
				`devDependencies.jest changed "1"->"2"`,
			}},
		{name: "scoped names and dotted keys",
			old:  `{"dependencies":{"@types/node":"20"},"scripts":{"test.unit":"a"}}`,
			new:  `{"dependencies":{"@types/node":"22"},"scripts":{"test.unit":"b"}}`,
			want: []string{`scripts["test.unit"] changed "a"->"b"`, `dependencies.@types/node changed "20"->"22"`}},
		{name: "bin string normalised like npm",
			old:  `{"name":"@s/tool","bin":"./cli.js"}`,
			new:  `{"name":"@s/tool","bin":{"tool":"./cli.js","other":"./o.js"}}`,
			want: []string{`bin.other added null->"./o.js"`}},
		{name: "bin retargeted", old: `{"name":"t","bin":"./a.js"}`, new: `{"name":"t","bin":"./b.js"}`,
			want: []string{`bin.t changed "./a.js"->"./b.js"`}},
		{name: "exports nested with quoting",
			old: `{"exports":{".":{"import":"./a.mjs","require":"./a.cjs"},"./package.json":"./package.json"}}`,
			new: `{"exports":{".":{"import":"./b.mjs","require":"./a.cjs"},"./feature":"./f.js","./package.json":"./package.json"}}`,
			want: []string{
				`exports["."].import changed "./a.mjs"->"./b.mjs"`,
				`exports["./feature"] added null->"./f.js"`,
			}},
		{name: "exports string to object is whole",
			old:  `{"exports":"./a.js"}`,
			new:  `{"exports":{".":"./a.js"}}`,
			want: []string{`exports changed "./a.js"->{".":"./a.js"}`}},
		{name: "entry points and the rest",
			old: `{"main":"a.js","module":"a.mjs","types":"a.d.ts","engines":{"node":">=14"},"files":["lib"],"license":"MIT","publishConfig":{"access":"public"}}`,
			new: `{"main":"b.js","module":"a.mjs","typings":"b.d.ts","engines":{"node":">=18"},"files":["lib","dist"],"license":"ISC","publishConfig":{"access":"public","registry":"https://evil.example/"}}`,
			want: []string{
				`main changed "a.js"->"b.js"`,
				`types removed "a.d.ts"->null`,
				`typings added null->"b.d.ts"`,
				`engines.node changed ">=14"->">=18"`,
				`files changed ["lib"]->["lib","dist"]`,
				`license changed "MIT"->"ISC"`,
				`publishConfig.registry added null->"https://evil.example/"`,
			}},
		{name: "bundleDependencies as a set",
			old:  `{"bundleDependencies":["a","b"]}`,
			new:  `{"bundleDependencies":["b","c"]}`,
			want: []string{`bundleDependencies.a removed true->null`, `bundleDependencies.c added null->true`}},
		{name: "overrides nested",
			old:  `{"overrides":{"foo":{".":"1.0.0","bar":"1"}}}`,
			new:  `{"overrides":{"foo":{".":"1.0.0","bar":"github:evil/bar"}}}`,
			want: []string{`overrides.foo.bar changed "1"->"github:evil/bar"`}},
		{name: "browser map", old: `{"browser":{"./a.js":false}}`, new: `{"browser":{"./a.js":"./shim.js"}}`,
			want: []string{`browser["./a.js"] changed false->"./shim.js"`}},
		{name: "numbers kept as written", old: `{"x":1.0}`, new: `{"x":1}`, want: []string{`x changed 1.0->1`}},
		{name: "no old package.json", old: ``, new: `{"name":"a"}`, want: []string{`name added null->"a"`}},
		{name: "invalid new still compared", old: `{"name":"a"}`, new: `{"name":"a",`,
			want: []string{`name removed "a"->null`}, wantErr: "new package.json: invalid JSON"},
		{name: "array top level", old: `{}`, new: `[1]`, wantErr: "not a JSON object"},
		{name: "trailing data", old: `{} {}`, new: `{}`, wantErr: "old package.json: invalid JSON: data after"},
		{name: "control bytes not echoed", old: "{\"a\":\x1b[31m}", new: `{}`, wantErr: "old package.json: invalid JSON at byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Manifest([]byte(tc.old), []byte(tc.new))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			case err != nil && strings.ContainsAny(err.Error(), "\x1b"):
				t.Fatalf("error echoes input bytes: %q", err)
			}
			if g, w := changesString(got), strings.Join(tc.want, "\n"); g != w {
				t.Fatalf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}

// FuzzManifest checks that any input gives no panic, changes that are well
// formed and in the documented order, nothing for a document compared with
// itself, and the mirror result when sides are swapped.
func FuzzManifest(f *testing.F) {
	seeds := [][2]string{
		{`{"scripts":{"a":"b"}}`, `{"scripts":{"a":"c","postinstall":"x"}}`},
		{`{"name":"@a/b","bin":"x.js"}`, `{"name":"@a/b","bin":{"b":"y.js"}}`},
		{`{"exports":{".":{"import":"./a"}}}`, `{"exports":{".":{"import":"./b","types":"./t"}}}`},
		{`{"dependencies":{"a":"1"}}`, `{"dependencies":"oops"}`},
		{`{"bundleDependencies":["a",1]}`, `{"bundleDependencies":true}`},
		{`{"overrides":{"a":{"b":{"c":"1"}}}}`, `{}`},
		{`{"a":`, `[]`},
		{``, `{"x":null}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab, errAB := Manifest(a, b)
		ba, _ := Manifest(b, a)
		if len(ab) != len(ba) {
			t.Fatalf("asymmetric: %d changes one way, %d the other", len(ab), len(ba))
		}
		for i, c := range ab {
			if c.Path == "" {
				t.Fatal("empty path")
			}
			switch c.Change {
			case "added":
				if c.Old != nil {
					t.Fatalf("added with an old value: %+v", c)
				}
			case "removed":
				if c.New != nil {
					t.Fatalf("removed with a new value: %+v", c)
				}
			case "changed":
			default:
				t.Fatalf("change %q", c.Change)
			}
			if i > 0 {
				p, q := ab[i-1], c
				if rp, rq := FieldRank(p.Path), FieldRank(q.Path); rp > rq || (rp == rq && p.Path > q.Path) {
					t.Fatalf("out of order: %s before %s", p.Path, q.Path)
				}
			}
			if _, err := json.Marshal(c); err != nil {
				t.Fatalf("change does not marshal: %v", err)
			}
		}
		if errAB == nil {
			if same, err := Manifest(a, a); err != nil || len(same) != 0 {
				t.Fatalf("a document differs from itself: %v %v", same, err)
			}
		}
	})
}
