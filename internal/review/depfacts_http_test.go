package review

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/signals"
)

// bearer authorizes every request with one token.
type bearer string

func (b bearer) AuthHeader(string) string { return "Bearer " + string(b) }

const pin = "79ac49eedf774dd4b0cfa308722bc463cfe5885c"

// depfactsSeed is a registry where each staged version has one thing to find.
func depfactsSeed() fstest.MapFS {
	pj := func(name, version, extra string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"name":"` + name + `","version":"` + version + `","main":"index.js"` + extra + `}`)}
	}
	js := &fstest.MapFile{Data: []byte("module.exports = 1\n")}
	fs := fstest.MapFS{}
	add := func(dir, name, version, extra string) {
		fs[dir+"/package.json"] = pj(name, version, extra)
		fs[dir+"/index.js"] = js
	}
	add("kleur/4.1.0", "kleur", "4.1.0", "")
	add("kleur/4.1.5", "kleur", "4.1.5", "")
	add("left-padder/1.0.0", "left-padder", "1.0.0", "")
	add("young/1.0.0", "young", "1.0.0", "")
	add("young/1.0.1", "young", "1.0.1", `,"dependencies":{"left-padder":"^1.0.0"}`)
	add("benign/1.0.0", "benign", "1.0.0", "")
	add("benign/1.0.1", "benign", "1.0.1", `,"dependencies":{"kleur":"^4.1.0"}`)
	add("pinned/1.0.0", "pinned", "1.0.0", "")
	add("pinned/1.0.1", "pinned", "1.0.1", `,"optionalDependencies":{"router-core":"github:tanstack/router#`+pin+`"}`)
	add("signed/1.0.0", "signed", "1.0.0", "")
	add("signed/1.1.0", "signed", "1.1.0", "")
	add("signed/1.1.1", "signed", "1.1.1", "")
	add("ghost/1.0.0", "ghost", "1.0.0", "")
	add("ghost/1.0.1", "ghost", "1.0.1", `,"dependencies":{"no-such-dep":"^1.0.0","flaky-dep":"^2.0.0"}`)
	add("slow/1.0.0", "slow", "1.0.0", "")
	add("slow/1.0.1", "slow", "1.0.1", `,"dependencies":{"kleur":"^4.1.0"}`)
	fs["seed.json"] = &fstest.MapFile{Data: []byte(`{"packages":[
	 {"name":"kleur","versions":[{"version":"4.1.0","dir":"kleur/4.1.0","state":"published","ago":"900d"},{"version":"4.1.5","dir":"kleur/4.1.5","state":"published","ago":"400d"}]},
	 {"name":"left-padder","versions":[{"version":"1.0.0","dir":"left-padder/1.0.0","state":"published","ago":"7m"}]},
	 {"name":"young","versions":[{"version":"1.0.0","dir":"young/1.0.0","state":"published","ago":"60d"},{"version":"1.0.1","dir":"young/1.0.1","state":"staged","ago":"5m"}]},
	 {"name":"benign","versions":[{"version":"1.0.0","dir":"benign/1.0.0","state":"published","ago":"60d"},{"version":"1.0.1","dir":"benign/1.0.1","state":"staged","ago":"5m"}]},
	 {"name":"pinned","versions":[{"version":"1.0.0","dir":"pinned/1.0.0","state":"published","ago":"60d"},{"version":"1.0.1","dir":"pinned/1.0.1","state":"staged","ago":"5m"}]},
	 {"name":"signed","versions":[
	   {"version":"1.0.0","dir":"signed/1.0.0","state":"published","ago":"90d","actor":"GitHub Actions","actorType":"trusted-publisher","provenance":true},
	   {"version":"1.1.0","dir":"signed/1.1.0","state":"published","tags":["latest"],"ago":"30d","actor":"GitHub Actions","actorType":"trusted-publisher","provenance":true},
	   {"version":"1.1.1","dir":"signed/1.1.1","state":"staged","ago":"5m","actor":"mkovac","actorType":"user","validateFor":"1h"}]},
	 {"name":"ghost","versions":[{"version":"1.0.0","dir":"ghost/1.0.0","state":"published","ago":"60d"},{"version":"1.0.1","dir":"ghost/1.0.1","state":"staged","ago":"5m"}]},
	 {"name":"slow","versions":[{"version":"1.0.0","dir":"slow/1.0.0","state":"published","ago":"60d"},{"version":"1.0.1","dir":"slow/1.0.1","state":"staged","ago":"5m"}]}
	]}`)}
	return fs
}

type depfactsEnv struct {
	client  *registry.Client
	engine  *Engine
	items   map[string]registry.StageItem
	lookups *atomic.Int64 // GETs of dependency packuments
}

// newDepfactsEnv serves the seed over real HTTP; flaky-dep answers 500,
// and the packument of kleur takes delay.
func newDepfactsEnv(t *testing.T, delay time.Duration) *depfactsEnv {
	t.Helper()
	now := time.Now()
	srv, err := devregistry.New(devregistry.Options{Token: "tok", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(depfactsSeed()); err != nil {
		t.Fatal(err)
	}
	var lookups atomic.Int64
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flaky-dep":
			lookups.Add(1)
			http.Error(w, `{"error":"boom"}`, http.StatusInternalServerError)
			return
		case "/kleur", "/left-padder", "/no-such-dep":
			lookups.Add(1)
			if r.URL.Path == "/kleur" && delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	c, err := registry.New(registry.Options{Registry: hs.URL, Auth: bearer("tok"), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	items, err := c.ListStaged(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	env := &depfactsEnv{client: c, items: map[string]registry.StageItem{}, lookups: &lookups,
		engine: &Engine{Registry: c, Facts: NewLookup(c), Now: func() time.Time { return now }}}
	for _, it := range items {
		env.items[it.PackageName] = it
	}
	return env
}

func (e *depfactsEnv) review(t *testing.T, pkg string) *Review {
	t.Helper()
	r, err := e.engine.ReviewStaged(context.Background(), e.items[pkg], Options{})
	if err != nil {
		t.Fatalf("review %s: %v", pkg, err)
	}
	return r
}

func findSignal(r *Review, id string) *Signal {
	for i := range r.Signals {
		if r.Signals[i].ID == id {
			return &r.Signals[i]
		}
	}
	return nil
}

func TestDependencyFactsOverHTTP(t *testing.T) {
	env := newDepfactsEnv(t, 0)
	for _, tt := range []struct {
		pkg  string
		id   string
		sev  signals.Severity // "" = absent
		want []string
	}{
		{"young", signals.DependencyRisk, signals.High, []string{"left-padder was first published 7 minutes ago", "resolves to 1.0.0"}},
		{"benign", signals.DependencyRisk, "", nil},
		{"pinned", signals.DependencyRisk, signals.High, []string{"router-core pinned to git commit 79ac49eedf77", "optionalDependencies.router-core"}},
		{"signed", signals.ProvenanceDropped, signals.High, []string{"staged by mkovac (user)", "1.1.0, 1.0.0"}},
		{"ghost", signals.DependencyRisk, signals.Low, []string{"facts missing", "no-such-dep (not found on the registry)", "flaky-dep (registry answered 500)"}},
	} {
		t.Run(tt.pkg, func(t *testing.T) {
			r := env.review(t, tt.pkg)
			s := findSignal(r, tt.id)
			if tt.sev == "" {
				if s != nil {
					t.Fatalf("want no %s, got %+v", tt.id, *s)
				}
				return
			}
			if s == nil {
				t.Fatalf("no %s in %+v", tt.id, r.Signals)
			}
			if Severity(s.Severity) != Severity(tt.sev) {
				t.Errorf("severity %s, want %s: %+v", s.Severity, tt.sev, *s)
			}
			for _, w := range tt.want {
				if !strings.Contains(s.Title+" | "+s.Detail, w) {
					t.Errorf("missing %q in %+v", w, *s)
				}
			}
		})
	}
	// The stage status made it through.
	if r := env.review(t, "signed"); r.Stage.Status != "validating" || !r.Stage.Validating() || r.Stage.CreatedAt.IsZero() {
		t.Errorf("stage facts = %+v, want validating with a time", r.Stage)
	}
	if r := env.review(t, "young"); r.Stage.Status != "" || r.Stage.Validating() {
		t.Errorf("stage facts = %+v, want no status", r.Stage)
	}
}

// Severity is a local alias to compare the JSON severity with the signals' one.
type Severity = signals.Severity

func TestDependencyFactsCachedAndBounded(t *testing.T) {
	env := newDepfactsEnv(t, 0)
	env.review(t, "benign")
	env.review(t, "slow") // same dependency: served from the cache
	if n := env.lookups.Load(); n != 1 {
		t.Errorf("%d packument GETs of kleur for two reviews, want 1", n)
	}
	// Failures are not cached: a second review asks again.
	env.lookups.Store(0)
	env.review(t, "ghost")
	env.review(t, "ghost")
	if n := env.lookups.Load(); n != 4 {
		t.Errorf("%d GETs for two reviews with two failing lookups, want 4", n)
	}
}

func TestDependencyFactsTimeoutAndCancel(t *testing.T) {
	env := newDepfactsEnv(t, 5*time.Second)
	env.engine.Facts.Timeout = 100 * time.Millisecond
	start := time.Now()
	r := env.review(t, "benign")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("review waited %v for a slow lookup", d)
	}
	s := findSignal(r, signals.DependencyRisk)
	if s == nil || !strings.Contains(s.Detail, "kleur (lookup timed out)") {
		t.Fatalf("want a missing-facts note for kleur, got %+v", r.Signals)
	}
	// A cancelled review stops its lookups.
	env.engine.Facts = NewLookup(env.client)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, _ = env.engine.ReviewStaged(ctx, env.items["slow"], Options{})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancelled review took %v", d)
	}
}

func TestEarlyManifest(t *testing.T) {
	b := tgz(t, map[string]string{"package.json": `{"name":"p","dependencies":{"a":"1"}}`, "index.js": "x", "z/y.js": "y"})
	m := earlyManifest(b)
	if m == nil || m["name"] != "p" {
		t.Fatalf("earlyManifest = %v", m)
	}
	if earlyManifest([]byte("not gzip")) != nil {
		t.Error("garbage gave a manifest")
	}
}

// TestDemoDependencyCases reviews the demo queue over HTTP: each new signal
// has its demo case, and the benign releases raise no dependency-risk.
func TestDemoDependencyCases(t *testing.T) {
	now := time.Now()
	srv, err := devregistry.New(devregistry.Options{Token: "tok", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(assets.Demo()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c, err := registry.New(registry.Options{Registry: hs.URL, Auth: bearer("tok")})
	if err != nil {
		t.Fatal(err)
	}
	items, err := c.ListStaged(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	eng := &Engine{Registry: c, Facts: NewLookup(c)}
	want := map[string]string{ // name@version -> the id it must raise high, "" for no dependency-risk high
		"envcase@2.3.1":      signals.DependencyRisk,
		"@acme/router@1.5.2": signals.DependencyRisk,
		"@acme/icons@2.1.1":  signals.ProvenanceDropped,
	}
	for _, it := range items {
		key := it.PackageName + "@" + it.Version
		r, err := eng.ReviewStaged(context.Background(), it, Options{})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		id, special := want[key]
		s := findSignal(r, signals.DependencyRisk)
		switch {
		case special:
			if s := findSignal(r, id); s == nil || s.Severity != signals.High {
				t.Errorf("%s: want %s high, got %+v", key, id, r.Signals)
			}
		case s != nil && s.Severity == signals.High:
			t.Errorf("%s: unexpected %+v", key, *s)
		}
		if key == "@acme/icons@2.1.1" && r.Stage.Status != "validating" {
			t.Errorf("%s: stage status %q, want validating", key, r.Stage.Status)
		}
	}
}
