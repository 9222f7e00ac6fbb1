package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// qline is one line of the queue body: a registry header (in a queue that
// spans several), a package header or an item.
type qline struct {
	header bool
	reg    string // set on a registry header
	pkg    string
	count  int
	vi     int // index into visible(), for items
}

// visible returns the indices of the items that pass the filter, in order.
func (m *Model) visible() []int {
	q := strings.ToLower(strings.TrimSpace(m.filter.String()))
	out := make([]int, 0, len(m.items))
	for i, it := range m.items {
		if q == "" || strings.Contains(strings.ToLower(it.PackageName+"@"+it.Version+" "+it.Tag+" "+it.Actor+" "+it.Registry), q) {
			out = append(out, i)
		}
	}
	return out
}

func (m *Model) queueLines(vis []int) []qline {
	var out []qline
	multi := m.multiRegistry()
	lastReg := "\x00"
	for vi := 0; vi < len(vis); {
		first := m.items[vis[vi]]
		pkg, reg := first.PackageName, m.regOf(first)
		if multi && reg != lastReg {
			n := 0
			for vi+n < len(vis) && m.regOf(m.items[vis[vi+n]]) == reg {
				n++
			}
			out = append(out, qline{header: true, reg: reg, count: n})
			lastReg = reg
		}
		n := 0
		for vi+n < len(vis) && m.items[vis[vi+n]].PackageName == pkg && m.regOf(m.items[vis[vi+n]]) == reg {
			n++
		}
		out = append(out, qline{header: true, pkg: pkg, count: n})
		for j := 0; j < n; j++ {
			out = append(out, qline{vi: vi + j})
		}
		vi += n
	}
	return out
}

func (m *Model) cursorItem() (registry.StageItem, bool) {
	vis := m.visible()
	if m.cursor < 0 || m.cursor >= len(vis) {
		return registry.StageItem{}, false
	}
	return m.items[vis[m.cursor]], true
}

func (m *Model) onList(msg listMsg) tea.Cmd {
	if msg.req != m.listReq {
		return nil // an older refresh answered late
	}
	m.listLoading = false
	var partial *ListErrors
	if errors.As(msg.err, &partial) && partial.Answered > 0 {
		// Some registries answered: show their queue, and say which did not.
		m.listFailed = partial.Failed
		msg.err = nil
	} else {
		m.listFailed = nil
	}
	m.listErrReg = ""
	if msg.err != nil {
		e := classify(msg.err)
		if e.kind == kindCanceled {
			return nil
		}
		if partial != nil && len(partial.Failed) > 0 {
			m.listErrReg = partial.Failed[0].Registry
			e.full = partial.Failed[0].Err.Error()
		}
		m.listErr = &e
		if m.loaded {
			return m.setStatus(msgErr, "refresh failed: "+safeText(e.full))
		}
		return nil
	}
	m.listErr = nil
	if m.msgKind == msgErr && strings.HasPrefix(m.msg, "refresh failed") {
		m.msg = "" // stale: this refresh worked
	}
	cur, hadCur := m.cursorItem()
	items := append([]registry.StageItem(nil), msg.items...)
	sortItems(items, m.registries)
	changed := changedPackages(m.items, items)
	m.items = items
	m.loaded = true

	present := map[string]bool{}
	for _, it := range items {
		present[itemKey(it)] = true
	}
	for k := range m.selected {
		if !present[k] {
			delete(m.selected, k)
		}
	}
	for k, e := range m.reviews {
		switch {
		case !present[k]:
			m.cancelJob(k)
			delete(m.reviews, k)
			m.lruKeys.remove(k)
		case e.state == revFailed:
			delete(m.reviews, k) // a refresh is also a retry
		}
	}
	// A package that lost a version may have a new base or tag: its other
	// reviews are computed again.
	m.recomputeChanged(changed)
	// Keep the cursor on the same item when it is still there, else at
	// the same place (the next item after one approved or rejected).
	if !hadCur {
		m.cursor = 0
	}
	if hadCur {
		for i, idx := range m.visible() {
			if itemKey(m.items[idx]) == itemKey(cur) {
				m.cursor = i
				break
			}
		}
	}
	m.clampCursor()
	return tea.Batch(m.schedule(), m.announceNew(items), m.reportUnlisted())
}

