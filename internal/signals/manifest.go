package signals

import (
	"bytes"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
)

// This file holds the manifest detectors: what package.json adds or
// changes (lifecycle scripts, dependency specs, entry points), and the
// facts about the release itself (digests, who staged it).
//
// Manifest values come from encoding/json as any: every field may have a
// shape npm would reject (a script that is a number, dependencies that are
// an array). Such values are skipped or shown as JSON, never asserted.

// manifestSignals runs the manifest detectors: install-script,
// non-registry-dependency, new-dependency, entrypoint-changed,
// integrity-mismatch, publisher-changed.
func manifestSignals(c *context) {
	manifestIntegrity(c)
	manifestPublisher(c)
	manifestProvenance(c)
	if c.newManifest == nil {
		// No package.json (or one npm cannot read): nothing installs it,
		// and the diff already reports the parse error.
		return
	}
	manifestInstallScripts(c)
	manifestNonRegistry(c)
	manifestNewDependencies(c)
	manifestDependencyRisk(c)
	manifestEntrypoints(c)
}

// quoteMax is how much tarball text a title or detail quotes.
const quoteMax = 120

// manifestLine returns the 1-based line of package.json where the key path
// keys is written, looking for each key after the previous one; 0 when a
// key cannot be found as written (an escaped key, say). It is a pointer
// for the reader, not a parse: the signal stands without it.
func manifestLine(data []byte, keys ...string) int {
	at := 0
	for _, k := range keys {
		needle := `"` + k + `"`
		found := -1
		for from := at; from < len(data); {
			i := bytes.Index(data[from:], []byte(needle))
			if i < 0 {
				break
			}
			end := from + i + len(needle)
			rest := bytes.TrimLeft(data[end:], " \t\r\n")
			if len(rest) > 0 && rest[0] == ':' {
				found = from + i
				break
			}
			from = end
		}
		if found < 0 {
			return 0
		}
		at = found + len(needle)
	}
	if len(keys) == 0 {
		return 0
	}
	return bytes.Count(data[:at], []byte("\n")) + 1
}

// objectField returns m[key] when it is a JSON object, else nil.
func objectField(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// valueString shows a manifest value: a string as is, anything else as JSON.
func valueString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return diff.ValueText(v)
}

// listDetail joins findings, at most max of them, saying how many more.
func listDetail(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:max], "; ") + "; and " + strconv.Itoa(len(items)-max) + " more"
}

// ---- integrity-mismatch ----------------------------------------------------

// manifestIntegrity reports tarballs whose digest did not match the
// registry's record. Both go on the tarball as a whole (path ""), so a
// double failure is one signal that names both.
func manifestIntegrity(c *context) {
	staged := !c.in.StagedVerified
	base := c.in.Old != nil && !c.in.BaseVerified
	const stagedWhy = "The staged tarball's digest differs from the stage item's shasum, or the stage item recorded none: what you review may not be what would be published. Re-download it and review again; reject it if it still differs."
	const baseWhy = "The base version's tarball does not match the registry's dist.integrity/shasum: the diff may be against the wrong content. Re-download the base before trusting this diff."
	switch {
	case staged && base:
		c.add(IntegrityMismatch, "", 0, "Staged and base tarballs do not match the registry's record: do not approve", stagedWhy+" "+baseWhy)
	case staged:
		c.add(IntegrityMismatch, "", 0, "Staged tarball does not match the registry's record: do not approve", stagedWhy)
	case base:
		c.add(IntegrityMismatch, "", 0, "Base tarball does not match the registry's record: re-download it", baseWhy)
	}
}

// ---- publisher-changed ------------------------------------------------------

// manifestPublisher reports a stager who is not among the recent
// publishers. A type is compared only when both sides know it: the
// packument's _npmUser often has no actorType.
func manifestPublisher(c *context) {
	a := c.in.Actor
	if a.Name == "" || len(c.in.Recent) == 0 {
		return
	}
	sameName := false
	for _, p := range c.in.Recent {
		if !strings.EqualFold(p.Name, a.Name) {
			continue
		}
		if p.Type == "" || a.Type == "" || p.Type == a.Type {
			return
		}
		sameName = true
	}
	who := publisherText(a)
	var title string
	if sameName {
		title = "Staged by " + who + ": same name, new actor type"
	} else {
		title = "Staged by " + who + ", who published none of the last " + strconv.Itoa(len(c.in.Recent)) + " versions"
	}
	// Group the recent publishers, newest first, with their versions.
	var order []string
	versions := map[string][]string{}
	for _, p := range c.in.Recent {
		k := publisherText(p)
		if _, ok := versions[k]; !ok {
			order = append(order, k)
		}
		if p.Version != "" {
			versions[k] = append(versions[k], clip(p.Version, 40))
		}
	}
	var recent []string
	for _, k := range order {
		if v := versions[k]; len(v) > 0 {
			more := ""
			if len(v) > 3 {
				v, more = v[:3], " and "+strconv.Itoa(len(v)-3)+" more"
			}
			recent = append(recent, k+": "+strings.Join(v, ", ")+more)
		} else {
			recent = append(recent, k)
		}
	}
	detail := "Recent publishers: " + strings.Join(recent, " | ") +
		". A new actor can be a team or CI change, or a stolen token: confirm with the maintainers before approving."
	c.add(PublisherChanged, "", 0, title, detail)
}

