package ui

import (
	"sort"

	"github.com/stagegate/stagegate/internal/memory"
	"github.com/stagegate/stagegate/internal/report"

	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/pretty"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

const (
	focusFiles = iota
	focusDiff
)

const (
	// sbsMinWidth is the terminal width below which side by side would
	// leave too little of each line to read.
	sbsMinWidth = 140
	// sideListWidth: at this width and above the file list sits left of
	// the diff; below it, above the diff.
	sideListWidth = 110
)

// reviewView is the review screen of one staged version.
type reviewView struct {
	key  string
	item registry.StageItem
	rev  *review.Review

	files    []diff.FileDiff
	fileSigs map[string]int // path -> signal count
	focus    int
	fileIdx  int // 0 is the overview, i > 0 is files[i-1]
	fileOff  int
	listH    int

	pane      diffPane
	sigAt     int  // the signal > and < went to, -1 for none
	detail    bool // the signal detail pane is open
	sbs       bool // the user wants side by side
	expanded  map[string]bool
	rd        readable // printed views of minified files (readable.go)
	searching bool
	search    lineInput
	// Review memory (memory.go): the record of this review, what is new
	// since the package's last approval here, and the note being edited.
	mem    *memory.Record
	since  *memory.Delta
	noting bool
	note   lineInput
}

func (m *Model) openReview(it registry.StageItem) tea.Cmd {
	k := itemKey(it)
	m.rv = &reviewView{key: k, item: it, expanded: map[string]bool{}, pane: newDiffPane(&m.st), search: lineInput{limit: 200}, sigAt: -1}
	m.clearInfo()
	m.screen = scrReview
	if m.viewed[k] == nil {
		m.viewed[k] = map[string]bool{}
	}
	if e := m.reviews[k]; e != nil && e.state == revDone {
		m.lruKeys.touch(k, e.size)
		m.rv.attach(m, e.rev)
		return tea.Batch(m.schedule(), m.loadMemory(m.rv))
	}
	return m.schedule()
}

func (m *Model) closeReview() {
	m.rv = nil
	m.screen = scrQueue
	m.clearInfo()
}

// clearInfo drops an informational status line when a new step starts (a
// review opened or closed, another file): a hint about the last file must
// not read as one about this one. Errors stay until they expire.
func (m *Model) clearInfo() {
	if m.msgKind == msgInfo {
		m.msg = ""
	}
}

// attach shows a computed review. It is called once per opening: a later
// result for the same item never replaces what the user is reading.
func (rv *reviewView) attach(m *Model, r *review.Review) {
	rv.rev = r
	rv.files = nil
	if r.Diff != nil {
		rv.files = r.Diff.Files
	} else {
		// No hunks: list the files from the JSON view.
		for _, f := range r.Files {
			rv.files = append(rv.files, diff.FileDiff{Path: f.Path, Status: diff.Status(f.Status), Binary: f.Binary,
				OldSize: f.OldSize, NewSize: f.NewSize, LinesAdded: f.LinesAdded, LinesRemoved: f.LinesRemoved})
		}
	}
	rv.fileSigs = map[string]int{}
	for _, s := range r.Signals {
		rv.fileSigs[s.Path]++
	}
	rv.fileIdx = 0
	rv.showFile(m)
}

// collapseReason says why a file is not rendered by default, "" if it is;
// `stagegate diff` collapses the same files.
func collapseReason(fd *diff.FileDiff) string { return report.CollapseReason(fd) }

func (rv *reviewView) current() *diff.FileDiff {
	if rv.fileIdx == 0 || rv.fileIdx > len(rv.files) {
		return nil
	}
	return &rv.files[rv.fileIdx-1]
}

// showFile loads the selected entry into the pane.
func (rv *reviewView) showFile(m *Model) {
	q := rv.pane.query
	defer func() {
		if q != "" {
			rv.pane.setQuery(q)
		}
	}()
	fd := rv.current()
	if fd == nil {
		rv.pane.setNotes(rv.overview(m))
		return
	}
	st := m.st
	var notes []string
	reason := collapseReason(fd)
	if fd.Status == diff.ModeOnly {
		notes = append(notes, fmt.Sprintf("Mode changed: %04o → %04o", fd.OldMode, fd.NewMode))
	}
	if fd.Capped != "" {
		notes = append(notes, st.warn.r("! partial diff: "+safeText(fd.Capped)))
	}
	if rv.mem != nil && rv.mem.Notes[fd.Path] != "" {
		notes = append(notes, st.accent.r("your note: ")+safeText(rv.mem.Notes[fd.Path]))
	}
	if rv.showPretty(m, fd, notes) {
		return
	}
	if fd.TokenDiff {
		notes = append(notes, st.note.r("compared token by token (minified or single-line file)"))
	}
	if rv.rd.failed[fd.Path] != "" {
		notes = append(notes, st.warn.r("could not pretty-print: "+rv.rd.failed[fd.Path]))
	} else if pretty.Eligible(fd) {
		notes = append(notes, st.faint.r("p pretty-prints it"))
	}
	if fd.Binary {
		notes = append(notes, st.note.r(fmt.Sprintf("⊘ Binary file: %s → %s; contents are not shown.", report.Bytes(fd.OldSize), report.Bytes(fd.NewSize))))
		rv.pane.setFile(nil, notes, false)
		return
	}
	if reason != "" && !rv.expanded[fd.Path] {
		notes = append(notes,
			st.note.r("⊘ Collapsed: "+reason+fmt.Sprintf(" (+%d -%d lines, %s → %s).", fd.LinesAdded, fd.LinesRemoved, report.Bytes(fd.OldSize), report.Bytes(fd.NewSize))),
			"Press "+st.key.r("e")+" to render it anyway.")
		rv.pane.setFile(nil, notes, false)
		return
	}
	if len(fd.Hunks) == 0 && fd.Status != diff.ModeOnly {
		notes = append(notes, st.faint.r("(no line changes to show)"))
	}
	rv.pane.setFile(fd, notes, rv.sbs && m.width >= sbsMinWidth)
}

// resize adapts to a new terminal size: layout only, never a new diff.
func (rv *reviewView) resize(m *Model) {
	want := rv.sbs && m.width >= sbsMinWidth
	if rv.pane.fd != nil && want != rv.pane.sbs {
		rv.pane.sbs = want
		off := rv.pane.off
		rv.pane.build()
		rv.pane.off = off
	}
	rv.pane.invalidate()
}

func (rv *reviewView) viewedCount(m *Model) int {
	n := 0
	for _, f := range rv.files {
		if m.viewed[rv.key][f.Path] {
			n++
		}
	}
	return n
}

func (rv *reviewView) onSearchKey(m *Model, k tea.KeyMsg) tea.Cmd {
	switch k.Type {
	case tea.KeyEnter:
		rv.searching = false
		rv.pane.setQuery(rv.search.String())
		if rv.search.String() == "" {
			return nil
		}
		rv.pane.matchAt = -1
		ok, wrapped := rv.pane.jumpMatch(1)
		if !ok {
			return m.setStatus(msgInfo, "no match for “"+safeText(rv.search.String())+"” in this file")
		}
		return m.setStatus(msgInfo, rv.matchStatus(wrapped, 1)+"; ctrl+n/ctrl+p move between them")
	case tea.KeyEsc:
		rv.searching = false
		rv.search.clear()
		rv.pane.setQuery("")
		return nil
	}
	rv.search.update(k)
	return nil
}

// matchStatus is "match i/N" and, when the search went past the end of
// the file, where it continued.
func (rv *reviewView) matchStatus(wrapped bool, dir int) string {
	s := fmt.Sprintf("match %d/%d", rv.pane.matchAt+1, len(rv.pane.matches))
	switch {
	case wrapped && dir > 0:
		s += " · search wrapped to the top of the file"
	case wrapped:
		s += " · search wrapped to the bottom of the file"
	}
	return s
}

func (rv *reviewView) selectFile(m *Model, i int) {
	i = max(0, min(i, len(rv.files)))
	if i == rv.fileIdx {
		return
	}
	rv.fileIdx = i
	rv.showFile(m)
	m.clearInfo()
}

// jumpSignal goes to the next (dir 1) or previous (-1) signal: its file,
// its line marked in the diff, and its full text in the detail pane.
func (rv *reviewView) jumpSignal(m *Model, dir int) tea.Cmd {
	sigs := rv.rev.Signals
	if len(sigs) == 0 {
		return m.setStatus(msgInfo, "this review has no signals")
	}
	wrapped := false
	switch {
	case rv.sigAt < 0 && dir > 0:
		rv.sigAt = 0
	case rv.sigAt < 0:
		rv.sigAt = len(sigs) - 1
	default:
		next := rv.sigAt + dir
		wrapped = next < 0 || next >= len(sigs)
		rv.sigAt = (next + len(sigs)) % len(sigs)
	}
	rv.detail = true
	sg := sigs[rv.sigAt]
	status := fmt.Sprintf("signal %d/%d: %s %s", rv.sigAt+1, len(sigs), strings.ToUpper(safeText(string(sg.Severity))), safeText(sg.ID))
	if wrapped {
		status += " · wrapped to the " + map[bool]string{true: "first", false: "last"}[dir > 0]
	}
	fi := -1
	for i := range rv.files {
		if sg.Path != "" && rv.files[i].Path == sg.Path {
			fi = i
			break
		}
	}
	if fi < 0 {
		rv.selectFile(m, 0)
		return m.setStatus(msgInfo, status+" · about the whole release (no file in the diff)")
	}
	fd := &rv.files[fi]
	if !fd.Binary && collapseReason(fd) != "" && !rv.expanded[fd.Path] {
		rv.expanded[fd.Path] = true // the line must be visible
		if rv.fileIdx == fi+1 {
			rv.showFile(m)
		}
	}
	rv.selectFile(m, fi+1)
	rv.focus = focusDiff
	where := safeText(sg.Path)
	if sg.Line > 0 {
		where += fmt.Sprintf(":%d", sg.Line)
		if !rv.markSignalLine(m, fd, sg) {
			where += " (that line is unchanged, not in the diff; nearest hunk shown)"
		}
	}
	return m.setStatus(msgInfo, status+" · "+where)
}

// signalDetail is the detail pane: the current signal's full text, wrapped.
func (rv *reviewView) signalDetail(m *Model, w, maxH int) []string {
	if !rv.detail || rv.rev == nil || rv.sigAt < 0 || rv.sigAt >= len(rv.rev.Signals) {
		return nil
	}
	st := m.st
	sg := rv.rev.Signals[rv.sigAt]
	sev := st.severity(string(sg.Severity))
	where := safeText(sg.Path)
	if where == "" {
		where = "(whole release)"
	}
	if sg.Line > 0 {
		where += fmt.Sprintf(":%d", sg.Line)
	}
	out := []string{st.faint.r(strings.Repeat("─", w)),
		cut(fmt.Sprintf("Signal %d/%d  ", rv.sigAt+1, len(rv.rev.Signals))+sev.r(strings.ToUpper(safeText(string(sg.Severity))))+" "+st.bold.r(safeText(sg.ID))+"  "+where, w)}
	for _, l := range wrap(safeText(sg.Title), max(10, w-2)) {
		out = append(out, "  "+l)
	}
	if sg.Detail != "" {
		for _, l := range wrap(safeText(sg.Detail), max(10, w-2)) {
			out = append(out, "  "+st.faint.r(l))
		}
	}
	hint := st.faint.r("  > next · < previous · enter closes")
	if len(out)+1 > maxH {
		out = out[:max(1, maxH-1)]
		out[len(out)-1] = cut(out[len(out)-1], max(1, w-1)) + "…"
	}
	return append(out, hint)
}

func (rv *reviewView) scroll(m *Model, d int) {
	if rv.focus == focusFiles && rv.rev != nil {
		rv.selectFile(m, rv.fileIdx+d)
		return
	}
	rv.pane.scroll(d)
}

// wheel scrolls whatever is under the mouse: the file list or the diff.
func (rv *reviewView) wheel(m *Model, x, y, d int) {
	if rv.rev == nil {
		return
	}
	const headerH = 3
	overList := y >= headerH && y < headerH+rv.listH
	if m.width >= sideListWidth {
		overList = x < min(48, m.width/3)
	}
	if overList {
		rv.selectFile(m, rv.fileIdx+d/3)
		return
	}
	rv.pane.scroll(d)
}

func (rv *reviewView) onKey(m *Model, k tea.KeyMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Back):
		if rv.detail {
			rv.detail = false
			return nil
		}
		if rv.pane.query != "" {
			rv.search.clear()
			rv.pane.setQuery("")
			return nil
		}
		m.closeReview()
		return m.schedule()
	case key.Matches(k, km.Approve):
		return m.beginAction(actApprove, []target{m.targetFor(rv.item)})
	case key.Matches(k, km.Reject):
		return m.beginAction(actReject, []target{m.targetFor(rv.item)})
	case key.Matches(k, km.Refresh):
		if e := m.reviews[rv.key]; e != nil && e.state == revFailed {
			delete(m.reviews, rv.key)
			return m.schedule()
		}
		return nil
	}
	if rv.rev == nil {
		return nil // still loading or failed: nothing to navigate
	}
	page := max(1, rv.pane.height-1)
	switch {
	case key.Matches(k, km.Focus):
		rv.focus = 1 - rv.focus
	case key.Matches(k, km.NextFile):
		rv.selectFile(m, rv.fileIdx+1)
	case key.Matches(k, km.PrevFile):
		rv.selectFile(m, rv.fileIdx-1)
	case key.Matches(k, km.Up):
		rv.scroll(m, -1)
	case key.Matches(k, km.Down):
		rv.scroll(m, 1)
	case key.Matches(k, km.PageUp):
		rv.scroll(m, -page)
	case key.Matches(k, km.PageDown):
		rv.scroll(m, page)
	case key.Matches(k, km.HalfUp):
		rv.scroll(m, -page/2)
	case key.Matches(k, km.HalfDown):
		rv.scroll(m, page/2)
	case key.Matches(k, km.Top):
		rv.scroll(m, -len(rv.pane.rows)-len(rv.files))
	case key.Matches(k, km.Bottom):
		rv.scroll(m, len(rv.pane.rows)+len(rv.files))
	case key.Matches(k, km.NextSignal):
		return rv.jumpSignal(m, 1)
	case key.Matches(k, km.PrevSignal):
		return rv.jumpSignal(m, -1)
	case key.Matches(k, km.SignalDetail):
		switch {
		case len(rv.rev.Signals) == 0:
			return m.setStatus(msgInfo, "this review has no signals")
		case rv.sigAt < 0:
			return rv.jumpSignal(m, 1)
		default:
			rv.detail = !rv.detail
		}
	case key.Matches(k, km.NextHunk):
		if !rv.pane.jumpHunk(1) {
			return m.setStatus(msgInfo, "no next hunk in this file; n goes to the next file")
		}
	case key.Matches(k, km.PrevHunk):
		rv.pane.jumpHunk(-1)
	case key.Matches(k, km.Left):
		rv.pane.hscroll(-hscrollBy)
	case key.Matches(k, km.Right):
		rv.pane.hscroll(hscrollBy)
	case key.Matches(k, km.Search):
		rv.searching = true
		rv.search.set(rv.pane.query)
	case key.Matches(k, km.NextMatch), key.Matches(k, km.PrevMatch):
		dir := 1
		if key.Matches(k, km.PrevMatch) {
			dir = -1
		}
		ok, wrapped := rv.pane.jumpMatch(dir)
		if !ok {
			return m.setStatus(msgInfo, "no search matches here; / searches this file")
		}
		return m.setStatus(msgInfo, rv.matchStatus(wrapped, dir))
	case key.Matches(k, km.Viewed):
		fd := rv.current()
		if fd == nil {
			return m.setStatus(msgInfo, "the overview has no viewed mark; n goes to the first file")
		}
		v := m.viewed[rv.key]
		v[fd.Path] = !v[fd.Path]
		if v[fd.Path] && rv.fileIdx < len(rv.files) {
			rv.selectFile(m, rv.fileIdx+1) // viewed: on to the next file
		}
		return m.saveMemory(rv)
	case key.Matches(k, km.Note):
		return rv.startNote(m)
	case key.Matches(k, km.Expand):
		fd := rv.current()
		switch {
		case fd == nil:
		case fd.Binary:
			return m.setStatus(msgInfo, "binary files have no text to render")
		case collapseReason(fd) != "" && !rv.expanded[fd.Path]:
			rv.expanded[fd.Path] = true
			rv.showFile(m)
		}
	case key.Matches(k, km.Pretty):
		return rv.togglePretty(m)
	case key.Matches(k, km.SideBySide):
		if m.width < sbsMinWidth {
			return m.setStatus(msgInfo, fmt.Sprintf("side by side needs a terminal at least %d columns wide (this one has %d)", sbsMinWidth, m.width))
		}
		rv.sbs = !rv.sbs
		if rv.pane.fd != nil {
			off := rv.pane.off
			rv.pane.sbs = rv.sbs
			rv.pane.build()
			rv.pane.off = off
			rv.pane.clampOff()
		}
	}
	return nil
}

