package pack

import (
	"regexp"
	"strings"
)

// rule is one line of an ignore file compiled the way ignore-walk compiles it:
// minimatch with {matchBase, dot, flipNegate, nocase}. With flipNegate a
// match reports "the pattern hit", and the caller decides what negate means.
type rule struct {
	negate bool
	sets   [][]segment // one per brace expansion, each split on "/"
	raw    [][]string  // the same, as strings (ignore-walk inspects globParts)
}

// segment is one "/"-separated part of a pattern.
type segment struct {
	globstar bool           // "**"
	lit      string         // lower-cased literal when re is nil
	re       *regexp.Regexp // for parts with glob magic
}

func (s segment) match(f string) bool {
	if s.re == nil {
		return strings.EqualFold(f, s.lit) // s.lit is lower case; no allocation per test
	}
	// minimatch never lets a magic part match "." or ".." or the empty string.
	if f == "" || f == "." || f == ".." {
		return false
	}
	return s.re.MatchString(f)
}

// compileRule parses one trimmed, non-comment line. ok is false for lines that
// can never match (empty after negation), which minimatch also treats as inert.
func compileRule(line string) (*rule, bool) {
	r := &rule{}
	for strings.HasPrefix(line, "!") {
		r.negate = !r.negate
		line = line[1:]
	}
	for _, p := range expandBraces(line) {
		parts := splitSlashes(p)
		segs := make([]segment, 0, len(parts))
		for _, part := range parts {
			segs = append(segs, compileSegment(part))
		}
		r.sets = append(r.sets, segs)
		r.raw = append(r.raw, parts)
	}
	return r, len(r.sets) > 0
}

// splitSlashes splits a pattern on "/" the way minimatch's globParts do:
// runs of slashes count as one ("lib//**" is lib, **), keeping the empty
// first part of "/x" and the empty last part of "x/".
func splitSlashes(p string) []string {
	raw := strings.Split(p, "/")
	parts := raw[:0:0]
	for i, part := range raw {
		if part != "" || i == 0 || i == len(raw)-1 {
			parts = append(parts, part)
		}
	}
	return parts
}

// isRelative mirrors ignore-walk's isRelativeRule test on globParts: a pattern
// of one part, or of two parts whose last is empty ("foo/").
func (r *rule) isRelative() bool {
	for _, parts := range r.raw {
		limit := 2
		if parts[len(parts)-1] != "" {
			limit = 1
		}
		if len(parts) <= limit {
			return true
		}
	}
	return false
}

// match reports whether any expansion of the pattern hits path; partial lets a
// path that is a prefix of a possible match count, as minimatch's partial does.
func (r *rule) match(path string, partial bool) bool {
	// Split into a fixed array: rule.match runs up to ten times per rule
	// per entry, and the allocation was most of a walk's cost.
	var buf [16]string
	file := splitInto(buf[:0], path)
	base := ""
	for i := len(file) - 1; i >= 0 && base == ""; i-- {
		base = file[i]
	}
	for _, set := range r.sets {
		f := file
		if len(set) == 1 { // matchBase
			f = []string{base}
		}
		if matchOne(f, set, partial) {
			return true
		}
	}
	return false
}

// matchOne is minimatch's matchOne for dot:true.
func matchOne(file []string, pat []segment, partial bool) bool {
	fi, pi := 0, 0
	for ; fi < len(file) && pi < len(pat); fi, pi = fi+1, pi+1 {
		p := pat[pi]
		if p.globstar {
			if pi+1 == len(pat) {
				for ; fi < len(file); fi++ {
					if file[fi] == "." || file[fi] == ".." {
						return false
					}
				}
				return true
			}
			for fr := fi; fr < len(file); fr++ {
				if matchOne(file[fr:], pat[pi+1:], partial) {
					return true
				}
				if file[fr] == "." || file[fr] == ".." {
					return false
				}
			}
			return partial
		}
		if !p.match(file[fi]) {
			return false
		}
	}
	switch {
	case fi == len(file) && pi == len(pat):
		return true
	case fi == len(file):
		return partial
	default: // pattern exhausted: only a trailing slash on the file may remain
		return fi == len(file)-1 && file[fi] == ""
	}
}

// compileSegment turns one glob part into a literal or a case-insensitive regexp.
func compileSegment(part string) segment {
	if part == "**" {
		return segment{globstar: true}
	}
	var b strings.Builder
	magic := false
	for i := 0; i < len(part); i++ {
		c := part[i]
		switch c {
		case '\\':
			if i+1 < len(part) {
				i++
				b.WriteString(regexp.QuoteMeta(part[i : i+1]))
			} else {
				b.WriteString(`\\`)
			}
		case '*':
			magic = true
			for i+1 < len(part) && part[i+1] == '*' {
				i++
			}
			b.WriteString(`[^/]*`)
		case '?':
			magic = true
			b.WriteString(`[^/]`)
		case '[':
			if cls, n, ok := charClass(part[i:]); ok {
				magic = true
				b.WriteString(cls)
				i += n - 1
			} else {
				b.WriteString(`\[`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(part[i : i+1]))
		}
	}
	if !magic {
		return segment{lit: strings.ToLower(unescape(part))}
	}
	re, err := regexp.Compile(`(?is)^` + b.String() + `$`)
	if err != nil {
		// A class Go's regexp rejects: treat the part literally, as minimatch
		// treats patterns it cannot parse.
		return segment{lit: strings.ToLower(part)}
	}
	return segment{re: re}
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// charClass converts a glob bracket expression at the start of s into a
// regexp class, returning the bytes consumed.
func charClass(s string) (string, int, bool) {
	i := 1
	neg := false
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		neg = true
		i++
	}
	start := i
	var body strings.Builder
	for ; i < len(s); i++ {
		c := s[i]
		if c == ']' && i > start {
			if body.Len() == 0 {
				return "", 0, false
			}
			cls := "["
			if neg {
				cls += "^/"
			}
			return cls + body.String() + "]", i + 1, true
		}
		switch c {
		case '\\':
			if i+1 < len(s) {
				i++
				body.WriteString(regexp.QuoteMeta(s[i : i+1]))
			}
		case '-':
			body.WriteByte('-')
		case '[', '^':
			body.WriteString(`\` + string(c))
		default:
			body.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	return "", 0, false
}

// expandBraces performs brace expansion ("a{b,c}" -> "ab", "ac"), nested,
// like the brace-expansion module minimatch uses (without numeric ranges).
func expandBraces(p string) []string {
	open := -1
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				open = i
			}
			depth++
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth != 0 {
				continue
			}
			alts := splitTopLevel(p[open+1 : i])
			if len(alts) < 2 {
				// "{x}" is not an expansion; keep it and look further on.
				rest := expandBraces(p[i+1:])
				out := make([]string, 0, len(rest))
				for _, r := range rest {
					out = append(out, p[:i+1]+r)
				}
				return out
			}
			var out []string
			suffixes := expandBraces(p[i+1:])
			for _, a := range alts {
				for _, mid := range expandBraces(a) {
					for _, s := range suffixes {
						out = append(out, p[:open]+mid+s)
					}
				}
			}
			return out
		}
	}
	return []string{p}
}

// splitTopLevel splits s on commas that are not inside nested braces.
func splitTopLevel(s string) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}

// splitInto appends the "/"-separated parts of path to dst, as
// strings.Split does.
func splitInto(dst []string, path string) []string {
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(dst, path)
		}
		dst = append(dst, path[:i])
		path = path[i+1:]
	}
}
