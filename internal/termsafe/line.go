package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Line renders untrusted single-line text (a path, a name, an actor, a
// diff line): like String, but newlines and tabs are tokens too (expand
// tabs first with ExpandTabs where alignment matters). With maxCols > 0
// the result is at most maxCols terminal columns wide: longer text is cut
// at a character boundary and ends with a note "…(+N chars)", where
// N = cut is the number of input characters not shown (an invalid byte
// counts as one). Widths are measured per grapheme cluster as lipgloss
// measures them; when maxCols is too narrow for the note, a bare "…" ends
// the text.
func Line(s string, maxCols int) (out string, cut int) {
	if maxCols <= 0 || len(s) <= maxCols {
		if isPlainASCII(s) {
			return s, 0
		}
	}
	end, note, cut := fit(s, maxCols)
	if end == len(s) {
		return render(s, singleLine), 0
	}
	i, afterBase := safePrefix(s[:end], singleLine)
	dst := make([]byte, 0, end+end/4+32)
	dst = append(dst, s[:i]...)
	dst = appendSafe(dst, s[:end], i, singleLine, afterBase)
	return string(appendNote(dst, note, cut)), cut
}

// appendNote appends the truncation note for cut characters.
func appendNote(dst []byte, note noteKind, cut int) []byte {
	if note == bareEllipsis {
		return append(dst, "…"...)
	}
	dst = append(dst, "…(+"...)
	dst = strconv.AppendInt(dst, int64(cut), 10)
	return append(dst, " chars)"...)
}

type noteKind uint8

const (
	noNote noteKind = iota
	bareEllipsis
	countNote
)

// LineSegments is Line split like Segments; the truncation note, if any,
// is the last segment, marked as a token.
func LineSegments(s string, maxCols int) (segs []Segment, cut int) {
	end, note, cut := fit(s, maxCols)
	segs = segments(s[:end], singleLine)
	if note != noNote {
		segs = append(segs, Segment{Text: string(appendNote(nil, note, cut)), Token: true})
	}
	return segs, cut
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// fit walks s as Line renders it and returns the byte offset where the
// shown content ends, the kind of note to append, and how many characters
// were cut. end == len(s) means everything fits.
func fit(s string, maxCols int) (end int, note noteKind, cut int) {
	if maxCols <= 0 {
		return len(s), noNote, 0
	}
	// Room for the note: len(s) bounds the character count from above,
	// so its digits bound the note's width without a counting pass.
	reserve := noteWidth(len(s))
	useNote := maxCols > reserve
	budget := maxCols - 1 // for a bare "…"
	if useNote {
		budget = maxCols - reserve
	}
	w, fitEnd := 0, 0
	var tmp [64]byte
	forEachCell(s, singleLine, tmp[:0], func(e, uw int) bool {
		if w+uw > maxCols {
			return false
		}
		w += uw
		if w <= budget {
			fitEnd = e
		}
		end = e
		return true
	})
	if end == len(s) {
		return len(s), noNote, 0
	}
	cut = utf8.RuneCountInString(s[fitEnd:])
	if !useNote {
		return fitEnd, bareEllipsis, cut
	}
	return fitEnd, countNote, cut
}

func noteWidth(n int) int {
	return len("…(+ chars)") - len("…") + 1 + len(strconv.Itoa(n))
}

// forEachCell calls f with the end offset and display width of each
// display unit of s in order (a grapheme cluster of plain text, or one
// token) until f returns false. tmp is scratch space for tokens.
func forEachCell(s string, m mode, tmp []byte, f func(end, width int) bool) {
	afterBase := false
	runEnd, state := 0, -1 // s[i:runEnd] is known to be plain text
	for i := 0; i < len(s); {
		c := s[i]
		// Fast path: printable ASCII not followed by a combining character.
		if c >= 0x20 && c < 0x7f && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
			if !f(i+1, 1) {
				return
			}
			afterBase = c != ' '
			i++
			state = -1
			continue
		}
		if i >= runEnd {
			n, cls := next(s, i, m, afterBase)
			if cls != plain {
				tok := appendToken(tmp[:0], s, i, n, cls)
				if !f(i+n, utf8.RuneCount(tok)) {
					return
				}
				afterBase = false
				i += n
				continue
			}
			// Extend the plain run so grapheme clusters are measured whole.
			j, ab := i+n, isBase(s, i, n, cls)
			for j < len(s) {
				n2, cls2 := next(s, j, m, ab)
				if cls2 != plain {
					break
				}
				ab = isBase(s, j, n2, cls2)
				j += n2
			}
			runEnd, state = j, -1
		}
		cluster, _, width, st := uniseg.FirstGraphemeClusterInString(s[i:runEnd], state)
		state = st
		if c == '\t' || c == '\n' { // only in multi-line mode; callers handle them
			width = 0
		}
		if !f(i+len(cluster), width) {
			return
		}
		last, size := utf8.DecodeLastRuneInString(cluster)
		afterBase = isBase(cluster, len(cluster)-size, size, plain) && last != ' '
		i += len(cluster)
	}
}

// ExpandTabs replaces each tab with spaces up to the next multiple of
// width columns (8 when width <= 0), counting columns as String or Line
// will display the text (a token is as wide as its rendering) and
// restarting at each newline. Other characters are left for String or
// Line to sanitize.
func ExpandTabs(s string, width int) string {
	if strings.IndexByte(s, '\t') < 0 {
		return s
	}
	if width <= 0 {
		width = 8
	}
	var b strings.Builder
	b.Grow(len(s) + 4*width)
	col, start := 0, 0
	var tmp [64]byte
	forEachCell(s, multiLine, tmp[:0], func(e, w int) bool {
		switch s[e-1] {
		case '\t':
			b.WriteString(s[start : e-1])
			pad := width - col%width
			b.WriteString(strings.Repeat(" ", pad))
			col += pad
			start = e
			return true
		case '\n':
			col = 0
			return true
		}
		col += w
		return true
	})
	b.WriteString(s[start:])
	return b.String()
}
