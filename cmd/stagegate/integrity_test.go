package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/conformance"
)

// upload publishes (stage false) or stages name@version with a tarball
// built from entries, over HTTP to the fixture's registry, as npm does.
// The publish document's manifest is well formed whatever the tarball's
// package.json says, as when a tarball is edited after npm pack.
func (f *fixture) upload(stage bool, name, version string, entries []entry) {
	f.t.Helper()
	path := filepath.Join(f.t.TempDir(), "p.tgz")
	writeTgz(f.t, path, entries)
	tgz, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	doc, err := conformance.PublishDocument(f.url, name, version, "latest", tgz)
	if err != nil {
		f.t.Fatal(err)
	}
	method, u := http.MethodPut, strings.TrimRight(f.url, "/")+"/"+conformance.EscapeName(name)
	if stage {
		method, u = http.MethodPost, strings.TrimRight(f.url, "/")+"/-/stage/package/"+conformance.EscapeName(name)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(doc))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json")
	req.Header.Set("authorization", "Bearer "+f.srv.Token())
	if stage {
		req.Header.Set("npm-command", "stage")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		f.t.Fatalf("%s %s@%s: %s: %s", method, name, version, resp.Status, body)
	}
}

func pkgFile(name, body string) entry { return entry{name: "package/" + name, body: body} }

