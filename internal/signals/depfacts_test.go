package signals

import (
	stdctx "context"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/diff"
)

var depNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func daysAgo(d float64) time.Time { return depNow.Add(-time.Duration(d * float64(24*time.Hour))) }

// oldFacts is a long-lived, benign package: three years, many versions.
func oldFacts(latest string) DependencyFacts {
	f := DependencyFacts{Created: daysAgo(1200), DistTags: map[string]string{"latest": latest},
		Maintainers: []string{"alice"}, Versions: map[string]VersionFacts{}}
	for i, v := range []string{"1.0.0", "1.1.0", "1.2.0", "2.0.0", latest} {
		f.Versions[v] = VersionFacts{Published: daysAgo(1200 - float64(i)*100)}
	}
	return f
}

func depRun(t *testing.T, oldJSON, newJSON string, in Input) []Signal {
	t.Helper()
	o := pkg(map[string]string{"package.json": oldJSON})
	n := pkg(map[string]string{"package.json": newJSON})
	d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in.Old, in.New, in.Diff, in.StagedVerified, in.BaseVerified = o, n, d, true, true
	return signalsWithID(Analyze(in), DependencyRisk)
}

func TestDependencyRisk(t *testing.T) {
	const base = `{"name":"p","version":"1.0.0","dependencies":{"lodash":"^4.17.0","crypto-js":"^4.2.0"}}`
	young := DependencyFacts{Created: depNow.Add(-20 * time.Minute), DistTags: map[string]string{"latest": "4.2.1"},
		Versions: map[string]VersionFacts{"4.2.1": {Published: depNow.Add(-20 * time.Minute), InstallScripts: true}}}
	scripted := oldFacts("3.0.0")
	scripted.Versions["3.0.1"] = VersionFacts{Published: daysAgo(1), InstallScripts: true}
	scripted.DistTags["latest"] = "3.0.1"
	newish := DependencyFacts{Created: daysAgo(100), DistTags: map[string]string{"latest": "0.2.0"},
		Versions: map[string]VersionFacts{"0.1.0": {Published: daysAgo(100)}, "0.2.0": {Published: daysAgo(60), InstallScripts: true}}}
	deprecated := oldFacts("2.1.0")
	deprecated.Versions["2.1.0"] = VersionFacts{Published: daysAgo(400), Deprecated: "no longer maintained"}
	for _, tt := range []struct {
		name    string
		newDeps string
		in      Input
		sev     Severity // "" = quiet
		want    []string
	}{
		{"young dependency", `"lodash":"^4.17.0","crypto-js":"^4.2.0","left-padder":"^4.2.1"`,
			Input{Now: depNow, Deps: map[string]DependencyFacts{"left-padder": young}}, High,
			[]string{"left-padder was first published 20 minutes ago", "resolves to 4.2.1", "with install scripts", "1 versions"}},
		{"benign old dependency", `"lodash":"^4.17.0","crypto-js":"^4.2.0","kleur":"^4.1.0"`,
			Input{Now: depNow, Deps: map[string]DependencyFacts{"kleur": oldFacts("4.1.5")}}, "", nil},
		{"re-pointed to a version with install scripts published after the base", `"lodash":"^4.17.0","crypto-js":"^4.2.0","esquery":"^3.0.0"`,
			Input{Now: depNow, BaseTime: daysAgo(10), Deps: map[string]DependencyFacts{"esquery": scripted}}, High,
			[]string{"esquery@3.0.1 runs install scripts and appeared after the base was published"}},
		{"same, but the version predates the base", `"lodash":"^4.17.0","crypto-js":"^4.2.0","esquery":"^3.0.0"`,
			Input{Now: depNow, BaseTime: depNow, Deps: map[string]DependencyFacts{"esquery": scripted}}, "", nil},
		{"brand new with install scripts", `"lodash":"^4.17.0","crypto-js":"^4.2.0","gizmo-kit":"^0.2.0"`,
			Input{Now: depNow, Deps: map[string]DependencyFacts{"gizmo-kit": newish}}, High, []string{"gizmo-kit is brand new and runs install scripts"}},
		{"deprecated", `"lodash":"^4.17.0","crypto-js":"^4.2.0","oldthing":"^2.1.0"`,
			Input{Now: depNow, Deps: map[string]DependencyFacts{"oldthing": deprecated}}, Medium, []string{"oldthing@2.1.0 is deprecated", "no longer maintained"}},
		{"lookup failed", `"lodash":"^4.17.0","crypto-js":"^4.2.0","kleur":"^4.1.0"`,
			Input{Now: depNow, Deps: map[string]DependencyFacts{}, DepsMissing: map[string]string{"kleur": "404 Not Found"}}, Low,
			[]string{"facts missing", "kleur (404 Not Found)"}},
		{"no lookups made: offline only", `"lodash":"^4.17.0","crypto-js":"^4.2.0","kleur":"^4.1.0"`, Input{}, "", nil},
		{"git commit pin in optionalDependencies", `"lodash":"^4.17.0","crypto-js":"^4.2.0"},"optionalDependencies":{"router-core":"github:tanstack/router#79ac49eedf774dd4b0cfa308722bc463cfe5885c"`,
			Input{}, High, []string{"router-core pinned to git commit 79ac49eedf77", "optionalDependencies.router-core"}},
		{"git tag is not a pin", `"lodash":"^4.17.0","crypto-js":"^4.2.0","router-core":"github:tanstack/router#v1.2.3"`, Input{}, "", nil},
		{"affix game on a sibling and a well-known name", `"lodash":"^4.17.0","crypto-js":"^4.2.0","plain-crypto-js":"^4.2.1"`,
			Input{}, High, []string{"New dependency plain-crypto-js imitates crypto-js"}},
		{"typo of a well-known name", `"lodash":"^4.17.0","crypto-js":"^4.2.0","expresss":"^4.0.0"`, Input{}, High, []string{"imitates express"}},
		{"typo of a sibling", `"lodash":"^4.17.0","crypto-js":"^4.2.0","lodahs":"^4.0.0"`, Input{}, High, []string{"imitates lodash"}},
		{"node- and -js affixes", `"lodash":"^4.17.0","crypto-js":"^4.2.0","node-fetch-js":"^1.0.0"`, Input{}, High, []string{"imitates node-fetch"}},
		{"@types of a sibling is fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","@types/lodash":"^4.17.0"`, Input{}, "", nil},
		{"exact well-known names are fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","chalk":"^5.0.0","tslib":"^2.0.0","postcss-js":"^4.0.0"`, Input{}, "", nil},
		{"same scope is fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","@babel/core":"^7.0.0","@babel/code":"^7.0.0"`, Input{}, "", nil},
		{"a base dependency swapped for a look-alike", `"crypto-js":"^4.2.0","lodahs":"^4.17.0"`, Input{}, High, []string{"imitates lodash"}},
		{"an unknown name near nothing is fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","acme-loger":"^2.0.0"`, Input{}, "", nil},
		{"common deep dependencies adopted directly are fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","picomatch":"^4.0.0","safer-buffer":"^2.1.2","tinyglobby":"^0.2.0"`, Input{}, "", nil},
		{"typo of a deep dependency", `"lodash":"^4.17.0","crypto-js":"^4.2.0","chalk-tempalte":"^1.1.0"`, Input{}, High, []string{"imitates chalk-template"}},
		{"digit families are fine", `"lodash":"^4.17.0","crypto-js":"^4.2.0","es5-shim":"^4.0.0","es6-shim":"^0.35.0"`, Input{}, "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := depRun(t, base, `{"name":"p","version":"1.0.1","dependencies":{`+tt.newDeps+`}}`, tt.in)
			if tt.sev == "" {
				if len(got) != 0 {
					t.Fatalf("want quiet, got %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != tt.sev || got[0].Path != "package.json" {
				t.Fatalf("want one %s signal, got %+v", tt.sev, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Title+" | "+got[0].Detail, w) {
					t.Errorf("missing %q in %+v", w, got[0])
				}
			}
		})
	}
}

func TestDependencyChanges(t *testing.T) {
	oldM := ManifestOf([]byte(`{"dependencies":{"a":"^1.0.0","b":"^1.0.0"},"devDependencies":{"d":"1"}}`))
	newM := ManifestOf([]byte(`{"dependencies":{"a":"^1.1.0","c":"npm:real-c@^2"},"optionalDependencies":{"b":"^1.0.0","g":"github:o/r#` +
		strings.Repeat("a", 40) + `"},"devDependencies":{"d":"2","e":"1"},"overrides":{"x":"1.0.0"},"bundleDependencies":["a"]}`))
	var got []string
	for _, c := range DependencyChanges(oldM, newM) {
		got = append(got, c.Field+"|"+c.Lookup+"|"+c.Range)
	}
	// a is re-pointed and newly bundled: listed once.
	want := []string{"dependencies.a|a|^1.1.0", "dependencies.c|real-c|^2", "optionalDependencies.g||", "overrides.x|x|1.0.0"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if names := LookupNames(oldM, newM); strings.Join(names, ",") != "a,real-c,x" {
		t.Errorf("LookupNames = %v", names)
	}
}

func TestResolveSpec(t *testing.T) {
	vs := map[string]VersionFacts{}
	for _, v := range []string{"0.1.0", "0.1.5", "0.2.0", "1.0.0", "1.2.3", "1.3.0", "1.9.9", "2.0.0-beta.1", "2.0.0", "2.1.0", "3.0.0-rc.1"} {
		vs[v] = VersionFacts{}
	}
	tags := map[string]string{"latest": "2.0.0", "next": "3.0.0-rc.1"}
	for spec, want := range map[string]string{
		"^1.2.0": "1.9.9", "~1.2.0": "1.2.3", "1.x": "1.9.9", "1": "1.9.9", "*": "2.0.0", "": "2.0.0", "latest": "2.0.0",
		"next": "3.0.0-rc.1", "^0.1.0": "0.1.5", "^2.0.0": "2.0.0", ">=2.0.0": "2.0.0", ">2.0.0": "2.1.0", "<1.0.0": "0.2.0",
		"1.2.3": "1.2.3", "=1.3.0": "1.3.0", "1.0.0 - 1.3": "1.3.0", "^0.0.1 || ^1.2": "1.9.9", ">= 1.2.3 < 1.9": "1.3.0",
		"^2.0.0-beta.0": "2.0.0", "2.0.0-beta.1": "2.0.0-beta.1", "^4": "", "not a range": "", "~1": "1.9.9", "<=1.2": "1.2.3",
	} {
		if got := resolveSpec(spec, vs, tags); got != want {
			t.Errorf("resolveSpec(%q) = %q, want %q", spec, got, want)
		}
	}
}

// A dependency the base had, swapped for a look-alike, imitates it even
// when the staged manifest no longer lists the original.
func TestImitationOfARemovedDependency(t *testing.T) {
	got := depRun(t, `{"name":"p","version":"1.0.0","dependencies":{"acme-logger":"^2.0.0"}}`,
		`{"name":"p","version":"1.0.1","dependencies":{"acme-loger":"^2.0.0"}}`, Input{})
	if len(got) != 1 || got[0].Severity != High || !strings.Contains(got[0].Title, "imitates acme-logger") {
		t.Fatalf("want a high imitation of acme-logger, got %+v", got)
	}
}

func TestImitationRealDependencies(t *testing.T) {
	// Dependencies of popular packages (npm view <pkg> dependencies, 2026):
	// none imitates another name.
	for _, set := range [][]string{
		{"@babel/code-frame", "@babel/generator", "@babel/helper-compilation-targets", "@babel/helpers", "@babel/parser", "@babel/template", "@babel/traverse", "@babel/types", "convert-source-map", "debug", "gensync", "json5", "semver"},
		{"accepts", "body-parser", "content-disposition", "content-type", "cookie", "cookie-signature", "debug", "encodeurl", "escape-html", "etag", "finalhandler", "fresh", "http-errors", "merge-descriptors", "mime-types", "on-finished", "once", "parseurl", "proxy-addr", "qs", "range-parser", "router", "send", "serve-static", "statuses", "type-is", "vary"},
		{"follow-redirects", "form-data", "proxy-from-env"},
		{"ansi-styles", "supports-color", "chalk", "strip-ansi", "wrap-ansi", "string-width", "cliui", "y18n", "yargs-parser", "escalade", "get-caller-file", "require-directory"},
		{"postcss", "postcss-js", "postcss-nested", "postcss-load-config", "postcss-import", "postcss-selector-parser", "lilconfig", "jiti", "micromatch", "fast-glob", "glob-parent", "is-glob", "normalize-path", "object-hash", "picocolors", "chokidar", "didyoumean", "dlv", "arg", "sucrase", "resolve"},
		{"loose-envify", "js-tokens", "scheduler", "react"},
		{"eslint-scope", "eslint-visitor-keys", "espree", "esquery", "esutils", "esrecurse", "estraverse", "esprima", "acorn", "acorn-jsx", "ajv", "levn", "optionator", "minimatch", "ignore", "imurmurhash", "is-glob", "glob-parent", "find-up", "file-entry-cache", "flat-cache", "keyv"},
		{"@rollup/rollup-linux-x64-gnu", "@rollup/rollup-darwin-arm64", "@rollup/rollup-win32-x64-msvc", "fsevents", "@types/estree"},
		{"es-abstract", "es-errors", "es-object-atoms", "es-to-primitive", "es-set-tostringtag", "es-define-property", "has-symbols", "has-proto", "call-bind", "call-bound", "get-intrinsic", "gopd", "hasown"},
		{"picomatch", "micromatch", "fdir", "tinyglobby", "readdirp", "anymatch", "braces", "fill-range", "to-regex-range", "is-number", "fast-glob", "glob-parent"},
		{"safer-buffer", "safe-buffer", "iconv-lite", "call-bind", "call-bound", "function-bind", "get-intrinsic", "side-channel", "object-inspect"},
		{"mime", "mime-db", "mime-types", "media-typer", "bytes", "iconv-lite", "raw-body", "type-is", "depd", "destroy", "inherits", "setprototypeof", "toidentifier"},
	} {
		sib := map[string]bool{}
		for _, n := range set {
			sib[n] = true
		}
		for _, n := range set {
			if like, how := imitates(n, sib); like != "" {
				t.Errorf("%s flagged: %s %s", n, how, like)
			}
		}
	}
}

func TestProvenanceDropped(t *testing.T) {
	p := pkg(map[string]string{"package.json": `{"name":"a"}`})
	tp := func(v string) Publisher {
		return Publisher{Version: v, Name: "GitHub Actions", Type: "trusted-publisher", Trusted: true, Provenance: true}
	}
	for _, tt := range []struct {
		name   string
		actor  Publisher
		base   Publisher
		recent []Publisher
		fire   bool
	}{
		{"user after trusted publishing", Publisher{Name: "mkovac", Type: "user"}, tp("1.2.0"), []Publisher{tp("1.2.0"), tp("1.1.0")}, true},
		{"token after trusted publishing", Publisher{Name: "ci", Type: "token"}, tp("1.2.0"), nil, true},
		{"still a trusted publisher", Publisher{Name: "GitHub Actions", Type: "oidc"}, tp("1.2.0"), []Publisher{tp("1.1.0")}, false},
		{"base had no provenance", Publisher{Name: "mkovac", Type: "user"}, Publisher{Version: "1.2.0", Name: "mkovac", Type: "user"}, []Publisher{tp("1.1.0")}, false},
		{"provenance without a trusted publisher", Publisher{Name: "mkovac", Type: "user"}, Publisher{Version: "1.2.0", Name: "mkovac", Provenance: true}, nil, false},
		{"actor type unknown", Publisher{Name: "mkovac"}, tp("1.2.0"), nil, false},
		{"first release", Publisher{Name: "mkovac", Type: "user"}, Publisher{}, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := signalsWithID(Analyze(Input{New: p, StagedVerified: true, Actor: tt.actor, Base: tt.base, Recent: tt.recent}), ProvenanceDropped)
			if !tt.fire {
				if len(got) != 0 {
					t.Fatalf("want quiet, got %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != High || !strings.Contains(got[0].Detail, "1.2.0") {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		max  int
		want int
	}{{"lodash", "lodash", 2, 0}, {"lodash", "lodahs", 2, 1}, {"lodash", "lodas", 2, 1}, {"express", "expresss", 2, 1},
		{"react", "preact", 2, 1}, {"abcdef", "ghijkl", 2, 3}, {"axios", "axois", 1, 1}} {
		if got := editDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("editDistance(%q,%q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
