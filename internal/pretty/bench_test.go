package pretty

import (
	"strconv"
	"strings"
	"testing"
)

// bundle is a minified single-line bundle of about size bytes, as
// internal/diff's benchmarks build it.
func bundle(size int) []byte {
	var b strings.Builder
	b.WriteString("!function(){\"use strict\";")
	for i := 0; b.Len() < size; i++ {
		n := strconv.Itoa(i)
		b.WriteString("function f" + n + "(a,b){return a+b*" + strconv.Itoa(i%97) + "}var v" + n + "=f" + n + "(" + n + ",{k:" + n + ",s:\"x\"});")
	}
	b.WriteString("}();")
	return []byte(b.String())
}

// BenchmarkJS5MB prints a 5 MB minified bundle. The goal: well under the
// token diff of the same file (BenchmarkMinified5MB in internal/diff), so
// that a pretty view costs the dashboard no visible wait. esbuild's
// Transform, measured on the same machine, prints about 5 MB/s.
func BenchmarkJS5MB(b *testing.B) {
	src := bundle(5 << 20)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JS(src); err != nil {
			b.Fatal(err)
		}
	}
}
