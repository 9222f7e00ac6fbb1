package signals

import (
	stdctx "context"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// integrityCase is one row of the release-integrity tables: a base (nil
// with oldNil for a first release), a staged package, the tarball issues
// of each side, and the expected signal of one id.
type integrityCase struct {
	name           string
	old, new       map[string]string
	oldNil         bool
	oldIss, newIss []tarball.Issue
	wantName       string // Input.Name
	wantVersion    string // Input.Version
	fire           bool
	sev            Severity // the most serious signal of the id
	want           []string // substrings of some Title+" | "+Detail
	never          []string // substrings no Title or Detail may hold
}

func runIntegrityCases(t *testing.T, id string, cases []integrityCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var o *tarball.Package
			if !tt.oldNil {
				o = pkg(tt.old)
				o.Issues = tt.oldIss
			}
			n := pkg(tt.new)
			n.Issues = tt.newIss
			d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
			if err != nil {
				t.Fatal(err)
			}
			all := Analyze(Input{Old: o, New: n, Diff: d, StagedVerified: true, BaseVerified: true,
				Name: tt.wantName, Version: tt.wantVersion})
			for _, s := range all {
				for _, bad := range tt.never {
					if strings.Contains(s.Title+s.Detail, bad) {
						t.Errorf("%s signal quotes %q: %s | %s", s.ID, bad, s.Title, s.Detail)
					}
				}
			}
			got := signalsWithID(all, id)
			if !tt.fire {
				if len(got) > 0 {
					t.Fatalf("unexpected %s: %+v", id, got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("no %s signal; all: %+v", id, all)
			}
			if got[0].Severity != tt.sev {
				t.Errorf("severity %s, want %s: %+v", got[0].Severity, tt.sev, got[0])
			}
			var text []string
			for _, s := range got {
				text = append(text, s.Title+" | "+s.Detail)
			}
			joined := strings.Join(text, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("missing %q in:\n%s", w, joined)
				}
			}
		})
	}
}

const pj = `{"name":"p","version":"1.0.0"}`

func TestManifestInvalid(t *testing.T) {
	runIntegrityCases(t, ManifestInvalid, []integrityCase{
		{name: "valid", old: map[string]string{"package.json": pj}, new: map[string]string{"package.json": pj}},
		{name: "parse failure is medium, with its line",
			old:  map[string]string{"package.json": pj, "index.js": "1"},
			new:  map[string]string{"package.json": "{\n\"name\": \"p\",\n\"version\" \"1.0.1\"\n}", "index.js": "2"},
			fire: true, sev: Medium, want: []string{"does not parse", "review every file"}},
		{name: "not an object", new: map[string]string{"package.json": `["p"]`}, oldNil: true,
			fire: true, sev: Medium, want: []string{"not a JSON object", "an array"}},
		{name: "missing while the base had one is high",
			old: map[string]string{"package.json": pj, "index.js": "1"}, new: map[string]string{"index.js": "1"},
			fire: true, sev: High, want: []string{"missing", "the base version had one"}},
		{name: "missing in a first release is medium", oldNil: true, new: map[string]string{"index.js": "1"},
			fire: true, sev: Medium},
		{name: "byte order mark parses, as npm reads it", oldNil: true,
			new: map[string]string{"package.json": "\ufeff" + pj}},
		{name: "name differs from the stage record", oldNil: true, new: map[string]string{"package.json": pj},
			wantName: "q", wantVersion: "1.0.0", fire: true, sev: High, want: []string{`"p" is not the staged package "q"`}},
		{name: "version differs from the stage record", old: map[string]string{"package.json": pj},
			new: map[string]string{"package.json": pj}, wantName: "p", wantVersion: "1.0.1",
			fire: true, sev: High, want: []string{`version "1.0.0" is not the staged version "1.0.1"`}},
		{name: "version spelled with v and build metadata agrees", oldNil: true,
			new:      map[string]string{"package.json": `{"name":"p","version":"v1.0.0+build.7"}`},
			wantName: "p", wantVersion: "1.0.0"},
		{name: "unknown record (compare of folders) checks nothing", oldNil: true,
			new: map[string]string{"package.json": `{"name":"other","version":"9.9.9"}`}},
	})
}

