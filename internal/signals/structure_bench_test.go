package signals

import "testing"

// BenchmarkStructureSignals times the structural detectors alone on the
// real pairs in bench/.cache (skipped when absent). Budget: under 15 ms
// on typescript and under 2 ms on react-dom.
func BenchmarkStructureSignals(b *testing.B) {
	for _, p := range stRealPairs {
		b.Run(p[0], func(b *testing.B) {
			o, n, d := stRealPair(b, p[0], p[1], p[2])
			in := Input{Old: o, New: n, Diff: d}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := newContext(in)
				structureSignals(c)
			}
		})
	}
}
