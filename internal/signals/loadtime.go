package signals

import (
	"path"
	"regexp"
	"strings"

	"github.com/stagegate/stagegate/internal/tarball"
)

// Code that runs when the package is loaded (its main, exports and bin,
// and what they require) runs on every consumer that uses it, without any
// install script: the chalk/debug compromise injected one line into
// index.js. Such code is not a free pass: a code signal there is raised
// like one in an install-time file.

// relImport finds relative module specifiers: require('./x'),
// import … from '../y', import('./z').
var relImport = regexp.MustCompile(`(?:require\s*\(|\bfrom\s*|\bimport\s*\(?)\s*['"](\.\.?/[^'"\n]{1,200})['"]`)

// Bounds of the walk: entry points rarely pull in more than a few dozen
// files before reaching node_modules, and a bundle is read once.
const (
	loadTimeMaxFiles = 64
	loadTimeMaxBytes = 4 << 20
)

// loadTimeFiles maps the files that run when the package is loaded to the
// entry point that reaches them.
func loadTimeFiles(m map[string]any, p *tarball.Package) map[string]string {
	out := map[string]string{}
	if p == nil {
		return out
	}
	var queue []string
	visit := func(file, why string) {
		if _, seen := out[file]; seen || len(out) >= loadTimeMaxFiles {
			return
		}
		out[file] = why
		queue = append(queue, file)
	}
	entry := func(spec, why string) {
		if f := resolveModule(p, path.Clean(strings.TrimPrefix(spec, "./"))); f != "" {
			visit(f, why)
		}
	}
	if m != nil {
		if s, ok := m["main"].(string); ok {
			entry(s, "main")
		} else if p.Lookup("index.js") != nil {
			visit("index.js", "main")
		}
		for _, field := range []string{"module", "exports", "bin"} {
			var walk func(v any)
			walk = func(v any) {
				switch t := v.(type) {
				case string:
					if !strings.Contains(t, "*") {
						entry(t, field)
					}
				case map[string]any:
					for _, x := range t {
						walk(x)
					}
				case []any:
					for _, x := range t {
						walk(x)
					}
				}
			}
			walk(m[field])
		}
	}
	read := 0
	for len(queue) > 0 && read < loadTimeMaxBytes {
		file := queue[0]
		queue = queue[1:]
		f := p.Lookup(file)
		if f == nil || !stIsJS(file) && !stIsNodeScript(f.Data) {
			continue
		}
		data := f.Data[:min(len(f.Data), loadTimeMaxBytes-read)]
		read += len(data)
		for _, sm := range relImport.FindAllSubmatch(data, 256) {
			if r := resolveModule(p, path.Join(path.Dir(file), string(sm[1]))); r != "" {
				visit(r, out[file])
			}
		}
	}
	return out
}

// resolveModule resolves a package-relative module path the way require
// does: the file, with an extension, or a folder's index.
func resolveModule(p *tarball.Package, name string) string {
	if name == "" || strings.HasPrefix(name, "../") {
		return ""
	}
	for _, c := range []string{name, name + ".js", name + ".cjs", name + ".mjs", name + ".json", name + "/index.js",
		name + "/index.cjs", name + "/index.mjs"} {
		if p.Lookup(c) != nil {
			return c
		}
	}
	return ""
}

// loadTimeRaise reports whether a signal in a load-time file is raised a
// level: what the code does, not what it looks like (a minified build is
// how entry points ship; a URL is not a request), and not process
// spawning, which libraries and CLIs do by design (cypress, dotenv's
// bin): it weighs through corroboration instead.
func loadTimeRaise(s Signal) bool {
	switch s.ID {
	case DynamicCode, CredentialAccess, RunnerTokenAccess, Persistence, SelfPropagation:
		return true
	case ObfuscatedCode:
		return strings.HasPrefix(s.Title, "obfuscated code")
	}
	return false
}
