package devregistry

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// stateVersion is bumped when the state file's shape changes incompatibly.
const stateVersion = 1

// state is everything the registry knows; it is serialised whole to
// state.json on every change (small: manifests, not tarballs).
type state struct {
	Version  int                 `json:"version"`
	Packages map[string]*pkgDoc  `json:"packages"`
	Stages   []*stageRec         `json:"stages"` // oldest first
	Seeded   map[string]struct{} `json:"seeded,omitempty"`
}

// pkgDoc is one package's published versions.
type pkgDoc struct {
	Name     string                     `json:"name"`
	DistTags map[string]string          `json:"distTags"`
	Versions map[string]json.RawMessage `json:"versions"` // manifest as published, dist included
	Time     map[string]string          `json:"time"`
	Blobs    map[string]string          `json:"blobs"` // version -> blob key
}

// stageRec is one staged version: the item the API shows, plus what the
// registry keeps to publish it (persisted flat: item's fields, blob, manifest).
type stageRec struct {
	item
	Blob     string          `json:"blob"`
	Manifest json.RawMessage `json:"manifest"`
	// ValidUntil, when set, is the time (timeLayout) until which the
	// record is "validating" (npm 11.20's stage status); after it, "staged".
	ValidUntil string `json:"validUntil,omitempty"`
}

// view is the item as the API shows it at now: with a status when the
// record has a validation window.
func (r *stageRec) view(now string) item {
	it := r.item
	if r.ValidUntil != "" {
		it.Status = "staged"
		if now < r.ValidUntil {
			it.Status = "validating"
		}
	}
	return it
}

// validating reports whether the record is still being validated at now.
func (r *stageRec) validating(now string) bool { return r.ValidUntil != "" && now < r.ValidUntil }

// item is a stage record as the API shows it; field order is the JSON order.
type item struct {
	ID          string `json:"id"`
	PackageName string `json:"packageName"`
	Version     string `json:"version"`
	Tag         string `json:"tag"`
	CreatedAt   string `json:"createdAt"`
	Actor       string `json:"actor"`
	ActorType   string `json:"actorType"`
	Access      string `json:"access"`
	Shasum      string `json:"shasum"`
	Status      string `json:"status,omitempty"` // "validating" or "staged"; absent: staged
}

func newState() *state {
	return &state{Version: stateVersion, Packages: map[string]*pkgDoc{}, Seeded: map[string]struct{}{}}
}

// versionTaken reports whether name@version is published or staged: one
// index for both, as npmjs keeps it.
func (st *state) versionTaken(name, version string) (published, staged bool) {
	if p := st.Packages[name]; p != nil {
		if _, ok := p.Versions[version]; ok {
			published = true
		}
	}
	for _, r := range st.Stages {
		if r.PackageName == name && r.Version == version {
			staged = true
		}
	}
	return
}

// stage finds a record by id; case-insensitively, because clients accept
// upper-case UUIDs and send them as typed.
func (st *state) stage(id string) (int, *stageRec) {
	for i, r := range st.Stages {
		if strings.EqualFold(r.ID, id) {
			return i, r
		}
	}
	return -1, nil
}

// blobUsed reports whether any published version or stage record refers to key.
func (st *state) blobUsed(key string) bool {
	for _, r := range st.Stages {
		if r.Blob == key {
			return true
		}
	}
	for _, p := range st.Packages {
		for _, b := range p.Blobs {
			if b == key {
				return true
			}
		}
	}
	return false
}

// store keeps tarballs and the state file, in memory or in a folder.
type store struct {
	dir   string // "" = memory
	mu    sync.Mutex
	blobs map[string][]byte // memory mode only
}

var blobKeyRE = regexp.MustCompile(`^[0-9a-f]{128}$`)

func newStore(dir string) (*store, error) {
	s := &store{dir: dir, blobs: map[string][]byte{}}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "tarballs"), 0o700); err != nil {
		return nil, fmt.Errorf("devregistry: data dir: %w", err)
	}
	return s, nil
}

// blobKey names a tarball by its sha512, so file names never come from
// untrusted input and identical tarballs are stored once.
func blobKey(data []byte) string {
	sum := sha512.Sum512(data)
	return hex.EncodeToString(sum[:])
}

func (s *store) put(data []byte) (string, error) {
	key := blobKey(data)
	if s.dir == "" {
		s.mu.Lock()
		s.blobs[key] = data
		s.mu.Unlock()
		return key, nil
	}
	p := filepath.Join(s.dir, "tarballs", key+".tgz")
	if _, err := os.Stat(p); err == nil {
		return key, nil
	}
	return key, writeFileAtomic(p, data)
}

func (s *store) get(key string) ([]byte, error) {
	if !blobKeyRE.MatchString(key) {
		return nil, fs.ErrNotExist
	}
	if s.dir == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, ok := s.blobs[key]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return b, nil
	}
	return os.ReadFile(filepath.Join(s.dir, "tarballs", key+".tgz"))
}

func (s *store) remove(key string) error {
	if !blobKeyRE.MatchString(key) {
		return nil
	}
	if s.dir == "" {
		s.mu.Lock()
		delete(s.blobs, key)
		s.mu.Unlock()
		return nil
	}
	err := os.Remove(filepath.Join(s.dir, "tarballs", key+".tgz"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (s *store) statePath() string { return filepath.Join(s.dir, "state.json") }

func (s *store) load() (*state, error) {
	if s.dir == "" {
		return newState(), nil
	}
	b, err := os.ReadFile(s.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("devregistry: %w", err)
	}
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("devregistry: %s: %w", s.statePath(), err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("devregistry: %s: unsupported state version %d", s.statePath(), st.Version)
	}
	if st.Packages == nil {
		st.Packages = map[string]*pkgDoc{}
	}
	if st.Seeded == nil {
		st.Seeded = map[string]struct{}{}
	}
	return st, nil
}

func (s *store) save(st *state) error {
	if s.dir == "" {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.statePath(), b)
}

// writeFileAtomic writes data to a temp file in the same folder, fsyncs it,
// renames it over path and fsyncs the folder, so a crash leaves either the
// old or the new file, never a torn one.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
