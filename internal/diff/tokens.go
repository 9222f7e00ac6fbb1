package diff

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
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

// countTokens returns the number of tokens of data[from:to]; from must be
// a token boundary. A token starts at every punctuation byte and at every
// change of class.
func countTokens(data []byte, from, to int) int {
	n, prev := 0, -1
	for _, c := range data[from:to] {
		cl := byteClass(c)
		if cl != prev || cl == clPunct {
			n++
		}
		prev = cl
	}
	return n
}

// tokenize returns the token start offsets of data[from:to] (absolute
// offsets); from must be a token boundary. Tokens are counted first, so
// that the slice is allocated once at its exact size: code ranges from one
// token per 1.6 bytes (lodash's minified build) to one per 6 (typescript's
// formatted lib), and a guessed ratio is either wasted or grown into.
func tokenize(data []byte, from, to int) []int32 {
	return appendTokens(make([]int32, 0, countTokens(data, from, to)), data, from, to)
}

func appendTokens(dst []int32, data []byte, from, to int) []int32 {
	for i := from; i < to; i = tokenEnd(data, i, to) {
		dst = append(dst, int32(i))
	}
	return dst
}

// tokenEnd returns the end of the token that starts at i < to.
func tokenEnd(data []byte, i, to int) int {
	c := byteClass(data[i])
	i++
	if c == clPunct {
		return i
	}
	for i < to && byteClass(data[i]) == c {
		i++
	}
	return i
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
// Offsets are int32 (files over 2 GiB are not diffed): a rebuilt bundle
// has hundreds of thousands of runs.
type tokenOp struct {
	equal          bool
	oldFrom, oldTo int32
	newFrom, newTo int32
}

// tokenDiff diffs two texts by tokens and returns display hunks and, when a
// limit was hit, the reason. err is set only when ctx ended.
func tokenDiff(ctx context.Context, deadline time.Time, old, new []byte, maxTokens int) (hunks []Hunk, capped string, err error) {
	pre, suf := commonPrefixSuffix(old, new)
	oEnd, nEnd := len(old)-suf, len(new)-suf

	var lead []tokenOp
	if pre > 0 {
		lead = []tokenOp{{equal: true, oldTo: int32(pre), newTo: int32(pre)}}
	}
	var ops []tokenOp
	// Count before tokenizing: over the limit, the tokens are not needed.
	if on, nn := countTokens(old, pre, oEnd), countTokens(new, pre, nEnd); on > maxTokens || nn > maxTokens {
		capped = fmt.Sprintf("token diff skipped: the changed region has more than %d tokens; it is shown as one replaced block", maxTokens)
		ops = append(lead, tokenOp{oldFrom: int32(pre), oldTo: int32(oEnd), newFrom: int32(pre), newTo: int32(nEnd)})
	} else {
		ops, capped, err = alignTokens(ctx, deadline, old, new, pre, oEnd, nEnd, on, nn, lead)
		if err != nil {
			return nil, "", err
		}
	}
	if suf > 0 {
		ops = append(ops, tokenOp{equal: true, oldFrom: int32(oEnd), oldTo: int32(len(old)), newFrom: int32(nEnd), newTo: int32(len(new))})
	}
	return tokenHunks(old, new, mergeEqual(ops)), capped, nil
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

// alignTokens runs the sequence engine over the tokens of old[from:oEnd]
// and new[from:nEnd], on and nn of them (from countTokens), and returns
// lead followed by the runs in order, with room for one more. capped is
// set when the deadline passed, err when ctx ended.
//
// Token offsets are not kept: the ids are interned straight from a scan,
// and the runs' offsets come from a second scan in step with the change
// marks. Keeping them would cost 4 bytes a token on each side for the
// whole alignment.
func alignTokens(ctx context.Context, deadline time.Time, old, new []byte, from, oEnd, nEnd, on, nn int, lead []tokenOp) (ops []tokenOp, capped string, err error) {
	if on == 0 || nn == 0 {
		// A pure insertion or deletion (an injected snippet): one changed
		// run, as the engine would find, without interning anything.
		ops = make([]tokenOp, len(lead), len(lead)+2)
		copy(ops, lead)
		return append(ops, tokenOp{oldFrom: int32(from), oldTo: int32(oEnd), newFrom: int32(from), newTo: int32(nEnd)}), "", nil
	}
	// 1-5% of the tokens of a minified pair are distinct; a short region
	// has at most as many distinct tokens as tokens.
	in := newInterner(max((on+nn)/128, min(on+nn, 64)))
	ab := make([]int32, on+nn)
	a, b := ab[:on:on], ab[on:]
	for k, i := 0, from; i < oEnd; k++ {
		end := tokenEnd(old, i, oEnd)
		a[k] = in.id(bstr(old[i:end]))
		i = end
	}
	for k, j := 0, from; j < nEnd; k++ {
		end := tokenEnd(new, j, nEnd)
		b[k] = in.id(bstr(new[j:end]))
		j = end
	}
	e := newEngine(ctx, a, b, in.len(), deadline)
	e.run()
	if e.err != nil {
		return nil, "", e.err
	}
	if e.stopped {
		capped = "token diff stopped at the time limit; the rest of the changed region is shown as whole blocks"
	}

	// Walk the marks twice, counting the runs and then writing them: a
	// rebuilt bundle has hundreds of thousands. oOff and nOff are the
	// offsets of tokens i and j.
	n := 0
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			ops = make([]tokenOp, len(lead), len(lead)+n+1) // and the suffix run
			copy(ops, lead)
		}
		i, j, oOff, nOff := 0, 0, from, from
		for i < len(a) || j < len(b) {
			op := tokenOp{oldFrom: int32(oOff), newFrom: int32(nOff)}
			if (i < len(a) && e.ca[i]) || (j < len(b) && e.cb[j]) {
				for i < len(a) && e.ca[i] {
					i++
					if pass == 1 {
						oOff = tokenEnd(old, oOff, oEnd)
					}
				}
				for j < len(b) && e.cb[j] {
					j++
					if pass == 1 {
						nOff = tokenEnd(new, nOff, nEnd)
					}
				}
			} else {
				op.equal = true
				for i < len(a) && j < len(b) && !e.ca[i] && !e.cb[j] {
					i++
					j++
					if pass == 1 {
						oOff, nOff = tokenEnd(old, oOff, oEnd), tokenEnd(new, nOff, nEnd)
					}
				}
			}
			if pass == 0 {
				n++
				continue
			}
			op.oldTo, op.newTo = int32(oOff), int32(nOff)
			ops = append(ops, op)
		}
	}
	return ops, capped, nil
}

