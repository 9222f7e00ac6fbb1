package signals

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file holds dependency-risk and provenance-dropped: what the
// dependencies a release adds or re-points are (young, brand new with
// install scripts, pinned to a git commit, imitating a known name), and
// whether a release that used to come from a trusted publisher with
// provenance now comes from a person or a token. The registry facts come
// in through Input.Deps; the name and git-pin rules need only the manifests,
// so `compare` of local files applies them too.

// DependencyFacts are the registry's facts about one dependency package.
type DependencyFacts struct {
	Created     time.Time // zero when the packument had no time.created
	DistTags    map[string]string
	Maintainers []string
	Versions    map[string]VersionFacts
}

// VersionFacts are one published version's facts.
type VersionFacts struct {
	Published      time.Time // zero when unknown
	InstallScripts bool
	Deprecated     string // "" when not deprecated
}

// Thresholds of the dependency-risk rules.
const (
	youngPackage    = 30 * 24 * time.Hour  // younger than this: high
	newishPackage   = 180 * 24 * time.Hour // younger than this, with install scripts: high
	newishVersions  = 3                    // or this few versions, with install scripts: high
	longNameMin     = 5                    // imitation by edit distance only for names this long
	twoEditsNameMin = 8                    // two edits only for names this long
)

// DepChange is a dependency the staged version adds or re-points.
type DepChange struct {
	Field   string // manifest path, as the diff writes it
	Keys    []string
	Name    string // the name in the manifest
	Spec    string
	Added   bool   // the name is new to the installed sections
	Lookup  string // the registry package to look up ("" for git, URL and path specs)
	Range   string // the range or tag to resolve against Lookup's versions
	Bundled bool   // newly bundled into the tarball
}

