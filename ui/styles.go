package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/highlight"
)

// style is a precomputed pair of SGR sequences. The diff pane renders tens of
// thousands of pieces per second; wrapping strings in two constant sequences
// is far cheaper than lipgloss.Style.Render for each piece.
type style struct{ pre, suf string }

// r wraps s in the style. s must already be terminal-safe.
func (s style) r(str string) string {
	if s.pre == "" || str == "" {
		return str
	}
	return s.pre + str + s.suf
}

// spec describes a semantic role. Attributes are kept in no-colour mode
// (NO_COLOR only forbids colour), so meaning carried by bold, underline or
// reverse survives; meaning never rests on colour alone anyway, because
// every coloured element also has a glyph (+, -, ✓, ✗, !, [x]).
type spec struct {
	fg, bg                          lipgloss.AdaptiveColor
	bold, faint, underline, reverse bool
}

func (sp spec) build(p termenv.Profile, dark bool) style {
	var codes []string
	if sp.bold {
		codes = append(codes, "1")
	}
	if sp.faint {
		codes = append(codes, "2")
	}
	if sp.underline {
		codes = append(codes, "4")
	}
	if sp.reverse {
		codes = append(codes, "7")
	}
	if p != termenv.Ascii {
		if c := pick(sp.fg, dark); c != "" {
			codes = append(codes, p.Color(c).Sequence(false))
		}
		if c := pick(sp.bg, dark); c != "" {
			codes = append(codes, p.Color(c).Sequence(true))
		}
	}
	codes = dropEmpty(codes)
	if len(codes) == 0 {
		return style{}
	}
	return style{pre: "\x1b[" + strings.Join(codes, ";") + "m", suf: "\x1b[0m"}
}

func pick(c lipgloss.AdaptiveColor, dark bool) string {
	if dark {
		return c.Dark
	}
	return c.Light
}

func dropEmpty(in []string) []string {
	out := in[:0]
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// styles is every semantic role the dashboard draws with.
type styles struct {
	noColor bool

	title, faint, bold, accent style
	cursor, selected           style
	ok, bad, warn              style
	sevHigh, sevMed, sevLow    style

	add, del, ctx, hunk, gutter style
	addWord, delWord, match     style
	note, token                 style

	statusBar, statusErr, statusOK style
	modalTitle, key                style

	// syn colours syntax classes in the diff pane (chroma's GitHub
	// styles, dark or light); empty without colour.
	syn [highlight.NClasses]style
}

func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// newStyles builds the theme for a colour profile and background. In
// no-colour mode (termenv.Ascii) only attributes remain.
func newStyles(p termenv.Profile, dark bool) styles {
	b := func(sp spec) style { return sp.build(p, dark) }
	green, red := ac("#116329", "#7ee787"), ac("#a40e26", "#ff7b72")
	yellow, blue := ac("#7d4e00", "#e3b341"), ac("#0550ae", "#79c0ff")
	grey := ac("#6e7781", "#8b949e")
	var syn [highlight.NClasses]style
	if p != termenv.Ascii {
		for c, col := range highlight.Palette(dark) {
			if col.FG != "" {
				syn[c] = b(spec{fg: ac(col.FG, col.FG), bold: col.Bold})
			}
		}
	}
	return styles{
		syn:     syn,
		noColor: p == termenv.Ascii,
		title:   b(spec{bold: true, fg: blue}),
		faint:   b(spec{fg: grey}),
		bold:    b(spec{bold: true}),
		accent:  b(spec{fg: blue}),
		cursor:  b(spec{reverse: true}),
		// Selected rows also carry "[x]"; colour is a second cue.
		selected: b(spec{bold: true, fg: blue}),
		ok:       b(spec{fg: green}),
		bad:      b(spec{bold: true, fg: red}),
		warn:     b(spec{bold: true, fg: yellow}),
		sevHigh:  b(spec{bold: true, fg: red}),
		sevMed:   b(spec{fg: yellow}),
		sevLow:   b(spec{fg: grey}),
		add:      b(spec{fg: green}),
		del:      b(spec{fg: red}),
		ctx:      style{},
		hunk:     b(spec{fg: blue, faint: p == termenv.Ascii}),
		gutter:   b(spec{fg: grey}),
		// Changed words: background colour where there is colour, and
		// underline in every mode so the change is visible without it.
		addWord:    b(spec{fg: green, bg: ac("#aceebb", "#1f6f3b"), bold: true, underline: true}),
		delWord:    b(spec{fg: red, bg: ac("#ffcecb", "#8e1519"), bold: true, underline: true}),
		match:      b(spec{reverse: true, bold: true}),
		note:       b(spec{fg: yellow}),
		token:      b(spec{reverse: true, fg: yellow}),
		statusBar:  b(spec{fg: grey}),
		statusErr:  b(spec{bold: true, fg: red}),
		statusOK:   b(spec{fg: green}),
		modalTitle: b(spec{bold: true, underline: true}),
		key:        b(spec{bold: true, fg: blue}),
	}
}

// severity is the style of a signal severity or risk level: high, medium,
// anything else low.
func (st styles) severity(level string) style {
	switch level {
	case "high":
		return st.sevHigh
	case "medium":
		return st.sevMed
	}
	return st.sevLow
}
