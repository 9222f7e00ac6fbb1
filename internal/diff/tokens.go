package diff

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Minified and single-line files defeat a line diff: a rebuilt bundle is
// "one line replaced" and a snippet injected into it is invisible. Such
// files are diffed by tokens instead, and the changes are shown as display
// lines: each changed token run with a little context.

const (
	// minifiedMinSize: smaller files are left to the line diff and the
	// word-level spans, which handle lines up to wordSpanMax bytes.
	minifiedMinSize = 2000
	// minifiedMeanLine: a mean line length above this means generated code.
	minifiedMeanLine = 200
	// longLine: lines longer than this are "long"; a file whose bytes are
	// mostly in long lines is treated as minified.
	longLine = 1000
	// tokenContextBytes of unchanged text are shown on each side of a
	// token change; changes closer than twice this share a hunk.
	tokenContextBytes = 40
)

// looksMinified reports whether a file is generated/minified: a mean line
// length over 200 bytes, or most of its bytes in lines over 1,000 bytes.
// A normal file with a few long lines (a data table) is not minified.
func looksMinified(data []byte, starts []int32) bool {
	n := len(starts) - 1
	if len(data) < minifiedMinSize || n == 0 {
		return false
	}
	if len(data)/n > minifiedMeanLine {
		return true
	}
	long := 0
	for k := 0; k < n; k++ {
		if l := int(starts[k+1] - starts[k]); l > longLine {
			long += l
		}
	}
	return long*2 > len(data)
}

// Token classes: a token is a run of word bytes, a run of whitespace, or
// one punctuation byte. Bytes >= 0x80 are word bytes so that a token never
// splits a UTF-8 sequence.
const (
	clPunct = iota
	clWord
	clSpace
)

func byteClass(c byte) int {
	switch {
	case c >= 0x80 || c == '_' || c == '$' ||
		('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
		return clWord
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		return clSpace
	}
	return clPunct
}

// tokenize appends the token start offsets of data[from:to] (absolute
// offsets) to dst, stopping once more than limit tokens were found. from
// must be a token boundary.
func tokenize(dst []int32, data []byte, from, to, limit int) []int32 {
	if dst == nil {
		// Code averages about one token per 3-4 bytes.
		dst = make([]int32, 0, min((to-from)/3+16, limit+1))
	}
	for i := from; i < to; {
		if len(dst) > limit {
			return dst
		}
		dst = append(dst, int32(i))
		c := byteClass(data[i])
		i++
		if c == clPunct {
			continue
		}
		for i < to && byteClass(data[i]) == c {
			i++
		}
	}
	return dst
}

// commonPrefixSuffix returns the length of the common prefix of a and b and
// of their common suffix (not overlapping the prefix), both snapped to
// token boundaries so that tokenising only the middle gives the same
// tokens as tokenising everything.
func commonPrefixSuffix(a, b []byte) (pre, suf int) {
	n := min(len(a), len(b))
	for pre < n && a[pre] == b[pre] {
		pre++
	}
	if pre < len(a) || pre < len(b) {
		// The token ending at pre may continue differently on each side:
		// back off to the start of its run (punctuation is one byte).
		if pre > 0 && byteClass(a[pre-1]) != clPunct {
			c := byteClass(a[pre-1])
			for pre > 0 && byteClass(a[pre-1]) == c {
				pre--
			}
		}
	}
	for suf < n-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	if suf > 0 {
		// The suffix must start at a boundary on both sides: skip forward
		// past the run its first byte belongs to.
		q := len(a) - suf
		if c := byteClass(a[q]); c != clPunct {
			for suf > 0 && byteClass(a[len(a)-suf]) == c {
				suf--
			}
		}
	}
	return pre, suf
}

// lineCounter maps increasing byte offsets to 1-based line numbers.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func (lc *lineCounter) at(off int) int {
	lc.line += bytes.Count(lc.data[lc.pos:off], []byte{'\n'})
	lc.pos = off
	return lc.line
}

