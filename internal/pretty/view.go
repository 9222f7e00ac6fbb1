package pretty

import (
	"context"

	"github.com/stagegate/stagegate/internal/diff"
)

// View is a minified file's diff as printed text: what the dashboard and
// `stagegate diff --pretty` show instead of the token diff.
type View struct {
	// File is the line diff of the printed sides, with the raw file's
	// path, status, sizes and modes; its line numbers are printed lines.
	File diff.FileDiff
	// Old and New are the printed sides (nil when absent) and OldSrc and
	// NewSrc the raw bytes they were printed from.
	Old, New       *Text
	OldSrc, NewSrc []byte
}

// Eligible reports whether a file diff has a printed view: a minified
// JavaScript or JSON file whose raw sides the diff kept.
func Eligible(fd *diff.FileDiff) bool {
	return fd != nil && fd.Minified && !fd.Binary && (fd.Old != nil || fd.New != nil) && Supports(fd.Path)
}

// Diff prints both sides of an Eligible file and line-diffs the prints.
// It fails when ctx ends or a side would print too large; the caller then
// shows the raw diff.
func Diff(ctx context.Context, fd *diff.FileDiff, opts diff.Options) (*View, error) {
	v := &View{OldSrc: fd.Old, NewSrc: fd.New}
	var oldText, newText []byte
	var err error
	if fd.Old != nil {
		if v.Old, err = JS(fd.Old); err != nil {
			return nil, err
		}
		oldText = v.Old.Data
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if fd.New != nil {
		if v.New, err = JS(fd.New); err != nil {
			return nil, err
		}
		newText = v.New.Data
	}
	f, err := diff.Texts(ctx, fd.Path, oldText, newText, opts)
	if err != nil {
		return nil, err
	}
	f.Status, f.OldSize, f.NewSize, f.OldMode, f.NewMode = fd.Status, fd.OldSize, fd.NewSize, fd.OldMode, fd.NewMode
	v.File = f
	return v, nil
}

// Line returns the printed line that shows raw line no of the staged
// side (of the base when old), located within that line by hint (a
// snippet a signal quotes, or ""); 0 when that side is absent.
func (v *View) Line(no int, old bool, hint string) int {
	t, src := v.New, v.NewSrc
	if old {
		t, src = v.Old, v.OldSrc
	}
	if t == nil || no <= 0 {
		return 0
	}
	return t.LineOf(Locate(src, no, hint, hintLead))
}

// hintLead: a signal's snippet starts up to this many bytes before what
// it found (internal/signals quotes 24 bytes of lead-in).
const hintLead = 24

// All prints every Eligible file of res that want accepts (nil: all),
// keyed by path. A file that cannot be printed is left out: it is shown
// raw. It fails only when ctx ends.
func All(ctx context.Context, res *diff.Result, want func(path string) bool, opts diff.Options) (map[string]*View, error) {
	views := map[string]*View{}
	if res == nil {
		return views, nil
	}
	for i := range res.Files {
		fd := &res.Files[i]
		if !Eligible(fd) || want != nil && !want(fd.Path) {
			continue
		}
		v, err := Diff(ctx, fd, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		views[fd.Path] = v
	}
	return views, nil
}
