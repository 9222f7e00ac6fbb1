package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap is the one keymap. Update matches against it, the `?` screen and
// the status-bar hints are generated from it, so what is documented is what
// works.
type keyMap struct {
	// Global.
	Help, Quit, ForceQuit, Posture key.Binding

	// Lists and panes.
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding

	// Queue.
	Open, Select, SelectAll, Approve, Reject, Filter, Refresh, ClearSel key.Binding

	// Review.
	Focus, NextFile, PrevFile, NextHunk, PrevHunk, Search, NextMatch, PrevMatch, Note,
	NextSignal, PrevSignal, SignalDetail,
	Viewed, Expand, Pretty, SideBySide, Left, Right, Back key.Binding

	// Modal and confirmation.
	Submit, Cancel, OpenBrowser, Yes, IncludeRisky key.Binding
}

func newKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Help:      b("?", "help", "?"),
		Quit:      b("q", "quit", "q"),
		ForceQuit: b("ctrl+c", "cancel and quit", "ctrl+c"),
		Posture:   b("P", "release posture", "P"),

		Up:       b("k/↑", "up", "k", "up"),
		Down:     b("j/↓", "down", "j", "down"),
		PageUp:   b("pgup", "page up", "pgup", "b"),
		PageDown: b("pgdn", "page down", "pgdown", "f"),
		HalfUp:   b("ctrl+u", "half page up", "ctrl+u"),
		HalfDown: b("ctrl+d", "half page down", "ctrl+d"),
		Top:      b("g/home", "top", "g", "home"),
		Bottom:   b("G/end", "bottom", "G", "end"),

		Open:      b("enter", "open (review)", "enter"),
		Select:    b("space", "select, then next row", " "),
		SelectAll: b("*", "select all shown", "*"),
		Approve:   b("a", "approve (selection or row)", "a"),
		Reject:    b("x", "reject (selection or row)", "x"),
		Filter:    b("/", "filter", "/"),
		Refresh:   b("r", "refresh", "r"),
		ClearSel:  b("esc", "clear filter/selection", "esc"),

		Focus:      b("tab", "files ⇄ diff", "tab", "shift+tab"),
		NextFile:   b("n", "next file", "n"),
		PrevFile:   b("N", "previous file", "N"),
		NextHunk:   b("]", "next hunk", "]"),
		PrevHunk:   b("[", "previous hunk", "["),
		Search:     b("/", "search diff", "/"),
		NextMatch:  b("ctrl+n", "next match", "ctrl+n"),
		PrevMatch:  b("ctrl+p", "previous match", "ctrl+p"),
		NextSignal: b(">", "next signal: file and line", ">"),
		PrevSignal: b("<", "previous signal", "<"),
		// enter in the review: the queue's Open never reaches it.
		SignalDetail: b("enter", "signal detail (open/close)", "enter"),
		Viewed:       b("v", "mark file viewed", "v"),
		Note:         b("m", "note (file or release)", "m"),
		Expand:       b("e", "render collapsed file", "e"),
		Pretty:       b("p", "pretty-print ⇄ raw (minified)", "p"),
		SideBySide:   b("s", "side-by-side ⇄ unified", "s"),
		Left:         b("h/←", "scroll left", "h", "left"),
		Right:        b("l/→", "scroll right", "l", "right"),
		Back:         b("esc", "back to queue", "esc"),

		Submit:      b("enter", "send (empty: browser sign-in)", "enter"),
		Cancel:      b("esc", "cancel", "esc"),
		OpenBrowser: b("o", "open sign-in page in browser", "o"),
		Yes:         b("y", "confirm (anything else: no)", "y", "Y"),
		// Digits go into the code field; i is never part of a code.
		IncludeRisky: b("i", "batch: include high-risk", "i"),
	}
}

// helpSection is one titled column of the `?` screen.
type helpSection struct {
	title string
	keys  []key.Binding
}

func (k keyMap) helpSections() []helpSection {
	return []helpSection{
		{"Queue", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Open, k.Select, k.SelectAll, k.Approve, k.Reject, k.Filter, k.Refresh, k.ClearSel}},
		{"Review", []key.Binding{k.Focus, k.Up, k.Down, k.HalfUp, k.HalfDown, k.PageUp, k.PageDown, k.Top, k.Bottom, k.NextFile, k.PrevFile, k.NextHunk, k.PrevHunk, k.Search, k.NextMatch, k.PrevMatch, k.NextSignal, k.PrevSignal, k.SignalDetail, k.Viewed, k.Note, k.Expand, k.Pretty, k.SideBySide, k.Left, k.Right, k.Approve, k.Reject, k.Back}},
		{"2FA and confirm", []key.Binding{k.Submit, k.Cancel, k.OpenBrowser, k.Yes, k.IncludeRisky}},
		{"Everywhere", []key.Binding{k.Posture, k.Help, k.Quit, k.ForceQuit}},
	}
}

func (k keyMap) queueHints() []key.Binding {
	// The status bar is short: the full text of space is in `?`.
	sel := k.Select
	sel.SetHelp("space", "select")
	return []key.Binding{k.Open, sel, k.Approve, k.Reject, k.Filter, k.Refresh, k.Help, k.Quit}
}

func (k keyMap) reviewHints() []key.Binding {
	return []key.Binding{k.Focus, k.NextFile, k.NextHunk, k.Viewed, k.Search, k.Approve, k.Reject, k.Back, k.Help}
}