func publisherText(p Publisher) string {
	s := clip(p.Name, 60)
	if p.Type != "" {
		s += " (" + clip(p.Type, 30) + ")"
	}
	return s
}

// ---- install-script ----------------------------------------------------------

// installPhase reports whether npm runs the lifecycle script when a
// consumer installs the package from the registry; the prepare family and
// prepack run only for git dependencies and local installs.
func installPhase(name string) bool {
	return name == "preinstall" || name == "install" || name == "postinstall"
}

// gypImplicit reports whether npm would run "node-gyp rebuild" for the
// package: a root binding.gyp, no install or preinstall script, and no
// "gypfile": false.
func gypImplicit(m map[string]any, hasGyp bool) bool {
	if !hasGyp {
		return false
	}
	if g, ok := m["gypfile"].(bool); ok && !g {
		return false
	}
	scripts := objectField(m, "scripts")
	_, install := scripts["install"]
	_, pre := scripts["preinstall"]
	return !install && !pre
}

// manifestInstallScripts reports lifecycle scripts added or changed, and
// an implicit node-gyp build that the base did not have. All of them are
// one signal on package.json, titled by the first in npm's run order.
func manifestInstallScripts(c *context) {
	oldScripts := objectField(c.oldManifest, "scripts")
	newScripts := objectField(c.newManifest, "scripts")
	pkgJSON := c.newFile("package.json")
	var (
		title, detail []string
		line          int
		risky         bool // a registry install runs it, or its body is alarming
		movedAny      bool // a command moved between install-phase scripts
	)
	for _, name := range lifecycleScripts() {
		nv, inNew := newScripts[name]
		if !inNew {
			continue // a removed script runs nothing
		}
		ov, inOld := oldScripts[name]
		if inOld && reflect.DeepEqual(ov, nv) {
			continue
		}
		cmd := valueString(nv)
		if name == "install" && !inOld && strings.TrimSpace(cmd) == "node-gyp rebuild" && gypImplicit(c.oldManifest, c.in.Old.Lookup("binding.gyp") != nil) {
			continue // spells out what npm already ran for the base's binding.gyp
		}
		field := diff.JoinKey("scripts", name)
		moved := movedScript(oldScripts, name, nv)
		var t, d string
		if inOld {
			oldCmd := clip(valueString(ov), 50)
			t = name + " script changed: " + oldCmd + " → " + clip(cmd, 60)
			d = field + " changed: " + strconv.Quote(clip(valueString(ov), quoteMax)) + " → " + strconv.Quote(clip(cmd, quoteMax))
		} else {
			t = name + " script added: " + clip(cmd, 80)
			d = field + " added: " + strconv.Quote(clip(cmd, quoteMax))
		}
		var notes []string
		if files := c.scriptTargets(cmd); len(files) > 0 {
			notes = append(notes, "runs "+strings.Join(files, ", "))
		}
		pats := scriptPatterns(cmd)
		notes = append(notes, pats...)
		if !installPhase(name) {
			notes = append(notes, "npm runs "+name+" for git dependencies and local installs, not for registry installs")
		}
		if moved != "" {
			notes = append(notes, "the base ran the same command as "+diff.JoinKey("scripts", moved))
		}
		if len(notes) > 0 {
			d += " (" + strings.Join(notes, "; ") + ")"
		}
		// A command that only moved between install-phase scripts already
		// ran at install; its patterns were there before too. Nor does one
		// whose only change is how its failure is handled (|| exit 0).
		guardOnly := inOld && unguarded(valueString(ov)) == unguarded(cmd)
		if guardOnly {
			d += " (the command is unchanged; only its failure handling changed)"
		}
		// A build that moved its output (index.js -> dist/index.js) runs
		// the same command on the same file name: what that file does is
		// judged by the install-time code detectors, which read it.
		relocated := inOld && !guardOnly && len(pats) == 0 && relocatedOnly(valueString(ov), cmd)
		if relocated {
			d += " (the same command on a file of the same name in another folder)"
		}
		risky = risky || (installPhase(name) || len(pats) > 0) && moved == "" && !guardOnly && !relocated
		movedAny = movedAny || moved != "" || relocated
		if line == 0 {
			line = manifestLine(pkgJSON, "scripts", name)
		}
		title = append(title, t)
		detail = append(detail, d)
	}
	hasOldGyp := c.in.Old.Lookup("binding.gyp") != nil
	hasNewGyp := c.in.New.Lookup("binding.gyp") != nil
	if gypImplicit(c.newManifest, hasNewGyp) && !gypImplicit(c.oldManifest, hasOldGyp) {
		if hasOldGyp {
			title = append(title, "binding.gyp now built at install: npm runs node-gyp rebuild")
			detail = append(detail, "the install script or \"gypfile\": false that kept npm from building binding.gyp is gone: npm runs \"node-gyp rebuild\" at install, which runs whatever binding.gyp's actions and <!(…) commands say")
		} else {
			title = append(title, "binding.gyp added: npm runs node-gyp rebuild at install")
			detail = append(detail, "new root binding.gyp with no install or preinstall script: npm runs \"node-gyp rebuild\" at install, which runs whatever binding.gyp's actions and <!(…) commands say")
		}
		risky = true
	}
	if len(title) == 0 {
		return
	}
	t := title[0]
	if len(title) > 1 {
		t += " (and " + strconv.Itoa(len(title)-1) + " more install-time changes)"
	}
	sev := High
	if !risky {
		// Only the prepare family changed, with a plain command (husky,
		// tsc), or a command kept its body: consumers installing from the
		// registry never run it, or run what they ran before.
		sev = Low
		if movedAny {
			sev = Medium // it still runs at install, under another name
		}
	}
	c.addSeverity(InstallScript, sev, "package.json", line, t, listDetail(detail, 4))
}

