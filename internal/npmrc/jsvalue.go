package npmrc

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// npm keeps configuration values as JavaScript values, and several of its
// rules depend on JavaScript semantics (truthiness, String(), trim()). The
// values are modelled with these Go types:
//
//	string, bool, float64  JS primitives
//	jsNull, jsUndefined    null and undefined
//	*jsArray               arrays (from `key[]=` or JSON in quotes)
//	*jsObject              objects (INI sections, JSON in quotes)
type (
	jsNull      struct{}
	jsUndefined struct{}
)

// jsArray is a JS array. props holds non-index properties, which ini's
// section merging can create and which String() ignores.
type jsArray struct {
	elems []any
	props map[string]any
}

// jsObject is an ordered JS object: own keys iterate like Object.keys
// (array-index keys ascending, then insertion order).
type jsObject struct {
	keys []string
	m    map[string]any
	// nullProto marks Object.create(null) objects (ini sections), which
	// have no toString: String() on them throws a TypeError.
	nullProto bool
}

func newObject() *jsObject { return &jsObject{m: map[string]any{}} }

func newNullProtoObject() *jsObject { return &jsObject{m: map[string]any{}, nullProto: true} }

// errNoPrimitive is JavaScript's "Cannot convert object to primitive value".
var errNoPrimitive = errors.New("cannot convert object to primitive value")

// jsStringStrict is String(v), failing where JavaScript throws.
func jsStringStrict(v any) (string, error) {
	if !convertible(v) {
		return "", errNoPrimitive
	}
	return jsString(v), nil
}

func convertible(v any) bool {
	switch x := v.(type) {
	case *jsObject:
		return !x.nullProto
	case *jsArray:
		for _, e := range x.elems {
			if !convertible(e) {
				return false
			}
		}
	}
	return true
}

func (o *jsObject) get(k string) (any, bool) {
	v, ok := o.m[k]
	return v, ok
}

func (o *jsObject) set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

func (o *jsObject) del(k string) {
	if _, ok := o.m[k]; !ok {
		return
	}
	delete(o.m, k)
	for i, kk := range o.keys {
		if kk == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// ordered returns the own keys in JavaScript property order.
func (o *jsObject) ordered() []string {
	var idx []uint32
	var rest []string
	for _, k := range o.keys {
		if n, ok := arrayIndex(k); ok {
			idx = append(idx, n)
		} else {
			rest = append(rest, k)
		}
	}
	// insertion sort: index keys are rare and few
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	out := make([]string, 0, len(o.keys))
	for _, n := range idx {
		out = append(out, strconv.FormatUint(uint64(n), 10))
	}
	return append(out, rest...)
}

// arrayIndex reports whether k is a canonical JS array index.
func arrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= math.MaxUint32 {
		return 0, false
	}
	return uint32(n), true
}

// isJSObjectType reports typeof v === 'object' (objects, arrays and null).
func isJSObjectType(v any) bool {
	switch v.(type) {
	case *jsObject, *jsArray, jsNull:
		return true
	}
	return false
}

// truthy is JavaScript's Boolean(v).
func truthy(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case *jsArray, *jsObject:
		return true
	}
	return false
}

// jsString is JavaScript's String(v).
func jsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return jsNumberString(x)
	case jsNull:
		return "null"
	case jsUndefined, nil:
		return "undefined"
	case *jsArray:
		parts := make([]string, len(x.elems))
		for i, e := range x.elems {
			switch e.(type) {
			case jsNull, jsUndefined, nil:
				// Array.prototype.join renders null and undefined as ""
			default:
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	case *jsObject:
		return "[object Object]"
	}
	return ""
}

// jsNumberString is Number.prototype.toString for finite and special values.
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	a := math.Abs(f)
	if a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	// Go writes e-07 / e+21; JavaScript writes e-7 / e+21.
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return mant + "e" + sign + exp
}

// jsToNumber is JavaScript's Number(v) for the value kinds config holds.
func jsToNumber(v any) float64 {
	switch x := v.(type) {
	case string:
		return stringToNumber(x)
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case jsNull:
		return 0
	case *jsArray:
		switch len(x.elems) {
		case 0:
			return 0
		case 1:
			return jsToNumber(jsString(x))
		}
	}
	return math.NaN()
}

// stringToNumber is ToNumber applied to a string (StringToNumber).
func stringToNumber(s string) float64 {
	s = jsTrim(s)
	if s == "" {
		return 0
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, ok := parseRadix(s[2:], base)
			if !ok {
				return math.NaN()
			}
			return n
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}

func parseRadix(s string, base int) (float64, bool) {
	if s == "" {
		return 0, false
	}
	var f float64
	for i := 0; i < len(s); i++ {
		var d int
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		f = f*float64(base) + float64(d)
	}
	return f, true
}

// isJSSpace reports whether r is WhiteSpace or LineTerminator in ECMAScript,
// the set removed by String.prototype.trim and matched by \s.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// jsTrim is String.prototype.trim (Go's TrimSpace differs on U+0085 and U+FEFF).
func jsTrim(s string) string { return strings.TrimFunc(s, isJSSpace) }

// jsonParse is JSON.parse. ok is false where JSON.parse would throw.
func jsonParse(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return nil, false
	}
	// JSON.parse rejects anything but whitespace after the value.
	if strings.TrimLeft(s[dec.InputOffset():], " \t\r\n") != "" {
		return nil, false
	}
	return v, true
}

func decodeJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := &jsArray{}
			for dec.More() {
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				a.elems = append(a.elems, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, &json.SyntaxError{}
	case string:
		return t, nil
	case bool:
		return t, nil
	case nil:
		return jsNull{}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return nil, err
			}
		}
		return f, nil
	}
	return nil, &json.SyntaxError{}
}

// decodeUTF8 mirrors Node's readFile(…, 'utf8'): each maximal invalid
// subsequence becomes one U+FFFD (Go's decoder reports single bytes, so
// truncated multi-byte sequences are grouped here).
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[:n])
			b = b[n:]
			continue
		}
		sb.WriteRune(utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return sb.String()
}

// maximalSubpart returns the length of the invalid prefix of b that the
// WHATWG UTF-8 decoder replaces with a single U+FFFD.
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c >= 0xE0 && c <= 0xEF:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	case c >= 0xF0 && c <= 0xF4:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	i := 1
	for ; i <= need && i < len(b); i++ {
		if b[i] < lo || b[i] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
	}
	return i
}
