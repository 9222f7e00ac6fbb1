package npmrc

import (
	"strings"
	"testing"
)

// FuzzParseINI feeds untrusted .npmrc text through everything a file goes
// through when loaded: ini decode, ${VAR} expansion of keys, parseField and
// nopt validation, then a credential lookup.
func FuzzParseINI(f *testing.F) {
	for _, s := range []string{
		"registry=https://r.example/\n//r.example/:_authToken=${TOKEN}\n",
		"k[]=a\nk[]=b\n[s]\nx=1\n[s.t]\ny='{\"a\":null}'\n",
		"a=null\n[a.b]\nx=1",
		"\ufeff;c\n#d\n  k = \"v\\u0041\" ; x\n'//h/:_auth'='[1,2]'\n",
		"x.y=null\n[x\\.y]\n[__proto__.a]\n",
		"k=x\u2028y\n=v\n\\${A}=\\\\${A?}",
	} {
		f.Add(s)
	}
	env := map[string]string{"TOKEN": "t", "A": "a"}
	f.Fuzz(func(t *testing.T, s string) {
		obj, err := parseINI(s)
		if err != nil {
			return
		}
		again, err := parseINI(s)
		if err != nil || len(again.keys) != len(obj.keys) {
			t.Fatalf("parseINI is not deterministic")
		}
		fe := fieldEnv{env: env, home: "/home/u", cwd: "/work"}
		data := newObject()
		for _, k := range obj.ordered() {
			v, _ := obj.get(k)
			key := envReplace(k, env)
			data.set(key, parseField(v, key, fe, false))
		}
		_ = cleanLayer(data, fe, func(string) {})
		c := &Config{layers: map[string]*layer{}, env: env, fe: fe}
		for _, n := range layerOrder {
			c.layers[n] = &layer{name: n, data: newObject()}
		}
		c.layers[LayerUser].data = data
		if h := c.AuthHeader("https://r.example/npm/-/stage"); h != "" &&
			!strings.HasPrefix(h, "Bearer ") && !strings.HasPrefix(h, "Basic ") {
			t.Fatalf("header %q has no scheme", h)
		}
		_ = c.HasAuth("https://r.example/")
		_ = c.String()
	})
}

// FuzzEnvReplace checks env-replace.js invariants.
func FuzzEnvReplace(f *testing.F) {
	for _, s := range []string{"${X}", `\${X}`, `\\${X?}`, "a${X}b${Y}c", "${${X}}", "$${X}}", `\\\${X}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := envReplace(s, map[string]string{"X": "x"})
		if !strings.Contains(s, "${") && got != s {
			t.Fatalf("envReplace(%q) = %q, changed text without ${", s, got)
		}
		// with no variables set, no "?" and no backslashes, nothing changes
		if !strings.ContainsAny(s, `?\`) {
			if got := envReplace(s, nil); got != s {
				t.Fatalf("envReplace(%q, nil) = %q", s, got)
			}
		}
	})
}

// FuzzNerfDart checks the URL parser on arbitrary input: a nerf-dart is ""
// or "//host/…/", and nerf-darting is idempotent.
func FuzzNerfDart(f *testing.F) {
	for _, s := range []string{"https://r.example/npm", "HTTP://[::1]:80/a/../b", "https:\\\\h\\x", "http://0x7f.1/%2e/", "foo://H/x", "https://u:p@h:0443/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NerfDart(s)
		if n == "" {
			return
		}
		if !strings.HasPrefix(n, "//") || !strings.HasSuffix(n, "/") {
			t.Fatalf("NerfDart(%q) = %q", s, n)
		}
		u, err := parseURL(s)
		if err != nil {
			t.Fatalf("NerfDart succeeded but parseURL failed")
		}
		if again := NerfDart(u.scheme + ":" + n); again != n && isSpecial(u.scheme) && u.scheme != "file" {
			t.Fatalf("NerfDart not idempotent: %q -> %q -> %q", s, n, again)
		}
	})
}