func TestEntrypointMissing(t *testing.T) {
	runIntegrityCases(t, EntrypointMissing, []integrityCase{
		{name: "main dropped from the release is high",
			old:  map[string]string{"package.json": `{"main":"index.cjs","exports":{".":"./index.cjs"}}`, "index.cjs": "1", "README.md": "r"},
			new:  map[string]string{"package.json": `{"main":"index.cjs","exports":{".":"./index.cjs"}}`, "README.md": "r"},
			fire: true, sev: High, want: []string{`main "index.cjs" is not in the tarball: dropped`, `exports["."]`}},
		{name: "main resolved like require: lib → lib/index.js", oldNil: true,
			new: map[string]string{"package.json": `{"main":"lib"}`, "lib/index.js": "1"}},
		{name: "main resolved like require: lib → lib.js", oldNil: true,
			new: map[string]string{"package.json": `{"main":"./lib"}`, "lib.js": "1"}},
		{name: "main resolved like require: data → data.json", oldNil: true,
			new: map[string]string{"package.json": `{"main":"data"}`, "data.json": "{}"}},
		{name: "missing main with a root index.js: Node falls back",
			old: map[string]string{"package.json": `{"main":"dist/index.js"}`, "dist/index.js": "1", "index.js": "1"},
			new: map[string]string{"package.json": `{"main":"dist/index.js"}`, "index.js": "1"}},
		{name: "missing main in a first release is medium", oldNil: true,
			new:  map[string]string{"package.json": `{"main":"dist/index.js"}`, "src/index.ts": "1"},
			fire: true, sev: Medium, want: []string{"never shipped"}},
		{name: "bin map with ./ resolves", oldNil: true,
			new: map[string]string{"package.json": `{"bin":{"tool":"./bin/cli.js"}}`, "bin/cli.js": "1"}},
		{name: "bin string dropped is high",
			old:  map[string]string{"package.json": `{"name":"tool","bin":"cli.js"}`, "cli.js": "1", "index.js": "1"},
			new:  map[string]string{"package.json": `{"name":"tool","bin":"cli.js"}`, "index.js": "1"},
			fire: true, sev: High, want: []string{`bin "cli.js"`}},
		{name: "exports: conditions, patterns, null, fallbacks, folder mappings", oldNil: true,
			new: map[string]string{"package.json": `{"exports":{".":{"import":"./lib/index.mjs","default":"./lib/index.js"},
				"./plugins/*":"./plugins/*.js","./internal":null,"./polyfill":["./lib/poly.js","./lib/poly-legacy.js"],
				"./compat/":"./compat/"}}`,
				"lib/index.mjs": "1", "lib/index.js": "1", "lib/poly.js": "1", "compat/a.js": "1"}},
		{name: "exports condition dropped is high",
			old:  map[string]string{"package.json": `{"exports":{".":{"node":{"require":"./cjs/a.js"},"default":"./a.js"}}}`, "cjs/a.js": "1", "a.js": "1"},
			new:  map[string]string{"package.json": `{"exports":{".":{"node":{"require":"./cjs/a.js"},"default":"./a.js"}}}`, "a.js": "1"},
			fire: true, sev: High, want: []string{`exports["."]["node"]["require"] "./cjs/a.js"`}},
		{name: "types never shipped is low", oldNil: true,
			new:  map[string]string{"package.json": `{"main":"a.js","types":"a.d.ts","exports":{".":{"types":"./types/a.d.ts","default":"./a.js"}}}`, "a.js": "1"},
			fire: true, sev: Low},
		{name: "types dropped is medium at most",
			old:  map[string]string{"package.json": `{"main":"a.js","types":"a.d.ts"}`, "a.js": "1", "a.d.ts": "x"},
			new:  map[string]string{"package.json": `{"main":"a.js","types":"a.d.ts"}`, "a.js": "2"},
			fire: true, sev: Medium},
		{name: "types resolve like TypeScript: ./index → index.d.ts", oldNil: true,
			new: map[string]string{"package.json": `{"types":"./index","typings":"lib/a.js"}`, "index.d.ts": "x", "lib/a.d.ts": "x"}},
		{name: "a target missing in the base too is low (not news)",
			old:  map[string]string{"package.json": `{"module":"es/index.js","main":"a.js"}`, "a.js": "1"},
			new:  map[string]string{"package.json": `{"module":"es/index.js","main":"a.js"}`, "a.js": "2"},
			fire: true, sev: Low},
		{name: "target outside the package", oldNil: true,
			new:  map[string]string{"package.json": `{"bin":{"x":"../x.js"}}`, "index.js": "1"},
			fire: true, sev: Medium},
		{name: "unparsable manifest is manifest-invalid's", oldNil: true,
			new: map[string]string{"package.json": `{"main":`}},
	})
}

