package signals

// Release integrity: is the staged tarball what `npm pack` of a sound
// package would produce? manifest-invalid (package.json unreadable, or not
// the package and version that were staged), entrypoint-missing (a
// declared entry point that is not in the tarball), tarball-anomaly
// (entries npm pack cannot produce: links, FIFOs, devices, duplicate or
// colliding paths, invisible characters in names, files outside the
// package.json files allowlist) and secret-in-tarball (credential files
// and token literals shipped by mistake or on purpose).

import (
	"encoding/json"
	"errors"
	"github.com/stagegate/stagegate/internal/diff"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/stagegate/stagegate/internal/pack"
	"github.com/stagegate/stagegate/internal/tarball"
)

// integritySignals runs the release-integrity detectors.
func integritySignals(c *context) {
	manifestInvalid(c)
	entrypointsMissing(c)
	tarballAnomalies(c)
	filesAllowlist(c)
	secretsInTarball(c)
}

// lower moves a severity down one level.
func (s Severity) lower() Severity {
	if s == High {
		return Medium
	}
	return Low
}

// ---- manifest-invalid -----------------------------------------------------------

// manifestInvalid reports a staged package.json that is missing, does not
// parse, is not an object, or names another package or version than the
// stage record.
func manifestInvalid(c *context) {
	f := c.in.New.Lookup("package.json")
	if f == nil {
		sev, why := Medium, ""
		if c.in.Old.Lookup("package.json") != nil {
			sev, why = High, " (the base version had one)"
		}
		c.addSeverity(ManifestInvalid, sev, "package.json", 0, "package.json missing from the tarball"+why,
			"the tarball has no package.json at its root"+why+": npm cannot install it, and no manifest detector (install scripts, dependencies, entry points) could run; every file is still listed in the diff")
		return
	}
	data := stripBOM(f.Data)
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		line := 0
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(data)) {
			line = 1 + strings.Count(string(data[:se.Offset-1]), "\n")
		}
		c.addSeverity(ManifestInvalid, Medium, "package.json", line, "package.json does not parse as JSON",
			"package.json: "+clip(err.Error(), quoteMax)+". npm cannot install this version as it is, and the manifest detectors (install scripts, dependencies, entry points) could not read it: review every file by hand")
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.addSeverity(ManifestInvalid, Medium, "package.json", 1, "package.json is not a JSON object",
			"package.json holds "+jsonKind(v)+", not an object: npm cannot install this version, and the manifest detectors could not read it")
		return
	}
	var detail []string
	title := ""
	if c.in.Name != "" {
		if name, _ := m["name"].(string); name != c.in.Name {
			t := "package.json name " + strconv.Quote(clip(name, 60)) + " is not the staged package " + strconv.Quote(clip(c.in.Name, 60))
			title = t
			detail = append(detail, t+": the tarball was built for another package")
		}
	}
	if c.in.Version != "" {
		if ver, _ := m["version"].(string); cleanVersion(ver) != cleanVersion(c.in.Version) {
			t := "package.json version " + strconv.Quote(clip(ver, 40)) + " is not the staged version " + strconv.Quote(clip(c.in.Version, 40))
			if title == "" {
				title = t
			}
			detail = append(detail, t+": the tarball is not the release it claims to be")
		}
	}
	if len(detail) > 0 {
		c.addSeverity(ManifestInvalid, High, "package.json", manifestLine(data, "name"), title, strings.Join(detail, "; "))
	}
}

