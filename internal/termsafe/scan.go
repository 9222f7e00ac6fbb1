package termsafe

import "unicode/utf8"

// Findings counts what String would replace in a text, for banners such
// as "3 hidden characters" and for the control-characters and
// hidden-unicode signals.
type Findings struct {
	Control   int // C0 controls other than \t and \n (so CR counts), DEL, and C1 controls
	LoneCR    int // of Control: carriage returns not followed by \n, which let text overwrite a line
	Escapes   int // of Control and Invalid: ESC and the 8-bit CSI, OSC, DCS, SOS, PM and APC introducers, which start terminal escape sequences
	Invalid   int // bytes that are not valid UTF-8
	Bidi      int // bidirectional controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C)
	ZeroWidth int // U+200B–200D, U+2060, and U+FEFF anywhere but offset 0 (a byte-order mark there is not counted)
	Tags      int // tag characters U+E0000–E007F
	Selectors int // variation selectors other than a single presentation selector after a visible character
	Invisible int // other invisible or format characters (soft hyphen, Hangul fillers, U+2028/2029, …)
}

// Hidden is the number of characters a reader cannot see.
func (f Findings) Hidden() int { return f.Bidi + f.ZeroWidth + f.Tags + f.Selectors + f.Invisible }

// Total is the number of replaced characters and bytes of every kind.
func (f Findings) Total() int { return f.Control + f.Invalid + f.Hidden() }

// Scan counts the characters of s that String replaces, by class.
func Scan(s string) Findings {
	var f Findings
	afterBase := false
	for i := 0; i < len(s); {
		c := s[i]
		if c > 0x20 && c < 0x7f {
			i++
			afterBase = true
			continue
		}
		n, cls := next(s, i, multiLine, afterBase)
		switch cls {
		case control:
			f.Control++
			switch {
			case c == 0x1b:
				f.Escapes++
			case c == '\r' && (i+1 == len(s) || s[i+1] != '\n'):
				f.LoneCR++
			}
		case c1:
			f.Control++
			r, _ := utf8.DecodeRuneInString(s[i:])
			if introducer(byte(r)) {
				f.Escapes++
			}
		case invalid:
			f.Invalid++
			if introducer(c) {
				f.Escapes++
			}
		case bidi:
			f.Bidi++
		case zeroWidth:
			f.ZeroWidth++
		case tag:
			f.Tags += utf8.RuneCountInString(s[i : i+n])
		case selector:
			f.Selectors++
		case invisible:
			f.Invisible++
		}
		afterBase = isBase(s, i, n, cls)
		i += n
	}
	return f
}

// introducer reports whether c is an 8-bit C1 code that opens a control
// string or sequence: DCS, SOS, CSI, OSC, PM, APC.
func introducer(c byte) bool {
	switch c {
	case 0x90, 0x98, 0x9b, 0x9d, 0x9e, 0x9f:
		return true
	}
	return false
}