// tokenOp is a run of the token alignment, as byte ranges on each side.
type tokenOp struct {
	equal          bool
	oldFrom, oldTo int
	newFrom, newTo int
}

// tokenDiff diffs two texts by tokens and returns display hunks and, when a
// limit was hit, the reason.
func tokenDiff(e0 *engine, old, new []byte, maxTokens int) ([]Hunk, string) {
	pre, suf := commonPrefixSuffix(old, new)
	oEnd, nEnd := len(old)-suf, len(new)-suf

	ot := tokenize(nil, old, pre, oEnd, maxTokens)
	nt := tokenize(nil, new, pre, nEnd, maxTokens)
	var ops []tokenOp
	capped := ""
	if pre > 0 {
		ops = append(ops, tokenOp{equal: true, oldTo: pre, newTo: pre})
	}
	if len(ot) > maxTokens || len(nt) > maxTokens {
		capped = fmt.Sprintf("token diff skipped: the changed region has more than %d tokens; it is shown as one replaced block", maxTokens)
		ops = append(ops, tokenOp{oldFrom: pre, oldTo: oEnd, newFrom: pre, newTo: nEnd})
	} else {
		ops = append(ops, alignTokens(e0, old, new, ot, nt, oEnd, nEnd, &capped)...)
	}
	if suf > 0 {
		ops = append(ops, tokenOp{equal: true, oldFrom: oEnd, oldTo: len(old), newFrom: nEnd, newTo: len(new)})
	}
	return tokenHunks(old, new, mergeEqual(ops)), capped
}

// mergeEqual joins adjacent equal runs (the trimmed prefix or suffix next
// to an equal run of the alignment) so that runs alternate.
func mergeEqual(ops []tokenOp) []tokenOp {
	out := ops[:0]
	for _, op := range ops {
		if n := len(out); n > 0 && op.equal && out[n-1].equal {
			out[n-1].oldTo, out[n-1].newTo = op.oldTo, op.newTo
			continue
		}
		out = append(out, op)
	}
	return out
}

// alignTokens runs the sequence engine over the tokens starting at ot/nt
// (regions ending at oEnd/nEnd) and returns the runs in order.
func alignTokens(e0 *engine, old, new []byte, ot, nt []int32, oEnd, nEnd int, capped *string) []tokenOp {
	// 1-5% of the tokens of a minified pair are distinct.
	in := newInterner((len(ot) + len(nt)) / 128)
	tokAt := func(data []byte, starts []int32, end, k int) string {
		to := end
		if k+1 < len(starts) {
			to = int(starts[k+1])
		}
		return bstr(data[starts[k]:to])
	}
	a := make([]int32, len(ot))
	for k := range ot {
		a[k] = in.id(tokAt(old, ot, oEnd, k))
	}
	b := make([]int32, len(nt))
	for k := range nt {
		b[k] = in.id(tokAt(new, nt, nEnd, k))
	}
	e := newEngine(e0.ctx, a, b, in.len(), e0.deadline)
	e.run()
	if e.err != nil {
		e0.stopped, e0.err = true, e.err
	} else if e.stopped {
		*capped = "token diff stopped at the time limit; the rest of the changed region is shown as whole blocks"
	}

	off := func(starts []int32, end, k int) int {
		if k < len(starts) {
			return int(starts[k])
		}
		return end
	}
	// Count the runs first: a rebuilt bundle has tens of thousands.
	runs := 1
	for i := 1; i < len(a); i++ {
		if e.ca[i] != e.ca[i-1] {
			runs++
		}
	}
	ops := make([]tokenOp, 0, runs+2)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		op := tokenOp{oldFrom: off(ot, oEnd, i), newFrom: off(nt, nEnd, j)}
		if (i < len(a) && e.ca[i]) || (j < len(b) && e.cb[j]) {
			for i < len(a) && e.ca[i] {
				i++
			}
			for j < len(b) && e.cb[j] {
				j++
			}
		} else {
			op.equal = true
			for i < len(a) && j < len(b) && !e.ca[i] && !e.cb[j] {
				i++
				j++
			}
		}
		op.oldTo, op.newTo = off(ot, oEnd, i), off(nt, nEnd, j)
		ops = append(ops, op)
	}
	return ops
}

