package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/memory"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// Review memory in the dashboard: the files marked viewed and the notes
// of a review come back when it is opened again (even after a restart),
// and a package approved before on this machine says what is new since
// then. Reads and writes run in tea.Cmds; the store is optional
// (Options.Memory), and a failure is reported, never fatal.

// memLoadedMsg carries a review's memory.
type memLoadedMsg struct {
	key   string // item key
	rec   memory.Record
	delta *memory.Delta // nil: no earlier approval of the package here
	err   error
}

// memSavedMsg ends a write.
type memSavedMsg struct{ err error }

// memKey names the reviewed tarball in the store.
func (m *Model) memKey(it registry.StageItem, r *review.Review) memory.Key {
	sha := it.Shasum
	if r != nil && r.ReviewedSHA1 != "" {
		sha = r.ReviewedSHA1
	}
	return memory.Key{Registry: m.regOf(it), Package: it.PackageName, Version: it.Version, Shasum: sha}
}

// loadMemory reads the open review's memory and what is new since the
// package's last approval here.
func (m *Model) loadMemory(rv *reviewView) tea.Cmd {
	store := m.opts.Memory
	if store == nil || rv == nil || rv.rev == nil {
		return nil
	}
	key, k, r := rv.key, m.memKey(rv.item, rv.rev), rv.rev
	return func() tea.Msg {
		rec, _, err := store.Load(k)
		if err != nil {
			return memLoadedMsg{key: key, rec: rec, err: err}
		}
		prev, ok, err := store.LastApproved(k.Registry, k.Package, k)
		if err != nil || !ok {
			return memLoadedMsg{key: key, rec: rec, err: err}
		}
		d := memory.Compare(prev, findingsOf(r), r.Deps, r.Fingerprints)
		return memLoadedMsg{key: key, rec: rec, delta: &d}
	}
}

func (m *Model) onMemLoaded(msg memLoadedMsg) tea.Cmd {
	if msg.err != nil {
		return m.setStatus(msgErr, "review memory: "+safeText(msg.err.Error()))
	}
	rv := m.rv
	if rv == nil || rv.key != msg.key {
		return nil
	}
	rec := msg.rec
	rv.mem, rv.since = &rec, msg.delta
	if m.viewed[rv.key] == nil {
		m.viewed[rv.key] = map[string]bool{}
	}
	for _, p := range rec.Viewed {
		m.viewed[rv.key][p] = true
	}
	if rv.current() == nil {
		rv.showFile(m) // the overview lists what memory adds
	}
	return nil
}

// saveMemory writes the open review's viewed marks and notes.
func (m *Model) saveMemory(rv *reviewView) tea.Cmd {
	store := m.opts.Memory
	if store == nil || rv == nil || rv.rev == nil {
		return nil
	}
	rec := m.memRecord(rv.key, rv.item, rv.rev, rv.mem)
	rv.mem = &rec
	return func() tea.Msg { return memSavedMsg{err: store.Save(rec)} }
}

// memRecord is the record of a review as the dashboard holds it now.
func (m *Model) memRecord(key string, it registry.StageItem, r *review.Review, prev *memory.Record) memory.Record {
	rec := memory.Record{Key: m.memKey(it, r)}
	if prev != nil {
		rec = *prev
		rec.Key = m.memKey(it, r)
	}
	rec.Viewed = rec.Viewed[:0:0]
	for p, on := range m.viewed[key] {
		if on {
			rec.Viewed = append(rec.Viewed, p)
		}
	}
	sort.Strings(rec.Viewed)
	return rec
}

// rememberDecision records an approval (or rejection) with the snapshot
// the next review of the package compares with.
func (m *Model) rememberDecision(it registry.StageItem, decision string) tea.Cmd {
	store := m.opts.Memory
	if store == nil {
		return nil
	}
	key := itemKey(it)
	e := m.reviews[key]
	if e == nil || e.rev == nil {
		return nil
	}
	var prev *memory.Record
	if m.rv != nil && m.rv.key == key {
		prev = m.rv.mem
	}
	rec := m.memRecord(key, it, e.rev, prev)
	rec.Decision, rec.DecidedAt = decision, m.now().UTC()
	rec.Findings, rec.Deps, rec.Files = findingsOf(e.rev), e.rev.Deps, e.rev.Fingerprints
	return func() tea.Msg { return memSavedMsg{err: store.Save(rec)} }
}

