package ui

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/highlight"
)

type rowKind uint8

const (
	rkNote rowKind = iota // a prepared line (overview, notices); a = index into notes
	rkHunk                // hunk header; h = hunk index
	rkLine                // unified: a = line index, b = paired line for word spans or -1
	rkPair                // side by side: a = left line, b = right line, -1 for none
)

// drow is one screen row of the diff pane, as data: rendering is a pure
// function of the row, the pane's size, mode, offset and query.
type drow struct {
	kind rowKind
	h    int32
	a, b int32
}

const (
	tabWidth   = 4
	hscrollBy  = 8
	cacheLimit = 512
	// renderSlack: bytes kept beyond the visible columns when cutting a
	// very long line before sanitizing and styling it.
	renderSlack = 64
)

// diffPane is a virtualized diff viewer: it keeps the diff as rows of
// indices into the hunks and renders only the rows on screen, caching the
// rendered strings until the size, mode, offset or query changes.
type diffPane struct {
	st *styles

	fd    *diff.FileDiff
	notes []string // terminal-safe, possibly styled
	rows  []drow
	sbs   bool

	lineNoW  int
	hunkRows []int

	off, xoff     int
	width, height int

	query   string
	matches []int // rows with a match
	matchAt int

	// hunkAt is the hunk ] and [ last went to (-1: none, or the user
	// scrolled since): when the last hunks fit on screen the view cannot
	// scroll to them, so the position is kept here and marked.
	hunkAt int
	// markRow is a row to point at (a signal's line), -1 for none.
	markRow int

	cache map[int]string

	// hl holds syntax highlights by line (readable.go), filled by a
	// background command; hlBusy says one is running.
	hl     map[hlKey]hlLine
	hlBusy bool
}

func newDiffPane(st *styles) diffPane {
	return diffPane{st: st, cache: map[int]string{}, hunkAt: -1, markRow: -1, hl: map[hlKey]hlLine{}}
}

// setNotes shows prepared lines only (overview, collapsed-file notices).
func (p *diffPane) setNotes(notes []string) {
	p.fd, p.notes, p.rows, p.hunkRows = nil, notes, p.rows[:0], nil
	p.hunkAt, p.markRow = -1, -1
	for i := range notes {
		p.rows = append(p.rows, drow{kind: rkNote, a: int32(i)})
	}
	p.off, p.xoff = 0, 0
	p.recomputeMatches()
	p.invalidate()
}

// setFile shows a file's hunks after optional note lines.
func (p *diffPane) setFile(fd *diff.FileDiff, notes []string, sbs bool) {
	p.fd, p.notes, p.sbs = fd, notes, sbs
	p.off, p.xoff = 0, 0
	p.build()
}

// build turns hunks into rows for the current mode. It is O(lines) and runs
// on file change or mode toggle only, never on resize or scroll.
func (p *diffPane) build() {
	p.rows = p.rows[:0]
	p.hunkRows = p.hunkRows[:0]
	p.hunkAt, p.markRow = -1, -1
	for i := range p.notes {
		p.rows = append(p.rows, drow{kind: rkNote, a: int32(i)})
	}
	maxNo := 0
	if p.fd != nil {
		for hi := range p.fd.Hunks {
			h := &p.fd.Hunks[hi]
			maxNo = max(maxNo, h.OldStart+h.OldLines, h.NewStart+h.NewLines)
			p.hunkRows = append(p.hunkRows, len(p.rows))
			p.rows = append(p.rows, drow{kind: rkHunk, h: int32(hi)})
			if p.sbs {
				p.buildPairs(int32(hi), h.Lines)
			} else {
				p.buildUnified(int32(hi), *h)
			}
		}
	}
	p.lineNoW = max(3, len(strconv.Itoa(maxNo)))
	p.recomputeMatches()
	p.invalidate()
}

// buildUnified lists a hunk's lines, each removed line linked to the added
// line diff.PairLines pairs it with (and back), for word highlights.
func (p *diffPane) buildUnified(hi int32, h diff.Hunk) {
	partner := make([]int32, len(h.Lines))
	for i := range partner {
		partner[i] = -1
	}
	for _, pr := range diff.PairLines(h) {
		partner[pr[0]], partner[pr[1]] = int32(pr[1]), int32(pr[0])
	}
	for i := range h.Lines {
		p.rows = append(p.rows, drow{kind: rkLine, h: hi, a: int32(i), b: partner[i]})
	}
}