// tokenHunks renders token runs as display hunks. Context is cut to
// tokenContextBytes on each side of a change; changed text is never cut.
// Line numbers are the true line numbers of the text shown; OldLines and
// NewLines count display lines.
func tokenHunks(old, new []byte, ops []tokenOp) []Hunk {
	oc, nc := lineCounter{data: old, line: 1}, lineCounter{data: new, line: 1}
	// All display lines share one backing array, cut into hunks at the
	// end: a rebuilt bundle gives thousands of small hunks.
	changes := 0
	for _, op := range ops {
		if !op.equal {
			changes++
		}
	}
	all := make([]Line, 0, 4*changes)
	hunks := make([]Hunk, 0, changes)
	ends := make([]int, 0, changes) // end of each hunk's lines in all
	var h *Hunk
	emit := func(kind LineKind, oFrom, oTo, nFrom, nTo int) {
		var text string
		var oNo, nNo int
		if kind == Add {
			text, nNo = bstr(new[nFrom:nTo]), nc.at(nFrom)
		} else {
			text, oNo = bstr(old[oFrom:oTo]), oc.at(oFrom)
			if kind == Context {
				nNo = nc.at(nFrom)
			}
		}
		if h.OldStart == 0 && h.NewStart == 0 {
			h.OldStart, h.NewStart = max(oNo, oc.line), max(nNo, nc.line)
		}
		for k := 0; ; k++ {
			piece, rest, more := strings.Cut(text, "\n")
			l := Line{Kind: kind, Text: piece}
			if kind != Add {
				l.OldNo = oNo + k
				h.OldLines++
			}
			if kind != Del {
				l.NewNo = nNo + k
				h.NewLines++
			}
			all = append(all, l)
			if !more || rest == "" {
				break
			}
			text = rest
		}
	}
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		if op.equal {
			continue
		}
		if h == nil {
			hunks = append(hunks, Hunk{})
			h = &hunks[len(hunks)-1]
			if k > 0 {
				p := ops[k-1]
				from := snapRune(old, max(p.oldFrom, p.oldTo-tokenContextBytes))
				emit(Context, from, p.oldTo, p.newTo-(p.oldTo-from), p.newTo)
			}
		}
		if op.oldTo > op.oldFrom {
			emit(Del, op.oldFrom, op.oldTo, 0, 0)
		}
		if op.newTo > op.newFrom {
			emit(Add, 0, 0, op.newFrom, op.newTo)
		}
		if k+1 < len(ops) {
			nx := ops[k+1]
			if k+2 < len(ops) && nx.oldTo-nx.oldFrom <= 2*tokenContextBytes {
				// The next change is close: keep the whole gap and go on.
				emit(Context, nx.oldFrom, nx.oldTo, nx.newFrom, nx.newTo)
				k++
				continue
			}
			to := snapRune(old, min(nx.oldTo, nx.oldFrom+tokenContextBytes))
			emit(Context, nx.oldFrom, to, nx.newFrom, nx.newFrom+(to-nx.oldFrom))
			k++
		}
		ends = append(ends, len(all))
		h = nil
	}
	if h != nil {
		ends = append(ends, len(all))
	}
	from := 0
	for k, end := range ends {
		hunks[k].Lines = all[from:end:end]
		from = end
	}
	return hunks
}

// snapRune moves off back to the start of the UTF-8 sequence it falls in.
func snapRune(data []byte, off int) int {
	for k := 0; k < utf8.UTFMax && off > 0 && off < len(data) && !utf8.RuneStart(data[off]); k++ {
		off--
	}
	return off
}
