package ui

// This file is the one place where untrusted text (file contents, package
// names, actors, registry messages) is made safe for the terminal. Every
// other file calls these functions, so switching to internal/termsafe is one
// edit here.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// safeText returns s with every control byte, escape sequence introducer,
// invalid byte, bidi control and invisible character replaced by a visible
// token, so it can be written to a terminal and shows what is really there.
func safeText(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, "\\x%02X", s[i])
			i++
			continue
		}
		b.WriteString(runeToken(r))
		i += n
	}
	return b.String()
}

// safeCell is safeText cut to at most maxCols terminal columns, with "…"
// when something was cut.
func safeCell(s string, maxCols int) string {
	if maxCols <= 0 {
		return ""
	}
	t := safeText(s)
	if ansi.StringWidth(t) <= maxCols {
		return t
	}
	return ansi.Truncate(t, maxCols, "…")
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

// runeToken returns r itself when it is harmless, else its visible token.
func runeToken(r rune) string {
	switch {
	case r < 0x20:
		// C0 controls as Unicode control pictures (␛ for ESC, ␉ for tab).
		return string(rune(0x2400 + r))
	case r == 0x7f:
		return "␡"
	case r >= 0x80 && r <= 0x9f:
		return fmt.Sprintf("<U+%04X>", r)
	case isInvisible(r):
		return fmt.Sprintf("<U+%04X>", r)
	}
	return string(r)
}

// isInvisible reports characters that change how text reads without being
// seen: bidi controls, zero-width characters, tag characters, line and
// paragraph separators, the BOM.
func isInvisible(r rune) bool {
	switch {
	case r == 0x061c, r == 0x180e:
		return true
	case r >= 0x200b && r <= 0x200f:
		return true
	case r >= 0x2028 && r <= 0x202e:
		return true
	case r >= 0x2060 && r <= 0x206f:
		return true
	case r == 0xfeff:
		return true
	case r >= 0xfff9 && r <= 0xfffb:
		return true
	case r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}