// buildPairs aligns removals (left) with additions (right).
func (p *diffPane) buildPairs(hi int32, ls []diff.Line) {
	for i := 0; i < len(ls); {
		switch ls[i].Kind {
		case diff.Context:
			p.rows = append(p.rows, drow{kind: rkPair, h: hi, a: int32(i), b: int32(i)})
			i++
			continue
		case diff.Add:
			p.rows = append(p.rows, drow{kind: rkPair, h: hi, a: -1, b: int32(i)})
			i++
			continue
		}
		d0 := i
		for i < len(ls) && ls[i].Kind == diff.Del {
			i++
		}
		a0 := i
		for i < len(ls) && ls[i].Kind == diff.Add {
			i++
		}
		nd, na := a0-d0, i-a0
		for k := 0; k < max(nd, na); k++ {
			r := drow{kind: rkPair, h: hi, a: -1, b: -1}
			if k < nd {
				r.a = int32(d0 + k)
			}
			if k < na {
				r.b = int32(a0 + k)
			}
			p.rows = append(p.rows, r)
		}
	}
}

func (p *diffPane) invalidate() { clear(p.cache) }

// setSize changes the viewport; it never rebuilds rows.
func (p *diffPane) setSize(w, h int) {
	if w != p.width || h != p.height {
		p.width, p.height = w, h
		p.invalidate()
	}
	p.clampOff()
}

func (p *diffPane) maxOff() int { return max(0, len(p.rows)-p.height) }

func (p *diffPane) clampOff() { p.off = max(0, min(p.off, p.maxOff())) }

func (p *diffPane) scroll(d int) {
	old := p.off
	p.off += d
	p.clampOff()
	if p.off != old {
		p.hunkAt = -1 // the user moved on from the hunk ] or [ went to
		p.invalidate()
	}
}

func (p *diffPane) hscroll(d int) {
	x := max(0, p.xoff+d)
	if x != p.xoff {
		p.xoff = x
		p.invalidate()
	}
}

// jumpHunk moves to the next (dir > 0) or previous hunk header.
func (p *diffPane) jumpHunk(dir int) bool {
	if len(p.hunkRows) == 0 {
		return false
	}
	next := -1
	switch cur := p.hunkAt; {
	case cur >= 0:
		next = cur + dir
	case dir > 0:
		next = p.currentHunk() // the first hunk below the top of the view
	default:
		i := p.currentHunk() - 1 // the hunk at the top of the view
		if i >= 0 && p.hunkRows[i] == p.off {
			i-- // already at its start: the one before
		}
		next = i
	}
	if next < 0 || next >= len(p.hunkRows) {
		return false
	}
	p.hunkAt = next
	p.off = p.hunkRows[next]
	p.clampOff()
	p.invalidate() // the marker moves
	return true
}

// currentHunk is the 1-based hunk ] and [ went to, else the hunk at the top
// of the view; 0 before the first.
func (p *diffPane) currentHunk() int {
	if p.hunkAt >= 0 {
		return p.hunkAt + 1
	}
	n := 0
	for i, r := range p.hunkRows {
		if r <= p.off {
			n = i + 1
		}
	}
	return n
}

func (p *diffPane) setQuery(q string) {
	p.query = q
	p.recomputeMatches()
	p.invalidate()
}

func (p *diffPane) recomputeMatches() {
	p.matches = p.matches[:0]
	p.matchAt = -1
	if p.query == "" {
		return
	}
	for i, r := range p.rows {
		l, rt := p.rowTexts(r)
		if containsFold(l, p.query) || (r.kind == rkPair && containsFold(rt, p.query)) {
			p.matches = append(p.matches, i)
		}
	}
}

