package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/stagegate/stagegate/internal/registry"
)

// boxWidth is the inner width of modal boxes.
func (m *Model) boxWidth() int { return max(30, min(m.width-6, 96)) }

// targetLine names one version exactly: package@version → tag, shasum.
func (m *Model) targetLine(t target, iw int) string {
	return cut(m.targetName(t)+"  "+m.st.faint.r("sha1 "+safeText(t.shasum)), iw)
}

// targetName is package@version → tag.
func (m *Model) targetName(t target) string {
	it := t.item
	return m.st.bold.r(safeText(it.PackageName)+"@"+safeText(it.Version)) + " → " + m.st.accent.r(safeText(it.Tag))
}

// targetBlock names one version on two lines so the full shasum is always
// shown: what is approved must be exactly what the maintainer reads.
func (m *Model) targetBlock(t target, iw int) []string {
	return []string{cut(m.targetName(t), iw), cut("sha1 "+safeText(t.shasum), iw)}
}

// stageFacts is the stage record's age and status in one line.
func (m *Model) stageFacts(it registry.StageItem) string {
	s := "staged"
	if a := ago(it.CreatedAt, m.now()); a != "" {
		s += " " + a
	}
	if it.Actor != "" {
		s += " by " + safeText(it.Actor)
	}
	switch {
	case it.Validating():
		return m.st.faint.r(s+" · ") + m.st.warn.r("status validating: not approvable yet")
	case it.Status != "":
		return m.st.faint.r(s + " · status " + safeText(it.Status))
	}
	return m.st.faint.r(s)
}

func (m *Model) targetCheck(t target) string {
	var s string
	switch {
	case !t.reviewed:
		return m.st.warn.r("! review not computed yet; shasum as listed by the registry")
	case t.verified:
		s = m.st.ok.r("✓ tarball verified against the registry's integrity")
	default:
		s = m.st.bad.r("✗ tarball integrity NOT verified")
	}
	if t.high > 0 {
		s += "  " + m.st.sevHigh.r(fmt.Sprintf("! %d high-severity signals", t.high))
	}
	return s
}

// targetList lists up to n targets and says how many more there are.
func (m *Model) targetList(ts []target, n, iw int) []string {
	var out []string
	for i, t := range ts {
		if i == n && len(ts) > n+1 {
			out = append(out, m.st.faint.r(fmt.Sprintf("… and %d more", len(ts)-n)))
			break
		}
		// A row too narrow for the full sha1 takes two lines instead of cutting it.
		if full := m.targetLine(t, 1<<16); ansi.StringWidth(full) > iw {
			for k, l := range m.targetBlock(t, iw-2) {
				if k > 0 {
					l = "  " + l
				}
				out = append(out, l)
			}
			continue
		}
		out = append(out, m.targetLine(t, iw))
	}
	return out
}

func (m *Model) confirmBox() []string {
	iw := m.boxWidth()
	ts := m.confirmTargets
	var lines []string
	if len(ts) == 1 {
		t := ts[0]
		lines = append(lines, "Reject this staged version?", "")
		lines = append(lines, m.targetBlock(t, iw)...)
		lines = append(lines, m.targetCheck(t))
	} else {
		lines = append(lines, fmt.Sprintf("Reject these %d staged versions?", len(ts)), "")
		lines = append(lines, m.targetList(ts, max(3, m.height-14), iw)...)
	}
	lines = append(lines, "")
	lines = append(lines, wrap("Rejection is permanent: the staged tarball is deleted and cannot be approved later. A 2FA code is asked next.", iw)...)
	lines = append(lines, "", m.st.key.r("y")+" reject  ·  "+m.st.key.r("any other key")+" No (default)")
	return frame(m.st.bad.r("Reject?"), lines, iw)
}

