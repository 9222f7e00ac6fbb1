package ui

import "github.com/stagegate/stagegate/internal/diff"

// span is a byte range [start, end) of a line that is drawn differently.
type span struct {
	start, end int
	cls        uint8
}

const (
	clsNone  uint8 = iota
	clsWord        // a changed word inside a changed line
	clsMatch       // a search match
)

// wordSpans returns the changed words of a removed line (old) and the added
// line it pairs with (new), or nil, nil when the lines are too long or too
// different for word highlights to help. internal/diff owns the rule.
func wordSpans(old, new string) (oldSpans, newSpans []span) {
	o, n := diff.WordSpans(old, new)
	return toSpans(o), toSpans(n)
}

func toSpans(in []diff.Span) []span {
	if len(in) == 0 {
		return nil
	}
	out := make([]span, len(in))
	for i, s := range in {
		out[i] = span{start: s.Start, end: s.End, cls: clsWord}
	}
	return out
}

// matchSpans returns the non-overlapping occurrences of q in s, ignoring
// ASCII case when q has no upper-case letter (smart case).
func matchSpans(s, q string) []span {
	if q == "" || len(q) > len(s) {
		return nil
	}
	fold := true
	for i := 0; i < len(q); i++ {
		if q[i] >= 'A' && q[i] <= 'Z' {
			fold = false
			break
		}
	}
	var out []span
	for i := 0; i+len(q) <= len(s); {
		if hasPrefixAt(s, q, i, fold) {
			out = append(out, span{start: i, end: i + len(q), cls: clsMatch})
			i += len(q)
			continue
		}
		i++
	}
	return out
}

func hasPrefixAt(s, q string, i int, fold bool) bool {
	for k := 0; k < len(q); k++ {
		c := s[i+k]
		if fold && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != q[k] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains q under matchSpans' rule.
func containsFold(s, q string) bool {
	if q == "" || len(q) > len(s) {
		return false
	}
	fold := true
	for i := 0; i < len(q); i++ {
		if q[i] >= 'A' && q[i] <= 'Z' {
			fold = false
			break
		}
	}
	for i := 0; i+len(q) <= len(s); i++ {
		if hasPrefixAt(s, q, i, fold) {
			return true
		}
	}
	return false
}