// ManifestOf parses package.json bytes; nil when they are not a JSON object.
func ManifestOf(data []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

// DependencyChanges lists the dependencies newM adds or re-points relative
// to oldM (either may be nil): every installed section, overrides, and
// newly bundled names, in manifest order. devDependencies are left out:
// consumers never install them.
func DependencyChanges(oldM, newM map[string]any) []DepChange {
	if newM == nil {
		return nil
	}
	oldSpecs := dependencySpecs(oldM)
	newSpecs := dependencySpecs(newM)
	had := map[string]string{}
	for _, e := range oldSpecs {
		if e.keys[0] != "overrides" {
			had[e.name] = e.spec
		}
	}
	var out []DepChange
	seen := map[string]bool{}
	for _, f := range manifestOrder(newSpecs, func(f string) string { return f }) {
		e := newSpecs[f]
		if old, ok := oldSpecs[f]; ok && old.spec == e.spec {
			continue
		}
		prev, existed := had[e.name]
		if e.keys[0] != "overrides" && existed && prev == e.spec {
			continue // moved between installed sections
		}
		added := e.keys[0] != "overrides" && !existed && oldM != nil
		if oldM == nil {
			added = e.keys[0] != "overrides"
		}
		out = append(out, change(e.field, e.keys, e.name, e.spec, added))
		seen[e.name] = true
	}
	deps := objectField(newM, "dependencies")
	for _, n := range newlyBundled(oldM, newM) {
		if seen[n] {
			continue
		}
		spec, _ := deps[n].(string)
		c := change(bundleField(newM), []string{bundleField(newM)}, n, spec, true)
		c.Bundled = true
		out = append(out, c)
	}
	return out
}

func change(field string, keys []string, name, spec string, added bool) DepChange {
	c := DepChange{Field: field, Keys: keys, Name: name, Spec: spec, Added: added}
	switch specKind(name, spec) {
	case "":
		c.Lookup, c.Range = name, strings.TrimSpace(spec)
		if strings.HasPrefix(strings.ToLower(c.Range), "npm:") {
			body := c.Range[len("npm:"):]
			c.Lookup = aliasTarget(body)
			c.Range = strings.TrimPrefix(body[len(c.Lookup):], "@")
		}
	case "npm alias":
		body := strings.TrimSpace(spec)[len("npm:"):]
		c.Lookup = aliasTarget(body)
		c.Range = strings.TrimPrefix(body[len(c.Lookup):], "@")
	}
	if c.Lookup != "" && !validLookupName(c.Lookup) {
		c.Lookup = ""
	}
	return c
}

// validLookupName accepts what could be a registry package name.
func validLookupName(n string) bool {
	if n == "" || len(n) > 214 {
		return false
	}
	for i := 0; i < len(n); i++ {
		b := n[i]
		if b <= ' ' || b >= 0x7f || b == '%' || b == '\\' || b == '?' || b == '#' {
			return false
		}
	}
	return true
}

// LookupNames are the registry packages whose facts a review of oldM → newM
// needs, sorted and distinct.
func LookupNames(oldM, newM map[string]any) []string {
	set := map[string]bool{}
	for _, c := range DependencyChanges(oldM, newM) {
		if c.Lookup != "" {
			set[c.Lookup] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// depFinding is one reason a dependency is risky.
type depFinding struct {
	sev    Severity
	title  string
	detail string
	keys   []string
}

// manifestDependencyRisk reports dependency-risk: one signal on
// package.json naming every finding, at the severity of the worst.
func manifestDependencyRisk(c *context) {
	changes := DependencyChanges(c.oldManifest, c.newManifest)
	if len(changes) == 0 {
		return
	}
	// Siblings are the dependencies of both versions: a name swapped for a
	// look-alike (acme-logger out, acme-loger in) imitates one the base had.
	siblings := map[string]bool{}
	for _, m := range []map[string]any{c.oldManifest, c.newManifest} {
		for _, sec := range append(installedSections(), "devDependencies") {
			for n := range objectField(m, sec) {
				siblings[n] = true
			}
		}
	}
	var found []depFinding
	var missing []string
	missingSeen := map[string]bool{}
	for _, ch := range changes {
		found = append(found, c.offlineDepFindings(ch, siblings)...)
		if ch.Lookup == "" || c.in.Deps == nil && c.in.DepsMissing == nil {
			continue
		}
		facts, ok := c.in.Deps[ch.Lookup]
		if !ok {
			if !missingSeen[ch.Lookup] {
				missingSeen[ch.Lookup] = true
				why := c.in.DepsMissing[ch.Lookup]
				if why == "" {
					why = "not looked up"
				}
				missing = append(missing, clip(ch.Lookup, 60)+" ("+clip(why, 100)+")")
			}
			continue
		}
		found = append(found, c.registryDepFindings(ch, facts)...)
	}
	if len(missing) > 0 {
		found = append(found, depFinding{sev: Low,
			title:  "Registry facts missing for " + clip(strings.Join(missing, ", "), 100),
			detail: "facts missing (age, publish time, versions, maintainers, deprecation, install scripts) for " + listDetail(missing, 5) + ": check these dependencies by hand",
		})
	}
	if len(found) == 0 {
		return
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].sev.rank() < found[j].sev.rank() })
	worst := found[0]
	title := worst.title
	if len(found) > 1 {
		title += " (and " + strconv.Itoa(len(found)-1) + " more)"
	}
	details := make([]string, 0, len(found))
	for _, f := range found {
		details = append(details, f.detail)
	}
	line := 0
	if worst.keys != nil {
		line = manifestLine(c.newFile("package.json"), worst.keys...)
	}
	c.addSeverity(DependencyRisk, worst.sev, "package.json", line, title, listDetail(details, 6))
}

// offlineDepFindings are the rules that need only the manifests: a git
// spec pinned to a commit, and a new name that imitates a known one.
func (c *context) offlineDepFindings(ch DepChange, siblings map[string]bool) []depFinding {
	var out []depFinding
	name := clip(ch.Name, 60)
	if kind := specKind(ch.Name, ch.Spec); kind != "" && kind != "npm alias" {
		if sha := pinnedCommit(ch.Spec); sha != "" {
			out = append(out, depFinding{sev: High, keys: ch.Keys,
				title: name + " pinned to git commit " + sha[:12],
				detail: ch.Field + " = " + strconv.Quote(clip(ch.Spec, quoteMax)) + ": installs a " + kind +
					" commit by hash, which need not be on any branch of the project (an orphan or fork commit, as in the TanStack attack), and runs its prepare script at install",
			})
		}
	}
	if ch.Added {
		if like, why := imitates(ch.Name, siblings); like != "" {
			out = append(out, depFinding{sev: High, keys: ch.Keys,
				title:  "New dependency " + name + " imitates " + clip(like, 60),
				detail: ch.Field + ": the name " + strconv.Quote(name) + " " + why + " " + strconv.Quote(clip(like, 60)) + ": a typosquat or look-alike (plain-crypto-js for crypto-js)",
			})
		}
	}
	return out
}

// registryDepFindings are the rules over the dependency's registry facts.
func (c *context) registryDepFindings(ch DepChange, f DependencyFacts) []depFinding {
	var out []depFinding
	name := clip(ch.Lookup, 60)
	now := c.in.Now
	resolved := resolveSpec(ch.Range, f.Versions, f.DistTags)
	vf := f.Versions[resolved]
	facts := factsText(f, resolved, vf, now)
	at := ch.Field + " = " + strconv.Quote(clip(ch.Spec, 80))
	add := func(sev Severity, title, why string) {
		out = append(out, depFinding{sev: sev, keys: ch.Keys, title: title, detail: at + ": " + why + " (" + facts + ")"})
	}
	switch {
	case !now.IsZero() && !f.Created.IsZero() && now.Sub(f.Created) < youngPackage:
		add(High, name+" was first published "+ageText(now.Sub(f.Created))+" ago",
			"the package is younger than 30 days; attackers publish a clean-looking package, then add it as a dependency")
	case vf.InstallScripts && (!now.IsZero() && !f.Created.IsZero() && now.Sub(f.Created) < newishPackage || len(f.Versions) <= newishVersions):
		add(High, name+" is brand new and runs install scripts",
			"a package with few versions or months of history whose resolved version runs an install script")
	case vf.InstallScripts && !c.in.BaseTime.IsZero() && !vf.Published.IsZero() && vf.Published.After(c.in.BaseTime):
		add(High, name+"@"+clip(resolved, 40)+" runs install scripts and appeared after the base was published",
			"the resolved version was published after this package's base version and runs an install script: a compromised release of the dependency looks like this")
	case resolved == "" && len(f.Versions) > 0:
		add(Medium, "No published version of "+name+" satisfies "+strconv.Quote(clip(ch.Range, 40)),
			"npm cannot resolve this spec from the registry's versions")
	case vf.Deprecated != "":
		add(Medium, name+"@"+clip(resolved, 40)+" is deprecated",
			"deprecated: "+strconv.Quote(clip(vf.Deprecated, 100)))
	}
	return out
}

// factsText summarises a dependency's facts for a detail.
func factsText(f DependencyFacts, resolved string, vf VersionFacts, now time.Time) string {
	var parts []string
	if !f.Created.IsZero() {
		s := "created " + f.Created.UTC().Format("2006-01-02")
		if !now.IsZero() {
			s += " (" + ageText(now.Sub(f.Created)) + " ago)"
		}
		parts = append(parts, s)
	} else {
		parts = append(parts, "no creation time")
	}
	if resolved != "" {
		s := "resolves to " + clip(resolved, 40)
		if !vf.Published.IsZero() {
			s += ", published " + vf.Published.UTC().Format("2006-01-02 15:04")
		}
		if vf.InstallScripts {
			s += ", with install scripts"
		}
		parts = append(parts, s)
	}
	parts = append(parts, strconv.Itoa(len(f.Versions))+" versions")
	if len(f.Maintainers) > 0 {
		m := f.Maintainers
		more := ""
		if len(m) > 3 {
			m, more = m[:3], " +"+strconv.Itoa(len(f.Maintainers)-3)
		}
		cl := make([]string, len(m))
		for i, x := range m {
			cl[i] = clip(x, 40)
		}
		parts = append(parts, "maintainers "+strings.Join(cl, ", ")+more)
	}
	return strings.Join(parts, "; ")
}

// ageText shows a duration the way a reviewer reads an age.
func ageText(d time.Duration) string {
	switch {
	case d < 0:
		return "0 minutes"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}

// ---- name imitation -------------------------------------------------------

// nameAffixes are the additions look-alike names wrap around a real one.
func namePrefixes() []string { return []string{"node-", "plain-", "js-", "real-", "true-", "the-"} }
func nameSuffixes() []string {
	return []string{"-js", ".js", "js", "-node", "-plain", "-lib", "-official"}
}

// imitates returns the well-known name or sibling dependency that name
// looks like, and how; "" when none. Exact well-known names, @types/x for a
// sibling x, and scoped names that share a scope with a sibling are fine.
func imitates(name string, siblings map[string]bool) (like, how string) {
	known := map[string]bool{}
	for _, n := range wellKnownNames() {
		known[n] = true
	}
	lname := strings.ToLower(name)
	if known[lname] {
		return "", ""
	}
	if strings.HasPrefix(lname, "@types/") {
		return "", ""
	}
	if scope, _, ok := strings.Cut(lname, "/"); ok && strings.HasPrefix(scope, "@") {
		for s := range siblings {
			if s != name && strings.HasPrefix(strings.ToLower(s), scope+"/") {
				return "", ""
			}
		}
	}
	// Affix games: plain-crypto-js is crypto-js with a prefix.
	for _, stripped := range strippedNames(lname) {
		if stripped != lname && known[stripped] {
			return stripped, "wraps the well-known name"
		}
		for s := range siblings {
			if s != name && strings.ToLower(s) == stripped {
				return s, "wraps the name of the package's own dependency"
			}
		}
	}
	if len(lname) < longNameMin {
		return "", ""
	}
	for k := range known {
		if len(k) < longNameMin {
			continue
		}
		max := 1
		if len(lname) >= twoEditsNameMin && len(k) >= twoEditsNameMin {
			max = 2
		}
		if d := editDistance(lname, k, max); d > 0 && d <= max && !digitSwap(lname, k) {
			if like == "" || k < like {
				like, how = k, "is "+strconv.Itoa(d)+" edit(s) away from the well-known name"
			}
		}
	}
	if like != "" {
		return like, how
	}
	for s := range siblings {
		ls := strings.ToLower(s)
		if s == name || len(ls) < longNameMin || known[lname] {
			continue
		}
		if editDistance(lname, ls, 1) == 1 && !digitSwap(lname, ls) {
			if like == "" || s < like {
				like, how = s, "is 1 edit away from the package's own dependency"
			}
		}
	}
	return like, how
}

// strippedNames returns name with each known prefix and suffix removed
// (one of each, and both), scoped names by their bare part too.
func strippedNames(name string) []string {
	var out []string
	bare := name
	if _, b, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(name, "@") {
		bare = b
		out = append(out, b)
	}
	for _, p := range append([]string{""}, namePrefixes()...) {
		if !strings.HasPrefix(bare, p) {
			continue
		}
		s := bare[len(p):]
		for _, x := range append([]string{""}, nameSuffixes()...) {
			if strings.HasSuffix(s, x) && len(s) > len(x)+1 {
				out = append(out, s[:len(s)-len(x)])
			}
		}
	}
	return out
}

// digitSwap reports two names of equal length that differ only in digits
// (es5-shim, es6-shim; vue2-x, vue3-x): versioned families, not squats.
func digitSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := false
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if !(a[i] >= '0' && a[i] <= '9' && b[i] >= '0' && b[i] <= '9') {
				return false
			}
			diff = true
		}
	}
	return diff
}

