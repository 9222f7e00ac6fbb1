package review

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stagegate/stagegate/internal/pack"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/tarball"
)

// fakeRegistry serves one staged tarball and a packument from memory.
type fakeRegistry struct {
	staged    []byte
	packument *registry.Packument
	tarballs  map[string][]byte
}

func (f *fakeRegistry) ViewStaged(context.Context, string) (registry.StageItem, error) {
	return registry.StageItem{}, errors.New("not used")
}
func (f *fakeRegistry) StagedTarballProgress(_ context.Context, _ string, fn registry.ProgressFunc) ([]byte, error) {
	if fn != nil {
		fn(int64(len(f.staged)), int64(len(f.staged)))
	}
	return f.staged, nil
}
func (f *fakeRegistry) Packument(context.Context, string) (*registry.Packument, error) {
	if f.packument == nil {
		return nil, &registry.Error{Kind: registry.ErrNotFound, Status: 404}
	}
	return f.packument, nil
}
func (f *fakeRegistry) TarballProgress(_ context.Context, url string, _ int64, _ registry.ProgressFunc) ([]byte, error) {
	return f.tarballs[url], nil
}

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var fs []tarball.File
	for p, body := range files {
		fs = append(fs, tarball.File{Path: p, Mode: 0o644, Data: []byte(body)})
	}
	b, err := pack.Tgz(fs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha1hex(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }

func TestReviewStaged(t *testing.T) {
	base := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.0.0"}`, "index.js": "a\nb\n"})
	staged := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.0.1","scripts":{"postinstall":"node x.js"}}`, "index.js": "a\nc\n", "x.js": "x\n"})
	pk := &registry.Packument{Name: "p", DistTags: map[string]string{"latest": "1.0.0"}, Versions: map[string]registry.Version{
		"1.0.0": {Name: "p", Version: "1.0.0", Dist: registry.Dist{Integrity: tarball.SRI(base), Tarball: "http://r/p/-/p-1.0.0.tgz"}},
	}}
	item := registry.StageItem{ID: "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f", PackageName: "p", Version: "1.0.1", Tag: "latest", Shasum: sha1hex(staged)}

	tests := []struct {
		name         string
		fake         *fakeRegistry
		item         registry.StageItem
		wantBase     string
		wantVerified bool
		baseVerified bool
		wantFiles    int
	}{
		{"patch against latest", &fakeRegistry{staged: staged, packument: pk, tarballs: map[string][]byte{"http://r/p/-/p-1.0.0.tgz": base}}, item, "1.0.0", true, true, 3},
		{"first release", &fakeRegistry{staged: staged}, item, "", true, false, 3},
		{"staged shasum mismatch", &fakeRegistry{staged: staged, packument: pk, tarballs: map[string][]byte{"http://r/p/-/p-1.0.0.tgz": base}},
			func() registry.StageItem { i := item; i.Shasum = sha1hex([]byte("other")); return i }(), "1.0.0", false, true, 3},
		{"base tarball tampered", &fakeRegistry{staged: staged, packument: pk, tarballs: map[string][]byte{"http://r/p/-/p-1.0.0.tgz": staged}}, item, "1.0.0", true, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var phases []string
			var loaded []int64
			e := &Engine{Registry: tt.fake}
			r, err := e.ReviewStaged(context.Background(), tt.item, Options{Progress: func(p Progress) {
				mu.Lock() // progress comes from the fetch goroutines
				phases = append(phases, p.Phase)
				mu.Unlock()
			}, Loaded: func(n int64) { loaded = append(loaded, n) }})
			if err != nil {
				t.Fatal(err)
			}
			if want := r.Summary.BytesBefore + r.Summary.BytesAfter; len(loaded) != 1 || loaded[0] != want {
				t.Errorf("Loaded called with %v, want once with %d", loaded, want)
			}
			if r.Staged.Verified != tt.wantVerified {
				t.Errorf("staged verified = %v, want %v", r.Staged.Verified, tt.wantVerified)
			}
			if r.ReviewedSHA1 != sha1hex(staged) {
				t.Errorf("ReviewedSHA1 = %s, want the sha1 of the bytes read", r.ReviewedSHA1)
			}
			if tt.wantBase == "" {
				if r.Base != nil {
					t.Errorf("base = %+v, want none", r.Base)
				}
			} else if r.Base == nil || r.Base.Version != tt.wantBase || r.Base.Verified != tt.baseVerified {
				t.Errorf("base = %+v, want %s verified=%v", r.Base, tt.wantBase, tt.baseVerified)
			}
			if len(r.Files) != tt.wantFiles && tt.wantBase != "" && tt.baseVerified {
				t.Errorf("files = %+v", r.Files)
			}
			if len(phases) == 0 || phases[len(phases)-1] != "done" {
				t.Errorf("progress phases %v", phases)
			}
			if r.Signals == nil || r.Manifest == nil || r.Files == nil {
				t.Error("JSON arrays must not be null")
			}
			// The tag's version at review time, for the tag direction
			// the approve modal shows (issue 10 item 5).
			if want := map[bool]string{true: "1.0.0", false: ""}[tt.fake.packument != nil]; r.Stage.TagFrom != want {
				t.Errorf("Stage.TagFrom = %q, want %q", r.Stage.TagFrom, want)
			}
		})
	}
}

