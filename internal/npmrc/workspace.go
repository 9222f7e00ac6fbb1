package npmrc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// workspaceRootOf reports whether the package.json in root declares a
// workspace that resolves to dir (which must hold a package.json), as
// @npmcli/map-workspaces would. Patterns use "*", "?", "[…]" per path
// segment and "**" for any number of segments; "!pattern" excludes.
func workspaceRootOf(root, dir string) bool {
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return false
	}
	var pkg struct {
		Workspaces json.RawMessage `json:"workspaces"`
	}
	if json.Unmarshal(b, &pkg) != nil || len(pkg.Workspaces) == 0 {
		return false
	}
	var patterns []string
	if json.Unmarshal(pkg.Workspaces, &patterns) != nil {
		var obj struct {
			Packages []string `json:"packages"`
		}
		if json.Unmarshal(pkg.Workspaces, &obj) != nil {
			return false
		}
		patterns = obj.Packages
	}
	if !isFile(filepath.Join(dir, "package.json")) {
		return false
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return false
	}
	relSegs := strings.Split(filepath.ToSlash(rel), "/")
	matched := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		p = strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "./"), "/")
		if globSegments(strings.Split(p, "/"), relSegs) {
			matched = !neg
		}
	}
	return matched
}

func globSegments(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if globSegments(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := filepath.Match(pat[0], segs[0])
	return err == nil && ok && globSegments(pat[1:], segs[1:])
}
