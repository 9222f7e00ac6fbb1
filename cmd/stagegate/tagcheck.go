package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
)

// tagBackwardsFlag is the approve flag that allows a dist-tag to move to a
// lower version without a terminal to confirm on.
const tagBackwardsFlag = "allow-tag-backwards"

// checkTagMove looks at what approving item does to its dist-tag. A move
// back (latest at 1.0.4, approving 1.0.1) needs --allow-tag-backwards or a
// "y" on the terminal. It returns the move that was accepted, or a refusal
// ("" when there is none) saying why item is not approved.
func (g *globals) checkTagMove(ctx context.Context, c approval.Packumenter, item registry.StageItem, allow bool) (approval.TagMove, string, error) {
	cur, err := approval.CurrentFor(ctx, c, item)
	if err != nil {
		return approval.TagMove{}, "", err
	}
	mv := cur.Tag
	if !mv.Backwards() {
		return mv, "", nil
	}
	name := safeLine(item.PackageName+"@"+item.Version, 120)
	what := safeLine(mv.String(), 200)
	if allow {
		fmt.Fprintf(g.stderr, "! approving %s %s (--%s)\n", name, what, tagBackwardsFlag)
		return mv, "", nil
	}
	if !isTTY(g.stdin) || !isTTY(g.stderr) {
		return mv, fmt.Sprintf("approving it %s: pass --%s to approve anyway", what, tagBackwardsFlag), nil
	}
	fmt.Fprintf(g.stderr, "Approving %s %s: installs of %s would get an older version. Approve it anyway? [y/N] ", name, what, safeLine(mv.Tag, 60))
	line, err := bufio.NewReader(g.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return mv, "", err
	}
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return mv, "", nil
	}
	return mv, "not approved: it " + what + " (not confirmed)", nil
}

// recheckTagMove runs just before sending: the tag must still be where it
// was when the move was checked (or confirmed).
func recheckTagMove(ctx context.Context, c approval.Packumenter, item registry.StageItem, checked approval.TagMove) (string, error) {
	cur, err := approval.CurrentFor(ctx, c, item)
	if err != nil {
		return "", err
	}
	if cur.Tag.From != checked.From && cur.Tag.Backwards() {
		return fmt.Sprintf("dist-tag %s moved to %s since it was checked; approving now %s: run the command again",
			safeLine(cur.Tag.Tag, 60), safeLine(cur.Tag.From, 60), safeLine(cur.Tag.String(), 200)), nil
	}
	return "", nil
}

// notAttempted lists the targets a batch did not get to after an error.
func notAttempted(items []registry.StageItem) []decision {
	out := make([]decision, 0, len(items))
	for _, it := range items {
		out = append(out, decision{id: it.ID, pkg: it.PackageName, version: it.Version,
			result: "not attempted", detail: "the batch stopped at the error above"})
	}
	return out
}
