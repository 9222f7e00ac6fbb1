package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/stagegate/stagegate/internal/posture"
)

// postureColumns are the per-package checks, in table order.
var postureColumns = []struct{ id, title string }{
	{posture.CheckMFA, "2FA ON PUBLISH"},
	{posture.CheckTrust, "TRUSTED PUBLISHING"},
	{posture.CheckTokens, "TOKENS"},
}

// cell renders a check as "✓ detail" (green), "✗ detail" (red) or "? detail".
func (s Style) cell(c posture.Check, maxCols int) string {
	mark, code := "?", sgrYellow
	switch c.Status {
	case posture.Green:
		mark, code = "✓", sgrGreen
	case posture.Red:
		mark, code = "✗", sgrRed
	}
	return s.paint(code, mark) + " " + s.safe(c.Detail, maxCols)
}

// short is a check's detail cut before its explanation, for the table.
func short(c posture.Check) posture.Check {
	if i := strings.Index(c.Detail, ": "); i > 0 && c.Status != posture.Unknown {
		c.Detail = c.Detail[:i]
	}
	return c
}

// Posture prints `stagegate posture`: a red/green table per package, the
// project's and machine's settings, then the npm command for each red cell.
// Every text that came from the registry goes through termsafe.
func Posture(w io.Writer, r posture.Report, s Style) error {
	var b strings.Builder
	who := ""
	if r.User != "" {
		who = " as " + s.safe(r.User, 60)
	}
	fmt.Fprintf(&b, "Release posture on %s%s: can a release skip the stage gate?\n\n", s.safe(r.Registry, 120), who)
	if len(r.Packages) == 0 {
		b.WriteString("No packages to check (you can publish none; name some: stagegate posture <pkg>...).\n")
	} else {
		header := []string{"PACKAGE"}
		for _, col := range postureColumns {
			header = append(header, col.title)
		}
		rows := make([][]string, 0, len(r.Packages))
		for _, p := range r.Packages {
			row := []string{s.safe(p.Name, 60)}
			for _, col := range postureColumns {
				for _, c := range p.Checks {
					if c.ID == col.id {
						row = append(row, s.cell(short(c), 40))
					}
				}
			}
			rows = append(rows, row)
		}
		if err := table(&b, header, rows, s); err != nil {
			return err
		}
	}
	b.WriteString("\n")
	rows := make([][]string, 0, len(r.Local))
	for _, c := range r.Local {
		rows = append(rows, []string{c.ID, s.cell(c, 100)})
	}
	if err := table(&b, []string{"THIS PROJECT AND MACHINE", "STATE"}, rows, s); err != nil {
		return err
	}
	if r.TokenErr != "" {
		fmt.Fprintf(&b, "\nTokens: the registry did not list them (%s).\n", s.safe(r.TokenErr, 160))
	}
	unknownSeen := false
	for _, p := range r.Packages {
		for _, c := range p.Checks {
			if c.Status == posture.Unknown {
				if !unknownSeen {
					b.WriteString("\n")
					unknownSeen = true
				}
				fmt.Fprintf(&b, "%s %s %s: %s\n", s.paint(sgrYellow, "?"), s.safe(p.Name, 60), c.ID, s.safe(c.Detail, 200))
			}
		}
	}
	if r.Red == 0 {
		b.WriteString("\n" + s.paint(sgrGreen, "Every release goes through the stage gate.") + "\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "\n%s\n", s.paint(sgrBold, fmt.Sprintf("%d red: a release can skip the stage gate. To fix:", r.Red)))
	fix := func(where string, c posture.Check) {
		if c.Status != posture.Red {
			return
		}
		label := c.Detail
		if where != "" {
			label = where + " " + c.ID + ": " + c.Detail
		}
		fmt.Fprintf(&b, "  %s %s\n", s.paint(sgrRed, "✗"), s.safe(label, 160))
		for _, f := range c.Fix {
			fmt.Fprintf(&b, "      %s\n", s.paint(sgrCyan, s.safe(f, 400)))
		}
	}
	for _, p := range r.Packages {
		for _, c := range p.Checks {
			fix(p.Name, c)
		}
	}
	for _, c := range r.Local {
		fix("", c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