// jumpMatch moves to the next (dir > 0) or previous match, wrapping.
// jumpMatch moves to the next (dir 1) or previous (-1) match and says
// whether it wrapped around the end of the file.
func (p *diffPane) jumpMatch(dir int) (ok, wrapped bool) {
	if len(p.matches) == 0 {
		return false, false
	}
	if p.matchAt < 0 {
		p.matchAt = -1
		for i, r := range p.matches {
			if r >= p.off {
				p.matchAt = i
				break
			}
		}
		switch {
		case p.matchAt < 0 && dir > 0: // every match is above
			p.matchAt, wrapped = 0, true
		case p.matchAt < 0:
			p.matchAt = len(p.matches) - 1
		case dir < 0:
			p.matchAt--
			if p.matchAt < 0 {
				p.matchAt, wrapped = len(p.matches)-1, true
			}
		}
	} else {
		next := p.matchAt + dir
		wrapped = next < 0 || next >= len(p.matches)
		p.matchAt = (next + len(p.matches)) % len(p.matches)
	}
	// Show a little context above the match.
	p.off = p.matches[p.matchAt] - min(2, p.height/4)
	p.clampOff()
	p.hunkAt = -1
	return true, wrapped
}

// markLine points at the row of new line no (old line no for a file that
// was removed), scrolled into view with context above; it returns false
// when the line is not in the diff (unchanged lines outside every hunk),
// leaving the view at the hunk nearest to it.
func (p *diffPane) markLine(no int, old bool) bool {
	p.markRow = -1
	if p.fd == nil || no <= 0 {
		return false
	}
	nearest := -1
	for i, r := range p.rows {
		if r.kind != rkLine && r.kind != rkPair {
			continue
		}
		// Side by side, a row holds the old line (a) and the new (b),
		// either of them -1 when absent.
		n := 0
		for _, li := range []int32{r.a, r.b} {
			if li < 0 || (r.kind == rkLine && li != r.a) {
				continue
			}
			l := p.fd.Hunks[r.h].Lines[li]
			if old && l.OldNo > 0 {
				n = l.OldNo
			} else if !old && l.NewNo > 0 {
				n = l.NewNo
			}
		}
		if n == no {
			p.markRow = i
			break
		}
		if n > 0 && n < no {
			nearest = i
		}
	}
	target := p.markRow
	if target < 0 {
		target = max(nearest, 0)
	}
	p.off = target - min(3, p.height/3)
	p.clampOff()
	p.hunkAt = -1
	p.invalidate()
	return p.markRow >= 0
}

// rowTexts returns the raw (untrusted) texts of a row, for search.
func (p *diffPane) rowTexts(r drow) (string, string) {
	switch r.kind {
	case rkNote:
		return p.notes[r.a], ""
	case rkLine:
		return p.fd.Hunks[r.h].Lines[r.a].Text, ""
	case rkPair:
		ls := p.fd.Hunks[r.h].Lines
		var a, b string
		if r.a >= 0 {
			a = ls[r.a].Text
		}
		if r.b >= 0 {
			b = ls[r.b].Text
		}
		return a, b
	}
	return "", ""
}

// view returns exactly height lines of at most width columns.
func (p *diffPane) view() []string {
	out := make([]string, 0, p.height)
	end := min(len(p.rows), p.off+p.height)
	for i := p.off; i < end; i++ {
		s, ok := p.cache[i]
		if !ok {
			if len(p.cache) >= cacheLimit {
				clear(p.cache)
			}
			s = p.renderRow(p.rows[i])
			switch {
			case i == p.markRow:
				s = p.st.sevHigh.r("▶") + cut(ansi.Strip(s), max(0, p.width-1))
			case p.rows[i].kind == rkHunk && int(p.rows[i].h) == p.hunkAt:
				s = p.st.accent.r("▶") + cut(s, max(0, p.width-1))
			}
			p.cache[i] = s
		}
		out = append(out, s)
	}
	for len(out) < p.height {
		out = append(out, "")
	}
	return out
}

func (p *diffPane) renderRow(r drow) string {
	st := p.st
	switch r.kind {
	case rkNote:
		return cut(p.notes[r.a], p.width)
	case rkHunk:
		h := &p.fd.Hunks[r.h]
		s := fmt.Sprintf("@@ -%d,%d +%d,%d @@  hunk %d/%d", h.OldStart, h.OldLines, h.NewStart, h.NewLines, r.h+1, len(p.fd.Hunks))
		return st.hunk.r(cut(s, p.width))
	case rkLine:
		ls := p.fd.Hunks[r.h].Lines
		l := ls[r.a]
		var spans []span
		if r.b >= 0 {
			if l.Kind == diff.Del {
				spans, _ = wordSpans(l.Text, ls[r.b].Text)
			} else {
				_, spans = wordSpans(ls[r.b].Text, l.Text)
			}
		}
		g := p.gutter(l.OldNo, true) + " " + p.gutter(l.NewNo, true) + " "
		tw := max(1, p.width-len(g)-2)
		return st.gutter.r(g) + p.marked(l.Kind, p.renderText(l.Text, p.withMatches(l.Text, spans), p.highlightOf(r.h, r.a), l.Kind, tw))
	case rkPair:
		return p.renderPair(r)
	}
	return ""
}