// guardSuffix matches what only changes how a command's failure or output
// is handled: || exit 0, || true, 2>/dev/null.
var guardSuffix = regexp.MustCompile(`(?:\s*(?:\|\||;)\s*(?:exit\s+0|true|:)|\s*[12]?>\s*/dev/null|\s*2>&1)+\s*$`)

// unguarded is a script command without its failure guards.
func unguarded(cmd string) string {
	return strings.TrimSpace(guardSuffix.ReplaceAllString(strings.TrimSpace(cmd), ""))
}

// relocatedOnly reports two commands that differ only in the folders of
// the files they name: every word is the same, or both words are paths
// with the same file name (node index.js -> node dist/index.js).
func relocatedOnly(oldCmd, newCmd string) bool {
	ow, nw := strings.Fields(oldCmd), strings.Fields(newCmd)
	if len(ow) != len(nw) || len(ow) == 0 {
		return false
	}
	moved := false
	for i := range ow {
		if ow[i] == nw[i] {
			continue
		}
		o, n := path.Clean(strings.TrimPrefix(ow[i], "./")), path.Clean(strings.TrimPrefix(nw[i], "./"))
		if !scriptFileWord(o) || !scriptFileWord(n) || path.Base(o) != path.Base(n) || o == n {
			return false
		}
		moved = true
	}
	return moved
}

// scriptFileWord is a relative path inside the package: no scheme, no
// parent folder, no shell syntax.
func scriptFileWord(w string) bool {
	return w != "" && !strings.HasPrefix(w, "/") && !strings.HasPrefix(w, "..") &&
		!strings.ContainsAny(w, ":$`|;&<>(){}'\"*?") && strings.Contains(w, ".")
}

// movedScript returns the install-phase script of the base that ran the
// same command as the staged script name (itself install-phase), or "".
func movedScript(oldScripts map[string]any, name string, nv any) string {
	if !installPhase(name) {
		return ""
	}
	for _, other := range lifecycleScripts() {
		if other != name && installPhase(other) && reflect.DeepEqual(oldScripts[other], nv) {
			return other
		}
	}
	return ""
}

// scriptTargets lists the package files a script command runs, marking
// those that are new in this version.
func (c *context) scriptTargets(cmd string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range scriptFiles(cmd) {
		if seen[p] || c.in.New.Lookup(p) == nil {
			continue
		}
		seen[p] = true
		s := clip(p, 80)
		if c.in.Old != nil && c.in.Old.Lookup(p) == nil {
			s += " (new file)"
		}
		out = append(out, s)
	}
	return out
}

