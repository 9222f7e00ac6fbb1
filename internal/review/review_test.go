package review

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
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
			e := &Engine{Registry: tt.fake}
			r, err := e.ReviewStaged(context.Background(), tt.item, Options{Progress: func(p Progress) {
				mu.Lock() // progress comes from the fetch goroutines
				phases = append(phases, p.Phase)
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
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
	r, err := e.Compare(context.Background(), "p@1.0.0", "p@latest", Options{})
	if err != nil {
		t.Fatal(err)
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
