package approval

import (
	"context"
	"errors"
	"fmt"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// TagMove is what approving a staged version does to its dist-tag.
type TagMove struct {
	Tag  string // the staged tag ("latest")
	From string // the version the tag points to now; "" when the tag is new
	To   string // the staged version
}

// MoveFor describes the move of tag to version given the packument p (nil:
// the package has no published version).
func MoveFor(p *registry.Packument, tag, version string) TagMove {
	m := TagMove{Tag: tag, To: version}
	if p != nil && tag != "" {
		m.From = p.DistTags[tag]
	}
	return m
}

// Backwards reports a tag that would point to a lower version than today
// (with latest at 1.0.4, approving 1.0.1 under latest).
func (m TagMove) Backwards() bool {
	return m.From != "" && review.ValidVersion(m.From) && review.ValidVersion(m.To) &&
		review.CompareVersions(m.To, m.From) < 0
}

// String says what the approval does to the tag, in one line.
func (m TagMove) String() string {
	switch {
	case m.Tag == "":
		return "no tag"
	case m.From == "":
		return fmt.Sprintf("creates %s at %s", m.Tag, m.To)
	case m.From == m.To:
		return fmt.Sprintf("keeps %s at %s", m.Tag, m.To)
	case m.Backwards():
		return fmt.Sprintf("moves %s back from %s to %s", m.Tag, m.From, m.To)
	}
	return fmt.Sprintf("moves %s from %s to %s", m.Tag, m.From, m.To)
}

// Current is what the registry says now about the package of a staged
// version: the base a review would pick and what approving does to the tag.
type Current struct {
	Base string // "" for a first release
	Tag  TagMove
}

// Packumenter reads packuments (the registry client does).
type Packumenter interface {
	Packument(ctx context.Context, name string) (*registry.Packument, error)
}

// CurrentFor reads the package's packument and returns the base a review of
// item would pick today and the tag move its approval makes. A 404
// packument means the package has no published version.
func CurrentFor(ctx context.Context, c Packumenter, item registry.StageItem) (Current, error) {
	p, err := c.Packument(ctx, item.PackageName)
	if registry.KindOf(err) == registry.ErrNotFound {
		p, err = nil, nil
	}
	if err != nil {
		return Current{}, fmt.Errorf("read the packument of %s: %w", item.PackageName, err)
	}
	choice, err := review.PickBase(p, item.Version, item.Tag, "")
	if err != nil {
		return Current{}, err
	}
	return Current{Base: choice.Version, Tag: MoveFor(p, item.Tag, item.Version)}, nil
}

// ErrChanged is matched (errors.Is) by a ChangedError.
var ErrChanged = errors.New("the package changed since the review")

// ChangedError says that the package's published versions or tags changed
// since the review was computed: the diff shown is against another base, or
// the tag move shown is no longer the one approving makes. Nothing is sent;
// the version needs a new review.
type ChangedError struct {
	Package             string
	ReviewedBase, Base  string
	ReviewedFrom, From  string // the tag's version at review time and now
	Tag                 string
	baseDiffers, tagMov bool
}

// CheckReviewed compares what the review was computed against (its base
// version and the tag's version then) with cur; nil when nothing changed.
func CheckReviewed(pkg string, reviewedBase, reviewedTagFrom string, cur Current) error {
	e := &ChangedError{Package: pkg, ReviewedBase: reviewedBase, Base: cur.Base,
		ReviewedFrom: reviewedTagFrom, From: cur.Tag.From, Tag: cur.Tag.Tag}
	e.baseDiffers = reviewedBase != cur.Base
	e.tagMov = reviewedTagFrom != cur.Tag.From
	if !e.baseDiffers && !e.tagMov {
		return nil
	}
	return e
}

func (e *ChangedError) Error() string {
	name := func(v string) string {
		if v == "" {
			return "none (first release)"
		}
		return v
	}
	var what string
	switch {
	case e.baseDiffers:
		what = fmt.Sprintf("the base changed: the review compared against %s, now it is %s", name(e.ReviewedBase), name(e.Base))
	default:
		what = fmt.Sprintf("dist-tag %s moved from %s to %s", e.Tag, name(e.ReviewedFrom), name(e.From))
	}
	return what + " since the review: review it again"
}

// Is makes errors.Is(err, ErrChanged) true.
func (e *ChangedError) Is(target error) bool { return target == ErrChanged }
