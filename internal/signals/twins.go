package signals

import (
	stdctx "context"
	"path"
	"regexp"
	"sort"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// Bundlers name chunks after a hash of their content (vitest's
// index.6pLw0FLK.js, Vite's index-BMRVdhNe.js, webpack's
// main.3f2a9c1b.js): a one-line change renames the file, and a release
// then "adds" half a megabyte of code it already shipped. Pairing each
// such added chunk with the removed chunk of the same stem lets every
// detector read it as the modification it is.

// hashedName splits a hashed chunk name into its stem and extension.
var hashedName = regexp.MustCompile(`^(.+?)[.-]([A-Za-z0-9_-]{6,16})(\.[A-Za-z0-9]+)$`)

// chunkKey is the name of a hashed chunk without its hash, or "".
func chunkKey(p string) string {
	m := hashedName.FindStringSubmatch(path.Base(p))
	if m == nil || !looksLikeHash(m[2]) {
		return ""
	}
	return path.Join(path.Dir(p), m[1]+"*"+m[3])
}

// looksLikeHash wants a digit or both cases: "helpers" or "plugin" are
// words, not hashes.
func looksLikeHash(s string) bool {
	var digit, upper, lower bool
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		}
	}
	return digit && (upper || lower) || upper && lower
}

// pairRenamedChunks returns the diff with each renamed hashed chunk
// turned into a modification of the chunk it replaces, and the map from
// new path to the old path it was paired with. The input is not changed.
func pairRenamedChunks(res *diff.Result, oldPkg, newPkg *tarball.Package) (*diff.Result, map[string]string) {
	if res == nil || oldPkg == nil {
		return res, nil
	}
	type side struct {
		idx  int
		size int64
	}
	added, removed := map[string][]side{}, map[string][]side{}
	for i, f := range res.Files {
		if f.Binary {
			continue
		}
		switch f.Status {
		case diff.Added:
			if k := chunkKey(f.Path); k != "" {
				added[k] = append(added[k], side{i, f.NewSize})
			}
		case diff.Removed:
			if k := chunkKey(f.Path); k != "" {
				removed[k] = append(removed[k], side{i, f.OldSize})
			}
		}
	}
	twins := map[string]string{}
	drop := map[int]bool{}
	replace := map[int]diff.FileDiff{}
	keys := make([]string, 0, len(added))
	for k := range added {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		olds := removed[k]
		if len(olds) == 0 {
			continue
		}
		news := added[k]
		used := make([]bool, len(olds))
		for _, n := range news {
			// The removed chunk closest in size, within a factor of two.
			best := -1
			for j, o := range olds {
				if used[j] || o.size*2 < n.size || n.size*2 < o.size {
					continue
				}
				if best < 0 || absDiff(o.size, n.size) < absDiff(olds[best].size, n.size) {
					best = j
				}
			}
			if best < 0 {
				continue
			}
			used[best] = true
			newPath, oldPath := res.Files[n.idx].Path, res.Files[olds[best].idx].Path
			of, nf := oldPkg.Lookup(oldPath), newPkg.Lookup(newPath)
			if of == nil || nf == nil {
				continue
			}
			// One file against the other, under the new name.
			d, err := diff.Compare(stdctx.Background(),
				&tarball.Package{Files: []tarball.File{{Path: newPath, Mode: of.Mode, Data: of.Data}}},
				&tarball.Package{Files: []tarball.File{{Path: newPath, Mode: nf.Mode, Data: nf.Data}}}, diff.Options{})
			if err != nil {
				continue
			}
			twins[newPath] = oldPath
			drop[olds[best].idx] = true
			if len(d.Files) == 1 {
				replace[n.idx] = d.Files[0]
			} else {
				drop[n.idx] = true // identical content under a new hash
			}
		}
	}
	if len(twins) == 0 {
		return res, nil
	}
	out := *res
	out.Files = make([]diff.FileDiff, 0, len(res.Files))
	for i, f := range res.Files {
		if drop[i] {
			continue
		}
		if r, ok := replace[i]; ok {
			f = r
		}
		out.Files = append(out.Files, f)
	}
	return &out, twins
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}