// marked prefixes the +/-/space marker so meaning never rests on colour.
func (p *diffPane) marked(k diff.LineKind, text string) string {
	switch k {
	case diff.Add:
		return p.st.add.r("+ ") + text
	case diff.Del:
		return p.st.del.r("- ") + text
	}
	return "  " + text
}

func (p *diffPane) renderPair(r drow) string {
	ls := p.fd.Hunks[r.h].Lines
	half := (p.width - 1) / 2
	gw := p.lineNoW + 1
	tw := max(1, half-gw-2)
	side := func(idx, other int32, left bool) string {
		if idx < 0 {
			return strings.Repeat(" ", half)
		}
		l := ls[idx]
		no := l.NewNo
		if left {
			no = l.OldNo
		}
		var spans []span
		if other >= 0 && l.Kind != diff.Context {
			if left {
				spans, _ = wordSpans(l.Text, ls[other].Text)
			} else {
				_, spans = wordSpans(ls[other].Text, l.Text)
			}
		}
		s := p.st.gutter.r(p.gutter(no, false)+" ") + p.marked(l.Kind, p.renderText(l.Text, p.withMatches(l.Text, spans), p.highlightOf(r.h, idx), l.Kind, tw))
		return pad(s, half)
	}
	return side(r.a, r.b, true) + p.st.faint.r("│") + side(r.b, r.a, false)
}

func (p *diffPane) gutter(n int, unified bool) string {
	_ = unified
	if n <= 0 {
		return strings.Repeat(" ", p.lineNoW)
	}
	s := strconv.Itoa(n)
	if len(s) >= p.lineNoW {
		return s
	}
	return strings.Repeat(" ", p.lineNoW-len(s)) + s
}

// withMatches overlays search matches on word spans (matches win).
func (p *diffPane) withMatches(text string, spans []span) []span {
	if p.query == "" {
		return spans
	}
	ms := matchSpans(cutRaw(text, p.xoff+p.width), p.query)
	if len(ms) == 0 {
		return spans
	}
	if len(spans) == 0 {
		return ms
	}
	// Per-byte classes are fine here: only visible, length-capped rows.
	t := cutRaw(text, p.xoff+p.width)
	cls := make([]uint8, len(t))
	for _, s := range spans {
		for i := s.start; i < min(s.end, len(cls)); i++ {
			cls[i] = s.cls
		}
	}
	for _, s := range ms {
		for i := s.start; i < s.end; i++ {
			cls[i] = clsMatch
		}
	}
	var out []span
	for i := 0; i < len(cls); {
		j := i
		for j < len(cls) && cls[j] == cls[i] {
			j++
		}
		if cls[i] != clsNone {
			out = append(out, span{start: i, end: j, cls: cls[i]})
		}
		i = j
	}
	return out
}

// cutRaw bounds the bytes of a very long line that are worth rendering when
// cols columns are visible (a rune is at most 4 bytes; tokens widen, never
// narrow, what they replace), cutting on a rune boundary.
func cutRaw(s string, cols int) string {
	limit := cols*4 + renderSlack
	if len(s) <= limit {
		return s
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit]
}

