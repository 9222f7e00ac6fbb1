package ui

import (
	"fmt"
	"strings"
)

// The approve modal's facts about each version: risk, verification, what
// the approval does to the tag, who staged it and when (issue 10 items
// 4-6). Rendering only; action.go decides.

// selfStaged reports a version staged by the registry user who approves it.
func (m *Model) selfStaged(t target) bool {
	u := m.users[m.regOf(t.item)]
	return u != "" && t.item.Actor != "" && strings.EqualFold(u, t.item.Actor)
}

// riskWord is a version's risk level, coloured.
func (m *Model) riskWord(t target) string {
	switch {
	case !t.reviewed:
		return m.st.warn.r("risk ?")
	case t.highRisk():
		return m.st.sevHigh.r("risk high")
	case t.risk == "medium":
		return m.st.sevMed.r("risk medium")
	case t.risk == "low":
		return "risk low"
	}
	return m.st.faint.r("risk none")
}

// tagWord says what approving t does to its tag; a move back is red.
func (m *Model) tagWord(t target) string {
	if !t.reviewed {
		return m.st.faint.r("tag " + safeText(t.item.Tag))
	}
	mv := t.move()
	if mv.Backwards() {
		return m.st.bad.r("⚠ " + safeText(mv.String()))
	}
	return m.st.faint.r(safeText(mv.String()))
}

// factsLine is one version's facts in a batch list.
func (m *Model) factsLine(t target) string {
	parts := []string{m.riskWord(t)}
	switch {
	case !t.reviewed:
	case !t.verified:
		parts = append(parts, m.st.bad.r("✗ unverified"))
	case !t.baseOK:
		parts = append(parts, m.st.bad.r("✗ base "+safeText(t.base)+" unverified"))
	default:
		parts = append(parts, m.st.ok.r("✓ verified"))
	}
	parts = append(parts, m.tagWord(t))
	if a := ago(t.item.CreatedAt, m.now()); a != "" {
		parts = append(parts, m.st.faint.r("staged "+a))
	}
	if m.selfStaged(t) {
		parts = append(parts, m.st.warn.r("staged by you"))
	}
	if m.act != nil && m.act.changed[itemKey(t.item)] != "" {
		// First: nothing else on the line is current.
		parts = append([]string{m.st.bad.r("✗ changed since the review: review it again")}, parts...)
	}
	return strings.Join(parts, m.st.faint.r(" · "))
}

// singleFacts are the extra lines of a one-version approve modal.
func (m *Model) singleFacts(t target, iw int) []string {
	var out []string
	if t.reviewed {
		out = append(out, cut(m.tagWord(t), iw))
	}
	if why := m.act.changed[itemKey(t.item)]; why != "" {
		for _, l := range wrap("✗ "+why, iw) {
			out = append(out, m.st.bad.r(safeText(l)))
		}
	}
	if m.selfStaged(t) {
		for _, l := range wrap(fmt.Sprintf("! you (%s) staged this version yourself: nobody else has reviewed it", m.users[m.regOf(t.item)]), iw) {
			out = append(out, m.st.warn.r(safeText(l)))
		}
	}
	return out
}

// batchList lists a batch approval's versions, two lines each (name and
// full sha1, then its facts), the left-out high-risk ones last.
func (m *Model) batchList(a *action, iw, maxLines int) []string {
	var out []string
	add := func(mark string, t target) bool {
		if len(out)+2 > maxLines {
			return false
		}
		out = append(out, mark+" "+m.targetLine(t, iw-2), "  "+cut(m.factsLine(t), iw-2))
		return true
	}
	shown := 0
	for i, t := range a.targets {
		if !add(resultMark(m.st, a.results[i].state), t) {
			break
		}
		shown++
	}
	for _, t := range a.excluded() {
		if !add(m.st.faint.r("–"), t) {
			break
		}
		shown++
	}
	if rest := len(a.targets) + len(a.excluded()) - shown; rest > 0 {
		out = append(out, m.st.faint.r(fmt.Sprintf("… and %d more", rest)))
	}
	return out
}

// batchNotes say what is left out and how to change it.
func (m *Model) batchNotes(a *action, iw int) []string {
	n := a.risky()
	if n == 0 || a.next > 0 {
		return nil
	}
	var s string
	if a.includeRisky {
		s = fmt.Sprintf("%d high-risk version(s) INCLUDED. i leaves them out.", n)
		return []string{"", m.st.sevHigh.r(cut(s, iw))}
	}
	s = fmt.Sprintf("%d high-risk version(s) left out (–): open each to review it, or press i to include them.", n)
	var out []string
	for _, l := range wrap(s, iw) {
		out = append(out, m.st.warn.r(l))
	}
	return append([]string{""}, out...)
}

// backConfirmLines ask to confirm approvals that move a tag back.
func (m *Model) backConfirmLines(a *action, iw int) []string {
	var out []string
	for _, t := range a.targets {
		if t.backwards() && len(a.targets) > 1 { // one version: its line is already above
			l := fmt.Sprintf("⚠ %s@%s %s", t.item.PackageName, t.item.Version, t.move().String())
			for _, w := range wrap(safeText(l), iw) {
				out = append(out, m.st.bad.r(w))
			}
		}
	}
	out = append(out, wrap("Installs of this tag would get an older version. Approve anyway?", iw)...)
	return append(out, "", m.st.key.r("y")+" yes, move the tag back  ·  "+m.st.key.r("any other key")+" cancel")
}
