package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/highlight"
	"github.com/stagegate/stagegate/internal/pretty"
	"github.com/stagegate/stagegate/internal/signals"
)

// Readable bundles and highlighting: work the diff pane needs that is too
// slow for Update or View. A minified JavaScript or JSON file is shown
// pretty-printed (internal/pretty) by default, printed in a command when
// it is opened; syntax colours (internal/highlight) are computed in a
// command for the lines on screen and cached. Update and View only start
// those commands and read their results; a result for a file or review
// the user has left is dropped.

const (
	// keepPrettyViews bounds the printed views kept per open review: a
	// 5 MB bundle's view holds about three times its size.
	keepPrettyViews = 4
	// hlCacheLimit bounds the highlighted lines kept by the pane.
	hlCacheLimit = 8192
)

// prettyJob prints one file of the open review.
type prettyJob struct {
	path   string
	cancel context.CancelFunc
}

// prettyDoneMsg ends a prettyJob; one that is not the review's current
// job is dropped.
type prettyDoneMsg struct {
	job  *prettyJob
	view *pretty.View
	err  error
}

// pendingMark is a signal line to mark once the file's printed view is in.
type pendingMark struct {
	path string
	line int
	old  bool
	hint string
}

// hlKey is one line of one file diff.
type hlKey struct {
	fd   *diff.FileDiff
	h, i int32
}

// hlLine is a line's highlight: spans over its first n bytes.
type hlLine struct {
	n     int
	spans []highlight.Span
}

// hlDoneMsg brings the spans of the lines a highlight command lexed.
type hlDoneMsg struct {
	keys  []hlKey
	lines []hlLine
}

// readable is the review's state for printed views.
type readable struct {
	raw    map[string]bool // files the user switched to their raw bytes
	views  map[string]*pretty.View
	order  []string // views, oldest first
	failed map[string]string
	job    *prettyJob
	mark   *pendingMark
}

// prettyShown reports whether fd is shown printed (or being printed).
func (rv *reviewView) prettyShown(fd *diff.FileDiff) bool {
	return pretty.Eligible(fd) && !rv.rd.raw[fd.Path] && rv.rd.failed[fd.Path] == ""
}

// showPretty fills the pane for a file shown printed; false when fd is
// not shown printed, for showFile to show it raw.
func (rv *reviewView) showPretty(m *Model, fd *diff.FileDiff, notes []string) bool {
	if !rv.prettyShown(fd) {
		return false
	}
	st := m.st
	v := rv.rd.views[fd.Path]
	if v == nil {
		notes = append(notes, st.note.r(m.spin.View()+" pretty-printing the minified file …")+st.faint.r(" (p shows the raw bytes)"))
		rv.pane.setFile(nil, notes, false)
		return true
	}
	n := fmt.Sprintf("minified: pretty-printed for reading, +%d -%d printed lines (raw +%d -%d)", v.File.LinesAdded, v.File.LinesRemoved, fd.LinesAdded, fd.LinesRemoved)
	if (v.Old != nil && v.Old.Partial) || (v.New != nil && v.New.Partial) {
		n += "; part of it could not be tokenized and is shown as it is"
	}
	notes = append(notes, st.note.r(n)+st.faint.r(" · p shows the raw bytes"))
	if v.File.Capped != "" {
		notes = append(notes, st.warn.r("! partial diff: "+safeText(v.File.Capped)))
	}
	if len(v.File.Hunks) == 0 {
		notes = append(notes, st.faint.r("(the printed texts are the same: only whitespace changed)"))
	}
	rv.pane.setFile(&v.File, notes, rv.sbs && m.width >= sbsMinWidth)
	return true
}

// togglePretty switches the current file between printed and raw.
func (rv *reviewView) togglePretty(m *Model) tea.Cmd {
	fd := rv.current()
	switch {
	case fd == nil || !pretty.Eligible(fd):
		return m.setStatus(msgInfo, "p pretty-prints minified JavaScript and JSON; this file is not one")
	case rv.rd.failed[fd.Path] != "":
		return m.setStatus(msgInfo, "this file could not be pretty-printed: "+rv.rd.failed[fd.Path])
	}
	if rv.rd.raw == nil {
		rv.rd.raw = map[string]bool{}
	}
	rv.rd.raw[fd.Path] = !rv.rd.raw[fd.Path]
	rv.showFile(m)
	rv.remarkSignal(m, fd)
	if rv.rd.raw[fd.Path] {
		return m.setStatus(msgInfo, "raw bytes: the token diff of the minified file · p pretty-prints it")
	}
	return m.setStatus(msgInfo, "pretty-printed · p shows the raw bytes")
}

// remarkSignal marks the current signal's line again after the view of
// its file changed.
func (rv *reviewView) remarkSignal(m *Model, fd *diff.FileDiff) {
	if rv.sigAt < 0 || rv.sigAt >= len(rv.rev.Signals) {
		return
	}
	if sg := rv.rev.Signals[rv.sigAt]; sg.Path == fd.Path && sg.Line > 0 {
		rv.markSignalLine(m, fd, sg)
	}
}

// markSignalLine marks a signal's line (a line of the raw file) in the
// view shown: the printed line that shows it when the file is printed.
// It returns false when the line is not in the diff.
func (rv *reviewView) markSignalLine(m *Model, fd *diff.FileDiff, sg signals.Signal) bool {
	old := fd.Status == diff.Removed
	if !rv.prettyShown(fd) {
		return rv.pane.markLine(sg.Line, old)
	}
	hint := signalHint(sg.Detail)
	v := rv.rd.views[fd.Path]
	if v == nil {
		rv.rd.mark = &pendingMark{path: fd.Path, line: sg.Line, old: old, hint: hint}
		return true
	}
	return rv.pane.markLine(v.Line(sg.Line, old, hint), old)
}

