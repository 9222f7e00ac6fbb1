// Package audit keeps the append-only log of approve and reject decisions:
// one JSON line per decision, fsync'd before the call returns, so a crash
// never loses a decision that was reported to the user. Before a request is
// sent an "intent" entry is written and synced; the outcome follows it. An
// intent (or an "unknown" outcome) with nothing after it is open: the next
// run resolves it against the registry (see Pending). Entries carry what was
// decided and the outcome, never a token or a one-time code.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/statedir"
)

// Entry is one decision.
type Entry struct {
	Time     time.Time `json:"time"`
	Action   string    `json:"action"` // approve, reject
	ID       string    `json:"id"`
	Package  string    `json:"package"`
	Version  string    `json:"version"`
	Tag      string    `json:"tag,omitempty"`
	Shasum   string    `json:"shasum"`
	Registry string    `json:"registry"`
	Result   string    `json:"result"` // intent, approved, rejected, failed, refused, unknown
	Detail   string    `json:"detail,omitempty"`
	Via      string    `json:"via,omitempty"` // cli, dashboard
	// Resolved marks an outcome established by a later run from the
	// registry's state, for an intent or unknown outcome left open.
	Resolved bool `json:"resolved,omitempty"`
}

// Result words with a meaning to this package.
const (
	// Intent is written and synced before a request is sent.
	Intent = "intent"
	// Unknown is an outcome that neither the answer nor the checks told.
	Unknown = "unknown"
)

// Pending returns, for each (registry, id, action) whose latest entry is an
// intent or an unknown outcome, that entry: a request whose outcome the
// log does not know yet. reg filters by registry unless empty. Entries are
// in log order.
func Pending(entries []Entry, reg string) []Entry {
	type key struct{ reg, id, action string }
	last := map[key]int{}
	var order []key
	for i, e := range entries {
		if reg != "" && e.Registry != reg {
			continue
		}
		k := key{e.Registry, e.ID, e.Action}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
	}
	var out []Entry
	for _, k := range order {
		e := entries[last[k]]
		if e.Result == Intent || e.Result == Unknown {
			out = append(out, e)
		}
	}
	return out
}

// Pending returns the log's open entries for reg (see the function Pending).
func (l *Log) Pending(reg string) ([]Entry, error) {
	if l == nil {
		return nil, errors.New("audit log not configured")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	entries, err := Read(l.path)
	if err != nil {
		return nil, err
	}
	return Pending(entries, reg), nil
}

// Log appends entries to a file. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	path string
}

// DefaultPath is $XDG_STATE_HOME/stagegate/audit.jsonl, falling back to
// ~/.local/state/stagegate/audit.jsonl as the XDG base directory spec says.
func DefaultPath() (string, error) {
	if d := os.Getenv("STAGEGATE_AUDIT_LOG"); d != "" {
		return d, nil
	}
	dir, err := statedir.Dir()
	if err != nil {
		return "", fmt.Errorf("audit log (or set STAGEGATE_AUDIT_LOG): %w", err)
	}
	return filepath.Join(dir, "audit.jsonl"), nil
}

// Open returns a log writing to path; the folder is created (0700) on first append.
func Open(path string) *Log { return &Log{path: path} }

// Path is where entries go.
func (l *Log) Path() string { return l.path }

// Append writes one entry and fsyncs it.
func (l *Log) Append(e Entry) error {
	if l == nil {
		return errors.New("audit log not configured")
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("audit log: create folder: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("audit log: write %s: %w", l.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit log: sync %s: %w", l.path, err)
	}
	return f.Close()
}

// Read returns every entry in the log, oldest first; a missing log is empty.
func Read(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for i, line := range splitLines(b) {
		if len(line) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("audit log %s line %d: %w", path, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, b[start:])
	}
	return out
}
