package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// viewStage reads the stage item that ref names: a stage id, or the
// name@version of a staged version (architecture.md §2), found in the
// package's stage queue. A version staged more than once is ambiguous:
// the user is shown the ids to choose from.
func viewStage(ctx context.Context, c *registry.Client, ref string) (registry.StageItem, error) {
	name, ver, ok := splitNameVersion(ref)
	if registry.ValidStageID(ref) || !ok {
		return c.ViewStaged(ctx, ref) // its error says what a stage id looks like
	}
	if err := registry.ValidatePackageName(name); err != nil {
		return registry.StageItem{}, usageErr("%q is neither a stage id nor name@version: %v", safeLine(ref, 80), err)
	}
	items, err := c.ListStaged(ctx, name)
	if err != nil {
		return registry.StageItem{}, err
	}
	var match, others []string
	for _, it := range items {
		if it.PackageName != name {
			continue
		}
		if it.Version == ver {
			match = append(match, it.ID)
		} else {
			others = append(others, it.Version)
		}
	}
	switch len(match) {
	case 0:
		hint := "nothing of " + safeLine(name, 80) + " is staged"
		if len(others) > 0 {
			hint = "staged versions of " + safeLine(name, 80) + ": " + safeLine(strings.Join(others, ", "), 200)
		}
		return registry.StageItem{}, &notStagedError{fmt.Sprintf("no staged version %s@%s (%s)", safeLine(name, 80), safeLine(ver, 40), hint)}
	case 1:
		return c.ViewStaged(ctx, match[0])
	default:
		return registry.StageItem{}, usageErr("%s@%s is staged %d times; name one by its stage id: %s", safeLine(name, 80), safeLine(ver, 40), len(match), safeLine(strings.Join(match, " "), 400))
	}
}

// notStagedError: name@version names no staged version (it may be live,
// or never have been staged).
type notStagedError struct{ msg string }

func (e *notStagedError) Error() string { return e.msg }

// splitNameVersion splits name@version (a scoped name keeps its leading @).
func splitNameVersion(ref string) (name, version string, ok bool) { return review.SplitSpec(ref) }