// scriptWords splits a shell command into lower-case words and the
// operators |, ||, &, && and ;. Quotes and parentheses only separate
// words: this is a reading aid for a reviewer, not a shell parser, and it
// errs towards finding a pattern.
func scriptWords(cmd string) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	s := strings.ToLower(cmd)
	for i := 0; i < len(s); i++ {
		switch b := s[i]; b {
		case ' ', '\t', '\n', '\r', '"', '\'', '`', '(', ')':
			flush()
		case '|', '&':
			flush()
			if i+1 < len(s) && s[i+1] == b {
				words = append(words, string([]byte{b, b}))
				i++
			} else {
				words = append(words, string(b))
			}
		case ';':
			flush()
			words = append(words, ";")
		default:
			cur.WriteByte(b)
		}
	}
	flush()
	return words
}

// commandName is a word's program name: the base of a path, without a
// Windows .exe suffix.
func commandName(w string) string {
	if i := strings.LastIndexAny(w, `/\`); i >= 0 {
		w = w[i+1:]
	}
	return strings.TrimSuffix(w, ".exe")
}

// scriptPatterns names what in a lifecycle command makes it worse: the
// shapes real attacks used (download tools, piping into a shell, inline
// code, detached processes, Bun, swallowed failures).
func scriptPatterns(cmd string) []string {
	words := scriptWords(cmd)
	var out []string
	seen := map[string]bool{}
	note := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	next := func(i int) string {
		if i+1 < len(words) {
			return words[i+1]
		}
		return ""
	}
	for i, w := range words {
		name := commandName(w)
		switch name {
		case "curl", "wget", "iwr", "invoke-webrequest", "irm", "invoke-restmethod", "bitsadmin":
			note("downloads with " + name)
		case "certutil":
			for _, a := range words[i+1:] {
				if a == "-urlcache" || a == "/urlcache" {
					note("downloads with certutil -urlcache")
					break
				}
			}
		case "node", "deno":
			switch next(i) {
			case "-e", "--eval", "-p", "--print":
				note("runs inline code (" + name + " " + next(i) + ")")
			}
		case "powershell", "pwsh":
			switch next(i) {
			case "-c", "-command", "-e", "-enc", "-encodedcommand":
				note("runs inline code (" + name + " " + next(i) + ")")
			}
		case "bun", "bunx":
			note("runs Bun (" + strings.TrimSpace(name+" "+next(i)) + ")")
		case "start":
			if next(i) == "/b" {
				note("runs detached (start /B)")
			}
		case "nohup", "setsid", "disown":
			note("runs detached (" + name + ")")
		}
		switch w {
		case "|":
			switch commandName(next(i)) {
			case "sh", "bash", "zsh", "dash", "ksh", "iex", "invoke-expression", "powershell", "pwsh", "node", "python", "python3", "perl":
				note("pipes into " + commandName(next(i)))
			}
		case "&&":
			if next(i) == "exit" && i+2 < len(words) && words[i+2] != "0" {
				note("ends in && exit " + clip(words[i+2], 8) + " (fails on purpose, silencing an optional install)")
			}
		case "||":
			switch n := next(i); n {
			case "true", ":":
				note("ignores failures (|| " + n + ")")
			case "exit":
				if i+2 < len(words) && words[i+2] == "0" {
					note("ignores failures (|| exit 0)")
				}
			}
		}
	}
	if strings.Contains(strings.ToLower(cmd), "://") {
		note("names a URL")
	}
	return out
}

// ---- non-registry-dependency and new-dependency -------------------------------

// installedSections are the dependency fields a consumer's install fetches.
// devDependencies are never installed for consumers, so they are skipped.
func installedSections() []string {
	return []string{"dependencies", "optionalDependencies", "peerDependencies"}
}

// depEntry is one dependency spec found in a manifest.
type depEntry struct {
	field string // the manifest path, as the diff writes it
	keys  []string
	name  string // the package the spec is for
	spec  string
}

// dependencySpecs returns every string spec of the installed sections and
// of overrides, keyed by manifest path.
func dependencySpecs(m map[string]any) map[string]depEntry {
	out := map[string]depEntry{}
	for _, sec := range installedSections() {
		deps := objectField(m, sec)
		for name, v := range deps {
			if s, ok := v.(string); ok {
				f := diff.JoinKey(sec, name)
				out[f] = depEntry{field: f, keys: []string{sec, name}, name: name, spec: s}
			}
		}
	}
	if ov, ok := m["overrides"].(map[string]any); ok {
		overrideSpecs(out, "overrides", []string{"overrides"}, "", ov, 0)
	}
	return out
}

// overrideSpecs walks the nested overrides object. A key is "name" or
// "name@range"; the key "." overrides the enclosing package itself.
func overrideSpecs(out map[string]depEntry, field string, keys []string, parent string, m map[string]any, depth int) {
	if depth > 32 {
		return // deeper than any real override tree; stay bounded on hostile input
	}
	for k, v := range m {
		name := overrideName(k)
		if k == "." {
			name = parent
		}
		f := diff.JoinKey(field, k)
		sub := append(keys[:len(keys):len(keys)], k)
		switch v := v.(type) {
		case string:
			out[f] = depEntry{field: f, keys: sub, name: name, spec: v}
		case map[string]any:
			overrideSpecs(out, f, sub, name, v, depth+1)
		}
	}
}

// overrideName strips a version range from an overrides key (foo@1, @scope/foo@^2).
func overrideName(k string) string {
	if i := strings.LastIndexByte(k, '@'); i > 0 {
		return k[:i]
	}
	return k
}

// specKind says whether a dependency spec installs from somewhere other
// than the registry, and from what; "" for a registry range or tag.
func specKind(name, spec string) string {
	s := strings.TrimSpace(spec)
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "git+ssh://"), strings.HasPrefix(l, "git+https://"), strings.HasPrefix(l, "git+http://"),
		strings.HasPrefix(l, "git+file://"), strings.HasPrefix(l, "git://"):
		return "git"
	case strings.HasPrefix(l, "github:"):
		return "GitHub"
	case strings.HasPrefix(l, "gitlab:"):
		return "GitLab"
	case strings.HasPrefix(l, "bitbucket:"):
		return "Bitbucket"
	case strings.HasPrefix(l, "gist:"):
		return "gist"
	case strings.HasPrefix(l, "http://"), strings.HasPrefix(l, "https://"):
		return "URL"
	case strings.HasPrefix(l, "file:"), strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"),
		strings.HasPrefix(s, "/"), strings.HasPrefix(s, "~/"), windowsPath(s):
		return "local path"
	case strings.HasPrefix(l, "link:"):
		return "link"
	case strings.HasPrefix(l, "npm:"):
		if target := aliasTarget(s[len("npm:"):]); !strings.EqualFold(target, name) {
			return "npm alias"
		}
		return ""
	case scpGit(s):
		return "git"
	case repoShorthand(s):
		return "GitHub"
	}
	return ""
}

// windowsPath reports C:\ or C:/ paths, which npm reads as local folders.
func windowsPath(s string) bool {
	return len(s) >= 3 && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
}

// aliasTarget is the package name of an npm: alias body (name@range, @scope/name@range).
func aliasTarget(body string) string {
	from := 0
	if strings.HasPrefix(body, "@") {
		from = 1
	}
	if i := strings.IndexByte(body[from:], '@'); i >= 0 {
		return body[:from+i]
	}
	return body
}

// scpGit reports git's scp-like form user@host:path, which npm reads as git.
func scpGit(s string) bool {
	at := strings.IndexByte(s, '@')
	colon := strings.IndexByte(s, ':')
	return at > 0 && colon > at+1 && !strings.ContainsAny(s[:colon], " /") && isNameChars(s[:at])
}

// repoShorthand reports npm's "user/repo" and "user/repo#ref" GitHub shorthand.
func repoShorthand(s string) bool {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	user, repo, ok := strings.Cut(s, "/")
	return ok && isNameChars(user) && isNameChars(repo) && user != "." && user != ".."
}

// isNameChars reports a non-empty run of [A-Za-z0-9_.-].
func isNameChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '.' || b == '-') {
			return false
		}
	}
	return true
}

// pinnedCommit returns the 40-hex commit a git spec is pinned to, or "".
func pinnedCommit(spec string) string {
	i := strings.LastIndexByte(spec, '#')
	if i < 0 {
		return ""
	}
	ref := spec[i+1:]
	if len(ref) != 40 {
		return ""
	}
	for j := 0; j < len(ref); j++ {
		b := ref[j] | 0x20
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f') {
			return ""
		}
	}
	return ref
}

// manifestNonRegistry reports dependency specs, added or changed, that
// install from git, a URL, the local disk or under another package's
// name, and names newly bundled into the tarball. One signal on
// package.json lists them all.
func manifestNonRegistry(c *context) {
	oldSpecs := dependencySpecs(c.oldManifest)
	newSpecs := dependencySpecs(c.newManifest)
	oldByName := map[string]string{}
	for _, e := range oldSpecs {
		if e.keys[0] != "overrides" {
			oldByName[e.name] = e.spec
		}
	}
	fields := manifestOrder(newSpecs, func(f string) string { return f })
	pkgJSON := c.newFile("package.json")
	var (
		title  string
		detail []string
		line   int
		high   bool
	)
	for _, f := range fields {
		e := newSpecs[f]
		kind := specKind(e.name, e.spec)
		if kind == "" {
			continue
		}
		old, had := oldSpecs[f]
		if had && old.spec == e.spec || !had && oldByName[e.name] == e.spec && e.keys[0] != "overrides" {
			continue // unchanged, or only moved between installed sections: not news
		}
		verb := "added"
		if had {
			verb = "changed"
		}
		d := f + " " + verb + ": " + strconv.Quote(clip(e.spec, quoteMax)) + " (" + kindText(kind, e.spec)
		if had {
			d += "; was " + strconv.Quote(clip(old.spec, 60))
		}
		d += ")"
		detail = append(detail, d)
		high = true
		if title == "" {
			title = kindTitle(kind) + " dependency " + verb + ": " + clip(f, 60) + " = " + clip(e.spec, 60)
			line = manifestLine(pkgJSON, e.keys...)
		}
	}
	if newly := newlyBundled(c.oldManifest, c.newManifest); len(newly) > 0 {
		names := make([]string, 0, len(newly))
		for _, n := range newly {
			names = append(names, clip(n, 60))
		}
		field := bundleField(c.newManifest)
		detail = append(detail, field+" adds "+listDetail(names, 5)+
			": shipped inside the tarball under node_modules, never fetched from the registry, and outside any lockfile review")
		if title == "" {
			title = field + " added: " + clip(strings.Join(names, ", "), 80) + " ship inside the tarball"
			line = manifestLine(pkgJSON, field)
		}
	}
	if len(detail) == 0 {
		return
	}
	sev := High
	if !high {
		// Bundling alone: the bundled files are in this diff, where the
		// content detectors read them.
		sev = Medium
	}
	c.addSeverity(NonRegistryDependency, sev, "package.json", line, title, listDetail(detail, 4))
}

func kindTitle(kind string) string {
	switch kind {
	case "URL":
		return "Tarball-URL"
	case "local path":
		return "Local-path"
	case "npm alias":
		return "Aliased"
	case "link":
		return "Linked"
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

func kindText(kind, spec string) string {
	var s string
	switch kind {
	case "URL":
		s = "a tarball fetched from a URL, not the registry"
	case "local path", "link":
		s = "a path on the installing machine"
	case "npm alias":
		s = "installs the package " + strconv.Quote(clip(aliasTarget(strings.TrimSpace(spec)[len("npm:"):]), 60)) + " under this name"
	default:
		s = "a " + kind + " repository; npm runs a git dependency's prepare script when it installs it"
	}
	if sha := pinnedCommit(spec); sha != "" {
		s += "; pinned to commit " + sha[:12] + ", which may be an orphan or fork commit: check it is on the project's own branch"
	}
	return s
}

// bundleNames returns the names a manifest bundles: bundleDependencies or
// bundledDependencies as an array of names, or true meaning every dependency.
func bundleNames(m map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, f := range []string{"bundleDependencies", "bundledDependencies"} {
		switch v := m[f].(type) {
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					out[s] = true
				}
			}
		case bool:
			if v {
				for n := range objectField(m, "dependencies") {
					out[n] = true
				}
			}
		}
	}
	return out
}

// bundleField is the bundle field's name as the manifest spells it.
func bundleField(m map[string]any) string {
	if _, ok := m["bundleDependencies"]; ok {
		return "bundleDependencies"
	}
	return "bundledDependencies"
}

// newlyBundled lists, sorted, the names bundled now and not in the base.
func newlyBundled(oldM, newM map[string]any) []string {
	was := bundleNames(oldM)
	var out []string
	for n := range bundleNames(newM) {
		if !was[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// manifestNewDependencies reports names added to the installed sections.
// A name that only moved between them (dependencies → optional) is not
// new; one that moved from devDependencies is, for consumers. A first
// release, or a base whose package.json could not be read, has no
// baseline and stays quiet.
func manifestNewDependencies(c *context) {
	if c.in.Old == nil || c.oldManifest == nil {
		return
	}
	had := map[string]bool{}
	for _, sec := range installedSections() {
		for n := range objectField(c.oldManifest, sec) {
			had[n] = true
		}
	}
	// Scopes the base already depended on: npm scopes are owned, so a new
	// package in one (@esbuild/openharmony-arm64 beside @esbuild/linux-x64)
	// comes from the publisher the package already trusted.
	hadScope := map[string]bool{}
	for n := range had {
		if scope, _, ok := strings.Cut(n, "/"); ok && strings.HasPrefix(scope, "@") {
			hadScope[scope] = true
		}
	}
	pkgJSON := c.newFile("package.json")
	var names, detail []string
	line := 0
	seen := map[string]bool{}
	sameScope := true
	for _, sec := range installedSections() {
		deps := objectField(c.newManifest, sec)
		for _, n := range sortedKeys(deps) {
			if had[n] || seen[n] {
				continue
			}
			seen[n] = true
			scope, _, _ := strings.Cut(n, "/")
			sameScope = sameScope && hadScope[scope] && specKind(n, valueString(deps[n])) == ""
			names = append(names, clip(n, 60))
			detail = append(detail, diff.JoinKey(sec, n)+" = "+strconv.Quote(clip(valueString(deps[n]), 60)))
			if line == 0 {
				line = manifestLine(pkgJSON, sec, n)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	var title string
	if len(names) == 1 {
		title = "New dependency: " + names[0]
	} else {
		title = strconv.Itoa(len(names)) + " new dependencies: " + clip(strings.Join(names, ", "), 80)
	}
	advice := ". Check who publishes it, when it was first published, and whether it runs install scripts."
	if len(names) > 1 {
		advice = ". Check who publishes each, when each was first published, and whether any runs install scripts."
	}
	if sameScope {
		c.addSeverity(NewDependency, Low, "package.json", line, title,
			listDetail(detail, 6)+": from a scope the base already depended on, whose owner publishes it.")
		return
	}
	c.add(NewDependency, "package.json", line, title, listDetail(detail, 6)+advice)
}

// ---- entrypoint-changed ---------------------------------------------------------

// entryLeaf is one target of an entry-point field: main, a bin name, an
// exports condition.
type entryLeaf struct {
	field string   // display path, as the diff writes it
	keys  []string // the keys in package.json, to find the line
	value any
	bin   string // the command name, for a bin leaf
}

// entryLeaves flattens main, module, browser, exports, types, typings and
// bin into leaves keyed by a canonical path, so that equivalent spellings
// (exports "./x" and {".": "./x"}; bin "x" and {name: "x"}) compare equal.
func entryLeaves(m map[string]any) map[string]entryLeaf {
	out := map[string]entryLeaf{}
	for _, f := range []string{"main", "module", "types", "typings"} {
		if v, ok := m[f]; ok {
			out[f] = entryLeaf{field: f, keys: []string{f}, value: v}
		}
	}
	if v, ok := m["browser"]; ok {
		flattenEntry(out, "browser", "browser", []string{"browser"}, v, 0)
	}
	if v, ok := m["exports"]; ok {
		if exportsSugar(v) {
			// Node reads a string, an array or a conditions object as the
			// export of "." itself.
			flattenEntry(out, `exports["."]`, "exports", []string{"exports"}, v, 0)
		} else {
			flattenEntry(out, "exports", "exports", []string{"exports"}, v, 0)
		}
	}
	switch b := m["bin"].(type) {
	case string:
		if n, _ := m["name"].(string); n != "" {
			name := path.Base(n)
			out[diff.JoinKey("bin", name)] = entryLeaf{field: diff.JoinKey("bin", name), keys: []string{"bin"}, value: b, bin: name}
		}
	case map[string]any:
		for name, v := range b {
			f := diff.JoinKey("bin", name)
			out[f] = entryLeaf{field: f, keys: []string{"bin", name}, value: v, bin: name}
		}
	}
	return out
}

// exportsSugar reports an exports value that is not a map of subpaths.
func exportsSugar(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return true
	}
	// Node rejects a mix of subpaths and conditions; reading a mix as
	// subpaths keeps the result independent of map order.
	for k := range m {
		if strings.HasPrefix(k, ".") {
			return false
		}
	}
	return len(m) > 0
}

func flattenEntry(out map[string]entryLeaf, key, field string, keys []string, v any, depth int) {
	if depth > 32 {
		return // bounded on hostile nesting
	}
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			flattenEntry(out, diff.JoinKey(key, k), diff.JoinKey(field, k), append(keys[:len(keys):len(keys)], k), sub, depth+1)
		}
	case []any:
		for i, sub := range v {
			idx := "[" + strconv.Itoa(i) + "]"
			flattenEntry(out, key+idx, field+idx, keys, sub, depth+1)
		}
	default:
		out[key] = entryLeaf{field: field, keys: keys, value: v}
	}
}

// catchAll reports a files entry that matches the whole package folder.
func catchAll(s string) bool {
	switch strings.TrimPrefix(s, "./") {
	case "*", "**", "**/*", ".", "", "/":
		return true
	}
	return false
}

// sameTarget compares two entry values, reading "./a.js" and "a.js" alike.
func sameTarget(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.TrimPrefix(as, "./") == strings.TrimPrefix(bs, "./")
	}
	return reflect.DeepEqual(a, b)
}

// shadowingBins are commands a package bin must not take over: npm puts
// node_modules/.bin first on PATH for scripts, and a global install puts
// the bin next to the real ones.
func shadowingBin(name string) bool {
	switch strings.ToLower(name) {
	case "node", "npm", "npx", "yarn", "pnpm", "corepack", "git", "sh", "bash", "zsh", "dash",
		"curl", "wget", "ssh", "sudo", "env", "python", "python3", "cmd", "powershell", "pwsh":
		return true
	}
	return false
}

// manifestEntrypoints reports entry points and bins retargeted or added,
// and the manifest changes that widen what ships (files removed or made
// catch-all, publishConfig.registry changed), as one signal on package.json.
func manifestEntrypoints(c *context) {
	if c.in.Old == nil || c.oldManifest == nil {
		return // a first release: every entry point is new, none is news
	}
	oldLeaves := entryLeaves(c.oldManifest)
	newLeaves := entryLeaves(c.newManifest)
	keys := manifestOrder(newLeaves, func(k string) string { return newLeaves[k].field })
	pkgJSON := c.newFile("package.json")
	var (
		title  string
		detail []string
		line   int
		high   bool
	)
	// note records one change; the title is the first change, or the
	// first one that shadows a command, whichever is worse.
	note := func(t, d string, keys []string, shadows bool) {
		if title == "" || shadows && !high {
			title = t
			line = manifestLine(pkgJSON, keys...)
		}
		high = high || shadows
		detail = append(detail, d)
	}
	for _, k := range keys {
		nl := newLeaves[k]
		ol, had := oldLeaves[k]
		if had && sameTarget(ol.value, nl.value) {
			continue
		}
		target := clip(valueString(nl.value), 80)
		var t, d string
		if had {
			t = clip(nl.field, 60) + " retargeted: " + clip(valueString(ol.value), 50) + " → " + target
			d = nl.field + " changed: " + strconv.Quote(clip(valueString(ol.value), 80)) + " → " + strconv.Quote(target)
		} else {
			t = clip(nl.field, 60) + " added: " + target
			d = nl.field + " added: " + strconv.Quote(target)
		}
		if s, ok := nl.value.(string); ok {
			p := strings.TrimPrefix(s, "./")
			if c.in.New.Lookup(p) != nil && c.in.Old.Lookup(p) == nil {
				d += " (a new file)"
			}
		}
		shadows := !had && shadowingBin(nl.bin)
		if shadows {
			t = "bin " + strconv.Quote(clip(nl.bin, 30)) + " added: shadows the system command"
			d += " (shadows the " + clip(nl.bin, 30) + " command for npm scripts and global installs)"
		}
		note(t, d, nl.keys, shadows)
	}
	// files: gone (everything in the folder ships) or given a catch-all entry.
	oldFiles, hadFiles := c.oldManifest["files"].([]any)
	newFiles, hasFiles := c.newManifest["files"].([]any)
	if hadFiles && len(oldFiles) > 0 && !hasFiles {
		note("files field removed: everything in the package folder now ships",
			"files removed (was "+clip(diff.ValueText(oldFiles), 80)+"): npm now packs the whole folder", nil, false)
	} else if hasFiles && hadFiles {
		was := map[string]bool{}
		for _, f := range oldFiles {
			if s, ok := f.(string); ok {
				was[s] = true
			}
		}
		for _, f := range newFiles {
			if s, ok := f.(string); ok && catchAll(s) && !was[s] {
				note("files widened to "+strconv.Quote(clip(s, 20))+": everything ships",
					"files gains "+strconv.Quote(clip(s, 20))+": npm packs the whole folder", []string{"files"}, false)
				break
			}
		}
	}
	oldReg := objectField(c.oldManifest, "publishConfig")["registry"]
	newReg := objectField(c.newManifest, "publishConfig")["registry"]
	if !reflect.DeepEqual(oldReg, newReg) {
		d := "publishConfig.registry changed: " + clip(valueString(oldReg), 60) + " → " + clip(valueString(newReg), 60)
		note("publishConfig.registry changed: "+clip(valueString(newReg), 60), d, []string{"publishConfig", "registry"}, false)
	}
	if len(detail) == 0 {
		return
	}
	if len(detail) > 1 {
		title += " (and " + strconv.Itoa(len(detail)-1) + " more)"
	}
	sev := Medium
	if high {
		sev = High
	}
	c.addSeverity(EntrypointChanged, sev, "package.json", line, title, listDetail(detail, 5))
}

// manifestOrder returns m's keys in the diff's order: by the install impact
// of the manifest field each names (diff.FieldRank), then by key.
func manifestOrder[V any](m map[string]V, field func(key string) string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := diff.FieldRank(field(keys[i])), diff.FieldRank(field(keys[j]))
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}