// renderText draws the columns [xoff, xoff+w) of an untrusted line: tabs
// expanded, every piece sanitized, spans styled: search matches over
// changed words over syntax colours (hl) over the line's own style.
func (p *diffPane) renderText(raw string, spans []span, hl []highlight.Span, k diff.LineKind, w int) string {
	st := p.st
	base, word := st.ctx, st.ctx
	switch k {
	case diff.Add:
		base, word = st.add, st.addWord
	case diff.Del:
		base, word = st.del, st.delWord
	}
	raw = cutRaw(raw, p.xoff+w)
	r := textRenderer{from: p.xoff, to: p.xoff + w, token: st.token}
	if len(hl) > 0 {
		return p.renderLayered(&r, raw, spans, hl, base, word)
	}
	pos := 0
	for _, s := range spans {
		if s.start >= len(raw) {
			break
		}
		if s.start > pos {
			r.piece(raw[pos:s.start], base)
		}
		sty := word
		if s.cls == clsMatch {
			sty = st.match
		}
		r.piece(raw[s.start:min(s.end, len(raw))], sty)
		pos = min(s.end, len(raw))
		if r.full() {
			break
		}
	}
	if pos < len(raw) && !r.full() {
		r.piece(raw[pos:], base)
	}
	return r.b.String()
}

// renderLayered is renderText for a highlighted line: one style per byte
// (only the visible, length-capped bytes), then one piece per run. Pieces
// still go through textRenderer, so highlighting never bypasses the
// escaping of untrusted bytes.
func (p *diffPane) renderLayered(r *textRenderer, raw string, spans []span, hl []highlight.Span, base, word style) string {
	const wordCls, matchCls = uint8(highlight.NClasses), uint8(highlight.NClasses) + 1
	cls := make([]uint8, len(raw))
	for _, h := range hl {
		for i := int(h.Start); i < min(int(h.End), len(cls)); i++ {
			cls[i] = uint8(h.Class)
		}
	}
	for _, s := range spans {
		c := wordCls
		if s.cls == clsMatch {
			c = matchCls
		}
		for i := s.start; i < min(s.end, len(cls)); i++ {
			cls[i] = c
		}
	}
	for i := 0; i < len(cls) && !r.full(); {
		j := i + 1
		for j < len(cls) && cls[j] == cls[i] {
			j++
		}
		// A run must not split a UTF-8 sequence (spans come from a lexer
		// that may count differently on invalid input).
		for j < len(cls) && !utf8.RuneStart(raw[j]) {
			j++
		}
		sty := base
		switch c := cls[i]; {
		case c == matchCls:
			sty = p.st.match
		case c == wordCls:
			sty = word
		case c != uint8(highlight.None):
			if s := p.st.syn[c]; s.pre != "" {
				sty = s
			}
		}
		r.piece(raw[i:j], sty)
		i = j
	}
	return r.b.String()
}

// textRenderer accumulates styled, sanitized, horizontally clipped text.
type textRenderer struct {
	b        strings.Builder
	token    style // escaped characters stand out from the content
	col      int   // columns consumed so far (before clipping)
	from, to int
}

func (t *textRenderer) full() bool { return t.col >= t.to }

func (t *textRenderer) piece(raw string, s style) {
	for len(raw) > 0 && !t.full() {
		i := strings.IndexByte(raw, '\t')
		chunk := raw
		if i >= 0 {
			chunk = raw[:i]
		}
		switch {
		case chunk == "":
		case isPlain(chunk):
			t.write(t.clip(chunk), s)
		default:
			for _, seg := range safeSegments(chunk) {
				if seg.Token {
					t.write(t.clip(seg.Text), t.token)
				} else {
					t.write(t.clip(seg.Text), s)
				}
			}
		}
		if i < 0 {
			break
		}
		t.write(t.clip(strings.Repeat(" ", tabWidth-t.col%tabWidth)), s)
		raw = raw[i+1:]
	}
}

func (t *textRenderer) write(s string, st style) {
	if s != "" {
		t.b.WriteString(st.r(s))
	}
}

// clip consumes safe text s and returns the part inside [from, to).
func (t *textRenderer) clip(s string) string {
	if isPlain(s) {
		a, b := t.col, t.col+len(s)
		t.col = b
		lo, hi := max(a, t.from), min(b, t.to)
		if lo < hi {
			return s[lo-a : hi-a]
		}
		return ""
	}
	var seg strings.Builder
	for _, r := range s {
		w := runewidth.RuneWidth(r)
		a := t.col
		t.col += w
		switch {
		case a >= t.to:
			return seg.String()
		case a < t.from && t.col > t.from, t.col > t.to:
			// A wide rune cut by an edge: keep the columns aligned.
			seg.WriteString(strings.Repeat(" ", min(t.col, t.to)-max(a, t.from)))
		case a >= t.from:
			seg.WriteRune(r)
		}
	}
	return seg.String()
}