// view lays out header, file list and diff pane in w x h.
func (rv *reviewView) view(m *Model, w, h int) []string {
	lines := rv.header(m, w)
	lines = append(lines, m.st.faint.r(strings.Repeat("─", w)))
	bodyH := h - len(lines)
	e := m.reviews[rv.key]
	if rv.rev == nil {
		return append(lines, rv.pending(m, e, w)...)
	}
	if w >= sideListWidth {
		lw := min(48, w/3)
		pw := w - lw - 2
		rv.listH = bodyH
		list := fitLines(rv.fileList(m, lw, bodyH), lw, bodyH)
		pane := rv.paneView(m, pw, bodyH)
		sep := m.st.faint.r("│") + " "
		for i := 0; i < bodyH; i++ {
			lines = append(lines, list[i]+sep+pane[i])
		}
		return lines
	}
	lh := max(3, min(len(rv.files)+2, bodyH/3))
	rv.listH = lh
	lines = append(lines, fitLines(rv.fileList(m, w, lh), w, lh)...)
	lines = append(lines, m.st.faint.r(strings.Repeat("─", w)))
	return append(lines, rv.paneView(m, w, bodyH-lh-1)...)
}

func (rv *reviewView) pending(m *Model, e *reviewEntry, w int) []string {
	if e != nil && e.state == revFailed {
		out := []string{"", m.st.bad.r("✗ The review could not be computed")}
		for _, l := range wrap(safeText(e.err.full), min(76, w-4)) {
			out = append(out, "  "+l)
		}
		return append(out, "", "  r retries · esc back to the queue · a/x still approve or reject")
	}
	var p review.Progress
	if e != nil {
		p = e.progress
	}
	line := "  " + m.spin.View() + " Reviewing " + safeText(rv.item.PackageName) + "@" + safeText(rv.item.Version) + ": " + progressText(p)
	out := []string{"", line}
	if p.Total > 0 {
		bw := min(40, w-10)
		fill := int(int64(bw) * min(p.Done, p.Total) / p.Total)
		out = append(out, "  ["+strings.Repeat("#", fill)+strings.Repeat(".", bw-fill)+"]")
	}
	return out
}