// tokenHunks renders token runs as display hunks. Context is cut to
// tokenContextBytes on each side of a change; changed text is never cut.
// Line numbers are the true line numbers of the text shown; OldLines and
// NewLines count display lines.
func tokenHunks(old, new []byte, ops []tokenOp) []Hunk {
	// The display lines are the bulk of a token diff's result (a rebuilt
	// bundle gives hundreds of thousands), so a first pass counts them and
	// the hunks, and the second fills arrays of the exact size. All lines
	// share one backing array, cut into hunks as they close.
	r := tokenRender{old: old, new: new, counting: true}
	r.walk(ops)
	r.all = make([]Line, 0, r.nLines)
	r.hunks = make([]Hunk, 0, r.nHunks)
	r.counting = false
	r.oc, r.nc = lineCounter{data: old, line: 1}, lineCounter{data: new, line: 1}
	r.walk(ops)
	return r.hunks
}

// tokenRender walks token runs twice: counting, then filling.
type tokenRender struct {
	old, new       []byte
	counting       bool
	nLines, nHunks int
	oc, nc         lineCounter
	all            []Line
	hunks          []Hunk
	h              *Hunk
	from           int // index in all of the open hunk's first line
}

func (r *tokenRender) open() {
	if r.counting {
		r.nHunks++
		return
	}
	r.hunks = append(r.hunks, Hunk{})
	r.h = &r.hunks[len(r.hunks)-1]
	r.from = len(r.all)
}

func (r *tokenRender) close() {
	if !r.counting {
		r.h.Lines = r.all[r.from:len(r.all):len(r.all)]
	}
}

// emit adds the text old[oFrom:oTo] (Context, Del) or new[nFrom:nTo] (Add)
// as display lines, one per line of the text.
func (r *tokenRender) emit(kind LineKind, oFrom, oTo, nFrom, nTo int) {
	var text string
	if kind == Add {
		text = bstr(r.new[nFrom:nTo])
	} else {
		text = bstr(r.old[oFrom:oTo])
	}
	if r.counting {
		// As many lines as the loop below makes: one per "\n", the last
		// one only if text goes on after it.
		r.nLines++
		if len(text) > 0 {
			r.nLines += strings.Count(text[:len(text)-1], "\n")
		}
		return
	}
	var oNo, nNo int
	if kind == Add {
		nNo = r.nc.at(nFrom)
	} else {
		oNo = r.oc.at(oFrom)
		if kind == Context {
			nNo = r.nc.at(nFrom)
		}
	}
	h := r.h
	if h.OldStart == 0 && h.NewStart == 0 {
		h.OldStart, h.NewStart = max(oNo, r.oc.line), max(nNo, r.nc.line)
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
		r.all = append(r.all, l)
		if !more || rest == "" {
			break
		}
		text = rest
	}
}

func (r *tokenRender) walk(ops []tokenOp) {
	old := r.old
	isOpen := false
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		if op.equal {
			continue
		}
		if !isOpen {
			r.open()
			isOpen = true
			if k > 0 {
				p := ops[k-1]
				pOldFrom, pOldTo, pNewTo := int(p.oldFrom), int(p.oldTo), int(p.newTo)
				from := snapRune(old, max(pOldFrom, pOldTo-tokenContextBytes))
				r.emit(Context, from, pOldTo, pNewTo-(pOldTo-from), pNewTo)
			}
		}
		if op.oldTo > op.oldFrom {
			r.emit(Del, int(op.oldFrom), int(op.oldTo), 0, 0)
		}
		if op.newTo > op.newFrom {
			r.emit(Add, 0, 0, int(op.newFrom), int(op.newTo))
		}
		if k+1 < len(ops) {
			nx := ops[k+1]
			nOldFrom, nOldTo, nNewFrom, nNewTo := int(nx.oldFrom), int(nx.oldTo), int(nx.newFrom), int(nx.newTo)
			if k+2 < len(ops) && nOldTo-nOldFrom <= 2*tokenContextBytes {
				// The next change is close: keep the whole gap and go on.
				r.emit(Context, nOldFrom, nOldTo, nNewFrom, nNewTo)
				k++
				continue
			}
			to := snapRune(old, min(nOldTo, nOldFrom+tokenContextBytes))
			r.emit(Context, nOldFrom, to, nNewFrom, nNewFrom+(to-nOldFrom))
			k++
		}
		r.close()
		isOpen = false
	}
	if isOpen {
		r.close()
	}
}

// snapRune moves off back to the start of the UTF-8 sequence it falls in.
func snapRune(data []byte, off int) int {
	for k := 0; k < utf8.UTFMax && off > 0 && off < len(data) && !utf8.RuneStart(data[off]); k++ {
		off--
	}
	return off
}
