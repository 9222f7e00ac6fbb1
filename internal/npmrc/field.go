package npmrc

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// typeKind is one entry of an npm config type list: a nopt type definition
// or a literal value the setting may take.
type typeKind int

const (
	tString typeKind = iota
	tBoolean
	tURL
	tNumber
	tPath
	tStream
	tDate
	tArray
	tSemver
	tUmask
	tLitNull
	tLitBool
	tLitNumber
	tLitString
)

type typeSpec struct {
	kind typeKind
	s    string
	b    bool
	n    float64
}

type typeList []typeSpec

type defaultValue struct {
	key string
	val any
}

func (tl typeList) has(k typeKind) bool {
	for _, t := range tl {
		if t.kind == k {
			return true
		}
	}
	return false
}

func (tl typeList) hasLitBool(b bool) bool {
	for _, t := range tl {
		if t.kind == tLitBool && t.b == b {
			return true
		}
	}
	return false
}

// fieldEnv carries what parse-field.js reads from the Config object.
type fieldEnv struct {
	env  map[string]string
	home string
	cwd  string
}

// parseField is @npmcli/config's parse-field.js: it trims strings, turns
// "true"/"false"/"null"/"undefined" into values for settings that are not
// strings, expands ${VAR}, resolves paths and parses numbers.
func parseField(f any, key string, fe fieldEnv, listElement bool) any {
	arr, isArr := f.(*jsArray)
	s, isStr := f.(string)
	if !isStr && !isArr {
		return f
	}
	types := keyTypes[key]
	isPath := types.has(tPath)
	isBool := types.has(tBoolean)
	isString := isPath || types.has(tString)
	isUmask := types.has(tUmask)
	isNumber := types.has(tNumber)
	isList := !listElement && types.has(tArray)
	isDate := types.has(tDate)

	if isArr {
		if !isList {
			return f
		}
		out := &jsArray{elems: make([]any, len(arr.elems))}
		for i, e := range arr.elems {
			out.elems[i] = parseField(e, key, fe, true)
		}
		return out
	}

	s = jsTrim(s)
	if isList {
		// list settings arrive from the environment separated by blank lines
		parts := strings.Split(s, "\n\n")
		a := &jsArray{elems: make([]any, len(parts))}
		for i, p := range parts {
			a.elems[i] = p
		}
		return parseField(a, key, fe, false)
	}
	if isBool && !isString && s == "" {
		return true
	}
	if !isString && !isPath && !isNumber {
		switch s {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return jsNull{}
		case "undefined":
			return jsUndefined{}
		}
	}
	s = envReplace(s, fe.env)
	if isDate {
		return s
	}
	if isPath {
		if strings.HasPrefix(s, "~/") && fe.home != "" {
			s = resolvePath(fe.cwd, fe.home, s[2:])
		} else {
			s = resolvePath(fe.cwd, s)
		}
	}
	if isUmask {
		if n, ok := parseUmask(s); ok {
			return n
		}
		return s
	}
	if isNumber {
		if n := stringToNumber(s); !math.IsNaN(n) {
			return n
		}
	}
	return s
}

// resolvePath is Node's path.resolve with cwd standing in for process.cwd().
func resolvePath(cwd string, segs ...string) string {
	p := cwd
	for _, s := range segs {
		if filepath.IsAbs(s) {
			p = s
		} else if s != "" {
			p = filepath.Join(p, s)
		}
	}
	return filepath.Clean(p)
}

var (
	umaskOctal = regexp.MustCompile(`^0o?[0-7]+$`)
	umaskDec   = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// parseUmask is umask.js parse() for strings and numbers.
func parseUmask(v any) (float64, bool) {
	switch x := v.(type) {
	case string:
		if umaskOctal.MatchString(x) {
			n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(x, "0"), "o"), 8, 64)
			if err != nil {
				return 0, false
			}
			return float64(n), true
		}
		if umaskDec.MatchString(x) {
			n, err := strconv.ParseFloat(x, 64)
			return n, err == nil
		}
	case float64:
		f := math.Floor(x)
		if f >= 0 && f <= 511 {
			return f, true
		}
	}
	return 0, false
}

// typeDefault is nopt's type list for keys without a definition.
var typeDefault = typeList{{kind: tLitBool, b: false}, {kind: tLitBool, b: true}, {kind: tLitNull}, {kind: tString}, {kind: tArray}}

