package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Manifest compares two package.json documents field by field. nil or
// empty input means "no package.json" (every field added or removed).
//
// Paths are dotted: scripts.postinstall, dependencies.@scope/name,
// exports["./feature"].import. A key that is empty or holds a dot, a
// bracket, a quote, a space or a control character is written in brackets,
// double-quoted with Go/JSON escapes. What is compared how:
//
//   - per key (the value whole): scripts, dependencies, devDependencies,
//     peerDependencies, optionalDependencies, peerDependenciesMeta,
//     engines, publishConfig, and bin (a string bin is first normalised to
//     {name: path} like npm, the name being the package name without scope);
//   - nested, down to the leaves: exports, overrides, browser;
//   - as a set of names: bundleDependencies / bundledDependencies when they
//     are arrays (each name's value is true);
//   - whole: everything else (main, module, types, files, ...), and any of
//     the above whose shape is not an object on both sides.
//
// Order: scripts; dependencies, optionalDependencies, peerDependencies,
// bundleDependencies, bundledDependencies, overrides, peerDependenciesMeta,
// devDependencies; bin; main, module, exports, browser, types, typings;
// then every other field alphabetically. Within a field, by path.
//
// Invalid JSON (or a top level that is not an object) on either side gives
// an error naming the side and the byte offset, never the content; that
// side is then treated as absent so the rest is still compared.
func Manifest(oldJSON, newJSON []byte) ([]ManifestChange, error) {
	o, errOld := parseManifest(oldJSON, "old")
	n, errNew := parseManifest(newJSON, "new")
	var changes []ManifestChange
	keys := unionKeys(o, n)
	for _, k := range keys {
		ov, inOld := o[k]
		nv, inNew := n[k]
		switch manifestKind(k) {
		case kindPerKey:
			if k == "bin" {
				ov, nv = normaliseBin(ov, o["name"]), normaliseBin(nv, n["name"])
			}
			changes = diffObject(changes, JoinKey("", k), ov, inOld, nv, inNew, false)
		case kindNested:
			changes = diffObject(changes, JoinKey("", k), ov, inOld, nv, inNew, true)
		case kindSet:
			changes = diffObject(changes, JoinKey("", k), nameSet(ov), inOld, nameSet(nv), inNew, false)
		default:
			changes = diffValue(changes, JoinKey("", k), ov, inOld, nv, inNew)
		}
	}
	sort.SliceStable(changes, func(i, j int) bool {
		pi, pj := FieldRank(changes[i].Path), FieldRank(changes[j].Path)
		if pi != pj {
			return pi < pj
		}
		return changes[i].Path < changes[j].Path
	})
	return changes, errors.Join(errOld, errNew)
}

const (
	kindWhole = iota
	kindPerKey
	kindNested
	kindSet
)

func manifestKind(field string) int {
	switch field {
	case "scripts", "dependencies", "devDependencies", "peerDependencies", "optionalDependencies",
		"peerDependenciesMeta", "engines", "publishConfig", "bin":
		return kindPerKey
	case "exports", "overrides", "browser":
		return kindNested
	case "bundleDependencies", "bundledDependencies":
		return kindSet
	}
	return kindWhole
}

// manifestOrder ranks package.json fields by how much they can do when the
// package is installed: lifecycle scripts, then what gets installed, then
// what runs (bin, entry points); devDependencies, which consumers never
// install, come after; other fields follow alphabetically.
var manifestOrder = [...]string{"scripts",
	"dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies",
	"bundledDependencies", "overrides", "peerDependenciesMeta",
	"bin", "main", "module", "exports", "browser", "types", "typings", "imports",
	"devDependencies"}

// FieldRank is a manifest change path's place in that order (its top-level
// field decides); Manifest returns changes sorted by it.
func FieldRank(p string) int {
	field := p
	if i := strings.IndexAny(p, ".["); i >= 0 {
		field = p[:i]
	}
	for r, f := range manifestOrder {
		if f == field {
			return r
		}
	}
	return len(manifestOrder)
}

// AffectsInstall reports whether a change path is in a field that changes
// what installing the package runs or fetches (everything ranked before
// devDependencies).
func AffectsInstall(p string) bool { return FieldRank(p) < len(manifestOrder)-1 }

// parseManifest decodes a package.json; absent input is an empty object.
func parseManifest(data []byte, side string) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers as written (no float rounding)
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, manifestError(side, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s package.json: invalid JSON: data after the top-level value at byte %d", side, dec.InputOffset())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s package.json: the top level is not a JSON object", side)
	}
	return obj, nil
}

// manifestError describes a decoding error by position only: the error
// text of encoding/json may quote untrusted bytes.
func manifestError(side string, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s package.json: invalid JSON at byte %d", side, se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s package.json: invalid JSON: unexpected end of input", side)
	}
	return fmt.Errorf("%s package.json: invalid JSON near byte %d", side, dec.InputOffset())
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// diffValue records a whole-value change at p.
func diffValue(out []ManifestChange, p string, ov any, inOld bool, nv any, inNew bool) []ManifestChange {
	switch {
	case inOld && !inNew:
		return append(out, ManifestChange{Path: p, Change: "removed", Old: ov})
	case !inOld && inNew:
		return append(out, ManifestChange{Path: p, Change: "added", New: nv})
	case inOld && inNew && !reflect.DeepEqual(ov, nv):
		return append(out, ManifestChange{Path: p, Change: "changed", Old: ov, New: nv})
	}
	return out
}

// diffObject compares key by key when both present sides are objects (an
// absent side counts as an empty object), recursing into nested objects
// when nested is set; otherwise it compares whole values.
func diffObject(out []ManifestChange, p string, ov any, inOld bool, nv any, inNew bool, nested bool) []ManifestChange {
	om, oObj := ov.(map[string]any)
	nm, nObj := nv.(map[string]any)
	if (inOld && !oObj) || (inNew && !nObj) || (!inOld && !inNew) {
		return diffValue(out, p, ov, inOld, nv, inNew)
	}
	for _, k := range unionKeys(om, nm) {
		ov2, in1 := om[k]
		nv2, in2 := nm[k]
		sub := JoinKey(p, k)
		if nested {
			_, o2 := ov2.(map[string]any)
			_, n2 := nv2.(map[string]any)
			if (o2 || !in1) && (n2 || !in2) {
				out = diffObject(out, sub, ov2, in1, nv2, in2, true)
				continue
			}
		}
		out = diffValue(out, sub, ov2, in1, nv2, in2)
	}
	return out
}

// JoinKey appends one key to a dotted manifest path: "prefix.key", or `prefix["key"]`
// when the key could be misread in a dotted path.
func JoinKey(prefix, k string) string {
	plain := k != ""
	for _, r := range k {
		if r <= ' ' || r == 0x7f || r == '.' || r == '[' || r == ']' || r == '"' || r == '\\' || !strconv.IsPrint(r) {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return prefix + "[" + strconv.Quote(k) + "]"
	case prefix == "":
		return k
	}
	return prefix + "." + k
}

// normaliseBin turns npm's string form of bin into the object form.
func normaliseBin(v any, name any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	n, _ := name.(string)
	if n == "" {
		// npm rejects this; keep the whole value so the change still shows.
		return v
	}
	return map[string]any{path.Base(n): s}
}

// nameSet turns an array of names into {name: true}; other values are kept.
func nameSet(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	set := make(map[string]any, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return v
		}
		set[s] = true
	}
	return set
}
