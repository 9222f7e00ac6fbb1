package tarball

import (
	"archive/tar"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func FuzzRead(f *testing.F) {
	f.Add(tgz(f, hostile()...))
	f.Add(tgz(f, file("package/package.json", "{}"), ent{name: "package/bin/x", typ: tar.TypeReg, mode: 0o755, body: "#!/bin/sh\n"}))
	f.Add(tgz(f, ent{name: "package/" + strings.Repeat("n", 120), typ: tar.TypeReg, body: "x", fmt: tar.FormatPAX}))
	f.Add(tgz(f, ent{name: "package/" + strings.Repeat("g", 120), typ: tar.TypeReg, body: "x", fmt: tar.FormatGNU}))
	f.Add(tgz(f))
	f.Add(gz(f, nil))
	f.Add(append(tgz(f, file("package/a", "a")), "tail"...))
	f.Add([]byte("\x1f\x8b"))
	f.Add([]byte("not a tarball"))
	lim := Limits{MaxUnpacked: 1 << 20, MaxEntries: 64, MaxPathLen: 512, MaxCompressed: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadBytes(data, lim)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTooManyEntries) && !errors.Is(err, ErrPathTooLong) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			if p != nil {
				t.Fatal("package returned with an error")
			}
			return
		}
		var sum int64
		for i, f := range p.Files {
			if i > 0 && p.Files[i-1].Path >= f.Path {
				t.Fatalf("files not sorted and unique: %q, %q", p.Files[i-1].Path, f.Path)
			}
			if f.Path == "" || strings.HasPrefix(f.Path, "/") || strings.Contains(f.Path, "\\") {
				t.Fatalf("unsafe path kept: %q", f.Path)
			}
			for _, seg := range strings.Split(f.Path, "/") {
				if seg == ".." || seg == "." || seg == "" {
					t.Fatalf("unsafe segment in kept path %q", f.Path)
				}
			}
			if p.Lookup(f.Path) != &p.Files[i] {
				t.Fatalf("Lookup(%q) failed", f.Path)
			}
			sum += int64(len(f.Data))
		}
		if sum != p.Unpacked || sum > lim.MaxUnpacked {
			t.Fatalf("Unpacked = %d, sum %d", p.Unpacked, sum)
		}
		s := sha1.Sum(data)
		if p.SHA1 != hex.EncodeToString(s[:]) || p.Integrity != SRI(data) || p.Size != int64(len(data)) {
			t.Fatal("digests do not cover the input")
		}
		// Reading the same archive against itself shares every file and
		// changes nothing else.
		again, err := ReadShared(bytes.NewReader(data), lim, p)
		if err != nil || again.SHA1 != p.SHA1 || len(again.Files) != len(p.Files) || len(again.Issues) != len(p.Issues) {
			t.Fatalf("ReadShared of the same input differs: %v", err)
		}
		for i, f := range again.Files {
			if f.Path != p.Files[i].Path || f.Mode != p.Files[i].Mode || !bytes.Equal(f.Data, p.Files[i].Data) {
				t.Fatalf("ReadShared file %q differs", f.Path)
			}
		}
		_ = IsBinary(data)
		_ = Magic(data)
		_, _ = VerifyIntegrity(p, string(data[:min(len(data), 200)]), "")
	})
}
