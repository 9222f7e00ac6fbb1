package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stagegate/stagegate/internal/tarball"
)

// pkgOf builds a package from path -> content (mode 0644) and path -> mode overrides.
func pkgOf(files map[string]string, modes map[string]uint32) *tarball.Package {
	p := &tarball.Package{}
	for path, data := range files {
		mode := uint32(0o644)
		if m, ok := modes[path]; ok {
			mode = m
		}
		p.Files = append(p.Files, tarball.File{Path: path, Mode: mode, Data: []byte(data)})
		p.Unpacked += int64(len(data))
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	return p
}

// splitKeep splits s into lines keeping their "\n".
func splitKeep(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// applyHunks applies line hunks to old, checking every context and
// removed line, and returns the new text.
func applyHunks(old string, hunks []Hunk) (string, error) {
	lines := splitKeep(old)
	var b strings.Builder
	pos := 0 // next old line (0-based)
	for hi, h := range hunks {
		start := h.OldStart - 1
		if h.OldLines == 0 {
			start = h.OldStart
		}
		if start < pos || start > len(lines) {
			return "", fmt.Errorf("hunk %d starts at %d, before %d or past %d", hi, start, pos, len(lines))
		}
		for ; pos < start; pos++ {
			b.WriteString(lines[pos])
		}
		nOld, nNew := 0, 0
		for _, l := range h.Lines {
			switch l.Kind {
			case Context, Del:
				if pos >= len(lines) {
					return "", fmt.Errorf("hunk %d runs past the end", hi)
				}
				want := l.Text
				if !l.NoNewline {
					want += "\n"
				}
				if lines[pos] != want {
					return "", fmt.Errorf("hunk %d: old line %d is %q, hunk says %q", hi, pos+1, lines[pos], want)
				}
				if l.OldNo != pos+1 {
					return "", fmt.Errorf("hunk %d: OldNo %d, want %d", hi, l.OldNo, pos+1)
				}
				if l.Kind == Context {
					b.WriteString(lines[pos])
					nNew++
				}
				pos++
				nOld++
			case Add:
				b.WriteString(l.Text)
				if !l.NoNewline {
					b.WriteByte('\n')
				}
				nNew++
			}
		}
		if nOld != h.OldLines || nNew != h.NewLines {
			return "", fmt.Errorf("hunk %d: header says -%d +%d, lines are -%d +%d", hi, h.OldLines, h.NewLines, nOld, nNew)
		}
	}
	for ; pos < len(lines); pos++ {
		b.WriteString(lines[pos])
	}
	return b.String(), nil
}

// lcsLen is the textbook dynamic programme, the reference for minimality.
func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
