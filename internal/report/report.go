// Package report renders stage items and reviews as human text for the
// headless commands: aligned tables, a git/delta-style unified diff with line
// numbers, --stat and --name-only. Every untrusted string goes through
// internal/termsafe; colour is only ever the package's own SGR codes.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/termsafe"
)

// Style decides colour. The zero value prints plain text.
type Style struct {
	Color bool
	Now   func() time.Time
}

const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
	sgrRev    = "\x1b[7m"
)

func (s Style) paint(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return code + text + sgrReset
}

// safe renders untrusted single-line text through termsafe, cut to maxCols
// columns (0: no cut); escape tokens are reversed when colour is on.
func (s Style) safe(text string, maxCols int) string {
	segs, _ := termsafe.LineSegments(text, maxCols)
	var b strings.Builder
	for _, seg := range segs {
		if seg.Token {
			b.WriteString(s.paint(sgrRev, seg.Text))
		} else {
			b.WriteString(seg.Text)
		}
	}
	return b.String()
}

func (s Style) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Ago renders how long ago an RFC 3339 time was, "3h ago"; unparsable times are shown sanitized.
func Ago(now time.Time, ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		if ts == "" {
			return "-"
		}
		return termsafe.String(ts)
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// table writes rows aligned by display width; cells are already safe.
func table(w io.Writer, header []string, rows [][]string, s Style) error {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = visibleWidth(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if cw := visibleWidth(c); cw > widths[i] {
				widths[i] = cw
			}
		}
	}
	var b strings.Builder
	line := func(cells []string, bold bool) {
		for i, c := range cells {
			pad := widths[i] - visibleWidth(c)
			if bold {
				c = s.paint(sgrBold, c)
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", pad+2))
			}
		}
		b.WriteString("\n")
	}
	line(header, true)
	for _, r := range rows {
		line(r, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// visibleWidth is the display width of s, our own SGR sequences excluded.
func visibleWidth(s string) int { return ansi.StringWidth(s) }

// StageList prints the stage queue as an aligned table.
func StageList(w io.Writer, items []registry.StageItem, s Style) error {
	if len(items) == 0 {
		_, err := fmt.Fprintln(w, "No staged versions waiting for review.")
		return err
	}
	now := s.now()
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		by := s.safe(it.Actor, 32)
		if it.ActorType != "" {
			by += " (" + s.safe(it.ActorType, 16) + ")"
		}
		rows = append(rows, []string{
			s.safe(it.ID, 40),
			s.paint(sgrBold, s.safe(it.PackageName, 60)),
			s.safe(it.Version, 32),
			s.paint(sgrCyan, s.safe(it.Tag, 20)),
			Ago(now, it.CreatedAt),
			by,
			s.safe(shortSum(it.Shasum), 12),
		})
	}
	if err := table(w, []string{"ID", "PACKAGE", "VERSION", "TAG", "STAGED", "BY", "SHASUM"}, rows, s); err != nil {
		return err
	}
	pkgs := map[string]bool{}
	for _, it := range items {
		pkgs[it.PackageName] = true
	}
	_, err := fmt.Fprintf(w, "%s in %s; review one with `stagegate diff <id>`\n",
		plural(len(items), "1 staged version", fmt.Sprintf("%d staged versions", len(items))),
		plural(len(pkgs), "1 package", fmt.Sprintf("%d packages", len(pkgs))))
	return err
}

func shortSum(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// StageItem prints one item as npm stage view does: key: value lines, extra keys included.
func StageItem(w io.Writer, it registry.StageItem, extra [][2]string, s Style) error {
	var b strings.Builder
	kv := func(k, v string) {
		fmt.Fprintf(&b, "%s %s\n", s.paint(sgrBold, k+":"), v)
	}
	kv("id", s.safe(it.ID, 0))
	kv("package", s.safe(it.PackageName, 0))
	kv("version", s.safe(it.Version, 0))
	kv("tag", s.safe(it.Tag, 0))
	created := s.safe(it.CreatedAt, 0)
	if it.CreatedAt != "" {
		created += " (" + Ago(s.now(), it.CreatedAt) + ")"
	}
	kv("staged", created)
	by := s.safe(it.Actor, 0)
	if it.ActorType != "" {
		by += " (" + s.safe(it.ActorType, 0) + ")"
	}
	kv("staged by", by)
	if it.Access != "" {
		kv("access", s.safe(it.Access, 0))
	}
	kv("shasum", s.safe(it.Shasum, 0))
	for _, e := range extra {
		kv(s.safe(e[0], 40), s.safe(e[1], 200))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
