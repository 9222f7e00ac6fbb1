package signals

import (
	stdctx "context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/pack"
	"github.com/stagegate/stagegate/internal/tarball"
)

// Shared fixtures of the detector tests: the demo's staged versions and
// the real releases of bench/.cache.

// realPairSpec names a pair of bench/.cache tarballs (file names without .tgz).
type realPairSpec struct{ name, old, new string }

func realPairs() []realPairSpec {
	return []realPairSpec{
		{"typescript", "typescript-5.4.5", "typescript-5.5.4"},
		{"react-dom", "react-dom-18.2.0", "react-dom-18.3.1"},
		{"lodash", "lodash-4.17.20", "lodash-4.17.21"},
		{"router", "tanstack-react-router-1.170.45", "tanstack-react-router-1.170.46"},
	}
}

// realPair reads and diffs one pair, both sides verified; it skips when
// the cache is absent (bench/compare.sh fills it).
func realPair(tb testing.TB, p realPairSpec) Input {
	tb.Helper()
	read := func(name string) *tarball.Package {
		data, err := os.ReadFile(filepath.Join("..", "..", "bench", ".cache", name+".tgz"))
		if err != nil {
			tb.Skipf("bench cache absent: %v", err)
		}
		pk, err := tarball.ReadBytes(data, tarball.DefaultLimits())
		if err != nil {
			tb.Fatal(err)
		}
		return pk
	}
	o, n := read(p.old), read(p.new)
	d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return Input{Old: o, New: n, Diff: d, StagedVerified: true, BaseVerified: true}
}

// demoRelease is one staged version of the demo, diffed against its base.
type demoRelease struct {
	Name, Version string
	Input         Input
}

// demoReleases packs every staged version of assets/demo and its base (the
// latest published version of the same package, as seed.json orders them)
// the way npm would, and diffs them. Input carries the stager and the
// publishers of the live versions, newest first, as a review does.
func demoReleases(t testing.TB) []demoRelease {
	t.Helper()
	demo := assets.Demo()
	raw, err := fs.ReadFile(demo, "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed struct {
		Packages []struct {
			Name     string
			Versions []struct {
				Version, Dir, State, Actor, ActorType string
			}
		}
	}
	if err := json.Unmarshal(raw, &seed); err != nil {
		t.Fatal(err)
	}
	var out []demoRelease
	for _, p := range seed.Packages {
		var base *tarball.Package
		var recent []Publisher
		for _, v := range p.Versions {
			who := Publisher{Version: v.Version, Name: v.Actor, Type: v.ActorType}
			switch v.State {
			case "published":
				base = demoPackage(t, demo, v.Dir)
				recent = append([]Publisher{who}, recent...)
			case "staged":
				n := demoPackage(t, demo, v.Dir)
				d, err := diff.Compare(stdctx.Background(), base, n, diff.Options{})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, demoRelease{p.Name, v.Version, Input{Old: base, New: n, Diff: d,
					StagedVerified: true, BaseVerified: true, Actor: who, Recent: recent}})
			}
		}
	}
	return out
}

// demoPackage packs one demo folder the way the demo registry does and reads it back.
func demoPackage(t testing.TB, fsys fs.FS, dir string) *tarball.Package {
	t.Helper()
	files, err := pack.FS(fsys, dir)
	if err != nil {
		t.Fatalf("pack %s: %v", dir, err)
	}
	tgz, err := pack.Tgz(files)
	if err != nil {
		t.Fatalf("tgz %s: %v", dir, err)
	}
	p, err := tarball.ReadBytes(tgz, tarball.Limits{})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return p
}