// cleanLayer is nopt.clean() as npm's config.validate(where) runs it on the
// env and file layers before any command: values are coerced to their type,
// and values that fit none of the allowed types are dropped, so a lower
// layer shows through. invalid is called with the key of each dropped value.
// It fails where nopt throws (converting an ini section object to a string).
func cleanLayer(data *jsObject, fe fieldEnv, invalid func(key string)) error {
	for _, k := range data.ordered() {
		val, _ := data.get(k)
		arr, isArray := val.(*jsArray)
		rawType, hasType := keyTypes[k]
		typ := rawType
		if !hasType {
			typ = typeDefault
		}
		var vals []any
		if isArray {
			vals = append(vals, arr.elems...)
		} else {
			vals = []any{val}
		}
		var kept []any
		for _, v := range vals {
			if s, ok := v.(string); ok {
				s = jsTrim(s)
				v = s
				switch {
				case s == "null" && typ.has(tLitNull):
					v = jsNull{}
				case s == "true" && (typ.hasLitBool(true) || typ.has(tBoolean)):
					v = true
				case s == "false" && (typ.hasLitBool(false) || typ.has(tBoolean)):
					v = false
				case typ.has(tNumber) && !math.IsNaN(stringToNumber(s)):
					v = stringToNumber(s)
				case typ.has(tDate) && parseDate(s):
					// kept as text; only "before" is a Date and nothing here reads it
				}
			}
			if !hasType {
				kept = append(kept, v)
				continue
			}
			if b, ok := v.(bool); ok && !b && typ.has(tLitNull) && !(typ.hasLitBool(false) || typ.has(tBoolean)) {
				v = jsNull{}
			}
			nv, ok, err := validateValue(v, rawType, fe)
			if err != nil {
				return fmt.Errorf("setting %s: %w", k, err)
			}
			if !ok {
				invalid(k)
				continue
			}
			kept = append(kept, nv)
		}
		switch {
		case len(kept) == 0 && !typ.has(tArray):
			data.del(k)
		case isArray:
			data.set(k, &jsArray{elems: kept})
		case len(kept) == 0:
			data.set(k, jsUndefined{})
		default:
			data.set(k, kept[0])
		}
	}
	return nil
}

// validateValue is nopt's validate() against a type list: the first type
// that accepts the value wins and may convert it.
func validateValue(v any, types typeList, fe fieldEnv) (any, bool, error) {
	for _, t := range types {
		if t.kind == tArray {
			continue
		}
		switch t.kind {
		case tString, tNumber, tURL, tDate:
			// these call String()/Number() on the value, which throws
			if !convertible(v) {
				return nil, false, errNoPrimitive
			}
		}
		if nv, ok := validateOne(v, t, fe); ok {
			return nv, true, nil
		}
	}
	return nil, false, nil
}

func validateOne(v any, t typeSpec, fe fieldEnv) (any, bool) {
	switch t.kind {
	case tLitNull:
		_, ok := v.(jsNull)
		return v, ok
	case tLitBool:
		b, ok := v.(bool)
		return v, ok && b == t.b
	case tLitNumber:
		n, ok := v.(float64)
		return v, ok && n == t.n
	case tLitString:
		s, ok := v.(string)
		return v, ok && s == t.s
	case tString:
		return jsString(v), true
	case tBoolean:
		if s, ok := v.(string); ok {
			if n := stringToNumber(s); !math.IsNaN(n) {
				return n != 0, true
			}
			return s != "null" && s != "false", true
		}
		return truthy(v), true
	case tNumber:
		n := jsToNumber(v)
		if math.IsNaN(n) {
			return nil, false
		}
		return n, true
	case tURL:
		href, ok := legacyURLHref(jsString(v))
		return href, ok
	case tPath:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		// nopt resolves "~/" against os.homedir(), which is $HOME on Unix
		if strings.HasPrefix(s, "~/") && fe.home != "" {
			return resolvePath(fe.cwd, fe.home, s[2:]), true
		}
		return resolvePath(fe.cwd, s), true
	case tDate:
		s := jsString(v)
		return s, parseDate(s)
	case tUmask:
		n, ok := parseUmask(v)
		return n, ok
	}
	// Stream and semver: no configuration value can be a stream, and no
	// npm setting uses semver.
	return nil, false
}

// parseDate approximates Date.parse for the formats people write.
func parseDate(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02", time.RFC1123, time.RFC1123Z, "2006/01/02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
