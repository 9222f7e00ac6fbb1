package approval

import (
	"encoding/json"
	"sort"
	"strings"
)

// installedSections are the package.json sections a consumer's install
// pulls in: a batch version depending through one of them needs its
// dependency live first. devDependencies are not installed by consumers,
// so they do not order a release.
var installedSections = [...]string{"dependencies", "optionalDependencies", "peerDependencies"}

// DependencyNames returns the names of the packages a package.json
// depends on in its installed sections, sorted and unique, for Node.Deps.
// An npm: alias ("core": "npm:@acme/core@^1") names the package it
// installs, since that is the one that must be published first. A
// manifest that does not parse depends on nothing: ordering is a
// courtesy, not a check (the review reports a broken manifest).
func DependencyNames(packageJSON []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(packageJSON, &m) != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, sec := range installedSections {
		var deps map[string]any
		if json.Unmarshal(m[sec], &deps) != nil {
			continue
		}
		for name, spec := range deps {
			if s, ok := spec.(string); ok {
				if target, ok := aliasTarget(s); ok {
					name = target
				}
			}
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// InstalledName is the package a dependency entry name: spec installs:
// the alias target of an "npm:" spec, else name.
func InstalledName(name, spec string) string {
	if target, ok := aliasTarget(spec); ok {
		return target
	}
	return name
}

// aliasTarget returns the package an "npm:name@range" spec installs.
func aliasTarget(spec string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "npm:")
	if !ok || rest == "" {
		return "", false
	}
	// A scoped name starts with "@": the version separator is the next one.
	if at := strings.Index(rest[1:], "@"); at >= 0 {
		rest = rest[:at+1]
	}
	return rest, rest != ""
}
