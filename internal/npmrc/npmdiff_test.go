//go:build npmdiff

package npmrc

// Differential test against the installed npm CLI's own config loader and
// npm-registry-fetch auth code: go test -tags npmdiff ./internal/npmrc/
// It needs node and npm 11 on PATH.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var diffLines = []string{
	"registry=https://reg.example.com/npm",
	"registry=http://REG.example.com:80/",
	"registry=foo",
	`registry = "https://reg.example.com/"`,
	"registry=https://reg.example.com:8443/",
	"//reg.example.com/:_authToken=tok1",
	"//reg.example.com/npm/:_authToken=${TOKEN}",
	"//reg.example.com/npm:_authToken=tok2",
	"//reg.example.com/:_auth=dXNlcjpwYXNz",
	"//reg.example.com/:_auth=OnBhc3M=",
	"//reg.example.com/npm/:username=alice",
	"//reg.example.com/npm/:_password=c2VjcmV0",
	"//reg.example.com/:username=bob",
	"//reg.example.com/:_password=cGFzcw",
	"//reg.example.com:8443/:_authToken=tok3",
	"//reg.example.com/:_authToken=false",
	"//reg.example.com/:_authToken",
	"//reg.example.com/:_authToken=${UNSET}",
	"//reg.example.com/npm/:_authToken=${UNSET?}",
	`//reg.example.com/:_authToken=\${TOKEN}`,
	`//reg.example.com/:_authToken=\\${TOKEN}`,
	"//reg.example.com/:_authToken='123'",
	"//reg.example.com/:_authToken='0'",
	`//reg.example.com/:_authToken="quoted ; x"`,
	"//reg.example.com/:_authToken=tok ; comment",
	"//reg.example.com/:_authToken=null",
	"//reg.example.com/:_authToken=undefined",
	"//reg.example.com/npm/:certfile=/c",
	"//reg.example.com/npm/:keyfile=/k",
	"//other.example.com/:_authToken=tok4",
	"//other.example.com/:_authToken=${TRUEVAR}",
	"@scope:registry=https://other.example.com/",
	"@scope:registry=https://reg.example.com/scoped/",
	"scope=@scope",
	"scope=scope",
	"_authToken=bad",
	"username=bare",
	"[section]",
	"[a.b]",
	"lst[]=a",
	"lst[]=b",
	"lst=c",
	"${KEYVAR}:_authToken=tok5",
	"# comment",
	"; comment",
	"otp=123456",
	"global=true",
	"location=global",
	"json",
	"tag=  beta  ",
	"auth-type=bogus",
	"a=null",
	"a.b=null",
	"  spaced key  =  v  ",
	"=novalue",
	"\"//reg.example.com/:_authToken\"=tok6",
	"[//reg.example.com/:_authToken]",
	"x='[1,2]'",
	`'//reg.example.com/:_authToken'='["a","b"]'`,
	"//reg.example.com/:_authToken=tok\u2028x",
	"\ufeff//reg.example.com/:_authToken=bomtok",
	`//reg.example.com/:_authToken=a\;b\#c\d`,
	"registry=https://[0::1]:443/",
	"//[::1]/:_authToken=v6",
	`//reg.example.com/npm/:_authToken=${TOKEN}${UNSET?}\\${TOKEN}`,
	"userconfig=~/alt.npmrc",
	"prefix=rel",
	"globalconfig=~/g.npmrc",
	"scope=",
	"save-dev=true",
	"save-prod=true",
	"[a]",
	`a='{"b":null}'`,
	"[a.b.c]",
	"//reg.example.com/:_authToken=\xff\xfe",
	"//REG.example.com/:_authToken=upper",
	"//reg.example.com:443/:_authToken=port443",
	"registry=HTTPS://REG.EXAMPLE.COM",
}

