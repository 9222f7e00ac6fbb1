package devregistry

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/stagegate/stagegate/internal/atomicfile"
)

// stateVersion is bumped when the state file's shape changes incompatibly.
const stateVersion = 1

// state is everything the registry knows. With a data folder it lives in
// state.json (a snapshot) plus journal.jsonl, one fsynced line per change
// since the snapshot; the journal is folded into a new snapshot on start
// and whenever it grows past the snapshot's size, so a write costs one
// small append, not a rewrite of every record.
type state struct {
	Version  int                 `json:"version"`
	Seq      uint64              `json:"seq,omitempty"` // last journal change the snapshot holds
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

	// The journal (folder mode); guarded by the Server's mu, which every
	// caller of load, commit and snapshot holds.
	journal      *os.File
	journalSize  int64  // bytes of whole, synced lines
	seq          uint64 // last change written
	snapshotSize int64
	compactAt    int64 // the journal is never folded below this size
}

var blobKeyRE = regexp.MustCompile(`^[0-9a-f]{128}$`)

// minCompact is the journal size below which it is never folded.
const minCompact = 1 << 20

func newStore(dir string) (*store, error) {
	s := &store{dir: dir, blobs: map[string][]byte{}, compactAt: minCompact}
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
	return key, atomicfile.Write(p, data, 0o600)
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

func (s *store) statePath() string   { return filepath.Join(s.dir, "state.json") }
func (s *store) journalPath() string { return filepath.Join(s.dir, "journal.jsonl") }

// change is one journal line: what a write did, replayed in order on load.
type change struct {
	Seq uint64 `json:"seq"`
	// Package replaces a package's document (publish, approve).
	Package *pkgDoc `json:"package,omitempty"`
	// AddStage inserts a stage record; DelStage removes one by id.
	AddStage *stageRec `json:"addStage,omitempty"`
	DelStage string    `json:"delStage,omitempty"`
}

// apply replays c onto st; replaying a change twice is harmless.
func (st *state) apply(c *change) {
	if c.Package != nil {
		st.Packages[c.Package.Name] = c.Package
	}
	if c.DelStage != "" {
		if i, _ := st.stage(c.DelStage); i >= 0 {
			st.Stages = append(st.Stages[:i:i], st.Stages[i+1:]...)
		}
	}
	if r := c.AddStage; r != nil {
		if i, _ := st.stage(r.ID); i < 0 {
			st.insertStage(r)
		}
	}
}

// insertStage keeps Stages ordered by createdAt, oldest first, and in
// arrival order for equal times, so pages are stable.
func (st *state) insertStage(rec *stageRec) {
	i := sort.Search(len(st.Stages), func(i int) bool { return st.Stages[i].CreatedAt > rec.CreatedAt })
	st.Stages = append(st.Stages, nil)
	copy(st.Stages[i+1:], st.Stages[i:])
	st.Stages[i] = rec
}

// read loads the snapshot and replays the journal's whole lines after it.
// It returns the state, the last change's seq and the journal's length in
// whole lines (a torn last line, from a crash mid-append, is not counted).
func (s *store) read() (*state, uint64, int64, error) {
	st := newState()
	b, err := os.ReadFile(s.statePath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, 0, 0, fmt.Errorf("devregistry: %w", err)
	default:
		if err := json.Unmarshal(b, st); err != nil {
			return nil, 0, 0, fmt.Errorf("devregistry: %s: %w", s.statePath(), err)
		}
		if st.Version != stateVersion {
			return nil, 0, 0, fmt.Errorf("devregistry: %s: unsupported state version %d", s.statePath(), st.Version)
		}
	}
	s.snapshotSize = int64(len(b))
	if st.Packages == nil {
		st.Packages = map[string]*pkgDoc{}
	}
	if st.Seeded == nil {
		st.Seeded = map[string]struct{}{}
	}
	seq := st.Seq
	j, err := os.ReadFile(s.journalPath())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, 0, 0, fmt.Errorf("devregistry: %w", err)
	}
	var good int64
	for len(j) > 0 {
		nl := bytes.IndexByte(j, '\n')
		if nl < 0 {
			break // torn tail
		}
		var c change
		if err := json.Unmarshal(j[:nl], &c); err != nil {
			break // torn tail
		}
		if c.Seq > seq {
			st.apply(&c)
			seq = c.Seq
		}
		good += int64(nl + 1)
		j = j[nl+1:]
	}
	return st, seq, good, nil
}

