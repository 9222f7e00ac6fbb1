// Package diff compares two package file sets: files paired by path, a
// line diff with context hunks, a token diff for minified and single-line
// files, lazy word-level spans for display (go-diff on word tokens), and a
// field-by-field diff of package.json.
//
// Line diffs anchor large files on lines unique to both sides (patience
// style) and run an xdiff-style Myers between anchors, with a work limit
// counted in steps rather than go-diff's wall-clock DiffTimeout: the same
// two tarballs must give the same review on a busy laptop and in CI.
package diff

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Status of a file between base and staged.
type Status string

// File statuses, as in the review JSON contract.
const (
	Added    Status = "added"
	Removed  Status = "removed"
	Modified Status = "modified"
	ModeOnly Status = "mode"
)

// Letter is the status as git's --name-status writes it: A, D, M, or T
// for a mode change.
func (s Status) Letter() string {
	switch s {
	case Added:
		return "A"
	case Removed:
		return "D"
	case ModeOnly:
		return "T"
	}
	return "M"
}

// LineKind says whether a diff line is context, added or removed.
type LineKind uint8

// Line kinds.
const (
	Context LineKind = iota
	Add
	Del
)

// Line is one line of a hunk. OldNo/NewNo are 1-based; 0 when absent on that side.
type Line struct {
	Kind LineKind
	// NoNewline marks the last line of a file that does not end in "\n"
	// (git's "\ No newline at end of file"). It sits next to Kind to keep
	// Line at 40 bytes: a large review holds millions of them.
	NoNewline bool
	OldNo     int
	NewNo     int
	Text      string // without the trailing newline; untrusted
}

// Hunk is a run of changes with surrounding context.
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	Lines              []Line
}

// FileDiff is the comparison of one path.
type FileDiff struct {
	Path         string
	Status       Status
	Binary       bool
	OldSize      int64
	NewSize      int64
	OldMode      uint32
	NewMode      uint32
	LinesAdded   int
	LinesRemoved int
	// Minified is set when either side looks minified or is one huge line;
	// such files are diffed by tokens (TokenDiff) instead of lines.
	Minified  bool
	TokenDiff bool
	// Capped explains, when non-empty, that a work limit was hit and the hunks are partial.
	Capped string
	Hunks  []Hunk
	// Old and New are the raw bytes of a Minified file's sides (nil when
	// absent), for a view that reprints them (internal/pretty). They alias
	// the packages' data, which the token diff's lines already keep.
	Old, New []byte
}

// ManifestChange is one changed field of package.json, path dotted (scripts.postinstall).
type ManifestChange struct {
	Path   string `json:"path"`
	Change string `json:"change"` // added, removed, changed
	Old    any    `json:"old"`
	New    any    `json:"new"`
}

// Result is the whole comparison.
type Result struct {
	Files    []FileDiff // changed files only, sorted by path
	Manifest []ManifestChange
	// ManifestError, when non-empty, says why a package.json could not be
	// parsed; Manifest then holds what could still be compared.
	ManifestError string
}

// ValueText renders a manifest value as compact JSON for people: no HTML
// escaping of <, > and &, "(none)" for an absent value. The result is
// untrusted text: it still goes through termsafe.
func ValueText(v any) string {
	if v == nil {
		return "(none)"
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
