package diff

import (
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Span is a byte range [Start, End) of a line.
type Span struct{ Start, End int }

const (
	// tokenRuneBase keeps token runes clear of control characters.
	tokenRuneBase = 0x100
	// wordSpanMax: longer lines get no word-level highlighting; a whole
	// line highlight says as much and costs nothing.
	wordSpanMax = 2000
	// maxWordDistance is the share of changed bytes above which two lines
	// are too dissimilar for word highlights to help (delta uses 0.6).
	maxWordDistance = 0.6
)

// WordSpans returns the changed byte ranges of a removed line and of the
// added line paired with it, computed on demand for display. Words are the
// token diff's tokens (runs of word bytes, runs of whitespace, single
// punctuation), so spans never split a UTF-8 sequence. It returns nil, nil
// for identical lines, for lines over 2,000 bytes, and for lines so
// different (over 60% of their bytes changed) that highlighting would be
// noise.
func WordSpans(oldLine, newLine string) (oldSpans, newSpans []Span) {
	if oldLine == newLine || len(oldLine) > wordSpanMax || len(newLine) > wordSpanMax {
		return nil, nil
	}
	ob, nb := []byte(oldLine), []byte(newLine)
	ot := tokenize(ob, 0, len(ob))
	nt := tokenize(nb, 0, len(nb))
	// go-diff on tokens: each distinct token becomes one rune (as its line
	// mode does with lines), so the diff is word-granular and cheap. Lines
	// are capped at 2,000 bytes, so the runes stay far below the surrogates.
	// The two lines share most tokens, and repeat spaces and punctuation.
	in := newInterner(max(len(ot), len(nt)))
	a := make([]rune, len(ot))
	for k := range ot {
		a[k] = tokenRuneBase + rune(in.id(tokenText(oldLine, ot, k)))
	}
	b := make([]rune, len(nt))
	for k := range nt {
		b[k] = tokenRuneBase + rune(in.id(tokenText(newLine, nt, k)))
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // bounded by wordSpanMax; deterministic
	ca, cb := make([]bool, len(a)), make([]bool, len(b))
	i, j := 0, 0
	for _, d := range dmp.DiffMainRunes(a, b, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			i, j = i+n, j+n
		case diffmatchpatch.DiffDelete:
			for ; n > 0; n-- {
				ca[i] = true
				i++
			}
		case diffmatchpatch.DiffInsert:
			for ; n > 0; n-- {
				cb[j] = true
				j++
			}
		}
	}
	oldSpans, oc := spans(ot, ca, len(oldLine))
	newSpans, nc := spans(nt, cb, len(newLine))
	if float64(oc+nc) > maxWordDistance*float64(len(oldLine)+len(newLine)) {
		return nil, nil
	}
	return oldSpans, newSpans
}

func tokenText(s string, starts []int32, k int) string {
	end := len(s)
	if k+1 < len(starts) {
		end = int(starts[k+1])
	}
	return s[starts[k]:end]
}

// spans merges adjacent changed tokens into ranges and sums their bytes.
func spans(starts []int32, changed []bool, end int) ([]Span, int) {
	var out []Span
	total := 0
	for k := 0; k < len(starts); k++ {
		if !changed[k] {
			continue
		}
		s := Span{Start: int(starts[k])}
		for k < len(starts) && changed[k] {
			k++
		}
		s.End = end
		if k < len(starts) {
			s.End = int(starts[k])
		}
		total += s.End - s.Start
		out = append(out, s)
	}
	return out, total
}

// PairLines pairs removed and added lines of a hunk for word highlighting:
// in each run of removed lines directly followed by added lines, the i-th
// removed line goes with the i-th added line. It returns index pairs into
// h.Lines, removed first.
func PairLines(h Hunk) [][2]int {
	var pairs [][2]int
	for k := 0; k < len(h.Lines); {
		if h.Lines[k].Kind != Del {
			k++
			continue
		}
		d0 := k
		for k < len(h.Lines) && h.Lines[k].Kind == Del {
			k++
		}
		a0 := k
		for k < len(h.Lines) && h.Lines[k].Kind == Add {
			k++
		}
		for x := 0; x < min(a0-d0, k-a0); x++ {
			pairs = append(pairs, [2]int{d0 + x, a0 + x})
		}
	}
	return pairs
}