func TestTarballAnomaly(t *testing.T) {
	base := map[string]string{"package.json": `{"name":"p","version":"1.0.0","main":"index.js"}`, "index.js": "1"}
	staged := map[string]string{"package.json": `{"name":"p","version":"1.0.1","main":"index.js"}`, "index.js": "2"}
	link := tarball.Issue{Path: "package/evil", Rel: "evil", Kind: tarball.KindSymlink, Target: "/etc/passwd"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	runIntegrityCases(t, TarballAnomaly, []integrityCase{
		{name: "clean", old: base, new: staged},
		{name: "symlink is high", old: base, new: staged, newIss: []tarball.Issue{link},
			fire: true, sev: High, want: []string{`symlink entry "evil" → "/etc/passwd"`}},
		{name: "the base's symlink is medium", old: base, new: staged, oldIss: []tarball.Issue{link}, newIss: []tarball.Issue{link},
			fire: true, sev: Medium, want: []string{"the base version had the same entry"}},
		{name: "fifo is high", old: base, new: staged,
			newIss: []tarball.Issue{{Path: "package/pipe", Rel: "pipe", Kind: tarball.KindFIFO, Detail: "named pipe"}}, fire: true, sev: High},
		{name: "entry outside package/ is high", old: base, new: staged,
			newIss: []tarball.Issue{{Path: "../../x", Kind: tarball.KindEscape}}, fire: true, sev: High},
		{name: "duplicate code path is high", old: base, new: staged,
			newIss: []tarball.Issue{{Path: "package/dupe.js", Rel: "dupe.js", Kind: tarball.KindDuplicate}}, fire: true, sev: High},
		{name: "duplicate doc is medium", old: base, new: staged,
			newIss: []tarball.Issue{{Path: "package/notes.md", Rel: "notes.md", Kind: tarball.KindDuplicate}}, fire: true, sev: Medium},
		{name: "case collision with code is high", old: base, new: staged,
			newIss: []tarball.Issue{{Path: "package/Index.js", Rel: "Index.js", Kind: tarball.KindCollision, Target: "index.js"}}, fire: true, sev: High},
		{name: "zero-width binding.gyp is high", old: base, new: with(staged, "binding\u200b.gyp", "{}"),
			fire: true, sev: High, want: []string{`binding\u200b.gyp`, `reads as "binding.gyp"`}},
		{name: "zero-width twin of a file is high", old: base, new: with(staged, "notes\u200b.txt", "x", "notes.txt", "y"),
			fire: true, sev: High, want: []string{"sits beside it"}},
		{name: "bidi in a doc name is medium", old: base, new: with(staged, "docs/a\u202eb.md", "x"), fire: true, sev: Medium},
		{name: "files allowlist: new code outside is high",
			old:  map[string]string{"package.json": `{"files":["dist"]}`, "dist/index.js": "1"},
			new:  map[string]string{"package.json": `{"files":["dist"]}`, "dist/index.js": "1", "router_init.js": "x"},
			fire: true, sev: High, want: []string{`"router_init.js" ships outside package.json files`}},
		{name: "files allowlist: a new doc outside is medium", oldNil: true,
			new:  map[string]string{"package.json": `{"files":["lib/"]}`, "lib/a.js": "1", "notes.txt": "x"},
			fire: true, sev: Medium},
		{name: "files allowlist: always-packed files, main, bin and folders with a slash", oldNil: true,
			new: map[string]string{"package.json": `{"main":"main.js","bin":{"t":"cli.js"},"files":["lib/","types/*.d.ts"]}`,
				"lib/a.js": "1", "lib/sub/b.js": "1", "types/a.d.ts": "x", "README.md": "r", "LICENSE": "l", "CHANGELOG.md": "c",
				"main.js": "1", "cli.js": "1"}},
		{name: "files allowlist: the base shipped the same file outside it",
			old: map[string]string{"package.json": `{"files":["dist"]}`, "dist/index.js": "1", "extra.js": "x"},
			new: map[string]string{"package.json": `{"files":["dist"]}`, "dist/index.js": "2", "extra.js": "x"}},
		{name: "no files field: nothing to escape", oldNil: true,
			new: map[string]string{"package.json": `{}`, "anything.js": "1"}},
	})
}

func TestSecretInTarball(t *testing.T) {
	base := map[string]string{"package.json": pj, "index.js": "module.exports = 1\n"}
	with := func(kv ...string) map[string]string {
		out := map[string]string{"package.json": pj, "index.js": "module.exports = 1\n"}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	const npmTok = "npm_Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
	const ghTok = "ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"
	runIntegrityCases(t, SecretInTarball, []integrityCase{
		{name: ".npmrc with an auth token, whatever its value", old: base,
			new:  with(".npmrc", "//registry.example.invalid/:_authToken=npm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"),
			fire: true, sev: High, want: []string{"_authToken", "npm_AAAA…"}, never: []string{"npm_AAAAAAAAAA"}},
		{name: ".npmrc reading the token from the environment", old: base,
			new: with(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")},
		{name: ".env with secrets", old: base, new: with(".env", "NODE_ENV=production\nSTRIPE_SECRET=s3cr3tvalue99\n"),
			fire: true, sev: High, want: []string{"STRIPE_SECRET", "values not shown"}, never: []string{"s3cr3tvalue99"}},
		{name: ".env.example is a template", old: base, new: with(".env.example", "API_KEY=changeme123\n")},
		{name: "private key file", old: base,
			new:  with("id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz\n-----END OPENSSH PRIVATE KEY-----\n"),
			fire: true, sev: High, want: []string{"private key"}, never: []string{"b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"}},
		{name: "sample key in a test folder is medium", old: base,
			new:  with("test/fixtures/server.key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n"),
			fire: true, sev: Medium},
		{name: "npm token literal in code, redacted", old: base, new: with("lib/publish.js", "const t = '"+npmTok+"'\n"),
			fire: true, sev: High, want: []string{"npm access token npm_Ab3d…"}, never: []string{npmTok}},
		{name: "GitHub token in a changed file", old: base, new: with("index.js", "module.exports = 1\nconst gh = \""+ghTok+"\"\n"),
			fire: true, sev: High, want: []string{"GitHub token ghp_Zx9Y…", "changed file"}, never: []string{ghTok}},
		{name: "token already in the base is not news",
			old: with("lib/a.js", "x = '"+npmTok+"'\n"), new: with("lib/a.js", "x = '"+npmTok+"'\ny = 2\n")},
		{name: "placeholders and regex sources are skipped", old: base,
			new: with("docs/a.md", "npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx npm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n/npm_[A-Za-z0-9]{36}/ AKIAIOSFODNN7EXAMPLE ghp_your_token_here\n")},
		{name: "AWS access key id", old: base, new: with("config.js", "key: 'AKIA2E0A8F3B244C9986'\n"),
			fire: true, sev: High, want: []string{"AWS access key id AKIA2E0A…"}},
		{name: "Slack and Stripe", old: base,
			new:  with("hook.js", "a='xoxb-1234567890-abcdefghij'\nb='sk_live_4eC39HqLyjWDarjtT1zdp7dc'\n"),
			fire: true, sev: High, want: []string{"Slack token", "Stripe live secret key"}},
		{name: "GCP service-account key", old: base,
			new:  with("sa.json", `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"}`),
			fire: true, sev: High, want: []string{"GCP service-account key"}},
		{name: "a secrets file with key=value", old: base, new: with("secrets.txt", "API_TOKEN=synthetic_secret_value_1234567890\n"),
			fire: true, sev: High, want: []string{"API_TOKEN", "synt…"}, never: []string{"synthetic_secret_value"}},
		{name: "cloud and tool credential files", old: base,
			new:  with(".aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = abc\n", ".git-credentials", "https://u:p4ss@github.com\n", ".netrc", "machine x login u password p\n"),
			fire: true, sev: High, want: []string{"AWS credentials", "git credentials", ".netrc password"}},
		{name: "a secrets module in code reads the environment", old: base,
			new: with("lib/secrets.js", "module.exports = { token: process.env.TOKEN }\n")},
	})
}

// TestFirstReleaseIsNoFreePass: no base and an empty base (no package.json)
// are both first releases: install scripts and non-registry specs are
// added (high), ordinary dependencies are not news.
func TestFirstReleaseIsNoFreePass(t *testing.T) {
	staged := map[string]string{
		"package.json": `{"name":"p","version":"1.0.0","scripts":{"postinstall":"node setup.js"},
			"dependencies":{"left-pad":"^1.3.0","x":"github:evil/x"}}`,
		"setup.js": "1",
	}
	for _, oldNil := range []bool{true, false} {
		var o *tarball.Package
		if !oldNil {
			o = pkg(map[string]string{})
		}
		n := pkg(staged)
		d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sigs := Analyze(Input{Old: o, New: n, Diff: d, StagedVerified: true, BaseVerified: true})
		for _, id := range []string{InstallScript, NonRegistryDependency} {
			got := signalsWithID(sigs, id)
			if len(got) != 1 || got[0].Severity != High {
				t.Errorf("oldNil=%v: %s = %+v, want one high", oldNil, id, got)
			}
		}
		for _, s := range sigs {
			if s.ID == NewDependency && s.Severity.AtLeast(Medium) {
				t.Errorf("oldNil=%v: first release raises %+v", oldNil, s)
			}
		}
	}
}

// TestIntegrityDemo: the demo's pathkit 2.0.1, built from a dirty working
// tree, ships a .env with a token and lost the file its main names.
func TestIntegrityDemo(t *testing.T) {
	for _, r := range demoReleases(t) {
		if r.Name+"@"+r.Version != "pathkit@2.0.1" {
			continue
		}
		got := map[string]Severity{}
		for _, s := range Analyze(r.Input) {
			got[s.ID] = s.Severity
		}
		if got[SecretInTarball] != High || got[EntrypointMissing] != High || got[CredentialAccess] != "" {
			t.Fatalf("pathkit@2.0.1: %v", got)
		}
		return
	}
	t.Fatal("pathkit@2.0.1 is not staged in the demo")
}
