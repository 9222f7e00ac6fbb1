package tarball

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// synthetic builds a ~20 MB package of JS-like text files (it compresses
// about like real code), deterministic so runs compare.
func synthetic(b *testing.B) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"const", "function", "return", "module", "exports", "require", "this", "value", "if", "else", "=>", "{", "}", "(", ")", ";", "\n", "\n  ", "0", "1", "'use strict'", "undefined", "null"}
	var ents []ent
	total := 0
	for i := 0; total < 20<<20; i++ {
		var buf bytes.Buffer
		size := 2000 + rng.IntN(60000)
		for buf.Len() < size {
			buf.WriteString(words[rng.IntN(len(words))])
			buf.WriteByte(' ')
			if rng.IntN(8) == 0 {
				fmt.Fprintf(&buf, "v%d ", rng.IntN(100000))
			}
		}
		total += buf.Len()
		ents = append(ents, file(fmt.Sprintf("package/lib/dir%d/file%d.js", i%37, i), buf.String()))
	}
	return tgz(b, ents...)
}

func BenchmarkRead(b *testing.B) {
	data := synthetic(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadBytes(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// realTarball loads bench/.cache/typescript-5.5.4.tgz (git-ignored; fetch
// it with `npm pack typescript@5.5.4` in that folder) or skips.
func realTarball(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "bench", ".cache", "typescript-5.5.4.tgz"))
	if err != nil {
		b.Skip("no bench/.cache/typescript-5.5.4.tgz: run `npm pack typescript@5.5.4` there")
	}
	return data
}

func BenchmarkReadTypescript(b *testing.B) {
	data := realTarball(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadBytes(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGunzip is the measurement behind the choice of gzip package
// (see the import comment in read.go).
func BenchmarkGunzip(b *testing.B) {
	data := realTarball(b)
	impls := []struct {
		name string
		open func(io.Reader) (io.Reader, error)
	}{
		{"compress-gzip", func(r io.Reader) (io.Reader, error) { return stdgzip.NewReader(r) }},
		{"klauspost-gzip", func(r io.Reader) (io.Reader, error) { return kgzip.NewReader(r) }},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				zr, err := impl.open(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, zr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
