package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stagegate/stagegate/internal/registry"
)

// monorepoSeed is a monorepo release staged at once: @mono/ui needs
// @mono/core, @mono/cli needs @mono/ui (as a peer), and @mono/docs needs
// @mono/core only to build (a devDependency), so nothing orders it.
var monorepoSeed = fstest.MapFS{
	"seed.json": {Data: []byte(`{"packages": [
		{"name": "@mono/core", "versions": [
			{"version": "1.0.0", "dir": "core-1.0.0", "state": "published"},
			{"version": "1.0.1", "dir": "core", "state": "staged"}]},
		{"name": "@mono/ui", "versions": [{"version": "1.0.1", "dir": "ui", "state": "staged"}]},
		{"name": "@mono/cli", "versions": [{"version": "1.0.1", "dir": "cli", "state": "staged"}]},
		{"name": "@mono/docs", "versions": [{"version": "1.0.1", "dir": "docs", "state": "staged"}]}]}`)},
	"core-1.0.0/package.json": {Data: []byte(`{"name":"@mono/core","version":"1.0.0","main":"index.js"}`)},
	"core-1.0.0/index.js":     {Data: []byte("module.exports = 1;\n")},
	"core/package.json":       {Data: []byte(`{"name":"@mono/core","version":"1.0.1","main":"index.js"}`)},
	"core/index.js":           {Data: []byte("module.exports = 2;\n")},
	"ui/package.json": {Data: []byte(`{"name":"@mono/ui","version":"1.0.1","main":"index.js",
		"dependencies":{"@mono/core":"^1.0.1","left-pad":"^1.3.0"}}`)},
	"ui/index.js": {Data: []byte("module.exports = require('@mono/core');\n")},
	"cli/package.json": {Data: []byte(`{"name":"@mono/cli","version":"1.0.1","main":"index.js",
		"peerDependencies":{"@mono/ui":"1.0.1"}}`)},
	"cli/index.js": {Data: []byte("module.exports = require('@mono/ui');\n")},
	"docs/package.json": {Data: []byte(`{"name":"@mono/docs","version":"1.0.1","main":"index.js",
		"devDependencies":{"@mono/core":"1.0.1"}}`)},
	"docs/index.js": {Data: []byte("module.exports = 'docs';\n")},
}

// newMonorepoFixture is the demo fixture with the monorepo release staged
// too; it returns the staged versions by package name.
func newMonorepoFixture(t *testing.T) (*fixture, map[string]registry.StageItem) {
	t.Helper()
	f := newFixture(t)
	if err := f.srv.Seed(monorepoSeed); err != nil {
		t.Fatal(err)
	}
	byName := map[string]registry.StageItem{}
	for _, name := range []string{"@mono/core", "@mono/ui", "@mono/cli", "@mono/docs"} {
		byName[name] = f.find(name, "1.0.1")
	}
	return f, byName
}

