// Package termsafe is the one path by which untrusted text (file bodies,
// paths, package names, registry metadata) becomes terminal text.
//
// Nothing that a terminal interprets survives: every C0 control except
// tab and newline, DEL, C1 controls and invalid UTF-8 become visible
// tokens, so no escape sequence (ESC, CSI, OSC…) can reach the terminal.
// Characters that change how text looks without being seen (bidi
// controls, zero-width characters, tag characters, stray variation
// selectors and other invisible format characters) become visible markers.
//
// Notation (one per class, all distinct from ordinary source text):
//
//	C0 controls, DEL    Unicode control pictures: ESC → ␛, BS → ␈, CR → ␍, NUL → ␀, DEL → ␡
//	                    (and, in single-line mode, LF → ␊ and TAB → ␉)
//	invalid UTF-8 byte  \xNN (lower-case hex)
//	C1 controls         ⟦U+009B CSI⟧
//	bidi, zero-width,   ⟦U+202E RLO⟧, ⟦U+200B ZWSP⟧, ⟦U+FE0F VS16⟧, ⟦U+00AD SHY⟧,
//	invisible, BOM      ⟦U+FEFF BOM⟧ (at offset 0; elsewhere ⟦U+FEFF ZWNBSP⟧)
//	tag characters      one marker per run, showing the ASCII they spell: ⟦TAG×3 "abc"⟧
//
// Control pictures are chosen over "\x1b" for controls because JavaScript
// source routinely contains the literal text \x1b; a real ESC byte must
// not look like that. A lone U+FE0E/U+FE0F directly after a visible
// character selects text or emoji presentation and passes through, so
// emoji render; every other variation selector is marked, since runs of
// them are a known way to smuggle invisible data.
//
// Segments exposes tokens separately so callers can style them (reverse
// video, red) while the text itself stays plain.
package termsafe

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// class is what a unit of input is, for rendering and for Scan.
type class uint8

const (
	plain     class = iota
	control         // C0 (except allowed \t, \n) and DEL
	c1              // U+0080–U+009F
	invalid         // a byte that is not valid UTF-8
	bidi            // bidirectional formatting controls
	zeroWidth       // ZWSP, ZWNJ, ZWJ, WJ, ZWNBSP
	bom             // U+FEFF at offset 0
	tag             // a run of U+E0000–E007F
	selector        // a variation selector not shown as presentation
	invisible       // other invisible or format characters
)

// mode selects which whitespace controls pass through.
type mode uint8

const (
	multiLine  mode = iota // \t and \n pass
	singleLine             // \t and \n are tokens
)

// next classifies the unit at s[i:] (i < len(s)) and returns its length
// in bytes. afterBase says whether the previous unit was a visible
// character, which a presentation selector may follow.
func next(s string, i int, m mode, afterBase bool) (n int, cls class) {
	c := s[i]
	if c < utf8.RuneSelf {
		switch {
		case c >= 0x20 && c < 0x7f:
			return 1, plain
		case (c == '\t' || c == '\n') && m == multiLine:
			return 1, plain
		}
		return 1, control
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		return 1, invalid
	case r <= 0x9f:
		return size, c1
	case r == 0xfeff:
		if i == 0 {
			return size, bom
		}
		return size, zeroWidth
	case isBidi(r):
		return size, bidi
	case r == 0x200b || r == 0x200c || r == 0x200d || r == 0x2060:
		return size, zeroWidth
	case r >= 0xe0000 && r <= 0xe007f:
		for j := i + size; j < len(s); {
			r2, size2 := utf8.DecodeRuneInString(s[j:])
			if r2 < 0xe0000 || r2 > 0xe007f {
				break
			}
			j += size2
			size = j - i
		}
		return size, tag
	case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		if (r == 0xfe0e || r == 0xfe0f) && afterBase {
			return size, plain
		}
		return size, selector
	case isInvisible(r):
		return size, invisible
	}
	return size, plain
}

