package jsfold

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeBody decodes the body of a string or template literal (without its
// delimiters) into dst. It reports whether an escape that changes the
// visible text (\x, \u, octal, line continuation) was seen.
func decodeBody(dst, b []byte) ([]byte, bool) {
	changed := false
	var hi rune // pending high surrogate from a \u escape
	flushHi := func() {
		if hi != 0 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			hi = 0
		}
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c != '\\' {
			flushHi()
			if c == '\r' { // template literals normalise CR and CRLF to LF
				dst = append(dst, '\n')
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
				i++
				continue
			}
			dst = append(dst, c)
			i++
			continue
		}
		i++
		if i >= len(b) {
			dst = append(dst, '\\')
			break
		}
		c = b[i]
		i++
		var r rune = -1
		switch c {
		case 'n':
			r = '\n'
		case 't':
			r = '\t'
		case 'r':
			r = '\r'
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'v':
			r = '\v'
		case '\r':
			changed = true
			if i < len(b) && b[i] == '\n' {
				i++
			}
			continue
		case '\n':
			changed = true
			continue
		case 'x':
			if i+2 <= len(b) && isHex(b[i]) && isHex(b[i+1]) {
				r = rune(unhex(b[i])<<4 | unhex(b[i+1]))
				i += 2
				changed = true
			} else {
				r = 'x'
			}
		case 'u':
			changed = true
			if i < len(b) && b[i] == '{' {
				j := i + 1
				v := 0
				for j < len(b) && isHex(b[j]) && v <= 0x10FFFF {
					v = v<<4 | int(unhex(b[j]))
					j++
				}
				if j < len(b) && b[j] == '}' && j > i+1 && v <= 0x10FFFF {
					r = rune(v)
					i = j + 1
				} else {
					r = 'u'
				}
			} else if i+4 <= len(b) && isHex(b[i]) && isHex(b[i+1]) && isHex(b[i+2]) && isHex(b[i+3]) {
				r = rune(unhex(b[i]))<<12 | rune(unhex(b[i+1]))<<8 | rune(unhex(b[i+2]))<<4 | rune(unhex(b[i+3]))
				i += 4
			} else {
				r = 'u'
			}
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 {
					flushHi()
					hi = r
					continue
				}
				if hi != 0 {
					r = utf16.DecodeRune(hi, r)
					hi = 0
				} else {
					r = utf8.RuneError
				}
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			if c == '0' && (i >= len(b) || b[i] < '0' || b[i] > '9') {
				r = 0
				break
			}
			changed = true
			for n := 1; n < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7' && v*8+int(b[i]-'0') <= 0xFF; n++ {
				v = v*8 + int(b[i]-'0')
				i++
			}
			r = rune(v)
		default:
			if c >= 0x80 {
				// Escaped non-ASCII: keep the whole rune.
				_, n := utf8.DecodeRune(b[i-1:])
				flushHi()
				dst = append(dst, b[i-1:i-1+n]...)
				i += n - 1
				continue
			}
			r = rune(c)
		}
		flushHi()
		dst = utf8.AppendRune(dst, r)
	}
	flushHi()
	return dst, changed
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends v as a single-quoted literal that stays on one line.
// Invalid UTF-8 bytes pass through: they were in the source already.
func appendQuoted(dst []byte, v string) []byte {
	dst = append(dst, '\'')
	dst = appendEscaped(dst, v, '\'')
	return append(dst, '\'')
}

// appendEscaped escapes the delimiter q, backslashes, line terminators and
// control bytes; for templates (q == '`') also "${".
func appendEscaped(dst []byte, v string, q byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == q || c == '\\':
			dst = append(dst, '\\', c)
		case c == '$' && q == '`' && i+1 < len(v) && v[i+1] == '{':
			dst = append(dst, '\\', '$')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case c == 0xE2 && i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xA8 || v[i+2] == 0xA9):
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[v[i+2]-0xA0])
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// isIdentName reports whether s can follow a '.' in a member expression.
func isIdentName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '$' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// parseNum parses a JS numeric literal that is an integer.
func parseNum(b []byte) (int64, bool) {
	s := strings.ReplaceAll(string(b), "_", "")
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base, s = 16, s[2:]
		case 'o', 'O':
			base, s = 8, s[2:]
		case 'b', 'B':
			base, s = 2, s[2:]
		}
	}
	if base == 10 && strings.HasSuffix(s, ".0") {
		s = s[:len(s)-2]
	}
	v, err := strconv.ParseInt(s, base, 64)
	return v, err == nil
}

// printable reports whether at least 80% of b is printable text.
func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	good := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
				good++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError && r >= 0xA0 {
			good += n
		}
		i += n
	}
	return good*5 >= len(b)*4
}

// decodeBase64 accepts standard and URL alphabets, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return b, err == nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// looksBase64 is the cheap shape test for standalone literals.
func looksBase64(s string) bool {
	if len(s) < 40 {
		return false
	}
	t := strings.TrimRight(s, "=")
	if len(s)-len(t) > 2 || len(t)%4 == 1 {
		return false
	}
	lower, upper := false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9' || c == '+' || c == '/':
		default:
			return false
		}
	}
	return lower && upper
}

func looksHex(s string) bool {
	if len(s) < 40 || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func decodeHex(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// variationBytes decodes the first run of at least 8 variation selectors
// in s (U+FE00..FE0F -> 0..15, U+E0100..E01EF -> 16..255).
func variationBytes(s string) []byte {
	var run []byte
	for _, r := range s {
		var v int
		switch {
		case r >= 0xFE00 && r <= 0xFE0F:
			v = int(r - 0xFE00)
		case r >= 0xE0100 && r <= 0xE01EF:
			v = int(r-0xE0100) + 16
		default:
			if len(run) >= 8 {
				return run
			}
			run = run[:0]
			continue
		}
		run = append(run, byte(v))
	}
	if len(run) >= 8 {
		return run
	}
	return nil
}

// percentDecode implements unescape/decodeURIComponent well enough to read
// an obfuscated name; it fails on anything it does not understand.
func percentDecode(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		return "", false
	}
	return string(b), true
}
