// Package memory keeps what a maintainer did in a review, per user, on this
// machine: the files marked viewed and free-text notes for a staged
// version (by package, version and tarball shasum), and, once a version is
// approved, a snapshot of what was accepted (signals with the content they
// were found in, dependencies, file hashes). The next review of the same
// package says what is new since that approval, and marks findings
// identical to ones already accepted as "seen before": marked, never
// hidden.
//
// Records live in $XDG_STATE_HOME/stagegate/reviews, one JSON file each,
// written atomically with mode 0600. They hold package names, paths and
// notes, never a token or a code.
package memory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/stagegate/stagegate/internal/atomicfile"
	"github.com/stagegate/stagegate/internal/statedir"
)

// maxRecordBytes bounds a record read back: a record is small; a huge
// file in the folder is not one of ours.
const maxRecordBytes = 4 << 20

// Key names one reviewed tarball.
type Key struct {
	Registry string `json:"registry"`
	Package  string `json:"package"`
	Version  string `json:"version"`
	Shasum   string `json:"shasum"` // sha1 of the staged tarball reviewed
}

// Finding is one signal as accepted: where, and the content it was in.
type Finding struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Title   string `json:"title"`
	Content string `json:"content"` // sha256 of the file's content, "" for package-level findings
}

// Record is what is remembered of one review.
type Record struct {
	Key
	Viewed    []string          `json:"viewed"`          // paths marked viewed
	Notes     map[string]string `json:"notes,omitempty"` // path ("" for the release) -> note
	Decision  string            `json:"decision,omitempty"`
	DecidedAt time.Time         `json:"decidedAt,omitzero"`
	// The snapshot, taken when the decision is recorded.
	Findings []Finding         `json:"findings,omitempty"`
	Deps     []string          `json:"deps,omitempty"`  // "name@spec" of every dependency
	Files    map[string]string `json:"files,omitempty"` // path -> sha256 of content
	Updated  time.Time         `json:"updated"`
}

// Store is the folder of records.
type Store struct{ dir string }

// DefaultDir is $XDG_STATE_HOME/stagegate/reviews, falling back to
// ~/.local/state/stagegate/reviews as the XDG base directory spec says.
func DefaultDir() (string, error) {
	dir, err := statedir.Dir()
	if err != nil {
		return "", fmt.Errorf("review memory: %w", err)
	}
	return filepath.Join(dir, "reviews"), nil
}

// Open returns the store in dir; the folder is made on the first write.
func Open(dir string) *Store { return &Store{dir: dir} }

// pkgDir is the folder of one package's records: LastApproved reads
// that folder only, not every review ever kept.
func (s *Store) pkgDir(registry, pkg string) string {
	h := sha256.Sum256([]byte(registry + "\x00" + pkg))
	return filepath.Join(s.dir, hex.EncodeToString(h[:8]))
}

func (s *Store) file(k Key) string {
	h := sha256.Sum256([]byte(k.Registry + "\x00" + k.Package + "\x00" + k.Version + "\x00" + k.Shasum))
	return filepath.Join(s.pkgDir(k.Registry, k.Package), hex.EncodeToString(h[:16])+".json")
}

// Load returns the record of k; ok is false when there is none.
func (s *Store) Load(k Key) (rec Record, ok bool, err error) {
	rec, err = readRecord(s.file(k))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Record{Key: k}, false, nil
	case err != nil:
		return Record{Key: k}, false, err
	case rec.Key != k:
		return Record{Key: k}, false, nil // a hash collision or a hand-edited file: not ours
	}
	return rec, true, nil
}

func readRecord(path string) (Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return Record{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Record{}, err
	}
	if st.Size() > maxRecordBytes {
		return Record{}, fmt.Errorf("review memory: %s is %d bytes, not a record", path, st.Size())
	}
	var r Record
	if err := json.NewDecoder(f).Decode(&r); err != nil {
		return Record{}, fmt.Errorf("review memory: %s: %w", path, err)
	}
	return r, nil
}

// Save writes rec atomically.
func (s *Store) Save(rec Record) error {
	rec.Updated = time.Now().UTC()
	sort.Strings(rec.Viewed)
	data, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return err
	}
	dir := s.pkgDir(rec.Registry, rec.Package)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("review memory: %w", err)
	}
	if err := atomicfile.Write(s.file(rec.Key), data, 0o600); err != nil {
		return fmt.Errorf("review memory: %w", err)
	}
	return nil
}

// LastApproved returns the most recently approved record of a package on
// a registry, other than exclude (the version under review).
func (s *Store) LastApproved(registry, pkg string, exclude Key) (Record, bool, error) {
	dir := s.pkgDir(registry, pkg)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("review memory: %w", err)
	}
	var best Record
	found := false
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		r, err := readRecord(filepath.Join(dir, e.Name()))
		if err != nil || r.Package != pkg || r.Registry != registry || r.Key == exclude || r.Decision != "approved" {
			continue
		}
		if !found || r.DecidedAt.After(best.DecidedAt) {
			best, found = r, true
		}
	}
	return best, found, nil
}

// ContentHash is how findings and files are compared across reviews.
func ContentHash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Delta is what a review holds that the last approved one did not.
type Delta struct {
	Since      Record    // the approved record compared with
	NewSignals []Finding // findings not accepted then (by id, path and content)
	NewDeps    []string  // dependencies (name@spec) not there then
	Changed    []string  // files whose content differs from the accepted one, or that are new
}

// Compare says what is new in the current snapshot since prev.
func Compare(prev Record, findings []Finding, deps []string, files map[string]string) Delta {
	d := Delta{Since: prev}
	for _, f := range findings {
		if !prev.Accepted(f) {
			d.NewSignals = append(d.NewSignals, f)
		}
	}
	had := map[string]bool{}
	for _, dep := range prev.Deps {
		had[dep] = true
	}
	for _, dep := range deps {
		if !had[dep] {
			d.NewDeps = append(d.NewDeps, dep)
		}
	}
	for p, h := range files {
		if prev.Files[p] != h {
			d.Changed = append(d.Changed, p)
		}
	}
	sort.Strings(d.Changed)
	return d
}

// Accepted reports whether a finding identical to f (same id, path and
// file content) was accepted in this record: "seen before".
func (r Record) Accepted(f Finding) bool {
	for _, a := range r.Findings {
		if a.ID == f.ID && a.Path == f.Path && a.Content == f.Content {
			return true
		}
	}
	return false
}
