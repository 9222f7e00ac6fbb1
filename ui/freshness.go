package ui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
)

// checkCurrent refuses an approval whose review no longer describes what
// approving does: the package's base or the staged tag's version changed
// since the review (another version approved, a plain publish, a tag
// moved). It runs in the approval's Cmd, just before sending.
func checkCurrent(ctx context.Context, b Backend, t target) error {
	if !t.reviewed {
		return nil // approvalBlocked never lets an unreviewed version through
	}
	cur, err := b.Current(ctx, t.item)
	if err != nil {
		return fmt.Errorf("could not check the package's versions and tags before approving: %w", err)
	}
	return approval.CheckReviewed(t.item.PackageName, t.base, t.tagFrom, cur)
}

// checkTargets checks, while the user reads the approve modal, that every
// target's review still describes what approving does, so a stale base is
// shown before a code is typed.
func (m *Model) checkTargets() tea.Cmd {
	a := m.act
	if a == nil || a.kind != actApprove {
		return nil
	}
	b, ctx, ts := m.b, m.ctx, append([]target(nil), a.all...)
	return func() tea.Msg {
		changed := map[string]string{}
		for _, t := range ts {
			if err := checkCurrent(ctx, b, t); errors.Is(err, approval.ErrChanged) {
				changed[itemKey(t.item)] = err.Error()
			}
		}
		return currentMsg{act: a, changed: changed}
	}
}

func (m *Model) onCurrent(msg currentMsg) tea.Cmd {
	if m.act != msg.act || len(msg.changed) == 0 {
		return nil
	}
	msg.act.changed = msg.changed
	for k := range msg.changed {
		m.invalidateReview(k)
	}
	return m.schedule()
}

// invalidateReview forgets key's review so that it is computed again; an
// open review shows the spinner until the new one is in.
func (m *Model) invalidateReview(key string) {
	m.cancelJob(key)
	delete(m.reviews, key)
	m.lruKeys.remove(key)
	if m.rv != nil && m.rv.key == key {
		m.rv.rev = nil
	}
}

// changedPackages returns the packages that lost a staged version between
// two listings: approved (published, perhaps moving a tag) or rejected
// elsewhere or here. Their other versions' reviews may compare against a
// base that is no longer the base.
func changedPackages(before, after []registry.StageItem) map[string]bool {
	now := map[string]bool{}
	for _, it := range after {
		now[itemKey(it)] = true
	}
	out := map[string]bool{}
	for _, it := range before {
		if !now[itemKey(it)] {
			out[it.PackageName] = true
		}
	}
	return out
}

// recomputeChanged drops the reviews of the remaining versions of the
// packages in changed; schedule recomputes them. It returns how many.
func (m *Model) recomputeChanged(changed map[string]bool) int {
	n := 0
	for _, it := range m.items {
		k := itemKey(it)
		if !changed[it.PackageName] {
			continue
		}
		if _, ok := m.reviews[k]; ok {
			m.invalidateReview(k)
			n++
		}
	}
	return n
}
