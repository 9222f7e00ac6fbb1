package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stagegate/stagegate/internal/posture"
)

// The release-posture view (`P`): the same checks as `stagegate posture`,
// over the packages the logged-in user can publish, as a full-screen
// red/green table with the npm command for each red cell. It is loaded
// through Options.Posture in a tea.Cmd; the ui does no I/O itself.

type postureMsg struct {
	req int
	rep posture.Report
	err error
}

type postureView struct {
	req     int
	loading bool
	rep     *posture.Report
	err     error
	off     int
}

func (m *Model) openPosture() tea.Cmd {
	if m.opts.Posture == nil {
		return m.setStatus(msgInfo, "release posture is not available here")
	}
	req := 1
	if m.pv != nil {
		req = m.pv.req + 1
	}
	m.pv = &postureView{req: req, loading: true}
	m.overlay = ovPosture
	fn, ctx := m.opts.Posture, m.ctx
	return tea.Batch(func() tea.Msg {
		rep, err := fn(ctx)
		return postureMsg{req: req, rep: rep, err: err}
	}, m.startSpinner())
}

func (m *Model) onPosture(msg postureMsg) tea.Cmd {
	if m.pv == nil || msg.req != m.pv.req {
		return nil
	}
	m.pv.loading = false
	if msg.err != nil {
		m.pv.err = msg.err
		return nil
	}
	m.pv.rep = &msg.rep
	return nil
}

func (m *Model) onPostureKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Down):
		m.pv.off++
	case key.Matches(k, m.keys.Up):
		m.pv.off = max(0, m.pv.off-1)
	case key.Matches(k, m.keys.PageDown), key.Matches(k, m.keys.HalfDown):
		m.pv.off += m.height / 2
	case key.Matches(k, m.keys.PageUp), key.Matches(k, m.keys.HalfUp):
		m.pv.off = max(0, m.pv.off-m.height/2)
	case key.Matches(k, m.keys.Refresh):
		return m.openPosture()
	default:
		m.overlay = ovNone // any other key closes the view
	}
	return nil
}

// postureCell is "✓ detail", "✗ detail" or "? detail"; the glyph carries
// the meaning without colour.
func (m *Model) postureCell(c posture.Check, w int) string {
	mark, st := "?", m.st.warn
	switch c.Status {
	case posture.Green:
		mark, st = "✓", m.st.ok
	case posture.Red:
		mark, st = "✗", m.st.bad
	}
	d := c.Detail
	if i := strings.Index(d, ": "); i > 0 && c.Status != posture.Unknown {
		d = d[:i]
	}
	return st.r(mark) + " " + safeCell(d, max(1, w-2))
}

func (m *Model) postureLines(w int) []string {
	pv := m.pv
	switch {
	case pv.loading:
		return []string{m.spin.View() + " asking the registry…"}
	case pv.err != nil:
		return []string{m.st.bad.r("✗") + " " + safeCell(pv.err.Error(), w-2)}
	}
	r := pv.rep
	var out []string
	if len(r.Packages) == 0 {
		out = append(out, "No packages to check: you can publish none on this registry.")
	} else {
		// Column widths fit their content; when the screen is too narrow,
		// the widest columns give way first.
		header := []string{"PACKAGE", "2FA ON PUBLISH", "TRUSTED PUBLISHING", "TOKENS"}
		rows := [][]string{}
		for _, p := range r.Packages {
			cells := []string{safeText(p.Name)}
			for _, id := range []string{posture.CheckMFA, posture.CheckTrust, posture.CheckTokens} {
				for _, c := range p.Checks {
					if c.ID == id {
						cells = append(cells, m.postureCell(c, 1000))
					}
				}
			}
			rows = append(rows, cells)
		}
		widths := make([]int, len(header))
		for i, hd := range header {
			widths[i] = ansi.StringWidth(hd)
		}
		for _, rw := range rows {
			for i, c := range rw {
				widths[i] = max(widths[i], ansi.StringWidth(c))
			}
		}
		for total(widths)+2*(len(widths)-1) > w {
			i := widest(widths)
			if widths[i] <= 8 {
				break
			}
			widths[i]--
		}
		row := func(cells ...string) string {
			var b strings.Builder
			for i, c := range cells {
				b.WriteString(pad(cut(c, widths[i]), widths[i]))
				if i < len(cells)-1 {
					b.WriteString("  ")
				}
			}
			return b.String()
		}
		out = append(out, m.st.bold.r(row(header...)))
		for _, rw := range rows {
			out = append(out, row(rw...))
		}
	}
	out = append(out, "", m.st.bold.r("THIS PROJECT AND MACHINE"))
	for _, c := range r.Local {
		out = append(out, "  "+m.postureCell(posture.Check{Status: c.Status, Detail: c.Detail, ID: c.ID}, w-2))
	}
	if r.Red == 0 {
		return append(out, "", m.st.ok.r("Every release goes through the stage gate."))
	}
	out = append(out, "", m.st.bold.r(fmt.Sprintf("%d red: a release can skip the stage gate. To fix:", r.Red)))
	fix := func(label string, c posture.Check) {
		if c.Status != posture.Red {
			return
		}
		out = append(out, "  "+m.st.bad.r("✗")+" "+safeCell(label, w-4))
		for _, f := range c.Fix {
			out = append(out, "      "+m.st.accent.r(safeCell(f, w-6)))
		}
	}
	for _, p := range r.Packages {
		for _, c := range p.Checks {
			fix(p.Name+" "+c.ID+": "+c.Detail, c)
		}
	}
	for _, c := range r.Local {
		fix(c.Detail, c)
	}
	return out
}

// postureBody is the full-screen view, scrolled by pv.off.
func (m *Model) postureBody(w, h int) []string {
	body := m.postureLines(w)
	vis := h - 2
	m.pv.off = max(0, min(m.pv.off, len(body)-vis))
	hint := "  (r re-check · any other key closes)"
	if len(body) > vis {
		hint = fmt.Sprintf("  (j/k scroll, %d–%d of %d · r re-check · any other key closes)", m.pv.off+1, min(len(body), m.pv.off+vis), len(body))
	}
	out := []string{m.st.modalTitle.r("Release posture: can a release skip the stage gate?") + m.st.faint.r(hint), ""}
	out = append(out, body[m.pv.off:min(len(body), m.pv.off+vis)]...)
	return fitLines(out, w, h)
}

func total(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
}

func widest(ws []int) int {
	i := 0
	for j, w := range ws {
		if w > ws[i] {
			i = j
		}
	}
	return i
}