// cleanVersion reads a version as npm's semver.clean does, roughly: no
// surrounding space, no leading v or =, no build metadata.
func cleanVersion(v string) string {
	v = strings.TrimLeft(strings.TrimSpace(v), "=v")
	if i := strings.IndexByte(v, '+'); i >= 0 {
		v = v[:i]
	}
	return v
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

// ---- entrypoint-missing ---------------------------------------------------------

// entryKind says how a declared path resolves.
type entryKind int

const (
	entryMain  entryKind = iota // require() of the package: extensions and directory index
	entryExact                  // bin, exports: the file itself
	entryTypes                  // TypeScript: .d.ts beside or inside
)

// entryTarget is one declared path (or a fallback list of them).
type entryTarget struct {
	field   string   // display path: main, bin.x, exports["."].import
	keys    []string // to find the line
	targets []string // a fallback array resolves when any element does
	kind    entryKind
}

// entryTargets lists the declared paths of a manifest: main, module,
// browser (string form), types, typings, bin and every string leaf of
// exports, skipping subpath patterns and null targets.
func entryTargets(m map[string]any) []entryTarget {
	var out []entryTarget
	for _, f := range []string{"main", "module", "browser", "types", "typings"} {
		s, ok := m[f].(string)
		if !ok || strings.TrimSpace(s) == "" {
			continue
		}
		kind := entryMain
		if f == "types" || f == "typings" {
			kind = entryTypes
		}
		out = append(out, entryTarget{field: f, keys: []string{f}, targets: []string{s}, kind: kind})
	}
	switch b := m["bin"].(type) {
	case string:
		if b != "" {
			out = append(out, entryTarget{field: "bin", keys: []string{"bin"}, targets: []string{b}, kind: entryExact})
		}
	case map[string]any:
		for _, name := range sortedKeys(b) {
			if s, ok := b[name].(string); ok && s != "" {
				out = append(out, entryTarget{field: "bin." + name, keys: []string{"bin", name}, targets: []string{s}, kind: entryExact})
			}
		}
	}
	if v, ok := m["exports"]; ok {
		walkExports(&out, "exports", []string{"exports"}, v, false, 0)
	}
	return out
}

func walkExports(out *[]entryTarget, field string, keys []string, v any, types bool, depth int) {
	if depth > 32 {
		return
	}
	kind := entryExact
	if types {
		kind = entryTypes
	}
	switch v := v.(type) {
	case string:
		if !strings.Contains(v, "*") {
			*out = append(*out, entryTarget{field: field, keys: keys, targets: []string{v}, kind: kind})
		}
	case []any:
		var alts []string
		for _, e := range v {
			switch e := e.(type) {
			case string:
				if strings.Contains(e, "*") {
					return // a pattern among the fallbacks: not a file to find
				}
				alts = append(alts, e)
			case map[string]any:
				// A conditions object among the fallbacks: Node may pick it; its
				// leaves are checked on their own.
				walkExports(out, field, keys, e, types, depth+1)
			}
		}
		if len(alts) > 0 {
			*out = append(*out, entryTarget{field: field, keys: keys, targets: alts, kind: kind})
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if strings.Contains(k, "*") {
				continue // a subpath pattern
			}
			t := types || k == "types" || strings.HasPrefix(k, "types@")
			walkExports(out, field+"["+strconv.Quote(k)+"]", append(keys[:len(keys):len(keys)], k), v[k], t, depth+1)
		}
	}
}

// packagePath normalises a declared path to a package path: "./x" and "x"
// alike; false when it leaves the package or is absolute.
func packagePath(s string) (string, bool) {
	if strings.HasPrefix(s, "/") {
		return "", false
	}
	p := path.Clean(s)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// hasDir reports whether any file of p lies under dir.
func hasDir(p *tarball.Package, dir string) bool {
	if p == nil {
		return false
	}
	if dir == "." || dir == "" {
		return len(p.Files) > 0
	}
	prefix := dir + "/"
	i := sort.Search(len(p.Files), func(i int) bool { return p.Files[i].Path >= prefix })
	return i < len(p.Files) && strings.HasPrefix(p.Files[i].Path, prefix)
}

// resolves reports whether a declared path names something in p, the way
// Node (main), npm (bin), Node's exports or TypeScript (types) resolve it.
func resolves(p *tarball.Package, target string, kind entryKind) bool {
	rel, ok := packagePath(target)
	if !ok {
		return false
	}
	if strings.HasSuffix(target, "/") && kind != entryMain {
		return hasDir(p, rel) // a folder mapping ("./compat/": "./compat/")
	}
	has := func(s string) bool { return p.Lookup(s) != nil }
	if rel != "." && has(rel) {
		return true
	}
	join := func(name string) string {
		if rel == "." {
			return name
		}
		return rel + "/" + name
	}
	switch kind {
	case entryMain:
		if rel != "." && (has(rel+".js") || has(rel+".json") || has(rel+".node")) {
			return true
		}
		if has(join("index.js")) || has(join("index.json")) || has(join("index.node")) {
			return true
		}
		return rel != "." && has(rel+"/package.json") // a folder with its own manifest

	case entryTypes:
		if has(rel+".d.ts") || has(join("index.d.ts")) {
			return true
		}
		for _, ext := range []string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"} {
			if strings.HasSuffix(rel, ext) {
				stem := strings.TrimSuffix(rel, ext)
				d := ".d.ts"
				if ext == ".mjs" || ext == ".mts" {
					d = ".d.mts"
				} else if ext == ".cjs" || ext == ".cts" {
					d = ".d.cts"
				}
				if has(stem+d) || has(stem+".d.ts") {
					return true
				}
			}
		}
	}
	return false
}

func (t entryTarget) resolvesIn(p *tarball.Package) bool {
	for _, s := range t.targets {
		if resolves(p, s, t.kind) {
			return true
		}
	}
	return false
}

// entrypointsMissing reports declared entry points that the tarball does
// not hold: high when the base shipped the file (this release drops it),
// medium for a target that never existed, low when the base declared the
// same missing target (a standing defect, not news). types and typings are
// one level lower: a missing .d.ts breaks type checking, not the install.
func entrypointsMissing(c *context) {
	if c.newManifest == nil {
		return
	}
	oldDeclared := map[string]bool{}
	if c.oldManifest != nil {
		for _, t := range entryTargets(c.oldManifest) {
			oldDeclared[t.field+"\x00"+strings.Join(t.targets, "\x00")] = true
		}
	}
	pkgJSON := c.newFile("package.json")
	var (
		sev    Severity
		title  string
		line   int
		detail []string
	)
	for _, t := range entryTargets(c.newManifest) {
		if t.resolvesIn(c.in.New) {
			continue
		}
		if t.field == "main" && resolves(c.in.New, ".", entryMain) {
			continue // Node falls back to the root index.js when main does not resolve
		}
		var s Severity
		var why string
		switch {
		case c.in.Old != nil && t.resolvesIn(c.in.Old):
			s, why = High, "the base version shipped it: this release drops it"
		case oldDeclared[t.field+"\x00"+strings.Join(t.targets, "\x00")]:
			s, why = Low, "the base version declared it and lacked it too"
		default:
			s, why = Medium, "never shipped"
		}
		if t.kind == entryTypes {
			s = s.lower()
		}
		shown := make([]string, len(t.targets))
		for i, v := range t.targets {
			shown[i] = strconv.Quote(clip(v, 80))
		}
		what := clip(t.field, 60) + " " + strings.Join(shown, " | ") + " is not in the tarball"
		detail = append(detail, what+" ("+why+")")
		if title == "" || s.rank() < sev.rank() {
			sev, title = s, what
			if s == High {
				title += ": dropped from this release"
			}
			line = manifestLine(pkgJSON, t.keys...)
		}
	}
	if len(detail) == 0 {
		return
	}
	if len(detail) > 1 {
		title += " (and " + strconv.Itoa(len(detail)-1) + " more)"
	}
	c.addSeverity(EntrypointMissing, sev, "package.json", line, title,
		listDetail(detail, 6)+". A consumer's require, import or command resolves to nothing; a release that ships without its build output looks like this")
}

// ---- tarball-anomaly ------------------------------------------------------------

// codeExts are the extensions of files that run (or are built) when the
// package is installed or loaded.
var codeExts = map[string]bool{
	".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".mts": true, ".cts": true,
	".node": true, ".gyp": true, ".gypi": true, ".sh": true, ".bash": true, ".ps1": true,
	".bat": true, ".cmd": true, ".py": true, ".wasm": true,
}

// codeName reports whether a package path names code or a file npm acts
// on at install time: package.json, binding.gyp, .npmrc, a script's file,
// an entry point.
func (c *context) codeName(p string) bool {
	p = strings.ToLower(stripInvisible(p))
	switch path.Base(p) {
	case "package.json", "binding.gyp", ".npmrc", "makefile":
		return true
	}
	if codeExts[path.Ext(p)] {
		return true
	}
	if _, ok := c.installTime[p]; ok {
		return true
	}
	for _, t := range entryTargets(c.newManifest) {
		for _, s := range t.targets {
			if r, ok := packagePath(s); ok && strings.EqualFold(r, p) {
				return true
			}
		}
	}
	return false
}

// invisibleRune reports zero-width, bidi and BOM characters, which make a
// name look like another.
func invisibleRune(r rune) bool {
	return r >= 0x200B && r <= 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 ||
		r == 0xFEFF || r == 0x2060 || r == 0x00AD || r == 0x180E
}

func stripInvisible(s string) string {
	if !strings.ContainsFunc(s, invisibleRune) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if invisibleRune(r) {
			return -1
		}
		return r
	}, s)
}

