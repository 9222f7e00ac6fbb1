package signals

import (
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
)

// BenchmarkContentSignals times the content detectors alone on the real
// pairs. Budget: under 15 ms on typescript, under 2 ms on react-dom.
func BenchmarkContentSignals(b *testing.B) {
	for _, p := range realPairs() {
		b.Run(p.name, func(b *testing.B) {
			in := realPair(b, p)
			b.ResetTimer()
			for b.Loop() {
				contentSignals(newContext(in))
			}
		})
	}
}

// BenchmarkContentRules is the fixed cost of one analysis: building the
// rule table and its scanner.
func BenchmarkContentRules(b *testing.B) {
	c := newContext(Input{Diff: &diff.Result{}})
	for b.Loop() {
		newContentScanner(c)
	}
}

// BenchmarkAssess times every detector, corroboration and the roll-up (no
// registry lookups) on the real pairs. Budget (architecture.md §6): at most
// 60 ms on typescript 5.4.5 -> 5.5.4.
func BenchmarkAssess(b *testing.B) {
	for _, p := range realPairs() {
		b.Run(p.name, func(b *testing.B) {
			in := realPair(b, p)
			b.ResetTimer()
			for b.Loop() {
				Assess(in)
			}
		})
	}
}