func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// isInvisible covers format characters (category Cf) not classed above,
// and characters that render as nothing although not Cf: the combining
// grapheme joiner, Hangul fillers (used for invisible JS identifiers),
// Khmer inherent vowels, Mongolian selectors and the line and paragraph
// separators, which some terminals treat as line breaks.
func isInvisible(r rune) bool {
	switch r {
	case 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180f, 0x2028, 0x2029, 0x3164, 0xffa0:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// name is the short name shown in a marker, or "".
func name(r rune) string {
	switch r {
	case 0x80:
		return "PAD"
	case 0x81:
		return "HOP"
	case 0x82:
		return "BPH"
	case 0x83:
		return "NBH"
	case 0x84:
		return "IND"
	case 0x85:
		return "NEL"
	case 0x86:
		return "SSA"
	case 0x87:
		return "ESA"
	case 0x88:
		return "HTS"
	case 0x89:
		return "HTJ"
	case 0x8a:
		return "VTS"
	case 0x8b:
		return "PLD"
	case 0x8c:
		return "PLU"
	case 0x8d:
		return "RI"
	case 0x8e:
		return "SS2"
	case 0x8f:
		return "SS3"
	case 0x90:
		return "DCS"
	case 0x91:
		return "PU1"
	case 0x92:
		return "PU2"
	case 0x93:
		return "STS"
	case 0x94:
		return "CCH"
	case 0x95:
		return "MW"
	case 0x96:
		return "SPA"
	case 0x97:
		return "EPA"
	case 0x98:
		return "SOS"
	case 0x99:
		return "SGCI"
	case 0x9a:
		return "SCI"
	case 0x9b:
		return "CSI"
	case 0x9c:
		return "ST"
	case 0x9d:
		return "OSC"
	case 0x9e:
		return "PM"
	case 0x9f:
		return "APC"
	case 0x00ad:
		return "SHY"
	case 0x034f:
		return "CGJ"
	case 0x061c:
		return "ALM"
	case 0x115f, 0x1160, 0x3164, 0xffa0:
		return "HANGUL FILLER"
	case 0x180e:
		return "MVS"
	case 0x200b:
		return "ZWSP"
	case 0x200c:
		return "ZWNJ"
	case 0x200d:
		return "ZWJ"
	case 0x200e:
		return "LRM"
	case 0x200f:
		return "RLM"
	case 0x2028:
		return "LSEP"
	case 0x2029:
		return "PSEP"
	case 0x202a:
		return "LRE"
	case 0x202b:
		return "RLE"
	case 0x202c:
		return "PDF"
	case 0x202d:
		return "LRO"
	case 0x202e:
		return "RLO"
	case 0x2060:
		return "WJ"
	case 0x2061:
		return "FUNCTION APPLICATION"
	case 0x2062:
		return "INVISIBLE TIMES"
	case 0x2063:
		return "INVISIBLE SEPARATOR"
	case 0x2064:
		return "INVISIBLE PLUS"
	case 0x2066:
		return "LRI"
	case 0x2067:
		return "RLI"
	case 0x2068:
		return "FSI"
	case 0x2069:
		return "PDI"
	case 0xfeff:
		return "ZWNBSP"
	}
	return ""
}

const (
	hexDigits = "0123456789abcdef"
	hexUpper  = "0123456789ABCDEF"
)

// appendCodePoint appends r in U+ notation digits: upper-case hex, at least four.
func appendCodePoint(dst []byte, r rune) []byte {
	digits := 4
	for v := r >> 16; v > 0; v >>= 4 {
		digits++
	}
	for k := digits - 1; k >= 0; k-- {
		dst = append(dst, hexUpper[(r>>(4*k))&0xf])
	}
	return dst
}

// isBase reports whether the unit s[i:i+n] of class cls is a visible
// character that a presentation selector may follow.
func isBase(s string, i, n int, cls class) bool {
	if cls != plain {
		return false
	}
	c := s[i]
	if c < utf8.RuneSelf {
		return c > ' '
	}
	// U+FE0E and U+FE0F are EF B8 8E and EF B8 8F: a selector is not a base.
	return !(n == 3 && c == 0xef && s[i+1] == 0xb8 && (s[i+2] == 0x8e || s[i+2] == 0x8f))
}

// appendToken appends the visible token for the non-plain unit s[i:i+n].
func appendToken(dst []byte, s string, i, n int, cls class) []byte {
	switch cls {
	case control:
		c := s[i]
		if c == 0x7f {
			return append(dst, "␡"...)
		}
		// U+2400 + c, encoded directly: E2 90 80+c.
		return append(dst, 0xe2, 0x90, 0x80+c)
	case invalid:
		return append(dst, '\\', 'x', hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
	case tag:
		return appendTags(dst, s[i:i+n])
	case bom:
		return append(dst, "⟦U+FEFF BOM⟧"...)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	dst = append(dst, "⟦U+"...)
	dst = appendCodePoint(dst, r)
	switch {
	case cls == selector && r <= 0xfe0f:
		dst = append(dst, " VS"...)
		dst = strconv.AppendInt(dst, int64(r-0xfe00+1), 10)
	case cls == selector:
		dst = append(dst, " VS"...)
		dst = strconv.AppendInt(dst, int64(r-0xe0100+17), 10)
	case name(r) != "":
		dst = append(dst, ' ')
		dst = append(dst, name(r)...)
	}
	return append(dst, "⟧"...)
}

// appendTags renders a run of tag characters with the ASCII they encode,
// which reveals "ASCII smuggling" of hidden instructions.
func appendTags(dst []byte, run string) []byte {
	dst = append(dst, "⟦TAG×"...)
	dst = strconv.AppendInt(dst, int64(utf8.RuneCountInString(run)), 10)
	dst = append(dst, " \""...)
	for _, r := range run {
		c := r - 0xe0000
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, byte(c))
		} else {
			dst = append(dst, '?')
		}
	}
	return append(dst, "\"⟧"...)
}

// safePrefix returns the length of the longest prefix of s that renders
// unchanged, and whether its last unit is a visible character.
func safePrefix(s string, m mode) (int, bool) {
	i, afterBase := 0, false
	for i < len(s) {
		c := s[i]
		if c > 0x20 && c < 0x7f {
			i++
			afterBase = true
			continue
		}
		n, cls := next(s, i, m, afterBase)
		if cls != plain {
			return i, afterBase
		}
		afterBase = isBase(s, i, n, cls)
		i += n
	}
	return i, afterBase
}

// appendSafe appends the rendering of s[start:] to dst.
func appendSafe(dst []byte, s string, start int, m mode, afterBase bool) []byte {
	for i := start; i < len(s); {
		c := s[i]
		if c > 0x20 && c < 0x7f {
			dst = append(dst, c)
			i++
			afterBase = true
			continue
		}
		n, cls := next(s, i, m, afterBase)
		if cls == plain {
			dst = append(dst, s[i:i+n]...)
		} else {
			dst = appendToken(dst, s, i, n, cls)
		}
		afterBase = isBase(s, i, n, cls)
		i += n
	}
	return dst
}

func render(s string, m mode) string {
	i, afterBase := safePrefix(s, m)
	if i == len(s) {
		return s // the common case: no allocation
	}
	dst := make([]byte, 0, len(s)+32)
	dst = append(dst, s[:i]...)
	return string(appendSafe(dst, s, i, m, afterBase))
}

// String renders multi-line untrusted text: tabs and newlines pass, every
// other control, invalid byte and invisible character becomes a token.
// It returns s itself when nothing needs escaping.
func String(s string) string { return render(s, multiLine) }

// Segment is a run of rendered text. Token marks text produced by
// termsafe (an escaped character, or Line's truncation note), never
// content, so it can be styled distinctly.
type Segment struct {
	Text  string
	Token bool
}

// Segments is String split into plain runs and tokens; the concatenation
// of the Texts equals String(s).
func Segments(s string) []Segment { return segments(s, multiLine) }

func segments(s string, m mode) []Segment {
	var out []Segment
	start, afterBase := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		n, cls := 1, plain
		if c < 0x20 || c >= 0x7f {
			n, cls = next(s, i, m, afterBase)
		}
		if cls == plain {
			afterBase = isBase(s, i, n, cls)
			i += n
			continue
		}
		if start < i {
			out = append(out, Segment{Text: s[start:i]})
		}
		out = append(out, Segment{Text: string(appendToken(nil, s, i, n, cls)), Token: true})
		afterBase = false
		i += n
		start = i
	}
	if start < len(s) {
		out = append(out, Segment{Text: s[start:]})
	}
	return out
}
