package npmrc

import (
	"errors"
	"strings"
)

// errINIShape is returned where ini's decode() throws a TypeError or
// RangeError (a dotted section walking into null, or resizing an array),
// which makes npm fail to load the file.
var errINIShape = errors.New("section path runs into a null value or an array length")

// parseINI is ini@6 decode() with its default options, as npm reads .npmrc
// files: the result is the top-level object, sections included as nested
// objects.
func parseINI(str string) (*jsObject, error) {
	out := newNullProtoObject()
	var p any = out
	for _, line := range splitLines(str) {
		if line == "" || isCommentOrBlank(line) {
			continue
		}
		if name, ok := matchSection(line); ok {
			section := unsafeINI(name)
			if s, isStr := section.(string); isStr && s == "__proto__" {
				// ini keeps parsing but attaches the section nowhere
				p = newNullProtoObject()
				continue
			}
			key := jsString(section)
			cur, _ := out.get(key)
			if !truthy(cur) {
				cur = newNullProtoObject()
				out.set(key, cur)
			}
			p = cur
			continue
		}
		keyPart, valPart, hasEq, ok := matchKeyValue(line)
		if !ok {
			continue
		}
		keyRaw := unsafeINI(keyPart)
		ks, keyIsStr := keyRaw.(string)
		isArray := keyIsStr && utf16Len(ks) > 2 && strings.HasSuffix(ks, "[]")
		key := jsString(keyRaw)
		if isArray {
			key = strings.TrimSuffix(ks, "[]")
		}
		if key == "__proto__" {
			continue
		}
		var value any = true
		if hasEq {
			value = unsafeINI(valPart)
			if s, isStr := value.(string); isStr {
				switch s {
				case "true":
					value = true
				case "false":
					value = false
				case "null":
					value = jsNull{}
				}
			}
		}
		assignINI(p, key, value, isArray)
	}
	if err := mergeSections(out); err != nil {
		return nil, err
	}
	return out, nil
}

// utf16Len is JavaScript's s.length (UTF-16 code units).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// assignINI performs ini's array-aware assignment p[key] = value. p may be
// a primitive when a section reuses a truthy top-level value; in sloppy-mode
// JavaScript those assignments are silently dropped.
func assignINI(p any, key string, value any, isArray bool) {
	switch t := p.(type) {
	case *jsObject:
		cur, has := t.get(key)
		if isArray {
			if !has {
				cur = &jsArray{}
				t.set(key, cur)
			} else if _, ok := cur.(*jsArray); !ok {
				cur = &jsArray{elems: []any{cur}}
				t.set(key, cur)
			}
		}
		if a, ok := cur.(*jsArray); ok {
			a.elems = append(a.elems, value)
			return
		}
		t.set(key, value)
	case *jsArray:
		cur, has := arrayGet(t, key)
		if isArray {
			if !has {
				cur = &jsArray{}
				_ = arraySet(t, key, cur)
			} else if _, ok := cur.(*jsArray); !ok {
				cur = &jsArray{elems: []any{cur}}
				_ = arraySet(t, key, cur)
			}
		}
		if a, ok := cur.(*jsArray); ok {
			a.elems = append(a.elems, value)
			return
		}
		_ = arraySet(t, key, value)
	}
}

func arrayGet(a *jsArray, key string) (any, bool) {
	if key == "length" {
		return float64(len(a.elems)), true
	}
	if n, ok := arrayIndex(key); ok {
		if int(n) < len(a.elems) {
			e := a.elems[n]
			return e, e != nil
		}
		return nil, false
	}
	v, ok := a.props[key]
	return v, ok
}

// arraySet is a[key] = v. Holes are stored as nil. Assigning a non-numeric
// value to length throws a RangeError in JavaScript.
func arraySet(a *jsArray, key string, v any) error {
	if key == "length" {
		n := jsToNumber(v)
		if n < 0 || n != float64(uint32(n)) {
			return errINIShape
		}
		if int(n) <= len(a.elems) {
			a.elems = a.elems[:int(n)]
		} else {
			a.elems = append(a.elems, make([]any, int(n)-len(a.elems))...)
		}
		return nil
	}
	if n, ok := arrayIndex(key); ok && n < 1<<20 {
		for int(n) >= len(a.elems) {
			a.elems = append(a.elems, nil)
		}
		a.elems[n] = v
		return nil
	}
	if a.props == nil {
		a.props = map[string]any{}
	}
	a.props[key] = v
	return nil
}