// TestReleaseIntegritySignalsOverHTTP stages hand-made releases on the
// embedded registry and reads `stagegate diff --json`: a broken
// package.json, a version that is not the staged one, a dropped main, a
// file outside the files allowlist, a symlink entry, a shipped .npmrc and
// a first release with an install script each raise their signal in the
// JSON (not only in the text report), and no signal quotes the secret.
func TestReleaseIntegritySignalsOverHTTP(t *testing.T) {
	f := newFixture(t)
	const token = "npm_Qw3eR5tY7uI9oP1aS3dF5gH7jK9lZ1xC3vB5"
	for _, tt := range []struct {
		name        string
		base        []entry // nil: a first release
		staged      []entry
		id          string
		sev         string
		title       string   // a substring of the signal's title
		files       []string // paths the review's files list must hold
		notInOutput string   // never printed, in JSON or text
	}{
		{name: "integ-broken-manifest",
			base:   []entry{pkgFile("package.json", `{"name":"integ-broken-manifest","version":"1.0.0"}`), pkgFile("index.js", "module.exports = 1\n")},
			staged: []entry{pkgFile("package.json", `{not-json{"name":"integ-broken-manifest"`), pkgFile("index.js", "module.exports = 2\n"), pkgFile("lib/extra.js", "x\n")},
			id:     "manifest-invalid", sev: "medium", title: "does not parse", files: []string{"index.js", "lib/extra.js", "package.json"}},
		{name: "integ-wrong-version",
			base:   []entry{pkgFile("package.json", `{"name":"integ-wrong-version","version":"1.0.0"}`), pkgFile("index.js", "1\n")},
			staged: []entry{pkgFile("package.json", `{"name":"integ-wrong-version","version":"9.9.9"}`), pkgFile("index.js", "1\n")},
			id:     "manifest-invalid", sev: "high", title: `version "9.9.9" is not the staged version "1.0.1"`},
		{name: "integ-dropped-main",
			base:   []entry{pkgFile("package.json", `{"name":"integ-dropped-main","version":"1.0.0","main":"lib/main.js"}`), pkgFile("lib/main.js", "1\n"), pkgFile("README.md", "r\n")},
			staged: []entry{pkgFile("package.json", `{"name":"integ-dropped-main","version":"1.0.1","main":"lib/main.js"}`), pkgFile("README.md", "r\n")},
			id:     "entrypoint-missing", sev: "high", title: `main "lib/main.js" is not in the tarball`},
		{name: "integ-outside-files",
			base:   []entry{pkgFile("package.json", `{"name":"integ-outside-files","version":"1.0.0","files":["dist"]}`), pkgFile("dist/index.js", "1\n")},
			staged: []entry{pkgFile("package.json", `{"name":"integ-outside-files","version":"1.0.1","files":["dist"]}`), pkgFile("dist/index.js", "1\n"), pkgFile("loader.js", "require('./dist')\n")},
			id:     "tarball-anomaly", sev: "high", title: `"loader.js" ships outside package.json files`},
		{name: "integ-symlink",
			base:   []entry{pkgFile("package.json", `{"name":"integ-symlink","version":"1.0.0"}`), pkgFile("index.js", "1\n")},
			staged: []entry{pkgFile("package.json", `{"name":"integ-symlink","version":"1.0.1"}`), pkgFile("index.js", "1\n"), {name: "package/config", typeflag: tar.TypeSymlink, link: "/home/user/.npmrc"}},
			id:     "tarball-anomaly", sev: "high", title: "symlink entry"},
		{name: "integ-npmrc",
			base:   []entry{pkgFile("package.json", `{"name":"integ-npmrc","version":"1.0.0"}`), pkgFile("index.js", "1\n")},
			staged: []entry{pkgFile("package.json", `{"name":"integ-npmrc","version":"1.0.1"}`), pkgFile("index.js", "1\n"), pkgFile(".npmrc", "//registry.npmjs.org/:_authToken="+token+"\n")},
			id:     "secret-in-tarball", sev: "high", title: "npm_Qw3e…", notInOutput: token},
		{name: "integ-first-install-script",
			staged: []entry{pkgFile("package.json", `{"name":"integ-first-install-script","version":"1.0.1","scripts":{"postinstall":"node setup.js"}}`), pkgFile("setup.js", "1\n")},
			id:     "install-script", sev: "high", title: "postinstall script added"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.base != nil {
				f.upload(false, tt.name, "1.0.0", tt.base)
			}
			f.upload(true, tt.name, "1.0.1", tt.staged)
			it := f.find(tt.name, "1.0.1")
			r := f.run("diff", it.ID, "--json")
			if r.code != 0 {
				t.Fatalf("diff --json: exit %d: %s", r.code, r.stderr)
			}
			var rv struct {
				Base    *struct{ Version string } `json:"base"`
				Files   []struct{ Path string }   `json:"files"`
				Signals []struct {
					ID, Severity, Path, Title, Detail string
				} `json:"signals"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
				t.Fatal(err)
			}
			if (rv.Base == nil) != (tt.base == nil) {
				t.Errorf("base = %+v, want a base: %v", rv.Base, tt.base != nil)
			}
			found := false
			for _, s := range rv.Signals {
				if s.ID == tt.id && s.Severity == tt.sev && strings.Contains(s.Title, tt.title) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s %s signal titled %q; got %+v", tt.sev, tt.id, tt.title, rv.Signals)
			}
			var paths []string
			for _, fl := range rv.Files {
				paths = append(paths, fl.Path)
			}
			for _, p := range tt.files {
				if !slices.Contains(paths, p) {
					t.Errorf("files lack %s: %v", p, paths)
				}
			}
			if tt.notInOutput != "" {
				text := f.run("diff", it.ID, "--no-color")
				// The file's own diff shows its content (that is the review); the
				// signals above it never quote the value.
				head, _, _ := strings.Cut(text.stdout, "@@")
				for i, out := range []string{r.stdout, r.stderr, head, text.stderr} {
					if j := strings.Index(out, tt.notInOutput); j >= 0 {
						t.Fatalf("the secret value reached output %d: %q", i, out[max(0, j-200):j])
					}
				}
				if !strings.Contains(text.stdout, "secret-in-tarball") && !strings.Contains(text.stdout, "credential in added file") {
					t.Errorf("the text report does not show the secret signal:\n%s", text.stdout)
				}
			}
		})
	}
}
