package diff

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/tarball"
)

// BenchmarkCompareManySmall: 2,000 small source files, 5% of them edited.
func BenchmarkCompareManySmall(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	oldP, newP := &tarball.Package{}, &tarball.Package{}
	for i := 0; i < 2000; i++ {
		var sb strings.Builder
		for l := 0; l < 40+rng.IntN(80); l++ {
			sb.WriteString("export function f" + itoa(l) + "(x) { return x * " + itoa(rng.IntN(100)) + "; }\n")
		}
		path := "lib/m" + itoa(i) + ".js"
		o := sb.String()
		n := o
		if i%20 == 0 {
			lines := strings.SplitAfter(o, "\n")
			lines[len(lines)/2] = "export const injected = true;\n"
			n = strings.Join(lines, "")
		}
		oldP.Files = append(oldP.Files, tarball.File{Path: path, Mode: 0o644, Data: []byte(o)})
		newP.Files = append(newP.Files, tarball.File{Path: path, Mode: 0o644, Data: []byte(n)})
	}
	sort.Slice(oldP.Files, func(i, j int) bool { return oldP.Files[i].Path < oldP.Files[j].Path })
	sort.Slice(newP.Files, func(i, j int) bool { return newP.Files[i].Path < newP.Files[j].Path })
	b.ReportAllocs()
	for b.Loop() {
		res, err := Compare(context.Background(), oldP, newP, Options{})
		if err != nil || len(res.Files) != 100 {
			b.Fatalf("%v, %d files", err, len(res.Files))
		}
	}
}

// BenchmarkMinified5MB: one 5 MB single-line file with a change in the middle.
func BenchmarkMinified5MB(b *testing.B) {
	old := minifiedBundle(5<<20, "")
	mid := len(old) / 2
	mid += strings.IndexByte(old[mid:], ';') + 1
	new := old[:mid] + `eval(atob("ZXZpbA=="));` + old[mid:]
	oldP := pkgOf(map[string]string{"dist/x.min.js": old}, nil)
	newP := pkgOf(map[string]string{"dist/x.min.js": new}, nil)
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Compare(context.Background(), oldP, newP, Options{})
		if err != nil || !res.Files[0].TokenDiff {
			b.Fatal(err)
		}
	}
}

// BenchmarkMinifiedRebuilt: a 1 MB bundle rebuilt with every identifier
// renamed, the token diff's hard case.
func BenchmarkMinifiedRebuilt(b *testing.B) {
	old, new := minifiedBundle(1<<20, ""), minifiedBundle(1<<20, "_")
	oldP := pkgOf(map[string]string{"dist/x.min.js": old}, nil)
	newP := pkgOf(map[string]string{"dist/x.min.js": new}, nil)
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(context.Background(), oldP, newP, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLargeFile: a 200k-line file with scattered edits.
func BenchmarkLargeFile(b *testing.B) {
	old, new := bigEdited(200_000, 21)
	oldP := pkgOf(map[string]string{"lib/big.js": old}, nil)
	newP := pkgOf(map[string]string{"lib/big.js": new}, nil)
	b.SetBytes(int64(len(old) + len(new)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(context.Background(), oldP, newP, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWordSpans: one typical edited line pair.
func BenchmarkWordSpans(b *testing.B) {
	o := `    const result = await fetchWithRetry(url, { method: "GET", headers: defaultHeaders, timeout: 3000 });`
	n := `    const result = await fetchWithRetry(url, { method: "POST", headers: defaultHeaders, timeout: 5000 });`
	b.ReportAllocs()
	for b.Loop() {
		WordSpans(o, n)
	}
}