// load returns the saved state: in folder mode it folds the journal into a
// fresh snapshot, removes temp files and tarballs no record refers to (left
// by a crash), and opens the journal for appending.
func (s *store) load() (*state, error) {
	if s.dir == "" {
		return newState(), nil
	}
	st, seq, _, err := s.read()
	if err != nil {
		return nil, err
	}
	s.seq = seq
	if err := s.snapshot(st); err != nil {
		return nil, fmt.Errorf("devregistry: %w", err)
	}
	s.clean(st)
	return st, nil
}

// clean removes temp files of interrupted writes and orphan tarballs.
func (s *store) clean(st *state) {
	used := map[string]bool{}
	for _, r := range st.Stages {
		used[r.Blob] = true
	}
	for _, p := range st.Packages {
		for _, b := range p.Blobs {
			used[b] = true
		}
	}
	for _, d := range []string{s.dir, filepath.Join(s.dir, "tarballs")} {
		tmps, _ := filepath.Glob(filepath.Join(d, atomicfile.TempPrefix+"*"))
		for _, t := range tmps {
			_ = os.Remove(t)
		}
	}
	tgzs, _ := filepath.Glob(filepath.Join(s.dir, "tarballs", "*.tgz"))
	for _, t := range tgzs {
		key := strings.TrimSuffix(filepath.Base(t), ".tgz")
		if blobKeyRE.MatchString(key) && !used[key] {
			_ = os.Remove(t)
		}
	}
}

// snapshot writes st whole (holding every change up to s.seq) and empties
// the journal. A crash between the two steps is harmless: the journal's
// changes carry seqs the new snapshot already holds, and are skipped.
func (s *store) snapshot(st *state) error {
	if s.dir == "" {
		return nil
	}
	prev := st.Seq
	st.Seq = s.seq
	b, err := json.Marshal(st)
	if err != nil {
		st.Seq = prev
		return err
	}
	if err := atomicfile.Write(s.statePath(), b, 0o600); err != nil {
		st.Seq = prev
		return err
	}
	s.snapshotSize = int64(len(b))
	if s.journal == nil {
		f, err := os.OpenFile(s.journalPath(), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		s.journal = f
	}
	if err := s.journal.Truncate(0); err != nil {
		return err
	}
	s.journalSize = 0
	return s.journal.Sync()
}

// commit appends c to the journal and syncs it; st already holds c. On
// failure the journal is cut back to its last whole line and st is
// reloaded from disk, so memory never runs ahead of disk; the caller must
// then use the returned state.
func (s *store) commit(st *state, c change) (*state, error) {
	if s.dir == "" {
		return st, nil
	}
	c.Seq = s.seq + 1
	line, err := json.Marshal(c)
	if err == nil {
		line = append(line, '\n')
		if _, err = s.journal.WriteAt(line, s.journalSize); err == nil {
			err = s.journal.Sync()
		}
	}
	if err != nil {
		_ = s.journal.Truncate(s.journalSize)
		if fresh, seq, _, rerr := s.read(); rerr == nil {
			s.seq = seq
			return fresh, err
		}
		return st, err
	}
	s.seq = c.Seq
	s.journalSize += int64(len(line))
	if s.journalSize > s.compactAt && s.journalSize > s.snapshotSize {
		_ = s.snapshot(st) // on failure the journal still holds everything
	}
	return st, nil
}

func (s *store) close() error {
	if s.journal == nil {
		return nil
	}
	return s.journal.Close()
}
