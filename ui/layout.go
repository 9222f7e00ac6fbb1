package ui

import (
	"github.com/stagegate/stagegate/internal/report"

	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// cut truncates an already-safe (possibly styled) string to w columns.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad truncates or right-pads s to exactly w columns.
func pad(s string, w int) string {
	s = cut(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// fitLines returns exactly h lines of exactly w columns.
func fitLines(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := 0; i < h; i++ {
		if i < len(lines) {
			out[i] = pad(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// overlayBox draws box centred over body, keeping the body visible around it.
func overlayBox(body, box []string, w int) []string {
	if len(box) == 0 {
		return body
	}
	bw := 0
	for _, l := range box {
		bw = max(bw, ansi.StringWidth(l))
	}
	bw = min(bw, w)
	top := max(0, (len(body)-len(box))/2)
	left := max(0, (w-bw)/2)
	out := append([]string(nil), body...)
	for i, l := range box {
		y := top + i
		if y >= len(out) {
			break
		}
		base := out[y]
		// Reset after the left part so a style cut in half cannot bleed
		// into the box.
		out[y] = ansi.Truncate(base, left, "") + "\x1b[0m" + pad(l, bw) + "\x1b[0m" + ansi.Cut(base, left+bw, w)
	}
	return out
}

// frame draws a box with a title around lines, inner width iw.
func frame(title string, lines []string, iw int) []string {
	out := make([]string, 0, len(lines)+2)
	t := ""
	if title != "" {
		t = " " + title + " "
	}
	tw := ansi.StringWidth(t)
	out = append(out, "┌"+t+strings.Repeat("─", max(0, iw+2-tw))+"┐")
	for _, l := range lines {
		out = append(out, "│ "+pad(l, iw)+" │")
	}
	out = append(out, "└"+strings.Repeat("─", iw+2)+"┘")
	return out
}

// wrap breaks plain (already safe) text into lines of at most w columns at spaces.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for ansi.StringWidth(word) > w {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				out = append(out, ansi.Truncate(word, w, ""))
				word = ansi.Cut(word, w, ansi.StringWidth(word))
			}
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}

// ago formats how long ago an RFC 3339 time was, "" if it does not parse.
func ago(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ""
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

// signedBytes formats a size change with its sign.
func signedBytes(d int64) string {
	if d > 0 {
		return "+" + report.Bytes(d)
	}
	if d == 0 {
		return "±0 B"
	}
	return report.Bytes(d)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
