package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/pretty"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/termsafe"
)

// ReviewMode selects how much of a review is printed.
type ReviewMode int

// Review output modes.
const (
	Full     ReviewMode = iota // header, manifest, file table, unified diff
	Stat                       // header, manifest, file table with a +/- bar
	NameOnly                   // one changed path per line
)

// MaxLineCols caps how much of one diff line is printed; the rest is noted.
const MaxLineCols = 400

// ReviewOptions choose what of a review is printed.
type ReviewOptions struct {
	Mode ReviewMode
	// Expand prints the diffs of the files CollapseReason collapses
	// (`diff --full`); by default they are summarized in one line each.
	Expand bool
	// Paths, when set, are the patterns (MatchPath) of the files to show;
	// the header, signals and risk always cover the whole release.
	Paths []string
	// Pretty holds printed views of minified files by path (`diff
	// --pretty`): such a file is shown as the diff of its printed text,
	// whether or not Expand is set.
	Pretty map[string]*pretty.View
}

// Wants reports whether path p is among the files to show.
func (o ReviewOptions) Wants(p string) bool {
	if len(o.Paths) == 0 {
		return true
	}
	for _, pat := range o.Paths {
		if MatchPath(pat, p) {
			return true
		}
	}
	return false
}

// flushAt is how much output is gathered before it is written: a large diff
// streams (to a pager, say) instead of being built whole in memory.
const flushAt = 64 << 10

// Review prints a review as a maintainer reads it: what is being compared and
// whether both tarballs are verified, manifest changes first, then files.
func Review(w io.Writer, r *review.Review, mode ReviewMode, s Style) error {
	return ReviewWith(w, r, ReviewOptions{Mode: mode}, s)
}