func (m *Model) actionBox() []string {
	a := m.act
	iw := m.boxWidth()
	st := m.st
	var lines []string
	verb := "Publish"
	if a.kind == actReject {
		verb = "Permanently reject"
	}
	if len(a.targets) == 1 {
		t := a.targets[0]
		lines = append(lines, verb+":")
		lines = append(lines, m.targetBlock(t, iw)...)
		lines = append(lines, cut(m.stageFacts(t.item), iw))
		lines = append(lines, m.targetCheck(t))
		if a.kind == actApprove {
			lines = append(lines, m.singleFacts(t, iw)...)
		}
	} else if a.kind == actApprove {
		lines = append(lines, fmt.Sprintf("%s %d of %d versions with one code:", verb, len(a.targets), len(a.all)))
		lines = append(lines, m.batchList(a, iw, max(6, m.height-20))...)
		lines = append(lines, m.batchNotes(a, iw)...)
	} else {
		lines = append(lines, fmt.Sprintf("%s %d versions with one code:", verb, len(a.targets)))
		for i, t := range a.targets {
			if i == max(3, m.height-18) && len(a.targets) > i+1 {
				lines = append(lines, st.faint.r(fmt.Sprintf("… and %d more", len(a.targets)-i)))
				break
			}
			lines = append(lines, resultMark(st, a.results[i].state)+" "+m.targetLine(t, iw-2))
		}
	}
	lines = append(lines, "")
	switch {
	case a.phase == phaseCode && a.needsBackConfirm():
		lines = append(lines, m.backConfirmLines(a, iw)...)
	case a.phase == phaseCode:
		field := strings.Repeat("•", len(a.input.value)) + "█"
		if m.multiRegistry() && len(a.targets) > 0 {
			// Each registry has its own account: say whose code is asked.
			lines = append(lines, st.faint.r(cut("the code of your account on "+safeText(m.regOf(a.targets[0].item)), iw)))
		}
		lines = append(lines, st.bold.r("2FA code: ")+field)
		if a.note != "" {
			lines = append(lines, wrap(a.note, iw)...)
		}
		if a.errMsg != "" {
			for _, l := range wrap("✗ "+a.errMsg, iw) {
				lines = append(lines, st.bad.r(l))
			}
		}
		lines = append(lines, "", st.key.r("enter")+" send  ·  "+st.key.r("enter")+" on empty: sign in with browser  ·  "+st.key.r("esc")+" cancel")
	case a.phase == phaseSending:
		t := a.targets[a.next].item
		s := fmt.Sprintf("%s %s %s@%s", m.spin.View(), strings.TrimSuffix(a.kind.verb(), "e")+"ing", safeText(t.PackageName), safeText(t.Version))
		if len(a.targets) > 1 {
			s += fmt.Sprintf(" (%d of %d)", a.next+1, len(a.targets))
		}
		lines = append(lines, s+" …")
		if a.note != "" {
			lines = append(lines, wrap(a.note, iw)...)
		}
	case a.phase == phaseWebAuth:
		lines = append(lines, "Confirm in your browser:")
		for _, l := range wrap(safeText(a.authURL), iw) {
			lines = append(lines, st.accent.r(l))
		}
		lines = append(lines, "", m.spin.View()+" waiting for the browser sign-in …",
			"", st.key.r("o")+" open in browser  ·  "+st.key.r("esc")+" cancel")
	}
	return frame(st.modalTitle.r(a.kind.verb()+" with 2FA"), lines, iw)
}

func resultMark(st styles, s resState) string {
	switch s {
	case resOK:
		return st.ok.r("✓")
	case resFailed:
		return st.bad.r("✗")
	case resSkipped:
		return st.faint.r("–")
	}
	return " "
}

func (m *Model) resultsBox() []string {
	a := m.act
	iw := m.boxWidth()
	st := m.st
	counts := map[resState]int{}
	var lines []string
	for i, r := range a.results {
		counts[r.state]++
		t := a.targets[i].item
		name := safeText(t.PackageName) + "@" + safeText(t.Version)
		var l string
		switch r.state {
		case resOK:
			l = resultMark(st, r.state) + " " + a.kind.past() + "  " + name
		case resFailed:
			l = resultMark(st, r.state) + " failed    " + name + ": " + r.msg
		default:
			l = resultMark(st, r.state) + " skipped   " + name + ": " + r.msg
		}
		lines = append(lines, wrapIndent(l, iw, 12)...)
	}
	if max(3, m.height-6) < len(lines) {
		extra := len(lines) - (m.height - 7)
		lines = append(lines[:m.height-7], st.faint.r(fmt.Sprintf("… %d more lines", extra)))
	}
	lines = append(lines, "", "press any key")
	title := fmt.Sprintf("%s: %d %s", a.kind.verb(), counts[resOK], a.kind.past())
	if counts[resFailed] > 0 {
		title += fmt.Sprintf(", %d failed", counts[resFailed])
	}
	if counts[resSkipped] > 0 {
		title += fmt.Sprintf(", %d skipped", counts[resSkipped])
	}
	return frame(st.modalTitle.r(title), lines, iw)
}