func (rv *reviewView) header(m *Model, w int) []string {
	st := m.st
	it := rv.item
	tag := ""
	if it.Tag != "" {
		tag = " " + st.accent.r("("+safeText(it.Tag)+")")
	}
	l1 := st.title.r(safeText(it.PackageName)) + " " + st.bold.r(safeText(it.Version)) + tag
	actor := safeText(it.Actor)
	if it.ActorType != "" {
		actor += " (" + safeText(it.ActorType) + ")"
	}
	l2 := "staged by " + actor
	if a := ago(it.CreatedAt, m.now()); a != "" {
		l2 += " " + a
	}
	if it.Validating() {
		l2 += " · " + st.warn.r("validating: not approvable yet")
	}
	r := rv.rev
	if r == nil {
		l1 += st.faint.r("  · reviewing …")
		l2 += st.faint.r(" · sha1 " + safeText(it.Shasum))
		return []string{cut(l1, w), cut(l2, w)}
	}
	if r.Base != nil {
		l1 += " vs " + st.bold.r(safeText(r.Base.Version)) + st.faint.r(" · base: "+safeText(r.Base.Reason))
		if !r.Base.Verified {
			l1 += " " + st.bad.r("✗ base unverified")
		}
	} else {
		l1 += st.faint.r(" · first release: no base version to compare")
	}
	sha := reviewedSHA1(r)
	if sha == "" {
		sha = it.Shasum
	}
	// Verification and signals come before the long shasum so a narrow
	// terminal cuts the hash, not the verdict.
	if r.Staged.Verified {
		l2 += " · " + st.ok.r("✓ verified")
	} else {
		l2 += " · " + st.bad.r("✗ NOT verified")
	}
	var hi, med int
	for _, s := range r.Signals {
		switch s.Severity {
		case "high":
			hi++
		case "medium":
			med++
		}
	}
	switch {
	case hi > 0 && med > 0:
		l2 += st.faint.r(" · ") + st.sevHigh.r(fmt.Sprintf("HIGH risk: %d high", hi)) + " " + st.sevMed.r(fmt.Sprintf("%d medium", med))
	case hi > 0:
		l2 += st.faint.r(" · ") + st.sevHigh.r(fmt.Sprintf("HIGH risk: %d high", hi))
	case med > 0:
		l2 += st.faint.r(" · ") + st.sevMed.r(fmt.Sprintf("medium risk: %d medium", med))
	}
	l2 += st.faint.r(" · sha1 ") + safeText(sha)
	return []string{cut(l1, w), cut(l2, w)}
}

