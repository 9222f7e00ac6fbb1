package signals

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
)

// bundle-divergence: event-stream's flatmap-stream 0.1.1 appended its
// payload to index.min.js while index.js, the readable source beside it,
// did not change. A reviewer reads the source; npm runs the build. A built
// file (x.min.js, a minified file, a bundle with a source map) that
// changes while its readable source does not, and that gains string
// literals its source never holds, no longer comes from that source. A
// toolchain bump reformats a build without adding strings, so it stays
// quiet.

// quotedLit finds string literals of three or more characters.
var quotedLit = regexp.MustCompile(`'([^'\\\n]{3,120})'|"([^"\\\n]{3,120})"`)

func bundleSignals(c *context) {
	for i := range c.in.Diff.Files {
		fd := &c.in.Diff.Files[i]
		if fd.Status != diff.Modified || fd.Binary || !stIsJS(fd.Path) {
			continue
		}
		newData, oldData := c.newFile(fd.Path), c.oldFile(fd.Path)
		if newData == nil || oldData == nil {
			continue
		}
		sources, via := c.bundleSources(fd.Path, newData)
		if len(sources) == 0 {
			continue
		}
		changed := false
		for _, s := range sources {
			if !bytes.Equal(c.newFile(s), c.oldFile(s)) {
				changed = true
				break
			}
		}
		if changed {
			continue // rebuilt from a changed source
		}
		lits := foreignLiterals(fd, oldData, func(lit []byte) bool {
			for _, s := range sources {
				if bytes.Contains(c.newFile(s), lit) {
					return true
				}
			}
			return false
		})
		if len(lits) == 0 {
			continue
		}
		shown := make([]string, 0, min(len(lits), 5))
		for _, l := range lits[:min(len(lits), 5)] {
			shown = append(shown, "'"+clip(l, 40)+"'")
		}
		c.add(BundleDivergence, fd.Path, 0, "built file changed, its source did not: "+clip(sources[0], 80),
			clip("The build changed while "+via+" is identical to the base's, and the build gained "+
				pluralCount(len(lits), "string literal", "string literals")+" the source never holds: "+
				strings.Join(shown, ", ")+". The published code no longer comes from the source a reviewer reads.", 400))
	}
}

func pluralCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// bundleSources returns the readable sources of a built file, and says
// how they were found: the sibling of x.min.js, or a source map's
// sources that the package ships.
func (c *context) bundleSources(p string, data []byte) ([]string, string) {
	dir, base := path.Dir(p), path.Base(p)
	for _, suf := range []string{".min.js", ".min.mjs", ".min.cjs", "-min.js"} {
		if strings.HasSuffix(base, suf) {
			ext := path.Ext(base)
			src := path.Join(dir, strings.TrimSuffix(base, suf)+ext)
			if c.in.New.Lookup(src) != nil && c.in.Old.Lookup(src) != nil {
				return []string{src}, src
			}
		}
	}
	mapPath := p + ".map"
	if m := sourceMappingURL(data); m != "" && !strings.Contains(m, ":") {
		mapPath = path.Join(dir, m)
	}
	mapData := c.newFile(mapPath)
	if mapData == nil {
		return nil, ""
	}
	var sm struct {
		SourceRoot string   `json:"sourceRoot"`
		Sources    []string `json:"sources"`
	}
	if json.Unmarshal(mapData, &sm) != nil {
		return nil, ""
	}
	var out []string
	for _, s := range sm.Sources {
		if i := strings.Index(s, "://"); i >= 0 { // webpack://pkg/./src/x.js
			s = s[i+3:]
			if j := strings.IndexByte(s, '/'); j >= 0 {
				s = s[j+1:]
			}
		}
		cand := path.Join(path.Dir(mapPath), sm.SourceRoot, s)
		if strings.HasPrefix(cand, "../") || strings.Contains(cand, "node_modules/") {
			continue
		}
		if c.in.New.Lookup(cand) != nil && c.in.Old.Lookup(cand) != nil {
			out = append(out, cand)
		}
		if len(out) >= 64 {
			break
		}
	}
	if len(out) == 0 {
		return nil, ""
	}
	return out, "every source its map names (" + clip(out[0], 60) + "…)"
}

// sourceMappingURL reads a build's //# sourceMappingURL= comment.
func sourceMappingURL(data []byte) string {
	tail := data[max(0, len(data)-512):]
	i := bytes.LastIndex(tail, []byte("sourceMappingURL="))
	if i < 0 {
		return ""
	}
	rest := tail[i+len("sourceMappingURL="):]
	if j := bytes.IndexAny(rest, " \t\r\n*"); j >= 0 {
		rest = rest[:j]
	}
	return string(rest)
}

// foreignLiterals returns the string literals the file's added text holds
// that neither the base file nor its sources (known) hold.
func foreignLiterals(fd *diff.FileDiff, oldData []byte, known func([]byte) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range added(fd) {
		for _, m := range quotedLit.FindAllSubmatchIndex([]byte(l.Text), 64) {
			lo, hi := m[2], m[3]
			if lo < 0 {
				lo, hi = m[4], m[5]
			}
			lit := l.Text[lo:hi]
			if seen[lit] || strings.TrimSpace(lit) == "" {
				continue
			}
			seen[lit] = true
			if bytes.Contains(oldData, []byte(lit)) || known([]byte(lit)) {
				continue
			}
			out = append(out, lit)
			if len(out) >= 32 {
				return out
			}
		}
	}
	return out
}