// findingsOf are a review's signals as memory compares them.
func findingsOf(r *review.Review) []memory.Finding {
	out := make([]memory.Finding, 0, len(r.Signals))
	for _, s := range r.Signals {
		out = append(out, memory.Finding{ID: s.ID, Path: s.Path, Title: s.Title, Content: r.Fingerprints[s.Path]})
	}
	return out
}

// onNoteKey edits the note of the current file (or, on the overview, of
// the release): enter saves, esc cancels.
func (rv *reviewView) onNoteKey(m *Model, k tea.KeyMsg) tea.Cmd {
	switch k.Type {
	case tea.KeyEnter:
		rv.noting = false
		if rv.mem == nil {
			rec := m.memRecord(rv.key, rv.item, rv.rev, nil)
			rv.mem = &rec
		}
		if rv.mem.Notes == nil {
			rv.mem.Notes = map[string]string{}
		}
		text := strings.TrimSpace(rv.note.String())
		if text == "" {
			delete(rv.mem.Notes, rv.notePath())
		} else {
			rv.mem.Notes[rv.notePath()] = text
		}
		rv.showFile(m)
		return tea.Batch(m.saveMemory(rv), m.setStatus(msgInfo, "note saved for "+rv.noteWhere()))
	case tea.KeyEsc:
		rv.noting = false
		return nil
	}
	rv.note.update(k)
	return nil
}

// startNote opens the note editor on the current file or the release.
func (rv *reviewView) startNote(m *Model) tea.Cmd {
	if m.opts.Memory == nil {
		return m.setStatus(msgInfo, "review memory is off: notes cannot be kept")
	}
	if rv.rev == nil {
		return m.setStatus(msgInfo, "the review is not ready yet")
	}
	rv.noting = true
	rv.note = lineInput{limit: 500}
	if rv.mem != nil {
		rv.note.set(rv.mem.Notes[rv.notePath()])
	}
	return nil
}

func (rv *reviewView) notePath() string {
	if fd := rv.current(); fd != nil {
		return fd.Path
	}
	return ""
}

func (rv *reviewView) noteWhere() string {
	if p := rv.notePath(); p != "" {
		return safeText(p)
	}
	return "the release"
}

// memoryLines are the overview's lines about earlier reviews: what is
// new since the last approval, and the notes.
func (rv *reviewView) memoryLines(m *Model) []string {
	st := m.st
	var out []string
	if d := rv.since; d != nil {
		when := d.Since.DecidedAt.Local().Format(time.DateOnly)
		out = append(out, "", st.title.r("Since your approval of "+safeText(d.Since.Version)+" ("+when+")"))
		sigs := fmt.Sprintf("  %d new or changed signal(s)", len(d.NewSignals))
		if len(d.NewSignals) == 0 {
			sigs = st.faint.r("  no signal that was not accepted then, in the same content")
		}
		out = append(out, sigs)
		for i, f := range d.NewSignals {
			if i == 5 {
				out = append(out, st.faint.r(fmt.Sprintf("    … and %d more", len(d.NewSignals)-5)))
				break
			}
			out = append(out, "    "+safeText(f.ID)+"  "+safeText(f.Path))
		}
		if len(d.NewDeps) > 0 {
			out = append(out, "  new dependencies: "+safeText(strings.Join(d.NewDeps, ", ")))
		}
		out = append(out, fmt.Sprintf("  %d file(s) differ from the version you approved", len(d.Changed)))
	}
	if rv.mem != nil && len(rv.mem.Notes) > 0 {
		out = append(out, "", st.title.r("Your notes"))
		paths := make([]string, 0, len(rv.mem.Notes))
		for p := range rv.mem.Notes {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			where := "release"
			if p != "" {
				where = p
			}
			out = append(out, "  "+st.bold.r(safeText(where))+": "+safeText(rv.mem.Notes[p]))
		}
	}
	return out
}

// seenBefore reports whether a signal, in the same file content, was
// accepted in the package's last approval here: marked, never hidden.
func (rv *reviewView) seenBefore(s review.Signal) bool {
	if rv.since == nil || rv.rev == nil {
		return false
	}
	return rv.since.Since.Accepted(memory.Finding{ID: s.ID, Path: s.Path, Content: rv.rev.Fingerprints[s.Path]})
}
