package signals

import (
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// This file resolves an npm dependency spec (a semver range or a dist-tag)
// to the version npm would install from a package's published versions,
// as npm-pick-manifest does: the latest tag when it satisfies the range,
// else the highest satisfying version. Prereleases match only a range that
// names them. It covers the grammar real manifests use (x-ranges, ^, ~,
// comparators, hyphen ranges, ||); anything else resolves to nothing.

// resolveSpec returns the version spec resolves to, or "".
func resolveSpec(spec string, versions map[string]VersionFacts, tags map[string]string) string {
	spec = strings.TrimSpace(spec)
	if v, ok := tags[spec]; ok && spec != "" {
		if _, pub := versions[v]; pub {
			return v
		}
		return ""
	}
	sets, ok := parseRange(spec)
	if !ok {
		return ""
	}
	if l, ok := tags["latest"]; ok {
		if _, pub := versions[l]; pub && satisfies(l, sets) {
			return l
		}
	}
	best := ""
	for v := range versions {
		if satisfies(v, sets) && (best == "" || semver.Compare("v"+v, "v"+best) > 0) {
			best = v
		}
	}
	return best
}

// bound is one comparator: op is one of ">=", ">", "<=", "<", "=".
type bound struct {
	op, v string // v canonical, with a leading "v"
}

// satisfies reports whether v is in any of the comparator sets.
func satisfies(v string, sets [][]bound) bool {
	cv := "v" + v
	if !semver.IsValid(cv) {
		return false
	}
	pre := semver.Prerelease(cv) != ""
	for _, set := range sets {
		ok := true
		named := false
		for _, b := range set {
			c := semver.Compare(cv, b.v)
			switch b.op {
			case ">=":
				ok = ok && c >= 0
			case ">":
				ok = ok && c > 0
			case "<=":
				ok = ok && c <= 0
			case "<":
				ok = ok && c < 0
			case "=":
				ok = ok && c == 0
			}
			if pre && semver.Prerelease(b.v) != "" && semver.Prerelease(b.v) != "-0" &&
				strings.SplitN(b.v, "-", 2)[0] == strings.SplitN(cv, "-", 2)[0] {
				named = true
			}
		}
		if ok && (!pre || named) {
			return true
		}
	}
	return false
}

// parseRange turns a range into comparator sets (an OR of ANDs).
func parseRange(r string) ([][]bound, bool) {
	var sets [][]bound
	for _, part := range strings.Split(r, "||") {
		part = strings.TrimSpace(part)
		var set []bound
		if a, b, ok := strings.Cut(part, " - "); ok {
			lo, ok1 := parsePartial(strings.TrimSpace(a))
			hi, ok2 := parsePartial(strings.TrimSpace(b))
			if !ok1 || !ok2 {
				return nil, false
			}
			set = append(set, bound{">=", lo.floor()})
			set = append(set, hi.upper(true)...)
			sets = append(sets, set)
			continue
		}
		// Join operators separated from their version by spaces (">= 1.2").
		fields := strings.Fields(part)
		var words []string
		for i := 0; i < len(fields); i++ {
			f := fields[i]
			if strings.Trim(f, "<>=^~") == "" && i+1 < len(fields) {
				f += fields[i+1]
				i++
			}
			words = append(words, f)
		}
		if len(words) == 0 {
			words = []string{"*"}
		}
		for _, w := range words {
			bs, ok := comparator(w)
			if !ok {
				return nil, false
			}
			set = append(set, bs...)
		}
		sets = append(sets, set)
	}
	return sets, len(sets) > 0
}

// partial is a version with possibly missing (wildcard) parts.
type partial struct {
	n   [3]int
	set int // how many of major, minor, patch are given
	pre string
}

func parsePartial(s string) (partial, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	var p partial
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		p.pre = s[i:]
		s = s[:i]
	}
	if s == "" || s == "*" || s == "x" || s == "X" {
		return p, p.pre == ""
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return p, false
	}
	for i, x := range parts {
		if x == "*" || x == "x" || x == "X" {
			break
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 {
			return p, false
		}
		p.n[i] = n
		p.set = i + 1
	}
	if p.set < 3 && p.pre != "" {
		return p, false
	}
	return p, true
}

func ver(a, b, c int, pre string) string {
	return "v" + strconv.Itoa(a) + "." + strconv.Itoa(b) + "." + strconv.Itoa(c) + pre
}

// floor is the lowest version the partial covers.
func (p partial) floor() string { return ver(p.n[0], p.n[1], p.n[2], p.pre) }

// next is the first version above everything the partial covers.
func (p partial) next() string {
	switch p.set {
	case 1:
		return ver(p.n[0]+1, 0, 0, "-0")
	case 2:
		return ver(p.n[0], p.n[1]+1, 0, "-0")
	}
	return ""
}

// upper bounds a partial from above: inclusive means "<= p".
func (p partial) upper(inclusive bool) []bound {
	switch {
	case p.set == 0:
		return nil
	case p.set == 3 && inclusive:
		return []bound{{"<=", p.floor()}}
	case p.set == 3:
		return []bound{{"<", p.floor()}}
	case inclusive:
		return []bound{{"<", p.next()}}
	}
	return []bound{{"<", p.floor()}}
}

// comparator reads one comparator word (^1.2, ~1, >=2.0.0, 1.x, 1.2.3).
func comparator(w string) ([]bound, bool) {
	op := ""
	for _, o := range []string{">=", "<=", ">", "<", "=", "^", "~>", "~"} {
		if strings.HasPrefix(w, o) {
			op, w = o, w[len(o):]
			break
		}
	}
	p, ok := parsePartial(w)
	if !ok {
		return nil, false
	}
	lo := bound{">=", p.floor()}
	switch op {
	case "", "=":
		if p.set == 3 {
			return []bound{{"=", p.floor()}}, true
		}
		if p.set == 0 {
			return []bound{{">=", "v0.0.0-0"}}, true
		}
		return []bound{lo, {"<", p.next()}}, true
	case "^":
		switch {
		case p.set == 0:
			return []bound{{">=", "v0.0.0-0"}}, true
		case p.n[0] > 0 || p.set == 1:
			return []bound{lo, {"<", ver(p.n[0]+1, 0, 0, "-0")}}, true
		case p.n[1] > 0 || p.set == 2:
			return []bound{lo, {"<", ver(0, p.n[1]+1, 0, "-0")}}, true
		}
		return []bound{lo, {"<", ver(0, 0, p.n[2]+1, "-0")}}, true
	case "~", "~>":
		switch p.set {
		case 0:
			return []bound{{">=", "v0.0.0-0"}}, true
		case 1:
			return []bound{lo, {"<", ver(p.n[0]+1, 0, 0, "-0")}}, true
		}
		return []bound{lo, {"<", ver(p.n[0], p.n[1]+1, 0, "-0")}}, true
	case ">=":
		return []bound{lo}, true
	case ">":
		if p.set == 0 {
			return []bound{{"<", "v0.0.0-0"}}, true
		}
		if p.set < 3 {
			return []bound{{">=", p.next()}}, true
		}
		return []bound{{">", p.floor()}}, true
	case "<=":
		return p.upper(true), true
	case "<":
		if p.set == 0 {
			return []bound{{"<", "v0.0.0-0"}}, true
		}
		return []bound{{"<", p.floor()}}, true
	}
	return nil, false
}
