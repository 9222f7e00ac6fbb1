package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/review"
)

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b}
	p.report(review.Progress{Phase: "staged tarball", Done: 50, Total: 100})
	p.report(review.Progress{Phase: "staged tarball", Done: 60, Total: 100}) // within 100 ms: skipped
	p.report(review.Progress{Phase: "diff"})
	p.last = time.Time{} // past the redraw throttle
	p.report(review.Progress{Phase: "evil\x1b]0;x\a@1.0.0", Done: 2048})
	p.report(review.Progress{Phase: "done"})
	out := b.String()
	if !strings.Contains(out, "staged tarball 50%…") || strings.Contains(out, "60%") || !strings.Contains(out, "diff…") {
		t.Errorf("progress output %q", out)
	}
	if !strings.HasSuffix(out, "\r\x1b[2K") {
		t.Errorf("the line is not erased at the end: %q", out)
	}
	if !strings.Contains(out, "2 KiB") {
		t.Errorf("the byte count was not shown: %q", out)
	}
	if strings.Contains(out, "\x1b]0") || strings.Contains(out, "\a") {
		t.Errorf("untrusted text reached the terminal raw: %q", out)
	}
	var nilLine *progressLine
	nilLine.report(review.Progress{Phase: "diff"}) // no terminal: a no-op
	nilLine.clear()
}