// signalHint is the snippet a signal's detail quotes from the raw line
// ("Found: …"), which places the finding within a minified line. Text
// found only after folding is not in the raw bytes: no hint then.
func signalHint(detail string) string {
	s, ok := strings.CutPrefix(detail, "Found: ")
	if !ok {
		return ""
	}
	return s
}

// prettyCmd starts printing the current file if it is to be shown
// printed and is not yet; it cancels a job for a file the user left.
func (rv *reviewView) prettyCmd(m *Model) tea.Cmd {
	fd := rv.current()
	want := fd != nil && rv.prettyShown(fd) && rv.rd.views[fd.Path] == nil
	if j := rv.rd.job; j != nil && (!want || j.path != fd.Path) {
		j.cancel()
		rv.rd.job = nil
	}
	if !want || rv.rd.job != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	j := &prettyJob{path: fd.Path, cancel: cancel}
	rv.rd.job = j
	return func() tea.Msg {
		v, err := pretty.Diff(ctx, fd, diff.Options{})
		return prettyDoneMsg{job: j, view: v, err: err}
	}
}

func (m *Model) onPrettyDone(msg prettyDoneMsg) tea.Cmd {
	msg.job.cancel()
	rv := m.rv
	if rv == nil || rv.rd.job != msg.job {
		return nil // the review or the file was left: stale
	}
	rv.rd.job = nil
	path := msg.job.path
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return nil
		}
		if rv.rd.failed == nil {
			rv.rd.failed = map[string]string{}
		}
		rv.rd.failed[path] = safeText(msg.err.Error())
	} else {
		if rv.rd.views == nil {
			rv.rd.views = map[string]*pretty.View{}
		}
		if len(rv.rd.order) >= keepPrettyViews {
			delete(rv.rd.views, rv.rd.order[0])
			rv.rd.order = rv.rd.order[1:]
		}
		rv.rd.views[path] = msg.view
		rv.rd.order = append(rv.rd.order, path)
	}
	fd := rv.current()
	if fd == nil || fd.Path != path {
		return nil
	}
	rv.showFile(m)
	if mk := rv.rd.mark; mk != nil && mk.path == path {
		rv.rd.mark = nil
		if msg.view != nil {
			rv.pane.markLine(msg.view.Line(mk.line, mk.old, mk.hint), mk.old)
		} else {
			rv.pane.markLine(mk.line, mk.old)
		}
	}
	if msg.err != nil {
		return m.setStatus(msgInfo, "could not pretty-print "+safeText(path)+": "+safeText(msg.err.Error())+"; showing the raw bytes")
	}
	return nil
}

// paneWork starts what the open review's pane waits for: a printed view
// and the highlights of the lines on screen. Update calls it after every
// message, so a scroll, a file change or a resize gets its work started.
func (m *Model) paneWork() tea.Cmd {
	if m.rv == nil || m.rv.rev == nil {
		return nil
	}
	return tea.Batch(m.rv.prettyCmd(m), m.rv.pane.highlightCmd(m.hl, m.height))
}

// highlightCmd lexes the lines of the rows from the top of the view down
// (rows of them: the pane's height is only known after View, the
// terminal's is an upper bound) that have no highlight yet, one command
// at a time. Nothing is coloured without colour.
func (p *diffPane) highlightCmd(h *highlight.Highlighter, rows int) tea.Cmd {
	if p.st.noColor || h == nil || p.fd == nil || p.hlBusy || !h.Supports(p.fd.Path) {
		return nil
	}
	if rows = max(rows, p.height); rows <= 0 {
		return nil
	}
	var keys []hlKey
	var texts []string
	want := func(hi, li int32) {
		if li < 0 {
			return
		}
		k := hlKey{p.fd, hi, li}
		text := cutRaw(p.fd.Hunks[hi].Lines[li].Text, p.xoff+p.width+hscrollBy)
		if c, ok := p.hl[k]; ok && c.n >= len(text) {
			return
		}
		keys = append(keys, k)
		texts = append(texts, text)
	}
	for i := p.off; i < min(len(p.rows), p.off+rows); i++ {
		switch r := p.rows[i]; r.kind {
		case rkLine:
			want(r.h, r.a)
		case rkPair:
			want(r.h, r.a)
			want(r.h, r.b)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	p.hlBusy = true
	path := p.fd.Path
	return func() tea.Msg {
		spans := h.Lines(path, texts)
		lines := make([]hlLine, len(texts))
		for i := range texts {
			lines[i] = hlLine{n: len(texts[i]), spans: spans[i]}
		}
		return hlDoneMsg{keys: keys, lines: lines}
	}
}

// onHighlight stores lexed lines; rows showing them render again.
func (p *diffPane) onHighlight(msg hlDoneMsg) {
	p.hlBusy = false
	if len(p.hl)+len(msg.keys) > hlCacheLimit {
		clear(p.hl)
	}
	for i, k := range msg.keys {
		p.hl[k] = msg.lines[i]
	}
	p.invalidate()
}

// highlightOf returns the cached spans of line li of hunk hi of the file
// shown, nil when there are none (yet).
func (p *diffPane) highlightOf(hi, li int32) []highlight.Span {
	if len(p.hl) == 0 || p.fd == nil {
		return nil
	}
	return p.hl[hlKey{p.fd, hi, li}].spans
}