func issueKey(is tarball.Issue) string {
	name := is.Rel
	if name == "" {
		name = is.Path
	}
	return is.Kind + "\x00" + name + "\x00" + is.Target
}

// tarballAnomalies turns the staged tarball's entry issues into signals,
// and flags names with invisible characters. Links, devices and FIFOs are
// high; duplicates, collisions and the rest are high when they concern
// code, medium otherwise; an issue the base already had is one level lower.
func tarballAnomalies(c *context) {
	inBase := map[string]bool{}
	if c.in.Old != nil {
		for _, is := range c.in.Old.Issues {
			inBase[issueKey(is)] = true
		}
	}
	for _, is := range c.in.New.Issues {
		name := is.Rel
		if name == "" {
			name = is.Path
		}
		q := strconv.Quote(clip(name, 80))
		var sev Severity
		var title, detail string
		switch is.Kind {
		case tarball.KindSymlink, tarball.KindHardlink:
			sev = High
			title = is.Kind + " entry " + q + " → " + strconv.Quote(clip(is.Target, 60))
			detail = "a " + is.Kind + " in the tarball: npm pack never writes links, and what a link points at depends on the machine that unpacks it"
		case tarball.KindDevice, tarball.KindFIFO:
			sev = High
			title = is.Kind + " entry " + q
			detail = "a " + is.Kind + " entry: npm pack never writes one; a hand-made tarball does"
		case tarball.KindEscape:
			sev = High
			title = "entry outside the package folder: " + q
			detail = "an entry whose path leaves package/ (absolute, .. or a drive): npm pack never writes one; it targets extractors that follow it"
		case tarball.KindDuplicate:
			sev = Medium
			title = "duplicate entry " + q
			detail = "the same path twice in the tarball: tools disagree on which copy is the file (npm keeps the last), so the reviewed content may not be the installed one"
		case tarball.KindCollision:
			sev = Medium
			title = "colliding paths " + q + " and " + strconv.Quote(clip(is.Target, 60))
			detail = "paths equal under case folding or Unicode normalisation (or a file and a folder of one name): on macOS and Windows one overwrites the other when installed"
		default:
			sev = Medium
			title = "unusual tarball entry " + q
			detail = "an entry npm pack does not produce"
		}
		if is.Detail != "" {
			detail += " (" + is.Detail + ")"
		}
		if sev == Medium && (c.codeName(name) || is.Target != "" && c.codeName(is.Target)) {
			sev = High
			detail += "; it concerns code or an install-time file"
		}
		if inBase[issueKey(is)] {
			sev = sev.lower()
			detail += "; the base version had the same entry"
		}
		c.addSeverity(TarballAnomaly, sev, is.Rel, 0, title, detail)
	}
	for _, f := range c.in.New.Files {
		if !strings.ContainsFunc(f.Path, invisibleRune) {
			continue
		}
		plain := stripInvisible(f.Path)
		sev := Medium
		var notes []string
		if c.codeName(plain) {
			sev = High
			notes = append(notes, "it reads as "+strconv.Quote(clip(plain, 80))+", code or an install-time file")
		}
		if c.in.New.Lookup(plain) != nil {
			sev = High
			notes = append(notes, "a file "+strconv.Quote(clip(plain, 80))+" sits beside it")
		}
		if c.in.Old.Lookup(f.Path) != nil {
			sev = sev.lower()
			notes = append(notes, "the base version had it")
		}
		d := "the name holds zero-width, bidi or BOM characters, so it reads as another name in listings, diffs and editors"
		if len(notes) > 0 {
			d += "; " + strings.Join(notes, "; ")
		}
		c.addSeverity(TarballAnomaly, sev, f.Path, 0,
			"invisible characters in the file name "+strconv.QuoteToASCII(clip(f.Path, 80)), d)
	}
}