func (rv *reviewView) fileList(m *Model, w, h int) []string {
	st := m.st
	focus := rv.focus == focusFiles
	title := fmt.Sprintf("Files %d · viewed %d/%d", len(rv.files), rv.viewedCount(m), len(rv.files))
	if focus {
		title = st.bold.r("▸ " + title)
	} else {
		title = st.faint.r("  " + title)
	}
	out := []string{cut(title, w)}
	n := len(rv.files) + 1
	rows := h - 1
	if rv.fileIdx < rv.fileOff {
		rv.fileOff = rv.fileIdx
	}
	if rv.fileIdx >= rv.fileOff+rows {
		rv.fileOff = rv.fileIdx - rows + 1
	}
	rv.fileOff = max(0, min(rv.fileOff, n-rows))
	for i := rv.fileOff; i < n && len(out) < h; i++ {
		var row string
		if i == 0 {
			row = "◆ Overview: manifest and signals"
			if len(rv.rev.Signals) > 0 {
				row += fmt.Sprintf(" (%d)", len(rv.rev.Signals))
			}
		} else {
			fd := &rv.files[i-1]
			mark := "  "
			if m.viewed[rv.key][fd.Path] {
				mark = st.ok.r("✓") + " "
			}
			stats := fmt.Sprintf(" +%d -%d", fd.LinesAdded, fd.LinesRemoved)
			if fd.Binary {
				stats = " bin"
			}
			if fd.Status == diff.Modified || fd.Status == diff.ModeOnly {
				stats += " " + signedBytes(fd.NewSize-fd.OldSize)
			} else {
				stats += " " + report.Bytes(max(fd.NewSize, fd.OldSize))
			}
			flag := ""
			if rv.fileSigs[fd.Path] > 0 {
				flag = "!"
			}
			if collapseReason(fd) != "" && !rv.expanded[fd.Path] && !rv.prettyShown(fd) {
				flag += "⊘"
			}
			left := mark + fd.Status.Letter() + " "
			right := flag + stats
			pw := max(4, w-2-ansi.StringWidth(left)-ansi.StringWidth(right)-1)
			row = left + pad(safeCell(fd.Path, pw), pw) + " " + right
		}
		if i == rv.fileIdx {
			if focus {
				row = st.cursor.r(pad("▸ "+ansi.Strip(row), w))
			} else {
				row = "▸ " + row
			}
		} else {
			row = "  " + row
		}
		out = append(out, row)
	}
	return out
}