var diffEnvPool = []string{
	"npm_config_registry=https://reg.example.com/npm/",
	"NPM_CONFIG_REGISTRY=https://other.example.com/",
	"npm_config_//reg.example.com/:_authToken=envtok",
	"npm_config__auth=x",
	"npm_config_scope=@scope",
	"npm_config_otp=",
	"npm_config_auth_type=legacy",
	"Npm_Config_Tag=next",
	"npm_config_global=true",
	"npm_config_userconfig=~/alt.npmrc",
	"npm_config_globalconfig=/nonexistent",
	"npm_config_json=1",
}

var diffURLs = []string{
	"https://reg.example.com/npm/-/stage",
	"https://REG.example.com:443/npm/x?y=1",
	"https://reg.example.com/other/x.tgz",
	"http://reg.example.com/npm/",
	"https://reg.example.com:8443/x",
	"https://other.example.com/x",
	"https://reg.example.com/npmx/y",
	"https://reg.example.com/npm",
	"https://reg.example.com/scoped/-/stage",
	"https://[::1]/x",
	"https://reg.example.com/npm/./a/../b%2e/",
}

type refOut struct {
	Error   string                       `json:"error"`
	Message string                       `json:"message"`
	Get     map[string]map[string]string `json:"get"`
	Auth    map[string]string            `json:"auth"`
	PkgAuth map[string]string            `json:"pkgauth"`
	HasAuth map[string]bool              `json:"hasAuth"`
}

func encValue(v any) map[string]string {
	switch v.(type) {
	case jsNull:
		return map[string]string{"t": "null"}
	case jsUndefined, nil:
		return map[string]string{"t": "undefined"}
	case *jsArray:
		if !convertible(v) {
			return map[string]string{"t": "array", "s": "THROWS"}
		}
		return map[string]string{"t": "array", "s": jsString(v)}
	case *jsObject:
		if !convertible(v) {
			return map[string]string{"t": "object", "s": "THROWS"}
		}
		return map[string]string{"t": "object", "s": jsString(v)}
	case string:
		return map[string]string{"t": "string", "s": jsString(v)}
	case bool:
		return map[string]string{"t": "boolean", "s": jsString(v)}
	case float64:
		return map[string]string{"t": "number", "s": jsString(v)}
	}
	return map[string]string{"t": "?"}
}