// ---- files allowlist ------------------------------------------------------------

// outsideAllowlist returns the files of p that `npm pack` would leave out
// because of package.json "files": packed without the allowlist, not with
// it. Files npm's default rules exclude (.npmrc, node_modules, .git) are
// not counted: packing without the allowlist drops them as well. ok is
// false when m has no files array or packing fails.
func outsideAllowlist(p *tarball.Package, m map[string]any, only map[string]bool) (map[string]bool, bool) {
	files, ok := m["files"].([]any)
	if !ok || p == nil {
		return nil, false
	}
	for _, f := range files {
		if s, _ := f.(string); extglob(s) {
			// pack's matcher has no extglobs (rxjs: "dist/cjs/**/!(*.tsbuildinfo)"):
			// rather no finding than a false one.
			return nil, false
		}
	}
	fsys := fstest.MapFS{}
	for _, f := range p.Files {
		switch path.Base(f.Path) {
		case ".npmignore", ".gitignore":
			continue // their rules are not the ones npm pack applied
		}
		if !fs.ValidPath(f.Path) || only != nil && !only[f.Path] {
			continue
		}
		fsys[f.Path] = &fstest.MapFile{Mode: fs.FileMode(f.Mode & 0o777)}
	}
	with, err := json.Marshal(m)
	if err != nil {
		return nil, false
	}
	fsys["package.json"] = &fstest.MapFile{Data: with, Mode: 0o644}
	kept, err := pack.FS(fsys, ".")
	if err != nil {
		return nil, false
	}
	without := make(map[string]any, len(m))
	for k, v := range m {
		if k != "files" {
			without[k] = v
		}
	}
	data, err := json.Marshal(without)
	if err != nil {
		return nil, false
	}
	fsys["package.json"] = &fstest.MapFile{Data: data, Mode: 0o644}
	all, err := pack.FS(fsys, ".")
	if err != nil {
		return nil, false
	}
	in := make(map[string]bool, len(kept))
	for _, f := range kept {
		in[f.Path] = true
	}
	out := map[string]bool{}
	for _, f := range all {
		if !in[f.Path] && !alwaysPacked(f.Path) {
			out[f.Path] = true
		}
	}
	return out, true
}

