package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/registry"
)

// Newly staged versions are announced while the dashboard is open: a line
// in the status bar, the terminal bell, and a desktop notification through
// the terminal (OSC 9, which iTerm2, kitty, WezTerm and Windows Terminal
// show; OSC 777, which foot, Ghostty and VTE terminals show). Terminals
// that know neither ignore them.

// syncWriter serialises writes to the terminal, so that a notification is
// written between two of the renderer's frames (each frame is one Write),
// never inside one.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// ttyFile is what bubbletea needs of its output to read the terminal's
// size and follow resizes (charmbracelet/x/term.File).
type ttyFile interface {
	io.ReadWriteCloser
	Fd() uintptr
}

// syncTTY is a syncWriter over a terminal that keeps the terminal's file
// methods, so bubbletea still sees a terminal.
type syncTTY struct {
	*syncWriter
	f ttyFile
}

func (t syncTTY) Read(p []byte) (int, error) { return t.f.Read(p) }
func (t syncTTY) Close() error               { return t.f.Close() }
func (t syncTTY) Fd() uintptr                { return t.f.Fd() }

// terminalWriter wraps out for notifications without hiding a terminal.
func terminalWriter(out io.Writer) (io.Writer, *syncWriter) {
	sw := &syncWriter{w: out}
	if f, ok := out.(ttyFile); ok {
		return syncTTY{syncWriter: sw, f: f}, sw
	}
	return sw, sw
}

// notify rings the bell and sends the desktop notification sequences.
func (s *syncWriter) notify(title, body string) error {
	title, body = oscText(title), oscText(body)
	seq := "\a\x1b]9;" + title + ": " + body + "\a" +
		"\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + strings.ReplaceAll(body, ";", ",") + "\a"
	_, err := s.Write([]byte(seq))
	return err
}

// withDesktop adds a desktop notification to the terminal's, both with
// text cleaned as oscText cleans it.
func withDesktop(term, desktop func(title, body string) error) func(title, body string) error {
	if desktop == nil {
		return term
	}
	return func(title, body string) error {
		return errors.Join(term(title, body), desktop(oscText(title), oscText(body)))
	}
}

// oscText keeps what may sit inside an OSC string: printable characters,
// no control bytes (ESC or BEL would end or hijack the sequence), no
// bidi or invisible characters, at most 200 runes. Registry text is
// untrusted.
func oscText(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= 200 {
			b.WriteString("…")
			break
		}
		switch {
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029':
			r = ' '
		case unicode.Is(unicode.Cf, r): // bidi controls, zero-width and tag characters
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// announceNew tells the user about versions staged since the last list.
// The first list of a session is the baseline, not news.
func (m *Model) announceNew(items []registry.StageItem) tea.Cmd {
	if m.seenIDs == nil {
		m.seenIDs = map[string]bool{}
		for _, it := range items {
			m.seenIDs[itemKey(it)] = true
		}
		return nil
	}
	var fresh []string
	for _, it := range items {
		if !m.seenIDs[itemKey(it)] {
			m.seenIDs[itemKey(it)] = true
			fresh = append(fresh, it.PackageName+"@"+it.Version)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	body := strings.Join(fresh, ", ")
	if len(fresh) > 3 {
		body = strings.Join(fresh[:3], ", ") + fmt.Sprintf(" and %d more", len(fresh)-3)
	}
	status := m.setStatus(msgInfo, fmt.Sprintf("newly staged: %s", safeText(body)))
	notify := m.opts.Notify
	if notify == nil {
		return status
	}
	title := fmt.Sprintf("stagegate: %d newly staged", len(fresh))
	return tea.Batch(status, func() tea.Msg {
		_ = notify(title, body) // best effort: a terminal without support shows nothing
		return nil
	})
}
