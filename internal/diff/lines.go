package diff

import (
	"bytes"
	"unsafe"
)

// lineIndex returns the start offsets of the lines of data, plus a final
// len(data): line k is data[starts[k]:starts[k+1]], its "\n" included. As in
// git and wc, lines are "\n"-terminated, "\r" is content, and a last line
// without "\n" still counts as a line (distinct from the same text with a
// newline, so that adding a final newline changes that line).
func lineIndex(data []byte) []int32 {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	starts := make([]int32, 0, n+1)
	for off := 0; off < len(data); {
		starts = append(starts, int32(off))
		k := bytes.IndexByte(data[off:], '\n')
		if k < 0 {
			off = len(data)
		} else {
			off += k + 1
		}
	}
	return append(starts, int32(len(data)))
}

// countLines is the number of lines of data as git counts them.
func countLines(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// bstr views b as a string without copying. Package data is never modified
// after it is read, so the strings of a Result alias it instead of doubling
// the memory of a review.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// lineText returns line k without its "\n" and whether it lacked one.
func lineText(data []byte, starts []int32, k int) (string, bool) {
	l := data[starts[k]:starts[k+1]]
	if len(l) > 0 && l[len(l)-1] == '\n' {
		return bstr(l[:len(l)-1]), false
	}
	return bstr(l), true
}

// sideLines gives hunk building access to one side's lines.
type sideLines struct {
	data   []byte
	starts []int32
}

func (s sideLines) n() int { return len(s.starts) - 1 }

// buildHunks turns change marks into unified-diff hunks with ctxLines of
// context. Within a run of changes, removed lines come before added ones,
// as in git. Hunk starts follow the unified format: for an empty side the
// start is the line before the change (0 at the top of the file).
func buildHunks(old, new sideLines, ca, cb []bool, ctxLines int) []Hunk {
	type change struct{ i0, i1, j0, j1 int } // old [i0,i1), new [j0,j1)
	var changes []change
	n, m := len(ca), len(cb)
	for i, j := 0, 0; i < n || j < m; {
		if (i < n && ca[i]) || (j < m && cb[j]) {
			c := change{i0: i, j0: j}
			for i < n && ca[i] {
				i++
			}
			for j < m && cb[j] {
				j++
			}
			c.i1, c.j1 = i, j
			changes = append(changes, c)
			continue
		}
		i++
		j++
	}
	if len(changes) == 0 {
		return nil
	}

	var hunks []Hunk
	for k := 0; k < len(changes); {
		// Extend the hunk while the next change is within 2*ctx lines.
		end := k
		for end+1 < len(changes) && changes[end+1].i0-changes[end].i1 <= 2*ctxLines {
			end++
		}
		first, last := changes[k], changes[end]
		lead := min(ctxLines, first.i0)
		trail := min(ctxLines, n-last.i1)
		i, j := first.i0-lead, first.j0-lead
		iEnd := last.i1 + trail

		h := Hunk{OldStart: i + 1, NewStart: j + 1}
		size := (iEnd - i) + (last.j1 - first.j0)
		h.Lines = make([]Line, 0, size)
		ctxLine := func() {
			t, noEOL := lineText(new.data, new.starts, j)
			h.Lines = append(h.Lines, Line{Kind: Context, OldNo: i + 1, NewNo: j + 1, Text: t, NoNewline: noEOL})
			i++
			j++
		}
		for c := k; c <= end; c++ {
			ch := changes[c]
			for i < ch.i0 {
				ctxLine()
			}
			for ; i < ch.i1; i++ {
				t, noEOL := lineText(old.data, old.starts, i)
				h.Lines = append(h.Lines, Line{Kind: Del, OldNo: i + 1, Text: t, NoNewline: noEOL})
			}
			for ; j < ch.j1; j++ {
				t, noEOL := lineText(new.data, new.starts, j)
				h.Lines = append(h.Lines, Line{Kind: Add, NewNo: j + 1, Text: t, NoNewline: noEOL})
			}
		}
		for i < iEnd {
			ctxLine()
		}
		h.OldLines = iEnd - (h.OldStart - 1)
		h.NewLines = j - (h.NewStart - 1)
		if h.OldLines == 0 {
			h.OldStart--
		}
		if h.NewLines == 0 {
			h.NewStart--
		}
		hunks = append(hunks, h)
		k = end + 1
	}
	return hunks
}

// wholeFileHunk is the single hunk of an added (or removed) text file.
func wholeFileHunk(s sideLines, kind LineKind) []Hunk {
	n := s.n()
	if n == 0 {
		return nil
	}
	h := Hunk{Lines: make([]Line, n)}
	for k := 0; k < n; k++ {
		t, noEOL := lineText(s.data, s.starts, k)
		l := Line{Kind: kind, Text: t, NoNewline: noEOL}
		if kind == Add {
			l.NewNo = k + 1
		} else {
			l.OldNo = k + 1
		}
		h.Lines[k] = l
	}
	if kind == Add {
		h.NewStart, h.NewLines = 1, n
	} else {
		h.OldStart, h.OldLines = 1, n
	}
	return []Hunk{h}
}