// extglob reports a pattern with minimatch extglob groups: !(…), ?(…),
// +(…), *(…), @(…).
func extglob(s string) bool {
	for _, g := range []string{"!(", "?(", "+(", "*(", "@("} {
		if strings.Contains(s, g) {
			return true
		}
	}
	return false
}

// alwaysPacked reports files some npm versions pack whatever "files" says:
// package.json, readmes, licences, changelogs and notices, at any depth
// in npm 6 and earlier.
func alwaysPacked(p string) bool {
	l := strings.ToLower(path.Base(p))
	if l == "package.json" {
		return true
	}
	for _, n := range []string{"changelog", "changes", "history", "notice", "readme", "license", "licence", "copying"} {
		if l == n || strings.HasPrefix(l, n+".") || strings.HasPrefix(l, n+"-") {
			return true
		}
	}
	return false
}

// filesAllowlist reports staged files that npm pack could not have put in
// the tarball given its package.json "files": high for code new in this
// version, medium otherwise; a file the base already shipped outside its
// own allowlist is not news.
func filesAllowlist(c *context) {
	// With the base's allowlist unchanged, only a new file can newly ship
	// outside it: the others, the base shipped too. Matching just those
	// keeps a release of thousands of files cheap.
	var only map[string]bool
	if c.oldManifest != nil && reflect.DeepEqual(c.oldManifest["files"], c.newManifest["files"]) {
		only = map[string]bool{}
		for _, f := range c.in.Diff.Files {
			if f.Status == diff.Added {
				only[f.Path] = true
			}
		}
		if len(only) == 0 {
			return
		}
	}
	outside, ok := outsideAllowlist(c.in.New, c.newManifest, only)
	if !ok || len(outside) == 0 {
		return
	}
	var baseOutside map[string]bool
	if only == nil {
		baseOutside, _ = outsideAllowlist(c.in.Old, c.oldManifest, nil)
	}
	paths := make([]string, 0, len(outside))
	for p := range outside {
		if !baseOutside[p] {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var high, medium []string
	for _, p := range paths {
		if c.in.Old.Lookup(p) == nil && c.codeName(p) {
			high = append(high, p)
		} else {
			medium = append(medium, p)
		}
	}
	line := manifestLine(c.newFile("package.json"), "files")
	report := func(sev Severity, ps []string, what string) {
		if len(ps) == 0 {
			return
		}
		shown := make([]string, 0, len(ps))
		for _, p := range ps {
			shown = append(shown, clip(p, 80))
		}
		title := strconv.Quote(clip(ps[0], 80)) + " ships outside package.json files"
		if len(ps) > 1 {
			title += " (and " + strconv.Itoa(len(ps)-1) + " more)"
		}
		c.addSeverity(TarballAnomaly, sev, ps[0], 0, title,
			what+" outside the package.json files allowlist: "+listDetail(shown, 6)+
				". npm pack of this manifest would not include them, so the tarball was built or edited by other means (package.json line "+strconv.Itoa(line)+")")
	}
	report(High, high, "code added in this version")
	report(Medium, medium, "files")
}
