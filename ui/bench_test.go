package ui

import (
	"fmt"
	"testing"

	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/highlight"
)

// synthDiff builds a file diff of about n lines in hunks of 24: context,
// a run of removals, the additions that replace them (similar lines, so
// word spans are computed), a tab-indented line, and context again.
func synthDiff(n int) *diff.FileDiff {
	fd := &diff.FileDiff{Path: "lib/big.js", Status: diff.Modified}
	oldNo, newNo := 1, 1
	for len := 0; len < n; {
		h := diff.Hunk{OldStart: oldNo, NewStart: newNo}
		add := func(k diff.LineKind, text string) {
			l := diff.Line{Kind: k, Text: text}
			switch k {
			case diff.Context:
				l.OldNo, l.NewNo = oldNo, newNo
				oldNo++
				newNo++
				h.OldLines++
				h.NewLines++
			case diff.Del:
				l.OldNo = oldNo
				oldNo++
				h.OldLines++
			case diff.Add:
				l.NewNo = newNo
				newNo++
				h.NewLines++
			}
			h.Lines = append(h.Lines, l)
		}
		for i := 0; i < 8; i++ {
			add(diff.Context, fmt.Sprintf("  const value%d = computeSomething(input%d, options.flag, %d) // keep", i, i, len+i))
		}
		for i := 0; i < 4; i++ {
			add(diff.Del, fmt.Sprintf("  return handler%d(request, response, next, { retries: %d, timeout: 3000 })", i, i))
		}
		for i := 0; i < 4; i++ {
			add(diff.Add, fmt.Sprintf("  return handler%d(request, response, next, { retries: %d, timeout: 5000, signal })", i, i+1))
		}
		add(diff.Add, "\t\tif (process.env.CI) { console.log('ci build ' + JSON.stringify(opts)) }")
		for i := 0; i < 7; i++ {
			add(diff.Context, fmt.Sprintf("  export function helper%d(a, b) { return a * b + %d }", i, len))
		}
		len += 24
		oldNo += 30
		newNo += 30
		fd.Hunks = append(fd.Hunks, h)
		fd.LinesAdded += 5
		fd.LinesRemoved += 4
	}
	return fd
}

func benchPane(b *testing.B, lines int, sbs bool) {
	st := newStyles(termenv.TrueColor, true)
	p := newDiffPane(&st)
	p.setFile(synthDiff(lines), nil, sbs)
	p.setSize(200, 60)
	runPaneFrames(b, &p)
}

// runPaneFrames times p.view() on frames spread over the whole diff.
func runPaneFrames(b *testing.B, p *diffPane) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Every frame shows rows not rendered before (the cache is emptied),
		// spread over the whole diff: the cold cost, not a cache hit.
		p.off = (i * 997) % max(1, p.maxOff())
		p.invalidate()
		if v := p.view(); len(v) != 60 {
			b.Fatalf("%d lines", len(v))
		}
	}
}

func BenchmarkDiffPaneView100k(b *testing.B)    { benchPane(b, 100_000, false) }
func BenchmarkDiffPaneView1k(b *testing.B)      { benchPane(b, 1_000, false) }
func BenchmarkDiffPaneView100kSBS(b *testing.B) { benchPane(b, 100_000, true) }

// BenchmarkAppView100k is the whole screen (header, file list, pane,
// status bar) on a 100k-line file at 200x60, for comparison with the pane.
func BenchmarkAppView100k(b *testing.B) {
	f := richBackend()
	r := f.reviews["id-router-152"]
	big := *synthDiff(100_000)
	r.Diff.Files[2].Hunks = big.Hunks
	m := newModel(b.Context(), f, Options{}, termenv.TrueColor, true)
	m.width, m.height = 200, 60
	m.items = f.items
	m.loaded = true
	m.openReview(f.items[0])
	m.rv.attach(m, r)
	m.rv.selectFile(m, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.rv.pane.off = (i * 997) % max(1, m.rv.pane.maxOff())
		m.rv.pane.invalidate()
		_ = m.View()
	}
}

// fakeSpans colours every word of a line, alternating classes: the
// rendering cost of a highlighted line without lexing 100k lines with
// chroma first (lexing runs in a background command, never in View).
func fakeSpans(text string) []highlight.Span {
	var out []highlight.Span
	for i, k := 0, 0; i < len(text); {
		j := i
		for j < len(text) && (text[j] == '_' || text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' || text[j] >= '0' && text[j] <= '9') {
			j++
		}
		if j > i {
			out = append(out, highlight.Span{Start: int32(i), End: int32(j), Class: highlight.Class(1 + k%(int(highlight.NClasses)-1))})
			k++
			i = j
			continue
		}
		i++
	}
	return out
}

func benchPaneHighlighted(b *testing.B, lines int, sbs bool) {
	st := newStyles(termenv.TrueColor, true)
	p := newDiffPane(&st)
	fd := synthDiff(lines)
	p.setFile(fd, nil, sbs)
	p.setSize(200, 60)
	for hi := range fd.Hunks {
		for li, l := range fd.Hunks[hi].Lines {
			p.hl[hlKey{fd, int32(hi), int32(li)}] = hlLine{n: len(l.Text), spans: fakeSpans(l.Text)}
		}
	}
	runPaneFrames(b, &p)
}

// BenchmarkDiffPaneView100kHighlighted: the budget (under 2 ms) with every
// visible line coloured, as once its highlight has come in.
func BenchmarkDiffPaneView100kHighlighted(b *testing.B)    { benchPaneHighlighted(b, 100_000, false) }
func BenchmarkDiffPaneView1kHighlighted(b *testing.B)      { benchPaneHighlighted(b, 1_000, false) }
func BenchmarkDiffPaneView100kSBSHighlighted(b *testing.B) { benchPaneHighlighted(b, 100_000, true) }