func (m *Model) clampCursor() {
	n := len(m.visible())
	if m.cursor >= n {
		m.cursor = n - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
}

// moveCursor moves by delta rows and debounces the prefetch around the new
// position, so holding j does not start a review per row passed.
func (m *Model) moveCursor(delta int) tea.Cmd {
	old := m.cursor
	m.cursor += delta
	m.clampCursor()
	if m.cursor == old {
		return nil
	}
	m.debounceTag++
	tag := m.debounceTag
	return m.after(debounceDelay, func(time.Time) tea.Msg { return debounceMsg{tag: tag} })
}

func (m *Model) queueBodyHeight() int { return max(1, m.height-3) }

func (m *Model) onQueueKey(k tea.KeyMsg) tea.Cmd {
	km := m.keys
	page := m.queueBodyHeight()
	switch {
	case key.Matches(k, km.Up):
		return m.moveCursor(-1)
	case key.Matches(k, km.Down):
		return m.moveCursor(1)
	case key.Matches(k, km.PageUp), key.Matches(k, km.HalfUp):
		return m.moveCursor(-page)
	case key.Matches(k, km.PageDown), key.Matches(k, km.HalfDown):
		return m.moveCursor(page)
	case key.Matches(k, km.Top):
		return m.moveCursor(-len(m.items))
	case key.Matches(k, km.Bottom):
		return m.moveCursor(len(m.items))
	case key.Matches(k, km.Open):
		if it, ok := m.cursorItem(); ok {
			return m.openReview(it)
		}
	case key.Matches(k, km.Select):
		if it, ok := m.cursorItem(); ok {
			k := itemKey(it)
			if m.selected[k] {
				delete(m.selected, k)
			} else {
				m.selected[k] = true
			}
			return m.moveCursor(1)
		}
	case key.Matches(k, km.SelectAll):
		vis := m.visible()
		all := len(vis) > 0
		for _, i := range vis {
			all = all && m.selected[itemKey(m.items[i])]
		}
		for _, i := range vis {
			if all {
				delete(m.selected, itemKey(m.items[i]))
			} else {
				m.selected[itemKey(m.items[i])] = true
			}
		}
	case key.Matches(k, km.Approve):
		return m.beginAction(actApprove, m.queueTargets())
	case key.Matches(k, km.Reject):
		return m.beginAction(actReject, m.queueTargets())
	case key.Matches(k, km.Filter):
		m.filtering = true
	case key.Matches(k, km.Refresh):
		return m.refresh()
	case key.Matches(k, km.ClearSel):
		if m.filter.String() != "" {
			cur, ok := m.cursorItem()
			m.filter.clear()
			m.keepCursorOn(cur, ok)
		} else {
			clear(m.selected)
		}
	}
	return nil
}

func (m *Model) onFilterKey(k tea.KeyMsg) tea.Cmd {
	switch k.Type {
	case tea.KeyEnter:
		m.filtering = false
		return m.schedule()
	case tea.KeyEsc:
		m.filtering = false
		cur, ok := m.cursorItem()
		m.filter.clear()
		m.keepCursorOn(cur, ok)
		return nil
	}
	cur, ok := m.cursorItem()
	if m.filter.update(k) {
		m.keepCursorOn(cur, ok)
	}
	return nil
}

// keepCursorOn puts the cursor back on it after the visible rows changed
// (a filter typed or cleared), or on the first row when it is no longer shown.
func (m *Model) keepCursorOn(it registry.StageItem, ok bool) {
	m.cursor = 0
	if ok {
		k := itemKey(it)
		for i, idx := range m.visible() {
			if itemKey(m.items[idx]) == k {
				m.cursor = i
				break
			}
		}
	}
	m.clampCursor()
}

// queueTargets is the selection in queue order, or else the cursor row.
func (m *Model) queueTargets() []target {
	var out []target
	if len(m.selected) > 0 {
		for _, it := range m.items {
			if m.selected[itemKey(it)] {
				out = append(out, m.targetFor(it))
			}
		}
		return out
	}
	if it, ok := m.cursorItem(); ok {
		out = append(out, m.targetFor(it))
	}
	return out
}

func (m *Model) queueHeader(w int) string {
	st := m.st
	reg := m.b.Registry()
	if m.multiRegistry() {
		reg = fmt.Sprintf("%s + %d more", registryLabel(reg), len(m.registries)-1)
	}
	left := st.title.r("stagegate") + " " + st.faint.r("·") + " " + safeCell(reg, max(10, w/2))
	var right []string
	if m.loaded {
		pk := map[string]bool{}
		for _, it := range m.items {
			pk[m.regOf(it)+" "+it.PackageName] = true // the same name on two registries is two packages
		}
		right = append(right, fmt.Sprintf("%s in %s", plural(len(m.items), "staged version", "staged versions"), plural(len(pk), "package", "packages")))
	}
	if n := len(m.listFailed); n > 0 && m.loaded {
		right = append(right, st.bad.r(fmt.Sprintf("✗ %s not listed", plural(n, "registry", "registries"))))
	}
	if n := len(m.selected); n > 0 {
		right = append(right, st.selected.r(fmt.Sprintf("%d selected", n)))
	}
	r := strings.Join(right, st.faint.r(" · "))
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(r)
	if gap < 1 {
		return cut(left+" "+r, w)
	}
	return left + strings.Repeat(" ", gap) + r
}

// scrollQueue keeps the cursor in view, with its package header when it fits.
func (m *Model) scrollQueue(ql []qline, bodyH int) {
	cl := 0
	for i, l := range ql {
		if !l.header && l.vi == m.cursor {
			cl = i
			break
		}
	}
	top := cl // with the headers above it: its package's, its registry's
	for top > 0 && ql[top-1].header {
		top--
	}
	if top < m.qOff {
		m.qOff = top
	}
	if cl >= m.qOff+bodyH {
		m.qOff = cl - bodyH + 1
	}
	m.qOff = max(0, min(m.qOff, len(ql)-bodyH))
}

// queueListHeight is how many lines the queue body has on the screen.
func (m *Model) queueListHeight() int {
	h := m.height - 1 - 2 // status bar; header and rule
	if m.filtering || m.filter.String() != "" {
		h--
	}
	return max(1, h)
}

// queueOnScreen returns the rows (indices into vis, [lo, hi)) that the
// queue shows at the current size and cursor, as queueView draws them.
func (m *Model) queueOnScreen(vis []int) (lo, hi int) {
	if len(vis) == 0 {
		return 0, 0
	}
	ql := m.queueLines(vis)
	bodyH := m.queueListHeight()
	m.scrollQueue(ql, bodyH)
	lo, hi = -1, 0
	for i := m.qOff; i < len(ql) && i < m.qOff+bodyH; i++ {
		if ql[i].header {
			continue
		}
		if lo < 0 {
			lo = ql[i].vi
		}
		hi = ql[i].vi + 1
	}
	if lo < 0 {
		return 0, 0
	}
	return lo, hi
}

func (m *Model) queueView(w, h int) []string {
	lines := []string{m.queueHeader(w), m.st.faint.r(strings.Repeat("─", w))}
	bodyH := h - 2
	if m.filtering || m.filter.String() != "" {
		bodyH--
	}
	switch {
	case !m.loaded && m.listErr != nil:
		return append(lines, m.listErrorScreen(w)...)
	case !m.loaded:
		return append(lines, "", "  "+m.spin.View()+" Loading the stage queue from "+safeCell(m.b.Registry(), w-40)+" …")
	case len(m.items) == 0:
		reg := safeText(m.b.Registry())
		if m.multiRegistry() {
			reg = fmt.Sprintf("%d registries", len(m.registries))
		}
		return append(lines, centerBlock(w, []string{
			m.st.bold.r("No staged versions on " + reg),
			"",
			"Nothing is waiting for approval. Versions appear here after",
			"`npm stage publish`. Press r to refresh; the queue also",
			"refreshes on its own.",
		})...)
	}
	vis := m.visible()
	body := make([]string, 0, bodyH)
	if len(vis) == 0 {
		body = append(body, "", "  No staged version matches “"+safeText(m.filter.String())+"”. esc clears the filter.")
	} else {
		ql := m.queueLines(vis)
		m.scrollQueue(ql, bodyH)
		cols := queueColumns(w)
		for i := m.qOff; i < len(ql) && len(body) < bodyH; i++ {
			l := ql[i]
			switch {
			case l.reg != "":
				body = append(body, m.st.accent.r("▌"+safeCell(registryLabel(l.reg), w-20))+m.st.faint.r(fmt.Sprintf("  %s", plural(l.count, "staged version", "staged versions"))))
				continue
			case l.header:
				body = append(body, m.st.bold.r(safeCell(l.pkg, w-16))+m.st.faint.r(fmt.Sprintf("  (%d)", l.count)))
				continue
			}
			body = append(body, m.itemRow(m.items[vis[l.vi]], cols, l.vi == m.cursor, w))
		}
	}
	lines = append(lines, fitLines(body, w, bodyH)...)
	if m.filtering || m.filter.String() != "" {
		f := "/" + safeText(m.filter.String())
		if m.filtering {
			f += "█"
		}
		lines = append(lines, m.st.accent.r("filter ")+f+m.st.faint.r(fmt.Sprintf("  (%d of %d)", len(vis), len(m.items))))
	}
	return lines
}

// columns of an item row, chosen by terminal width.
// A width of 0 drops the column (and its gap).
type qcols struct{ ver, tag, ago, actor, rev int }

// queueColumns sizes the row's columns. The review cell (verified, risk)
// is what a row is for: on a narrow terminal the stager goes first, then
// the age, before the review cell is cut.
func queueColumns(w int) qcols {
	c := qcols{ver: 12, tag: 9, ago: 9, rev: 26}
	if w >= 120 {
		c = qcols{ver: 16, tag: 12, ago: 10, rev: 44}
	}
	// 6 = cursor mark and checkbox; one gap after each column but the last.
	rest := w - 6 - (c.ver + 1) - (c.tag + 1) - (c.ago + 1) - c.rev
	switch {
	case rest >= 8+1:
		c.actor = rest - 1
	case rest+c.ago+1 >= c.rev/2:
		// No room for the stager: drop it, give the review cell the rest.
		c.actor = 0
		c.rev += max(0, rest)
	default:
		// Then the age.
		c.actor, c.ago = 0, 0
		c.rev = max(10, w-6-(c.ver+1)-(c.tag+1))
	}
	return c
}

func (m *Model) itemRow(it registry.StageItem, c qcols, isCursor bool, w int) string {
	st := m.st
	k := itemKey(it)
	mark := "  "
	if isCursor {
		mark = "▸ "
	}
	box := "[ ] "
	if m.selected[k] {
		box = st.selected.r("[x]") + " "
	}
	actor := it.Actor
	if it.ActorType != "" {
		actor += " (" + it.ActorType + ")"
	}
	row := mark + box +
		pad(safeCell(it.Version, c.ver), c.ver) + " " +
		pad(st.accent.r(safeCell(it.Tag, c.tag)), c.tag) + " "
	if c.ago > 0 {
		row += pad(st.faint.r(ago(it.CreatedAt, m.now())), c.ago) + " "
	}
	if c.actor > 0 {
		row += pad(safeCell(actor, c.actor), c.actor) + " "
	}
	row += m.reviewCell(k, c.rev)
	if isCursor {
		// Reverse video over plain text: styles inside would end the
		// highlight early. The ▸ mark keeps the cursor visible without it.
		return st.cursor.r(pad(ansi.Strip(row), w))
	}
	return row
}

// reviewCell is the background review's state for the queue: progress,
// failure, or files/lines/integrity/signals once known.
func (m *Model) reviewCell(k string, w int) string {
	st := m.st
	e, ok := m.reviews[k]
	if !ok {
		return st.faint.r(cut("· not reviewed yet", w))
	}
	switch e.state {
	case revLoading:
		return st.faint.r(cut(m.spin.View()+" reviewing "+progressText(e.progress), w))
	case revFailed:
		return st.bad.r(cut("✗ review failed", w))
	}
	s := e.sum
	// The verdict first: a narrow terminal cuts the line counts, not it.
	var parts []string
	if s.verified {
		parts = append(parts, st.ok.r("✓ verified"))
	} else {
		parts = append(parts, st.bad.r("✗ UNVERIFIED"))
	}
	// The release's risk, with how many signals reached it.
	switch {
	case s.risk == "high" || s.high > 0:
		parts = append(parts, st.sevHigh.r(fmt.Sprintf("!high risk %d", max(s.high, 1))))
	case s.risk == "medium" || s.medium > 0:
		parts = append(parts, st.sevMed.r(fmt.Sprintf("!med risk %d", max(s.medium, 1))))
	}
	parts = append(parts, plural(s.files, "file", "files"),
		st.add.r(fmt.Sprintf("+%d", s.added))+" "+st.del.r(fmt.Sprintf("-%d", s.removed)))
	out := ""
	for _, p := range parts {
		next := p
		if out != "" {
			next = out + " " + p
		}
		if ansi.StringWidth(next) > w {
			break
		}
		out = next
	}
	return out
}

func (m *Model) listErrorScreen(w int) []string {
	e := m.listErr
	reg := safeText(m.b.Registry())
	if m.listErrReg != "" {
		reg = safeText(m.listErrReg)
	}
	var lines []string
	switch e.kind {
	case kindNotLoggedIn, kindForbidden:
		lines = []string{
			m.st.bad.r("✗ Not logged in to " + reg),
			"",
			"stagegate uses npm's own credentials (.npmrc). Log in with:",
			"",
			"    npm login --registry " + reg,
			"",
			"then press r to retry. For another registry, start stagegate",
			"with --registry URL.",
		}
	case kindNetwork, kindTimeout:
		lines = []string{
			m.st.bad.r("✗ Cannot reach " + reg),
		}
		for _, l := range wrap(safeText(e.full), min(70, w-4)) {
			lines = append(lines, m.st.faint.r(l))
		}
		lines = append(lines, "",
			"Check your connection and proxy settings, or choose another",
			"registry with --registry URL (or npm_config_registry).",
			"Press r to retry, q to quit.")
	default:
		lines = []string{m.st.bad.r("✗ The registry could not list the stage queue")}
		for _, l := range wrap(safeText(e.full), min(70, w-4)) {
			lines = append(lines, m.st.faint.r(l))
		}
		lines = append(lines, "", "Press r to retry, q to quit.")
	}
	return centerBlock(w, lines)
}

// centerBlock indents a block of lines to centre it, with a blank line above.
func centerBlock(w int, lines []string) []string {
	bw := 0
	for _, l := range lines {
		bw = max(bw, ansi.StringWidth(l))
	}
	ind := strings.Repeat(" ", max(0, (w-bw)/2))
	out := []string{"", ""}
	for _, l := range lines {
		out = append(out, ind+l)
	}
	return out
}

// progressText renders review progress compactly, e.g. "staged tarball 45%".
func progressText(p review.Progress) string {
	if p.Phase == "" {
		return "…"
	}
	ph := safeText(p.Phase)
	if p.Total > 0 {
		return fmt.Sprintf("%s %d%%", ph, min(100, p.Done*100/p.Total))
	}
	return ph + " …"
}

// reportUnlisted says which registries a partial list could not read and
// what to do about each; the rest of the queue is shown as usual.
func (m *Model) reportUnlisted() tea.Cmd {
	if len(m.listFailed) == 0 {
		return nil
	}
	var parts []string
	for _, f := range m.listFailed {
		e := classify(f.Err)
		reg := safeText(f.Registry)
		switch e.kind {
		case kindNotLoggedIn, kindForbidden:
			parts = append(parts, "not logged in to "+reg+" (npm login --registry "+reg+")")
		default:
			parts = append(parts, "could not list "+reg+": "+safeText(e.msg))
		}
	}
	return m.setStatus(msgErr, strings.Join(parts, "; ")+"; showing the other registries, r retries")
}

// registryLabel is a registry URL without its scheme and trailing slash,
// short enough for a group header ("npm.corp.example/npm").
func registryLabel(reg string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(reg, "https://"), "http://")
	return strings.TrimSuffix(s, "/")
}
