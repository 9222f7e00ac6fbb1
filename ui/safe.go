package ui

// This file is the one place where untrusted text (file contents, package
// names, actors, registry messages) is made safe for the terminal; it is a
// thin adapter over internal/termsafe so every caller in ui uses the same
// rules.

import (
	"github.com/stagegate/stagegate/internal/termsafe"
)

// safeText renders untrusted single-line text: every control byte, escape
// sequence introducer, invalid byte, bidi control and invisible character
// (tabs and newlines included) becomes a visible token.
func safeText(s string) string {
	out, _ := termsafe.Line(s, 0)
	return out
}

// safeCell is safeText cut to at most maxCols terminal columns with a
// bare "…": table cells are too narrow for termsafe's "(+N chars)" note.
func safeCell(s string, maxCols int) string {
	return cut(safeText(s), maxCols)
}

// safeSegments is safeText split into plain runs and tokens, so the diff
// pane can show tokens in reverse video: an escape sequence hidden in a
// tarball must stand out, not blend into the code around it.
func safeSegments(s string) []termsafe.Segment {
	segs, _ := termsafe.LineSegments(s, 0)
	return segs
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