// ReviewWith is Review with the options of `stagegate diff`.
func ReviewWith(w io.Writer, r *review.Review, o ReviewOptions, s Style) error {
	var b strings.Builder
	mode := o.Mode
	if mode == NameOnly {
		for _, f := range r.Files {
			if o.Wants(f.Path) {
				b.WriteString(s.safe(f.Path, 0))
				b.WriteByte('\n')
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	header(&b, r, s)
	signalList(&b, r, s)
	if len(r.Issues) > 0 {
		fmt.Fprintf(&b, "\n%s\n", s.paint(sgrYellow+sgrBold, fmt.Sprintf("⚠ %d tarball %s npm would not install as files (never followed or extracted here)", len(r.Issues), plural(len(r.Issues), "entry", "entries"))))
		for _, is := range r.Issues {
			line := fmt.Sprintf("  %-9s %s", is.Kind, s.safe(is.Path, 120))
			if is.Target != "" {
				line += " → " + s.safe(is.Target, 120)
			}
			if is.Detail != "" {
				line += "  (" + s.safe(is.Detail, 120) + ")"
			}
			b.WriteString(line + "\n")
		}
	}
	if r.Diff != nil && r.Diff.ManifestError != "" {
		fmt.Fprintf(&b, "\n%s %s\n", s.paint(sgrYellow, "package.json could not be compared:"), s.safe(r.Diff.ManifestError, 200))
	}
	if len(r.Manifest) > 0 {
		fmt.Fprintf(&b, "\n%s\n", s.paint(sgrBold, "package.json changes"))
		for _, m := range r.Manifest {
			fmt.Fprintf(&b, "  %s %s  %s\n", changeMark(m.Change, s), s.safe(m.Path, 80), manifestValues(m, s))
		}
	}
	fmt.Fprintf(&b, "\n%s  %s\n", s.paint(sgrBold, "files"), summaryLine(r.Summary))
	shown := 0
	for _, f := range r.Files {
		if o.Wants(f.Path) {
			shown++
		}
	}
	if len(o.Paths) > 0 {
		fmt.Fprintf(&b, "  %s\n", s.paint(sgrDim, fmt.Sprintf("showing %d of %d files (--path %s)", shown, len(r.Files), s.safe(strings.Join(o.Paths, ", "), 120))))
	}
	fileTable(&b, r, mode == Stat, o, s)
	if mode == Full && r.Diff != nil {
		collapsed := 0
		for i := range r.Diff.Files {
			fd := &r.Diff.Files[i]
			if !o.Wants(fd.Path) {
				continue
			}
			if v := o.Pretty[fd.Path]; v != nil {
				prettyDiff(&b, v, s)
				continue
			}
			if !o.Expand && !fd.Binary && CollapseReason(fd) != "" {
				collapsed++
			}
			fileDiff(&b, fd, o.Expand, s)
			if b.Len() >= flushAt {
				if _, err := io.WriteString(w, b.String()); err != nil {
					return err
				}
				b.Reset()
			}
		}
		if collapsed > 0 {
			fmt.Fprintf(&b, "\n%s\n", s.paint(sgrDim, fmt.Sprintf("%d %s collapsed (lockfile, minified or large); --full prints %s", collapsed, plural(collapsed, "file", "files"), plural(collapsed, "it", "them"))))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func header(b *strings.Builder, r *review.Review, s Style) {
	st := r.Staged
	fmt.Fprintf(b, "%s %s", s.paint(sgrBold, s.safe(r.Package, 0)), s.paint(sgrGreen, s.safe(st.Version, 0)))
	if st.Tag != "" {
		fmt.Fprintf(b, " (tag %s)", s.safe(st.Tag, 0))
	}
	if r.Base != nil {
		fmt.Fprintf(b, "  vs  %s", s.paint(sgrYellow, s.safe(r.Base.Version, 0)))
		fmt.Fprintf(b, "  [%s]\n", s.safe(r.Base.Reason, 0))
	} else {
		b.WriteString("  (first release: every file is new)\n")
	}
	if st.ID != nil {
		by := s.safe(st.Actor, 0)
		if st.ActorType != "" {
			by += " (" + s.safe(st.ActorType, 0) + ")"
		}
		fmt.Fprintf(b, "stage id %s  staged by %s  %s\n", s.safe(*st.ID, 0), by, s.safe(st.CreatedAt, 0))
	}
	switch {
	case st.Origin == "file" || st.Origin == "folder":
		fmt.Fprintf(b, "new: local %s, sha1 %s\n", st.Origin, s.safe(st.Shasum, 0))
	case st.Verified && st.Origin == "stage":
		fmt.Fprintf(b, "%s staged tarball sha1 %s matches the stage record\n", s.paint(sgrGreen, "✓ verified"), s.safe(st.Shasum, 0))
	case st.Verified:
		fmt.Fprintf(b, "%s %s matches its packument integrity\n", s.paint(sgrGreen, "✓ verified"), s.safe(st.Version, 0))
	default:
		fmt.Fprintf(b, "%s the tarball does not match the registry's record (recorded %s; actual sha1 of what was downloaded differs): do not approve\n",
			s.paint(sgrRed+sgrBold, "✗ INTEGRITY MISMATCH"), s.safe(orDash(st.Shasum), 0))
	}
	if r.Base != nil {
		switch {
		case r.Base.Origin == "file" || r.Base.Origin == "folder":
			fmt.Fprintf(b, "old: local %s\n", r.Base.Origin)
		case r.Base.Verified:
			fmt.Fprintf(b, "%s base %s matches its packument integrity\n", s.paint(sgrGreen, "✓ verified"), s.safe(r.Base.Version, 0))
		default:
			fmt.Fprintf(b, "%s base %s tarball does not match its packument integrity\n", s.paint(sgrRed+sgrBold, "✗ INTEGRITY MISMATCH"), s.safe(r.Base.Version, 0))
		}
	}
}

// signalList prints the review signals first, most serious first: they
// are what a reviewer must read before anything else.
func signalList(b *strings.Builder, r *review.Review, s Style) {
	if !r.SignalsChecked {
		fmt.Fprintf(b, "\n%s\n", s.paint(sgrYellow, "signals: not computed; read the manifest changes and the diff"))
		return
	}
	if len(r.Signals) == 0 {
		fmt.Fprintf(b, "\n%s\n", s.paint(sgrGreen, "signals: none of the known attack patterns; still read the diff"))
		return
	}
	counts := map[string]int{}
	for _, sg := range r.Signals {
		counts[string(sg.Severity)]++
	}
	var parts []string
	for _, sev := range []string{"high", "medium", "low"} {
		if counts[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
		}
	}
	risk := strings.ToUpper(string(r.Risk.Level))
	switch r.Risk.Level {
	case "high":
		risk = s.paint(sgrRed+sgrBold, risk)
	case "medium":
		risk = s.paint(sgrYellow, risk)
	}
	fmt.Fprintf(b, "\n%s %s\n", s.paint(sgrBold, "risk"), risk)
	for _, why := range r.Risk.Reasons {
		fmt.Fprintf(b, "  · %s\n", s.safe(why, 240))
	}
	fmt.Fprintf(b, "\n%s  %s\n", s.paint(sgrBold, fmt.Sprintf("signals (%d)", len(r.Signals))), strings.Join(parts, ", "))
	for _, sg := range r.Signals {
		sev := fmt.Sprintf("%-6s", strings.ToUpper(string(sg.Severity)))
		switch sg.Severity {
		case "high":
			sev = s.paint(sgrRed+sgrBold, sev)
		case "medium":
			sev = s.paint(sgrYellow, sev)
		}
		where := s.safe(sg.Path, 80)
		if where == "" {
			where = "(tarball)"
		}
		if sg.Line > 0 {
			where += fmt.Sprintf(":%d", sg.Line)
		}
		fmt.Fprintf(b, "  %s %-24s %s  %s\n", sev, sg.ID, where, s.safe(sg.Title, 160))
		if sg.Detail != "" {
			fmt.Fprintf(b, "         %s\n", s.safe(sg.Detail, 300))
		}
	}
}

func orDash(v string) string {
	if v == "" {
		return "-"
	}
	return v
}

func changeMark(change string, s Style) string {
	switch change {
	case "added":
		return s.paint(sgrGreen, "+")
	case "removed":
		return s.paint(sgrRed, "-")
	default:
		return s.paint(sgrYellow, "~")
	}
}

func jsonValue(v any) string { return diff.ValueText(v) }

func manifestValues(m diff.ManifestChange, s Style) string {
	switch m.Change {
	case "added":
		return s.paint(sgrGreen, s.safe(jsonValue(m.New), 160))
	case "removed":
		return s.paint(sgrRed, s.safe(jsonValue(m.Old), 160))
	default:
		return s.paint(sgrRed, s.safe(jsonValue(m.Old), 76)) + " → " + s.paint(sgrGreen, s.safe(jsonValue(m.New), 76))
	}
}

func summaryLine(sum review.Summary) string {
	return fmt.Sprintf("%d added, %d removed, %d modified; +%d -%d lines; %s → %s",
		sum.FilesAdded, sum.FilesRemoved, sum.FilesModified, sum.LinesAdded, sum.LinesRemoved,
		Bytes(sum.BytesBefore), Bytes(sum.BytesAfter))
}

// Bytes renders a size as npm does (SI units: 1.2 kB, 3.4 MB); the
// dashboard and the CLI share it so their figures agree.
func Bytes(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	switch {
	case n < 1000:
		return fmt.Sprintf("%s%d B", sign, n)
	case n < 1000*1000:
		return fmt.Sprintf("%s%.1f kB", sign, float64(n)/1000)
	default:
		return fmt.Sprintf("%s%.1f MB", sign, float64(n)/1e6)
	}
}

func fileTable(b *strings.Builder, r *review.Review, bars bool, o ReviewOptions, s Style) {
	rows := make([][]string, 0, len(r.Files))
	maxChange := 1
	for _, f := range r.Files {
		if !o.Wants(f.Path) {
			continue
		}
		if c := f.LinesAdded + f.LinesRemoved; c > maxChange {
			maxChange = c
		}
	}
	for _, f := range r.Files {
		if !o.Wants(f.Path) {
			continue
		}
		size := Bytes(f.NewSize)
		switch f.Status {
		case "removed":
			size = Bytes(f.OldSize)
		case "modified", "mode":
			size = fmt.Sprintf("%s → %s", Bytes(f.OldSize), Bytes(f.NewSize))
		}
		lines := s.paint(sgrGreen, fmt.Sprintf("+%d", f.LinesAdded)) + " " + s.paint(sgrRed, fmt.Sprintf("-%d", f.LinesRemoved))
		if f.Binary {
			lines = "binary"
		}
		if f.Status == "mode" {
			lines = fmt.Sprintf("mode %s → %s", f.OldMode, f.NewMode)
		}
		row := []string{diff.Status(f.Status).Letter(), s.safe(f.Path, 100), size, lines}
		if bars && !f.Binary {
			const width = 30
			plus := f.LinesAdded * width / maxChange
			minus := f.LinesRemoved * width / maxChange
			if f.LinesAdded > 0 && plus == 0 {
				plus = 1
			}
			if f.LinesRemoved > 0 && minus == 0 {
				minus = 1
			}
			row = append(row, s.paint(sgrGreen, strings.Repeat("+", plus))+s.paint(sgrRed, strings.Repeat("-", minus)))
		} else if bars {
			row = append(row, "")
		}
		rows = append(rows, row)
	}
	hdr := []string{"", "PATH", "SIZE", "LINES"}
	if bars {
		hdr = append(hdr, "")
	}
	if len(rows) == 0 {
		b.WriteString("  no file changed\n")
		return
	}
	var tb strings.Builder
	_ = table(&tb, hdr, rows, s)
	for _, line := range strings.SplitAfter(strings.TrimRight(tb.String(), "\n"), "\n") {
		b.WriteString("  " + strings.TrimRight(line, " \n") + "\n")
	}
}

// prettyDiff writes a minified file as the diff of its printed text.
func prettyDiff(b *strings.Builder, v *pretty.View, s Style) {
	f := v.File
	f.Minified = false // the printed text is read in full
	fileDiff(b, &f, true, s, s.paint(sgrDim, fmt.Sprintf("minified: pretty-printed for reading (+%d -%d printed lines); line numbers are of the printed text, signals' of the raw file",
		f.LinesAdded, f.LinesRemoved)))
}

// fileDiff writes one file's unified diff with old and new line numbers;
// a collapsed file (CollapseReason) gets one line saying why, unless expand.
func fileDiff(b *strings.Builder, f *diff.FileDiff, expand bool, s Style, notes ...string) {
	path := s.safe(f.Path, 0)
	fmt.Fprintf(b, "\n%s\n", s.paint(sgrBold, fmt.Sprintf("── %s %s ", f.Status.Letter(), path)+strings.Repeat("─", max(3, 60-visibleWidth(path)))))
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	if f.OldMode != f.NewMode && f.Status == diff.Modified || f.Status == diff.ModeOnly {
		fmt.Fprintf(b, "mode %04o → %04o\n", f.OldMode, f.NewMode)
	}
	if f.Binary {
		fmt.Fprintf(b, "binary file, %s → %s\n", Bytes(f.OldSize), Bytes(f.NewSize))
		return
	}
	if reason := CollapseReason(f); reason != "" && !expand {
		fmt.Fprintf(b, "%s\n", s.paint(sgrDim, fmt.Sprintf("⊘ collapsed: %s (+%d -%d lines, %s → %s); --full prints it",
			reason, f.LinesAdded, f.LinesRemoved, Bytes(f.OldSize), Bytes(f.NewSize))))
		return
	}
	if f.TokenDiff {
		b.WriteString(s.paint(sgrDim, "minified or single-line file: diffed by tokens") + "\n")
	}
	if f.Capped != "" {
		b.WriteString(s.paint(sgrYellow, "partial diff: "+termsafe.String(f.Capped)) + "\n")
	}
	for _, h := range f.Hunks {
		fmt.Fprintf(b, "%s\n", s.paint(sgrCyan, fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)))
		for _, l := range h.Lines {
			oldNo, newNo := "", ""
			if l.OldNo > 0 {
				oldNo = fmt.Sprint(l.OldNo)
			}
			if l.NewNo > 0 {
				newNo = fmt.Sprint(l.NewNo)
			}
			text, cut := termsafe.Line(termsafe.ExpandTabs(l.Text, 4), MaxLineCols)
			_ = cut
			gutter := s.paint(sgrDim, fmt.Sprintf("%6s %6s │", oldNo, newNo))
			switch l.Kind {
			case diff.Add:
				fmt.Fprintf(b, "%s%s\n", gutter, s.paint(sgrGreen, "+"+text))
			case diff.Del:
				fmt.Fprintf(b, "%s%s\n", gutter, s.paint(sgrRed, "-"+text))
			default:
				fmt.Fprintf(b, "%s %s\n", gutter, text)
			}
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