// wrapIndent wraps a styled line, indenting continuation lines.
func wrapIndent(s string, w, indent int) []string {
	if ansi.StringWidth(s) <= w {
		return []string{s}
	}
	out := []string{ansi.Truncate(s, w, "")}
	rest := ansi.Cut(s, w, ansi.StringWidth(s))
	for _, l := range wrap(ansi.Strip(rest), w-indent) {
		out = append(out, strings.Repeat(" ", indent)+l)
	}
	return out
}

func (m *Model) quitBox() []string {
	iw := min(m.boxWidth(), 60)
	lines := wrap("An approval or rejection is waiting for the registry. If you quit now its outcome is checked by stagegate next time; nothing is re-sent.", iw)
	lines = append(lines, "", m.st.key.r("y")+" quit anyway  ·  "+m.st.key.r("any other key")+" stay")
	return frame(m.st.warn.r("Quit?"), lines, iw)
}

// helpLines returns the help screen's body: every binding of the keymap,
// flowed into as many columns as fit, section after section.
func (m *Model) helpLines(w int) []string {
	st := m.st
	var flat []string
	for _, sec := range m.keys.helpSections() {
		flat = append(flat, st.title.r(sec.title))
		for _, b := range sec.keys {
			hb := b.Help()
			flat = append(flat, st.key.r(pad(hb.Key, 8))+" "+hb.Desc)
		}
		flat = append(flat, "")
	}
	const colW = 39
	cols := max(1, (w-1)/colW)
	rows := (len(flat) + cols - 1) / cols
	out := make([]string, rows)
	for c := 0; c < cols; c++ {
		for r := 0; r < rows; r++ {
			if i := c*rows + r; i < len(flat) {
				out[r] += pad(flat[i], colW)
			}
		}
	}
	for i := range out {
		out[i] = " " + out[i]
	}
	return out
}

// helpView is the `?` screen; j/k scroll it when it is taller than the
// terminal, any other key closes it.
func (m *Model) helpView(w, h int) []string {
	body := m.helpLines(w)
	vis := h - 2
	m.helpOff = max(0, min(m.helpOff, len(body)-vis))
	hint := "  (any key closes)"
	if len(body) > vis {
		hint = fmt.Sprintf("  (j/k scroll, %d–%d of %d · any other key closes)", m.helpOff+1, min(len(body), m.helpOff+vis), len(body))
	}
	out := []string{m.st.modalTitle.r("Keys") + m.st.faint.r(hint), ""}
	out = append(out, body[m.helpOff:min(len(body), m.helpOff+vis)]...)
	return fitLines(out, w, h)
}

// hints renders as many key hints as fit in w columns, whole ones only.
// The status bar shows the first word of each description; `?` has them all.
func (m *Model) hints(bs []key.Binding, w int) string {
	out := ""
	for _, b := range bs {
		h := b.Help()
		desc, _, _ := strings.Cut(h.Desc, " (")
		part := m.st.key.r(h.Key) + " " + desc
		next := part
		if out != "" {
			next = out + m.st.faint.r(" · ") + part
		}
		if ansi.StringWidth(next) > w {
			break
		}
		out = next
	}
	return out
}

func (m *Model) statusBar() string {
	w := m.width
	st := m.st
	var right []string
	if m.loading() {
		var what []string
		if m.listLoading {
			what = append(what, "refreshing")
		}
		if n := len(m.jobs); n > 0 {
			what = append(what, fmt.Sprintf("reviewing %d", n))
		}
		if m.busy() {
			what = append(what, "waiting for registry")
		}
		right = append(right, m.spin.View()+" "+strings.Join(what, ", "))
	}
	if m.opts.DemoCode != nil {
		right = append(right, st.warn.r("demo 2FA code "+safeText(m.opts.DemoCode())))
	}
	r := strings.Join(right, "  ")
	rw := ansi.StringWidth(r)
	avail := max(0, w-rw-1)
	var left string
	switch {
	case m.msg != "":
		s := st.statusBar
		switch m.msgKind {
		case msgErr:
			s = st.statusErr
		case msgOK:
			s = st.statusOK
		}
		left = s.r(m.msg)
	case m.filtering:
		left = st.faint.r("filter: type to narrow · enter keep · esc clear")
	case m.rv != nil && m.rv.searching:
		left = st.faint.r("enter search · esc cancel")
	case m.screen == scrReview:
		left = m.hints(m.keys.reviewHints(), avail)
	default:
		left = m.hints(m.keys.queueHints(), avail)
	}
	left = cut(left, avail)
	gap := max(1, w-ansi.StringWidth(left)-rw)
	return cut(left+strings.Repeat(" ", gap)+r, w)
}
