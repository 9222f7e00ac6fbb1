package report

import (
	"fmt"
	"path"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
)

// Files larger or longer than these are collapsed until asked for, in the
// dashboard and in `stagegate diff` alike.
const (
	HugeBytes = 1 << 20
	HugeLines = 20000
)

// CollapseReason says why a file's diff is not printed by default ("" if it
// is): binaries, lockfiles, minified files and huge diffs, which nobody
// reads line by line and which can be hundreds of thousands of lines (the
// typescript release printed 630k lines, 41 MB, before they were collapsed).
func CollapseReason(fd *diff.FileDiff) string {
	switch base := path.Base(fd.Path); {
	case fd.Binary:
		return "binary file"
	case base == "package-lock.json" || base == "npm-shrinkwrap.json" || base == "yarn.lock" ||
		base == "pnpm-lock.yaml" || base == "bun.lock" || base == "bun.lockb":
		return "lockfile"
	case fd.Minified:
		return "minified"
	case fd.OldSize > HugeBytes || fd.NewSize > HugeBytes:
		return fmt.Sprintf("large file (%s → %s)", Bytes(fd.OldSize), Bytes(fd.NewSize))
	case fd.LinesAdded+fd.LinesRemoved > HugeLines:
		return fmt.Sprintf("%d changed lines", fd.LinesAdded+fd.LinesRemoved)
	}
	return ""
}

// MatchPath reports whether p (a slash-separated path inside the package)
// matches pattern: path.Match syntax per segment, "**" for any number of
// segments, a pattern without "/" also matches the base name (as
// `--path '*.js'` means every .js file), and a pattern that names a
// folder matches everything under it.
func MatchPath(pattern, p string) bool {
	pattern = strings.TrimPrefix(pattern, "./")
	if pattern == "" {
		return true
	}
	if !strings.Contains(strings.TrimSuffix(pattern, "/"), "/") && !strings.Contains(pattern, "**") {
		if ok, _ := path.Match(strings.TrimSuffix(pattern, "/"), path.Base(p)); ok {
			return true
		}
	}
	pat := strings.Split(strings.TrimSuffix(pattern, "/"), "/")
	segs := strings.Split(p, "/")
	// A folder: the pattern matches a leading part of the path.
	for n := 1; n <= len(segs); n++ {
		if matchSegs(pat, segs[:n]) {
			return true
		}
	}
	return false
}

func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if matchSegs(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}
