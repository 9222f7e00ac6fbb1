// Package review orchestrates a review: pick the base version, fetch and
// verify both tarballs, diff them and compute signals. Its Review type is the
// JSON contract of `stagegate diff --json` and `compare --json`.
package review

import (
	"time"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/signals"
	"github.com/stagegate/stagegate/internal/tarball"
)

// Schema is the version of the review JSON document.
const Schema = 1

// Review is the review JSON contract (architecture.md §3).
type Review struct {
	Schema   int                   `json:"schema"`
	Package  string                `json:"package"`
	Staged   Staged                `json:"staged"`
	Base     *Base                 `json:"base"`
	Summary  Summary               `json:"summary"`
	Manifest []diff.ManifestChange `json:"manifest"`
	Files    []File                `json:"files"`
	Signals  []Signal              `json:"signals"`
	// Risk rolls the signals up for the release as a whole: what the
	// queue shows and what --fail-on compares.
	Risk signals.Risk `json:"risk"`

	// Diff holds the full comparison (hunks) for human output and the UI.
	Diff *diff.Result `json:"-"`
	// ReviewedSHA1 is the sha1 of the staged tarball that was actually read
	// and diffed: an approval is only sent if the stage record still matches it.
	ReviewedSHA1 string `json:"-"`
	// SignalsChecked is true once a signal engine has run over the diff; an
	// empty Signals list means "nothing found" only then.
	SignalsChecked bool `json:"-"`
	// Issues are the staged (new) tarball's entries that are not regular
	// files npm would install: links, devices, escapes, duplicates, collisions.
	Issues []tarball.Issue `json:"-"`
	// Fingerprints identify each staged file's content (crc32c and size):
	// review memory tells what changed since an earlier approval, and
	// which findings sit in content already accepted.
	Fingerprints map[string]string `json:"-"`
	// Deps lists the staged manifest's installed dependencies as
	// "section:name@spec", for review memory.
	Deps []string `json:"-"`
	// Stage holds the stage record's status and age, for the UI.
	Stage StageFacts `json:"-"`
}

// Staged describes the staged (or "new") side.
type Staged struct {
	Version   string  `json:"version"`
	ID        *string `json:"id"`
	Tag       string  `json:"tag"`
	Shasum    string  `json:"shasum"`
	Integrity string  `json:"integrity"`
	Verified  bool    `json:"verified"`
	Actor     string  `json:"actor"`
	ActorType string  `json:"actorType"`
	CreatedAt string  `json:"createdAt"`
	// Origin says where the tarball came from: "stage", "registry", "file" or "folder".
	Origin string `json:"-"`
}

// Base describes the live version compared against.
type Base struct {
	Version   string `json:"version"`
	Integrity string `json:"integrity"`
	Verified  bool   `json:"verified"`
	Reason    string `json:"reason"`
	// Origin says where the tarball came from: "registry", "file" or "folder".
	Origin string `json:"-"`
}

// Summary counts the changes.
type Summary struct {
	FilesAdded    int   `json:"filesAdded"`
	FilesRemoved  int   `json:"filesRemoved"`
	FilesModified int   `json:"filesModified"`
	LinesAdded    int   `json:"linesAdded"`
	LinesRemoved  int   `json:"linesRemoved"`
	BytesBefore   int64 `json:"bytesBefore"`
	BytesAfter    int64 `json:"bytesAfter"`
}

// File is one changed file in the JSON contract.
type File struct {
	Path         string `json:"path"`
	Status       string `json:"status"`
	Binary       bool   `json:"binary"`
	OldSize      int64  `json:"oldSize"`
	NewSize      int64  `json:"newSize"`
	OldMode      string `json:"oldMode"`
	NewMode      string `json:"newMode"`
	LinesAdded   int    `json:"linesAdded"`
	LinesRemoved int    `json:"linesRemoved"`
}

// Signal is one review finding (architecture.md §4), as internal/signals
// computes it.
type Signal = signals.Signal

// Progress reports how far a review has come, for spinners and progress bars.
type Progress struct {
	Phase string // "item", "packument", "staged tarball", "base tarball", "diff", "done"
	Done  int64  // bytes or steps done in this phase
	Total int64  // 0 when unknown
}

// StageFacts are facts of the stage record shown to the reviewer (not in
// the JSON contract): its status and when it was staged.
type StageFacts struct {
	Status    string    // "validating", "staged", or "" (staged)
	CreatedAt time.Time // zero when the record's createdAt did not parse
	// TagFrom is the version the staged tag pointed to when the review
	// was computed ("" when the tag did not exist): approving moves the tag
	// from there, possibly backwards.
	TagFrom string
}

// Validating reports a staged version the registry is still validating:
// it cannot be approved yet.
func (s StageFacts) Validating() bool { return s.Status == "validating" }
