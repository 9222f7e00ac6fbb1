package npmrc

import (
	"sort"
	"strings"
)

// ConfiguredRegistry is one registry npm's configuration points at: the
// default registry, or one an "@scope:registry" setting names.
type ConfiguredRegistry struct {
	// URL has a trailing slash.
	URL string
	// Scopes are the scopes ("@corp") routed to URL; empty for the default
	// registry unless a scope is also routed to it.
	Scopes []string
	// Default marks the "registry" setting.
	Default bool
	// HasAuth is npm publish's pre-flight check: credentials exist for URL.
	HasAuth bool
}

// Registries lists every registry the configuration routes packages to:
// the default registry first, then each distinct "@scope:registry" value
// (effective across all layers, so a project file overrides the user's), in
// scope order. A scoped registry equal to the default is folded into it.
// It never returns credential values, only whether they exist.
func (c *Config) Registries() []ConfiguredRegistry {
	def := c.Registry()
	out := []ConfiguredRegistry{{URL: def, Default: true, HasAuth: c.HasAuth(def)}}
	at := map[string]int{sameRegistryKey(def): 0}
	for _, scope := range c.scopesWithRegistry() {
		v := c.get(scope + ":registry")
		if !truthy(v) {
			continue
		}
		u := withSlash(jsString(v))
		if _, err := parseURL(u); err != nil {
			continue // npm would fail on every request for this scope; nothing to list
		}
		k := sameRegistryKey(u)
		i, seen := at[k]
		if !seen {
			i = len(out)
			at[k] = i
			out = append(out, ConfiguredRegistry{URL: u, HasAuth: c.HasAuth(u)})
		}
		out[i].Scopes = append(out[i].Scopes, scope)
	}
	return out
}

// scopesWithRegistry is every "@scope" with an "@scope:registry" key in any
// layer, sorted and without duplicates.
func (c *Config) scopesWithRegistry() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range layerOrder {
		for _, k := range c.layers[n].data.keys {
			scope, ok := strings.CutSuffix(k, ":registry")
			if !ok || specScope(scope+"/x") != scope || seen[scope] {
				continue
			}
			seen[scope] = true
			out = append(out, scope)
		}
	}
	sort.Strings(out)
	return out
}

// sameRegistryKey compares registry URLs as npm's credential lookup does:
// by scheme, host and path, case-insensitively in the host.
func sameRegistryKey(u string) string {
	p, err := parseURL(u)
	if err != nil {
		return u
	}
	return p.scheme + "//" + strings.ToLower(p.host) + p.pathname
}
