package termsafe

import "unicode/utf8"

// Clip cuts untrusted text to at most n bytes, on a rune boundary, and
// marks the cut with "…". It bounds what registry fields and file
// excerpts cost in reports and memory; it does not make text safe to
// print (String and Line do).
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := max(n, 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
