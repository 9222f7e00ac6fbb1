package signals

import "testing"

// BenchmarkStructureSignals times the structural detectors alone on the
// real pairs in bench/.cache (skipped when absent). Budget: under 15 ms
// on typescript and under 2 ms on react-dom.
func BenchmarkStructureSignals(b *testing.B) {
	for _, p := range realPairs() {
		b.Run(p.name, func(b *testing.B) {
			in := realPair(b, p)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := newContext(in)
				structureSignals(c)
			}
		})
	}
}