func TestCompareRegistrySpecs(t *testing.T) {
	v1 := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.0.0"}`, "a.js": "1\n"})
	v2 := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.1.0"}`, "a.js": "2\n"})
	pk := &registry.Packument{Name: "p", DistTags: map[string]string{"latest": "1.1.0"}, Versions: map[string]registry.Version{
		"1.0.0": {Name: "p", Version: "1.0.0", Dist: registry.Dist{Integrity: tarball.SRI(v1), Tarball: "http://r/p/-/p-1.0.0.tgz"}},
		"1.1.0": {Name: "p", Version: "1.1.0", Dist: registry.Dist{Integrity: tarball.SRI(v1), Tarball: "http://r/p/-/p-1.1.0.tgz"}}, // wrong on purpose
	}}
	f := &fakeRegistry{packument: pk, tarballs: map[string][]byte{"http://r/p/-/p-1.0.0.tgz": v1, "http://r/p/-/p-1.1.0.tgz": v2}}
	e := &Engine{Registry: f}
	var loaded []int64
	r, err := e.Compare(context.Background(), "p@1.0.0", "p@latest", Options{Loaded: func(n int64) { loaded = append(loaded, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Summary.BytesBefore + r.Summary.BytesAfter; len(loaded) != 1 || loaded[0] != want || want == 0 {
		t.Errorf("Loaded called with %v, want once with %d", loaded, want)
	}
	if r.Package != "p" || r.Base.Version != "1.0.0" || r.Staged.Version != "1.1.0" {
		t.Errorf("compare resolved %s %s → %s", r.Package, r.Base.Version, r.Staged.Version)
	}
	if !r.Base.Verified || r.Staged.Verified {
		t.Errorf("verified: base %v (want true), new %v (want false: its integrity is wrong)", r.Base.Verified, r.Staged.Verified)
	}
	if r.Staged.ID != nil {
		t.Error("a compare has no stage id")
	}
	for _, bad := range []string{"p@9.9.9", "p", "@scope/p", "q@1.0.0"} {
		f2 := *f
		if bad == "q@1.0.0" {
			f2.packument = nil
		}
		if _, err := (&Engine{Registry: &f2}).Compare(context.Background(), bad, "p@1.0.0", Options{}); err == nil {
			t.Errorf("Compare(%q) succeeded", bad)
		}
	}
	if _, err := (&Engine{}).Compare(context.Background(), "p@1.0.0", "p@1.1.0", Options{}); err == nil {
		t.Error("a registry spec without a registry succeeded")
	}
}

// Small sides are parsed one after the other, large ones concurrently: both
// paths must give the same review of .tgz files on disk.
func TestCompareFilesSmallAndLarge(t *testing.T) {
	noise := func(seed uint64, n int) string {
		rng := rand.New(rand.NewPCG(seed, 1))
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		return string(b)
	}
	for _, tt := range []struct {
		name string
		blob int // incompressible bytes in each side, to cross concurrentParseMin
	}{
		{"small", 100},
		{"large", concurrentParseMin * 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			shared := noise(7, tt.blob)
			oldTgz := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.0.0"}`, "blob.txt": shared, "a.js": "one\ntwo\n"})
			newTgz := tgz(t, map[string]string{"package.json": `{"name":"p","version":"1.0.1"}`, "blob.txt": shared, "a.js": "one\nthree\n", "b.js": "new\n"})
			if big := int64(len(oldTgz)) >= concurrentParseMin; big != (tt.name == "large") {
				t.Fatalf("compressed size %d does not exercise the %s path", len(oldTgz), tt.name)
			}
			oldPath, newPath := filepath.Join(dir, "p-1.0.0.tgz"), filepath.Join(dir, "p-1.0.1.tgz")
			if err := os.WriteFile(oldPath, oldTgz, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(newPath, newTgz, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := (&Engine{}).Compare(context.Background(), oldPath, newPath, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Files {
				got = append(got, fmt.Sprintf("%s %s +%d -%d", f.Status, f.Path, f.LinesAdded, f.LinesRemoved))
			}
			want := []string{"modified a.js +1 -1", "added b.js +1 -0", "modified package.json +1 -1"}
			if !slices.Equal(got, want) {
				t.Errorf("files = %q, want %q", got, want)
			}
			if r.Package != "p" || r.Base.Version != "1.0.0" || r.Staged.Version != "1.0.1" || r.Staged.Shasum != sha1hex(newTgz) {
				t.Errorf("review header = %s %s → %s (%s)", r.Package, r.Base.Version, r.Staged.Version, r.Staged.Shasum)
			}
			if want := int64(2*len(shared)) + 2*30; r.Summary.BytesBefore+r.Summary.BytesAfter < want {
				t.Errorf("unpacked sizes %d + %d, want at least %d", r.Summary.BytesBefore, r.Summary.BytesAfter, want)
			}
		})
	}
}