func TestNpmDifferential(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not on PATH")
	}
	n := 150
	if s := os.Getenv("NPMDIFF_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	rng := rand.New(rand.NewSource(1))
	pick := func(pool []string, max int) []string {
		var out []string
		for i := rng.Intn(max + 1); i > 0; i-- {
			out = append(out, pool[rng.Intn(len(pool))])
		}
		return out
	}
	keys := []string{"registry", "scope", "userconfig", "globalconfig", "otp", "tag", "auth-type", "json", "global",
		"lst", "section", "a", "a.b", "x", "spaced key", "//reg.example.com/:_authToken", "//reg.example.com/npm/:_authToken",
		"//reg.example.com/npm:_authToken", "@scope:registry", "${KEYVAR}:_authToken", "//k/:_authToken", "_authToken", "_auth", "prefix"}
	for i := 0; i < n; i++ {
		root := t.TempDir()
		home := filepath.Join(root, "home")
		proj := filepath.Join(root, "proj")
		cwd := filepath.Join(proj, "sub")
		prefix := filepath.Join(root, "prefix")
		for _, d := range []string{home, cwd, filepath.Join(prefix, "etc")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if rng.Intn(2) == 0 {
			os.WriteFile(filepath.Join(proj, "package.json"), []byte("{}"), 0o644)
		} else if rng.Intn(2) == 0 {
			os.Mkdir(filepath.Join(proj, "node_modules"), 0o755)
		}
		files := map[string][]string{
			filepath.Join(home, ".npmrc"):         pick(diffLines, 5),
			filepath.Join(home, "alt.npmrc"):      pick(diffLines, 3),
			filepath.Join(proj, ".npmrc"):         pick(diffLines, 5),
			filepath.Join(prefix, "etc", "npmrc"): pick(diffLines, 4),
		}
		for f, lines := range files {
			os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		}
		env := map[string]string{"HOME": home, "TOKEN": "envtoken", "KEYVAR": "//k/", "TRUEVAR": "true", "PREFIX": prefix}
		var environ []string
		for k, v := range env {
			environ = append(environ, k+"="+v)
		}
		for _, kv := range pick(diffEnvPool, 3) {
			k, v, _ := strings.Cut(kv, "=")
			if _, dup := env[k]; dup {
				continue
			}
			env[k] = v
			environ = append(environ, kv)
		}
		flags := map[string]string{}
		if rng.Intn(4) == 0 {
			flags["registry"] = "https://reg.example.com/npm/"
		}
		if rng.Intn(6) == 0 {
			flags["userconfig"] = filepath.Join(home, "alt.npmrc")
		}
		in := map[string]any{"env": env, "flags": flags, "cwd": cwd, "keys": keys, "urls": diffURLs,
			"pkgurls":    [][2]string{{"https://reg.example.com/other/x", "@scope/p"}, {"https://other.example.com/y", "@scope/p"}, {"https://reg.example.com/npm/", "@scope/p"}},
			"registries": []string{"https://reg.example.com/npm", "https://reg.example.com/npm/", "https://reg.example.com/", "https://other.example.com/"}}
		body, _ := json.Marshal(in)
		// npm resolves relative paths against process.cwd(), which is the
		// user's working directory when the CLI starts.
		script, _ := filepath.Abs("testdata/npmref.js")
		cmd := exec.Command("node", script)
		cmd.Dir = cwd
		// Compare with the npm the conformance tests use: the pinned one in
		// .cache/npm (make setup) when the system npm is too old.
		if pinned, err := filepath.Abs("../../.cache/npm/node_modules/npm"); err == nil {
			if _, err := os.Stat(pinned); err == nil {
				cmd.Env = append(os.Environ(), "STAGEGATE_NPM_DIR="+pinned)
			}
		}
		cmd.Stdin = bytes.NewReader(body)
		outb, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v", err)
		}
		var ref refOut
		if err := json.Unmarshal(outb, &ref); err != nil {
			t.Fatalf("ref output %s: %v", outb, err)
		}
		scenario := func() string {
			var b strings.Builder
			for f, lines := range files {
				fmt.Fprintf(&b, "--- %s\n%s\n", f, strings.Join(lines, "\n"))
			}
			fmt.Fprintf(&b, "env %v flags %v", environ, flags)
			return b.String()
		}
		c, err := Load(Options{Flags: flags, Env: environ, Cwd: cwd, Home: home, Prefix: prefix})
		if ref.Error != "" || err != nil {
			if (ref.Error == "") != (err == nil) {
				t.Errorf("case %d: npm error %q (%s), ours %v\n%s", i, ref.Error, ref.Message, err, scenario())
			}
			continue
		}
		for _, k := range keys {
			if got, want := encValue(c.get(k)), ref.Get[k]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("case %d: get(%q) = %v, npm %v\n%s", i, k, got, want, scenario())
			}
		}
		for _, u := range diffURLs {
			got := c.AuthHeader(u)
			if cred, err := c.CredentialFor(u, ""); err != nil {
				got = "ERROR"
			} else {
				got = cred.Header()
			}
			if want := ref.Auth[u]; got != want {
				t.Errorf("case %d: AuthHeader(%q) = %q, npm %q\n%s", i, u, got, want, scenario())
			}
		}
		for _, pu := range in["pkgurls"].([][2]string) {
			got := ""
			if cred, err := c.CredentialFor(pu[0], pu[1]); err != nil {
				got = "ERROR"
			} else {
				got = cred.Header()
			}
			if want := ref.PkgAuth[pu[0]+" "+pu[1]]; got != want {
				t.Errorf("case %d: AuthHeaderForPackage(%q, %q) = %q, npm %q\n%s", i, pu[0], pu[1], got, want, scenario())
			}
		}
		for r, want := range ref.HasAuth {
			if got := c.HasAuth(r); got != want {
				t.Errorf("case %d: HasAuth(%q) = %v, npm %v\n%s", i, r, got, want, scenario())
			}
		}
	}
}