// editDistance is the optimal-string-alignment distance of a and b
// (insertions, deletions, substitutions, adjacent transpositions), or
// max+1 when it is over max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// ---- provenance-dropped -----------------------------------------------------

// trustedType reports an actorType that names a trusted publisher (OIDC).
func trustedType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "trusted") || strings.Contains(t, "oidc")
}

// manifestProvenance reports provenance-dropped: the base and the recent
// versions (at least one, and all of those known) were published by a
// trusted publisher with provenance, and this version was staged by a user
// or a token.
func manifestProvenance(c *context) {
	a := c.in.Actor
	if a.Type == "" || a.Trusted || trustedType(a.Type) {
		return
	}
	var prior []Publisher
	if c.in.Base.Version != "" {
		prior = append(prior, c.in.Base)
	}
	for _, p := range c.in.Recent {
		if p.Version != c.in.Base.Version {
			prior = append(prior, p)
		}
	}
	if len(prior) == 0 {
		return
	}
	// The latest ones decide: a project that moved to trusted publishing
	// counts from the move on.
	n := min(len(prior), 3)
	var versions []string
	for _, p := range prior[:n] {
		if !p.Provenance || !(p.Trusted || trustedType(p.Type)) {
			return
		}
		versions = append(versions, clip(p.Version, 40))
	}
	who := publisherText(a)
	c.add(ProvenanceDropped, "", 0,
		"Provenance dropped: staged by "+who+", earlier versions came from a trusted publisher",
		"Versions "+strings.Join(versions, ", ")+" were published by a trusted publisher (OIDC) with provenance (dist.attestations); this one was staged by "+who+
			", so it will have no provenance. A stolen token or a maintainer's session publishes this way: confirm with the maintainers how this release was made before approving.")
}
