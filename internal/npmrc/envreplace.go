package npmrc

import "strings"

// envReplace is @npmcli/config's env-replace.js:
//
//	/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g
//
// ${VAR} becomes the variable's value and stays literal when VAR is unset;
// ${VAR?} becomes "" when unset. A run of backslashes before the "$" is
// halved; an odd run escapes the expression, which then stays literal.
func envReplace(f string, env map[string]string) string {
	if !strings.Contains(f, "${") {
		return f
	}
	var b strings.Builder
	i := 0    // next byte of f not yet copied
	from := 0 // where the regexp scan resumes
	for from < len(f) {
		d := strings.Index(f[from:], "${")
		if d < 0 {
			break
		}
		dollar := from + d
		// The lookbehind makes a match start at the beginning of the whole
		// backslash run before "$". The run cannot reach back past from,
		// since f[from-1] is "}" or "$" (or from is 0).
		escStart := dollar
		for escStart > from && f[escStart-1] == '\\' {
			escStart--
		}
		nameStart := dollar + 2
		j := nameStart
		for j < len(f) && !strings.ContainsRune("${}?", rune(f[j])) {
			j++
		}
		if j == nameStart || j >= len(f) {
			from = dollar + 1
			continue
		}
		name := f[nameStart:j]
		optional := false
		if f[j] == '?' {
			optional = true
			j++
		}
		if j >= len(f) || f[j] != '}' {
			from = dollar + 1
			continue
		}
		end := j + 1
		esc := f[escStart:dollar]
		b.WriteString(f[i:escStart])
		if len(esc)%2 == 1 {
			// orig.slice((esc.length + 1) / 2)
			b.WriteString(f[escStart+(len(esc)+1)/2 : end])
		} else {
			b.WriteString(esc[len(esc)/2:])
			if v, ok := env[name]; ok {
				b.WriteString(v)
			} else if !optional {
				b.WriteString("${" + name + "}")
			}
		}
		i, from = end, end
	}
	b.WriteString(f[i:])
	return b.String()
}
