package diff

import (
	"context"
	"time"
)

// Span is a byte range [Start, End) of a line.
type Span struct{ Start, End int }

const (
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
	ot := tokenize(nil, ob, 0, len(ob), len(ob))
	nt := tokenize(nil, nb, 0, len(nb), len(nb))
	in := newInterner(len(ot) + len(nt))
	a := make([]int32, len(ot))
	for k := range ot {
		a[k] = in.id(tokenText(oldLine, ot, k))
	}
	b := make([]int32, len(nt))
	for k := range nt {
		b[k] = in.id(tokenText(newLine, nt, k))
	}
	e := newEngine(context.Background(), a, b, len(in.ids), time.Time{})
	e.run()
	oldSpans, oc := spans(ot, e.ca, len(oldLine))
	newSpans, nc := spans(nt, e.cb, len(newLine))
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