// intercept puts a reverse proxy in front of the fixture's registry and
// points stagegate at it: fault handles a request and returns true, or
// returns false to pass it on (after changing it, if it likes). It
// returns the approve requests that reached the registry, in order.
func (f *fixture) intercept(fault func(w http.ResponseWriter, r *http.Request) bool) func() []string {
	f.t.Helper()
	upstream, err := url.Parse(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	var mu sync.Mutex
	var approves []string
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fault(w, r) {
			return
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/approve") {
			mu.Lock()
			approves = append(approves, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/-/stage/"), "/approve"))
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	f.t.Cleanup(srv.Close)
	nerf := strings.TrimPrefix(srv.URL, "http:") + "/"
	if err := os.WriteFile(f.userconfig, []byte("registry="+srv.URL+"/\n"+nerf+":_authToken="+f.srv.Token()+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	f.url = srv.URL + "/"
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), approves...)
	}
}

// isPublished is published for a package that may have no version live
// at all (its packument is then 404).
func (f *fixture) isPublished(pkg, version string) bool {
	f.t.Helper()
	c, err := registry.New(registry.Options{Registry: f.url})
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := c.Packument(context.Background(), pkg)
	if registry.IsNotFound(err) {
		return false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	_, ok := p.Versions[version]
	return ok
}

// TestApproveBatchInDependencyOrder is issue 11 item 7 (CLI): a monorepo
// release given in the wrong order is approved dependencies first.
func TestApproveBatchInDependencyOrder(t *testing.T) {
	f, v := newMonorepoFixture(t)
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
	sent := f.intercept(func(http.ResponseWriter, *http.Request) bool { return false })
	r := f.run("approve", v["@mono/cli"].ID, "@mono/ui@1.0.1", v["@mono/docs"].ID, v["@mono/core"].ID, "--otp", f.code())
	if r.code != 0 {
		t.Fatalf("approve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// cli waits for ui, ui for core; docs only builds with core.
	want := []string{"@mono/core", "@mono/ui", "@mono/cli", "@mono/docs"}
	var wantIDs []string
	for _, name := range want {
		wantIDs = append(wantIDs, v[name].ID)
		if !f.isPublished(name, "1.0.1") {
			t.Errorf("%s@1.0.1 not published", name)
		}
	}
	if got := sent(); strings.Join(got, " ") != strings.Join(wantIDs, " ") {
		t.Errorf("approve requests reached the registry in the order %v, want %v (%v)", got, wantIDs, want)
	}
	var approved []string
	for _, e := range auditEntries(t, logPath) {
		if e.Result == "approved" {
			approved = append(approved, e.Package)
		}
	}
	if strings.Join(approved, " ") != strings.Join(want, " ") {
		t.Errorf("audit log approvals %v, want %v", approved, want)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "✓ "))
	}
	if strings.Join(lines, "\n") != "@mono/core@1.0.1 approved\n@mono/ui@1.0.1 approved\n@mono/cli@1.0.1 approved\n@mono/docs@1.0.1 approved" {
		t.Errorf("output:\n%s", r.stdout)
	}
}

// TestApproveBatchSkipsDependentsOfAFailure is issue 11 item 7 (CLI): when
// @mono/core is not approved, @mono/ui (which needs it) and @mono/cli
// (which needs @mono/ui) are not attempted, @mono/docs still is, the
// exit status is 1 and the JSON says why each was skipped.
func TestApproveBatchSkipsDependentsOfAFailure(t *testing.T) {
	for _, tt := range []struct {
		name string
		// fault returns the proxy's fault for the batch's versions.
		fault      func(v map[string]registry.StageItem) func(http.ResponseWriter, *http.Request) bool
		coreResult string
		coreDetail string
		why        string
	}{
		{
			name: "the registry refuses the approval",
			fault: func(v map[string]registry.StageItem) func(http.ResponseWriter, *http.Request) bool {
				return func(w http.ResponseWriter, r *http.Request) bool {
					if r.Method != http.MethodPost || r.URL.Path != "/-/stage/"+v["@mono/core"].ID+"/approve" {
						return false
					}
					w.Header().Set("content-type", "application/json")
					w.WriteHeader(http.StatusForbidden)
					_, _ = w.Write([]byte(`{"error":"you may not publish @mono/core"}`))
					return true
				}
			},
			coreResult: "failed", coreDetail: "you may not publish", why: "which failed",
		},
		{
			name: "the staged tarball is not the one the record names",
			fault: func(v map[string]registry.StageItem) func(http.ResponseWriter, *http.Request) bool {
				return func(_ http.ResponseWriter, r *http.Request) bool {
					// Another staged tarball: a valid package, the wrong sha1.
					if r.URL.Path == "/-/stage/"+v["@mono/core"].ID+"/tarball" {
						r.URL.Path = "/-/stage/" + v["@mono/docs"].ID + "/tarball"
					}
					return false
				}
			},
			coreResult: "refused", coreDetail: "integrity mismatch", why: "which was refused",
		},
		{
			name: "the stage record is gone when re-read before sending",
			fault: func(v map[string]registry.StageItem) func(http.ResponseWriter, *http.Request) bool {
				var views int
				var mu sync.Mutex
				return func(w http.ResponseWriter, r *http.Request) bool {
					if r.Method != http.MethodGet || r.URL.Path != "/-/stage/"+v["@mono/core"].ID {
						return false
					}
					mu.Lock()
					views++
					first := views == 1
					mu.Unlock()
					if first {
						return false
					}
					w.Header().Set("content-type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(`{"error":"Staged package not found"}`))
					return true
				}
			},
			coreResult: "refused", coreDetail: "gone", why: "which was refused",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, v := newMonorepoFixture(t)
			logPath := filepath.Join(t.TempDir(), "audit.jsonl")
			t.Setenv("STAGEGATE_AUDIT_LOG", logPath)
			sent := f.intercept(tt.fault(v))
			r := f.run("approve", v["@mono/cli"].ID, v["@mono/ui"].ID, v["@mono/docs"].ID, v["@mono/core"].ID, "--otp", f.code(), "--json")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			var doc decisionsDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
			}
			if doc.Action != "approve" || doc.OK || len(doc.Decisions) != 4 {
				t.Fatalf("JSON %+v", doc)
			}
			got := map[string]decisionJSON{}
			for _, d := range doc.Decisions {
				got[d.Package] = d
			}
			core, ui, cli, docs := got["@mono/core"], got["@mono/ui"], got["@mono/cli"], got["@mono/docs"]
			if core.Result != tt.coreResult || !strings.Contains(core.Detail, tt.coreDetail) {
				t.Errorf("@mono/core: %+v, want %s (%s)", core, tt.coreResult, tt.coreDetail)
			}
			if ui.Result != "skipped" || ui.Detail != "not attempted: depends on @mono/core@1.0.1, "+tt.why ||
				ui.BlockedBy == nil || *ui.BlockedBy != (versionRef{ID: v["@mono/core"].ID, Package: "@mono/core", Version: "1.0.1"}) {
				t.Errorf("@mono/ui: %+v (blocked by %+v)", ui, ui.BlockedBy)
			}
			if cli.Result != "skipped" || cli.Detail != "not attempted: depends on @mono/ui@1.0.1, which was skipped" ||
				cli.BlockedBy == nil || cli.BlockedBy.ID != v["@mono/ui"].ID {
				t.Errorf("@mono/cli: %+v (blocked by %+v)", cli, cli.BlockedBy)
			}
			if docs.Result != "approved" || docs.ID != v["@mono/docs"].ID {
				t.Errorf("@mono/docs: %+v", docs)
			}
			for name, want := range map[string]bool{"@mono/core": false, "@mono/ui": false, "@mono/cli": false, "@mono/docs": true} {
				if ok := f.isPublished(name, "1.0.1"); ok != want {
					t.Errorf("%s@1.0.1 published=%v, want %v", name, ok, want)
				}
			}
			for _, id := range sent() {
				if id == v["@mono/ui"].ID || id == v["@mono/cli"].ID {
					t.Errorf("an approve of a skipped version was sent: %s", id)
				}
			}
			// A skip sends nothing, so it is no decision for the audit log.
			for _, e := range auditEntries(t, logPath) {
				if e.Package == "@mono/ui" || e.Package == "@mono/cli" {
					t.Errorf("audit entry for a skipped version: %+v", e)
				}
			}
		})
	}
}

// TestApproveBatchSkipTextOutput: the human output names the version a
// skipped one waited for.
func TestApproveBatchSkipTextOutput(t *testing.T) {
	f, v := newMonorepoFixture(t)
	f.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/-/stage/"+v["@mono/core"].ID+"/approve" {
			return false
		}
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error":"Cannot publish over previously published version \"1.0.1\"."}`))
		return true
	})
	r := f.run("approve", v["@mono/ui"].ID, v["@mono/core"].ID, v["@mono/docs"].ID, "--otp", f.code())
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"✗ @mono/core@1.0.1 failed", "✗ @mono/ui@1.0.1 skipped: not attempted: depends on @mono/core@1.0.1, which failed", "✓ @mono/docs@1.0.1 approved"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}

func TestSkippedSaysWhy(t *testing.T) {
	item := registry.StageItem{ID: "b-id", PackageName: "b", Version: "2.0.0"}
	for _, tt := range []struct {
		dep  decision
		want string
	}{
		{decision{pkg: "a", version: "1.0.0", result: "failed"}, "not attempted: depends on a@1.0.0, which failed"},
		{decision{pkg: "a", version: "1.0.0", result: "refused"}, "not attempted: depends on a@1.0.0, which was refused"},
		{decision{pkg: "a", version: "1.0.0", result: "skipped"}, "not attempted: depends on a@1.0.0, which was skipped"},
		// Maybe live, maybe not: what needs it does not go out on a guess.
		{decision{pkg: "a", version: "1.0.0", result: "unknown"}, "not attempted: depends on a@1.0.0, which has an unknown outcome"},
		{decision{pkg: "a", version: "1.0.0", result: "approved", auditErr: "disk full"}, "not attempted: depends on a@1.0.0, which was not audited"},
	} {
		got := skipped(item, tt.dep)
		if got.result != "skipped" || got.detail != tt.want || got.id != "b-id" || got.blockedBy == nil || got.blockedBy.Package != "a" {
			t.Errorf("skipped after %+v = %+v, want detail %q", tt.dep, got, tt.want)
		}
	}
}