func (rv *reviewView) paneView(m *Model, w, h int) []string {
	st := m.st
	title := "Overview"
	if fd := rv.current(); fd != nil {
		title = fd.Status.Letter() + " " + safeText(fd.Path)
		if m.viewed[rv.key][fd.Path] {
			title = "✓ " + title
		}
	}
	var pos []string
	if n := len(rv.pane.hunkRows); n > 0 {
		pos = append(pos, fmt.Sprintf("hunk %d/%d", max(1, rv.pane.currentHunk()), n))
	}
	if rows := len(rv.pane.rows); rows > h-1 {
		pos = append(pos, fmt.Sprintf("%d%%", (rv.pane.off+h-1)*100/rows))
	}
	if rv.pane.sbs {
		pos = append(pos, "side by side")
	}
	if rv.pane.query != "" {
		at := "-"
		if rv.pane.matchAt >= 0 {
			at = fmt.Sprint(rv.pane.matchAt + 1)
		}
		pos = append(pos, fmt.Sprintf("/%s %s/%d", safeText(rv.pane.query), at, len(rv.pane.matches)))
	}
	if rv.pane.xoff > 0 {
		pos = append(pos, fmt.Sprintf("col %d", rv.pane.xoff+1))
	}
	if rv.sigAt >= 0 && len(rv.rev.Signals) > 0 {
		pos = append(pos, fmt.Sprintf("signal %d/%d", rv.sigAt+1, len(rv.rev.Signals)))
	}
	right := st.faint.r(strings.Join(pos, " · "))
	if rv.focus == focusDiff {
		title = st.bold.r("▸ " + title)
	} else {
		title = "  " + title
	}
	tl := cut(title, max(10, w-ansi.StringWidth(right)-1))
	head := tl + strings.Repeat(" ", max(1, w-ansi.StringWidth(tl)-ansi.StringWidth(right))) + right
	det := rv.signalDetail(m, w, max(3, h/2))
	if h-1-len(det) < 2 {
		det = nil // no room for both: the diff wins, the status line has the signal
	}
	rv.pane.setSize(w, h-1-len(det))
	out := append([]string{cut(head, w)}, rv.pane.view()...)
	out = append(out, det...)
	if rv.searching {
		out[len(out)-1] = m.st.accent.r("search ") + "/" + safeText(rv.search.String()) + "█"
	}
	if rv.noting {
		out[len(out)-1] = m.st.accent.r("note on "+rv.noteWhere()+": ") + safeText(rv.note.String()) + "█"
	}
	return out
}