// mergeSections is the second pass of ini's decode: {a:{y:1},"a.b":{x:2}}
// becomes {a:{y:1,b:{x:2}}}. It runs over every top-level key whose value
// has typeof 'object' (null included) except arrays.
func mergeSections(out *jsObject) error {
	var remove []string
	for _, k := range out.ordered() {
		v, has := out.get(k)
		if !has || !isJSObjectType(v) {
			continue
		}
		if _, isArr := v.(*jsArray); isArr {
			continue
		}
		parts := splitSections(k, ".")
		l := parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		nl := strings.ReplaceAll(l, `\.`, ".")
		var p any = out
		for _, part := range parts {
			if part == "__proto__" {
				continue
			}
			next, err := walkPart(p, part)
			if err != nil {
				return err
			}
			p = next
		}
		if p == any(out) && nl == l {
			continue
		}
		switch t := p.(type) {
		case *jsObject:
			t.set(nl, v)
		case *jsArray:
			if err := arraySet(t, nl, v); err != nil {
				return err
			}
		default:
			return errINIShape
		}
		remove = append(remove, k)
	}
	for _, k := range remove {
		out.del(k)
	}
	return nil
}

// walkPart is: if (!hasOwn(p, part) || typeof p[part] !== 'object')
// p[part] = {}; return p[part].
func walkPart(p any, part string) (any, error) {
	switch t := p.(type) {
	case *jsObject:
		cur, has := t.get(part)
		if !has || !isJSObjectType(cur) {
			cur = newNullProtoObject()
			t.set(part, cur)
		}
		return cur, nil
	case *jsArray:
		cur, has := arrayGet(t, part)
		if !has || !isJSObjectType(cur) {
			cur = newNullProtoObject()
			if err := arraySet(t, part, cur); err != nil {
				return nil, err
			}
		}
		return cur, nil
	}
	// hasOwnProperty.call(null, …) throws
	return nil, errINIShape
}

// splitSections splits on sep except where it is preceded by a backslash.
func splitSections(str, sep string) []string {
	var sections []string
	last, lastSep := 0, 0
	for {
		i := strings.Index(str[last:], sep)
		if i < 0 {
			break
		}
		next := last + i
		last = next + len(sep)
		if next > 0 && str[next-1] == '\\' {
			continue
		}
		sections = append(sections, str[lastSep:next])
		lastSep = next + len(sep)
	}
	return append(sections, str[lastSep:])
}

// splitLines is str.split(/[\r\n]+/g).
func splitLines(str string) []string {
	return strings.FieldsFunc(str, func(r rune) bool { return r == '\r' || r == '\n' }) // empty fields are skipped by the caller anyway
}

// isCommentOrBlank is /^\s*[;#]/ || /^\s*$/.
func isCommentOrBlank(line string) bool {
	t := strings.TrimLeftFunc(line, isJSSpace)
	return t == "" || t[0] == ';' || t[0] == '#'
}

// matchSection is the first alternative of ini's line regexp:
// ^\[([^\]]*)\]\s*$.
func matchSection(line string) (string, bool) {
	if line[0] != '[' {
		return "", false
	}
	end := strings.IndexByte(line, ']')
	if end < 0 || strings.TrimLeftFunc(line[end+1:], isJSSpace) != "" {
		return "", false
	}
	return line[1:end], true
}

// matchKeyValue is the second alternative: ^([^=]+)(=(.*))?$ where '.'
// does not match U+2028/U+2029, so such a value makes the line not match.
func matchKeyValue(line string) (key, val string, hasEq, ok bool) {
	i := strings.IndexByte(line, '=')
	if i < 0 {
		return line, "", false, true
	}
	if i == 0 {
		return "", "", false, false
	}
	val = line[i+1:]
	if strings.ContainsRune(val, '\u2028') || strings.ContainsRune(val, '\u2029') {
		return "", "", false, false
	}
	return line[:i], val, true, true
}

// unsafeINI is ini's unsafe(): trim, then either a quoted value (JSON-parsed
// when possible, so '123' yields a number) or an unquoted value cut at the
// first unescaped ';' or '#'.
func unsafeINI(val string) any {
	val = jsTrim(val)
	if isQuoted(val) {
		if val[0] == '\'' {
			// slice(1, -1); a lone quote leaves ""
			if len(val) == 1 {
				val = ""
			} else {
				val = val[1 : len(val)-1]
			}
		}
		if v, ok := jsonParse(val); ok {
			return v
		}
		return val
	}
	var b strings.Builder
	esc := false
	for _, c := range val {
		if esc {
			if c != '\\' && c != ';' && c != '#' {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
			esc = false
			continue
		}
		if c == ';' || c == '#' {
			break
		}
		if c == '\\' {
			esc = true
			continue
		}
		b.WriteRune(c)
	}
	if esc {
		b.WriteByte('\\')
	}
	return jsTrim(b.String())
}

func isQuoted(val string) bool {
	if val == "" {
		return false
	}
	return (val[0] == '"' && val[len(val)-1] == '"') || (val[0] == '\'' && val[len(val)-1] == '\'')
}
