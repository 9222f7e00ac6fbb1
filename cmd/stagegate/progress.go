package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/review"
)

// progressLine shows a review's progress on one terminal line of stderr,
// redrawn at most ten times a second and erased when the review is done.
// It prints nothing when stderr is not a terminal.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	shown bool
}

func (g *globals) newProgressLine() *progressLine {
	if !isTTY(g.stderr) {
		return nil
	}
	return &progressLine{w: g.stderr}
}

// report is a review.Options.Progress; it is called from fetch goroutines.
func (p *progressLine) report(pr review.Progress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.Phase == "done" {
		p.clearLocked()
		return
	}
	if time.Since(p.last) < 100*time.Millisecond && pr.Phase != "diff" {
		return
	}
	p.last = time.Now()
	text := pr.Phase
	switch {
	case pr.Total > 0:
		text += fmt.Sprintf(" %d%%", min(100, pr.Done*100/pr.Total))
	case pr.Done > 0:
		text += fmt.Sprintf(" %d KiB", pr.Done>>10)
	}
	// Phase names are ours; package names in them went through the engine
	// from the registry, so keep the line to plain printable text.
	fmt.Fprintf(p.w, "\r\x1b[2K%s…", safeLine(text, 70))
	p.shown = true
}

func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progressLine) clearLocked() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}
