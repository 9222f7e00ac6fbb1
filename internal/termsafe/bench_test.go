package termsafe

import (
	"strings"
	"testing"
)

// Diff-pane lines: the common case is plain code, which must not allocate.
var benchLines = map[string]string{
	"ascii":   "    const result = await fetch(url, { method: 'POST', body: JSON.stringify(data) });",
	"unicode": "    // Übersetzung: 日本語のコメント — ✓ done ❤️",
	"hostile": "\x1b[2J\x1b[8mconst a\u200d = 1;\u202e // \x1b]52;c;Y3VybA==\x07\b\b\r",
}

func BenchmarkString(b *testing.B) {
	for name, line := range benchLines {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				_ = String(line)
			}
		})
	}
}

func BenchmarkLine(b *testing.B) {
	for name, line := range benchLines {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Line(line, 200)
			}
		})
	}
	huge := strings.Repeat("var _0x1a2b=['\\x61'];", 5<<20/22)
	b.Run("5MB-line", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Line(huge, 300)
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat(benchLines["unicode"]+"\n"+benchLines["ascii"]+"\n", 1000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Scan(text)
	}
}