// overview is the first page of a review: base, summary, manifest changes
// (the riskiest first) and signals.
func (rv *reviewView) overview(m *Model) []string {
	st := m.st
	r := rv.rev
	var out []string
	if r.Base != nil {
		v := st.ok.r("✓ verified")
		if !r.Base.Verified {
			v = st.bad.r("✗ NOT verified")
		}
		out = append(out, "Base "+st.bold.r(safeText(r.Base.Version))+", chosen because: "+safeText(r.Base.Reason)+" "+v)
	} else {
		out = append(out, "First release: there is no live version to compare with; every file is new.")
	}
	s := r.Summary
	out = append(out, fmt.Sprintf("%d added, %d removed, %d modified files; ", s.FilesAdded, s.FilesRemoved, s.FilesModified)+
		st.add.r(fmt.Sprintf("+%d", s.LinesAdded))+" "+st.del.r(fmt.Sprintf("-%d", s.LinesRemoved))+
		fmt.Sprintf(" lines; %s → %s (%s)", report.Bytes(s.BytesBefore), report.Bytes(s.BytesAfter), signedBytes(s.BytesAfter-s.BytesBefore)))
	if len(r.Issues) > 0 {
		out = append(out, "", st.warn.r(fmt.Sprintf("⚠ Tarball entries npm would not install as files (%d): never followed or extracted", len(r.Issues))))
		for _, is := range r.Issues {
			line := "  " + st.bold.r(fmt.Sprintf("%-9s", is.Kind)) + " " + safeText(is.Path)
			if is.Target != "" {
				line += " → " + safeText(is.Target)
			}
			if is.Detail != "" {
				line += "  " + st.faint.r(safeText(is.Detail))
			}
			out = append(out, line)
		}
	}
	if r.Diff != nil && r.Diff.ManifestError != "" {
		out = append(out, "", st.warn.r("package.json could not be compared: ")+safeText(r.Diff.ManifestError))
	}
	out = append(out, rv.memoryLines(m)...)
	// Signals first: they are what a reviewer must read before anything else.
	out = append(out, "", st.title.r(fmt.Sprintf("Signals (%d)", len(r.Signals))))
	switch {
	case len(r.Signals) == 0 && !r.SignalsChecked:
		// Never let "none" read as "checked and clean" when nothing checked.
		out = append(out, st.warn.r("  not computed: this version of stagegate does not flag risks yet; read the manifest changes and the diff"))
	case len(r.Signals) == 0:
		out = append(out, st.faint.r("  none of the known attack patterns; still read the diff"))
	}
	if len(r.Signals) > 0 {
		out = append(out, st.faint.r("  > goes to each signal's file and line; enter shows its full text"))
	}
	if len(r.Risk.Reasons) > 0 {
		sev := st.severity(string(r.Risk.Level))
		out = append(out, "  "+sev.r("Risk "+strings.ToUpper(safeText(string(r.Risk.Level)))))
		// The first reasons say why; the rest repeat the signals below.
		const shown = 3
		for i, why := range r.Risk.Reasons {
			if i == shown {
				out = append(out, st.faint.r(fmt.Sprintf("    … %d more (the signals below; all in --json)", len(r.Risk.Reasons)-shown)))
				break
			}
			out = append(out, "    · "+safeText(why))
		}
	}
	for _, sg := range r.Signals {
		sev := st.severity(string(sg.Severity))
		where := safeText(sg.Path)
		if sg.Line > 0 {
			where += fmt.Sprintf(":%d", sg.Line)
		}
		seen := ""
		if rv.seenBefore(sg) {
			seen = st.faint.r("  · seen before: accepted in " + safeText(rv.since.Since.Version) + ", same content")
		}
		out = append(out, "  "+sev.r(fmt.Sprintf("%-6s", strings.ToUpper(safeText(string(sg.Severity)))))+" "+st.bold.r(safeText(sg.ID))+"  "+where+"  "+safeText(sg.Title)+seen)
		if sg.Detail != "" {
			out = append(out, "         "+st.faint.r(safeText(sg.Detail)))
		}
	}
	out = append(out, "", st.title.r("Manifest changes (package.json)"))
	// Riskiest first, by diff's one ordering rule (a Review may come from
	// anywhere, so do not rely on its order).
	mc := append([]diff.ManifestChange(nil), r.Manifest...)
	sort.SliceStable(mc, func(i, j int) bool { return diff.FieldRank(mc[i].Path) < diff.FieldRank(mc[j].Path) })
	if len(mc) == 0 {
		out = append(out, st.faint.r("  none"))
	}
	for _, c := range mc {
		mark, sty := "~", st.note
		switch c.Change {
		case "added":
			mark, sty = "+", st.add
		case "removed":
			mark, sty = "-", st.del
		}
		if diff.AffectsInstall(c.Path) {
			sty = st.warn
		}
		line := "  " + sty.r(mark+" "+safeText(c.Path)) + " " + st.faint.r(safeText(c.Change))
		switch c.Change {
		case "added":
			line += "  " + jsonValue(c.New)
		case "removed":
			line += "  " + jsonValue(c.Old)
		default:
			line += "  " + jsonValue(c.Old) + " → " + jsonValue(c.New)
		}
		out = append(out, line)
	}
	return out
}

// jsonValue renders a manifest value compactly and safely.
func jsonValue(v any) string {
	return safeCell(diff.ValueText(v), 120)
}
