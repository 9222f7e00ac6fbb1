package signals

import (
	stdctx "context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// ctRealPairs are the real releases of bench/.cache: benign, large.
var ctRealPairs = [][3]string{
	{"typescript", "typescript-5.4.5", "typescript-5.5.4"},
	{"react-dom", "react-dom-18.2.0", "react-dom-18.3.1"},
	{"lodash", "lodash-4.17.20", "lodash-4.17.21"},
	{"router", "tanstack-react-router-1.170.45", "tanstack-react-router-1.170.46"},
}

// ctRealPair reads and diffs one pair from bench/.cache, skipping when the
// cache is absent.
func ctRealPair(tb testing.TB, oldName, newName string) Input {
	tb.Helper()
	read := func(name string) *tarball.Package {
		data, err := os.ReadFile(filepath.Join("..", "..", "bench", ".cache", name+".tgz"))
		if err != nil {
			tb.Skipf("bench cache absent: %v", err)
		}
		p, err := tarball.ReadBytes(data, tarball.DefaultLimits())
		if err != nil {
			tb.Fatal(err)
		}
		return p
	}
	o, n := read(oldName), read(newName)
	d, err := diff.Compare(stdctx.Background(), o, n, diff.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return Input{Old: o, New: n, Diff: d}
}

// BenchmarkContentSignals times the content detectors alone on the real
// pairs. Budget: under 15 ms on typescript, under 2 ms on react-dom.
func BenchmarkContentSignals(b *testing.B) {
	for _, p := range ctRealPairs {
		b.Run(p[0], func(b *testing.B) {
			in := ctRealPair(b, p[1], p[2])
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
