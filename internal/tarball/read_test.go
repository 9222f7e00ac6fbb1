package tarball

import (
	"archive/tar"
	"bytes"
	stdgzip "compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ent describes one tar entry for the builders below.
type ent struct {
	name string
	typ  byte
	mode int64
	body string
	link string
	size int64 // declared size when > 0 and body is empty (content is zeros)
	fmt  tar.Format
}

func file(name, body string) ent { return ent{name: name, typ: tar.TypeReg, mode: 0o644, body: body} }

// tarBytes builds an uncompressed tar archive.
func tarBytes(t testing.TB, ents []ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeTar(&buf, ents); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTar does not take a testing.TB: it also runs in a producer goroutine.
func writeTar(w io.Writer, ents []ent) error {
	tw := tar.NewWriter(w)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link, Format: e.fmt}
		var body io.Reader = strings.NewReader(e.body)
		switch {
		case e.size > 0:
			h.Size, body = e.size, io.LimitReader(zeros{}, e.size)
		case e.typ == tar.TypeReg:
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Size > 0 {
			if _, err := io.Copy(tw, body); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func gz(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := stdgzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tgz(t testing.TB, ents ...ent) []byte { t.Helper(); return gz(t, tarBytes(t, ents)) }

func kinds(p *Package) map[string][]Issue {
	m := map[string][]Issue{}
	for _, is := range p.Issues {
		m[is.Kind] = append(m[is.Kind], is)
	}
	return m
}

func paths(p *Package) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Path)
	}
	return out
}

func TestReadStripsFirstSegment(t *testing.T) {
	tests := []struct {
		name string
		ents []ent
		want []string
	}{
		{"package prefix", []ent{file("package/package.json", "{}"), file("package/lib/a.js", "a")}, []string{"lib/a.js", "package.json"}},
		{"other prefix", []ent{file("node/package.json", "{}"), file("node/index.js", "x")}, []string{"index.js", "package.json"}},
		{"scoped-like prefix", []ent{file("types-node/index.d.ts", "x")}, []string{"index.d.ts"}},
		// node-tar drops the first segment even when it is "." (so npm
		// would install under package/), and resolves "." and "" segments.
		{"dot prefix", []ent{file("./package/index.js", "x")}, []string{"package/index.js"}},
		{"redundant segments", []ent{file("package/./lib//a.js", "x")}, []string{"lib/a.js"}},
		{"directories skipped", []ent{{name: "package/", typ: tar.TypeDir, mode: 0o755}, {name: "package/lib/", typ: tar.TypeDir}, file("package/lib/a.js", "x")}, []string{"lib/a.js"}},
		{"pax long name", []ent{{name: "package/" + strings.Repeat("d/", 80) + "f.js", typ: tar.TypeReg, mode: 0o644, body: "x", fmt: tar.FormatPAX}}, []string{strings.Repeat("d/", 80) + "f.js"}},
		{"gnu long name", []ent{{name: "package/" + strings.Repeat("e", 150) + ".js", typ: tar.TypeReg, mode: 0o644, body: "x", fmt: tar.FormatGNU}}, []string{strings.Repeat("e", 150) + ".js"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ReadBytes(tgz(t, tc.ents...), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(paths(p), ","); got != strings.Join(tc.want, ",") {
				t.Errorf("paths = %q, want %q", got, tc.want)
			}
			if len(p.Issues) != 0 {
				t.Errorf("unexpected issues: %+v", p.Issues)
			}
		})
	}
}

func TestReadModesAndContent(t *testing.T) {
	p, err := ReadBytes(tgz(t,
		ent{name: "package/bin/cli.js", typ: tar.TypeReg, mode: 0o755, body: "#!/usr/bin/env node\n"},
		ent{name: "package/a.txt", typ: tar.TypeReg, mode: 0o644, body: "hello"},
		ent{name: "package/suid", typ: tar.TypeReg, mode: 0o4755, body: ""},
		ent{name: "package/ro", typ: tar.TypeReg, mode: 0o400, body: "r"},
	), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		mode, npm uint32
		body      string
	}{
		"bin/cli.js": {0o755, 0o755, "#!/usr/bin/env node\n"},
		"a.txt":      {0o644, 0o644, "hello"},
		"suid":       {0o4755, 0o4755, ""},
		"ro":         {0o400, 0o644, "r"},
	}
	for path, w := range want {
		f := p.Lookup(path)
		if f == nil {
			t.Fatalf("missing %s", path)
		}
		if f.Mode != w.mode || string(f.Data) != w.body {
			t.Errorf("%s: mode %o body %q, want %o %q", path, f.Mode, f.Data, w.mode, w.body)
		}
		if got := NpmMode(f.Mode); got != w.npm {
			t.Errorf("NpmMode(%o) = %o, want %o", f.Mode, got, w.npm)
		}
	}
	if p.Unpacked != int64(len("#!/usr/bin/env node\n")+len("hello")+1) {
		t.Errorf("Unpacked = %d", p.Unpacked)
	}
}

// hostile is the tar half of fixture 5 (fx-hostile-viewer), plus the
// other path tricks the brief lists.
func hostile() []ent {
	return []ent{
		file("package/package.json", `{"name":"fx-hostile-viewer","version":"1.0.0"}`),
		file("package/index.js", "first"),
		{name: "package/passwd", typ: tar.TypeSymlink, link: "../../etc/passwd"},
		{name: "package/ok-link", typ: tar.TypeSymlink, link: "lib/x.js"},
		{name: "package/hard", typ: tar.TypeLink, link: "package/index.js"},
		file("../escape.txt", "escaped"),
		file("/etc/cron.d/x", "abs"),
		file(`package\..\..\win.txt`, "bs"),
		file("C:/x.txt", "drive"),
		file("package/index.js", "second"),
		{name: "package/fifo", typ: tar.TypeFifo},
		{name: "package/tty", typ: tar.TypeChar},
		{name: "package/disk", typ: tar.TypeBlock},
		file("package/README.md", "upper"),
		file("package/readme.md", "lower"),
		file("package/caf\u00e9.js", "nfc"),
		file("package/cafe\u0301.js", "nfd"),
		file("package/evil\x1b[2J\nname.js", "name"),
		file("rootfile.js", "root"),
		file("other/extra.js", "merged"),
		file("package/lib", "a file"),
		file("package/lib/x.js", "under a file"),
	}
}

func TestReadHostileEntries(t *testing.T) {
	p, err := ReadBytes(tgz(t, hostile()...), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(paths(p), "|")
	want := strings.Join([]string{"README.md", "cafe\u0301.js", "caf\u00e9.js", "evil\x1b[2J\nname.js", "extra.js", "index.js", "lib", "lib/x.js", "package.json", "readme.md"}, "|")
	if got != want {
		t.Errorf("files:\n got %q\nwant %q", got, want)
	}
	if f := p.Lookup("index.js"); f == nil || string(f.Data) != "second" {
		t.Errorf("duplicate index.js: last entry must win, got %+v", f)
	}
	k := kinds(p)
	checks := []struct {
		kind, path, target, detail string
	}{
		{KindSymlink, "package/passwd", "../../etc/passwd", "outside the package"},
		{KindSymlink, "package/ok-link", "lib/x.js", "never followed"},
		{KindHardlink, "package/hard", "package/index.js", "never followed"},
		{KindEscape, "../escape.txt", "", "'..' segment"},
		{KindEscape, "/etc/cron.d/x", "", "absolute path"},
		{KindEscape, `package\..\..\win.txt`, "", "backslash"},
		{KindEscape, "C:/x.txt", "", "drive letter"},
		{KindDuplicate, "package/index.js", "", "last regular file wins"},
		{KindFIFO, "package/fifo", "", "named pipe"},
		{KindDevice, "package/tty", "", "device"},
		{KindDevice, "package/disk", "", "device"},
		{KindCollision, "package/readme.md", "README.md", "case"},
		{KindCollision, "package/cafe\u0301.js", "caf\u00e9.js", "normalisation"},
		{KindCollision, "lib/x.js", "lib", "parent folder"},
		{KindOther, "rootfile.js", "", "archive root"},
		{KindOther, "other/extra.js", "", "top-level folder"},
	}
	for _, c := range checks {
		found := false
		for _, is := range k[c.kind] {
			if is.Path == c.path && is.Target == c.target && strings.Contains(is.Detail, c.detail) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s issue for %q (target %q, detail ~%q); have %+v", c.kind, c.path, c.target, c.detail, k[c.kind])
		}
	}
	if n := len(p.Issues); n != len(checks) {
		t.Errorf("%d issues, want %d: %+v", n, len(checks), p.Issues)
	}
	for _, is := range p.Issues {
		if strings.ContainsAny(is.Detail, "\x1b\n") {
			t.Errorf("issue detail carries archive bytes: %q", is.Detail)
		}
	}
}

func TestReadDigests(t *testing.T) {
	data := tgz(t, file("package/a", "a"), file("package/b", strings.Repeat("b", 100000)))
	// Trailing bytes after the gzip stream must be covered by the digests too.
	data = append(data, "trailing"...)
	p, err := ReadBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s1 := sha1.Sum(data)
	s512 := sha512.Sum512(data)
	if p.SHA1 != hex.EncodeToString(s1[:]) {
		t.Errorf("SHA1 = %s", p.SHA1)
	}
	if want := "sha512-" + base64.StdEncoding.EncodeToString(s512[:]); p.Integrity != want || SRI(data) != want {
		t.Errorf("Integrity = %s, SRI = %s, want %s", p.Integrity, SRI(data), want)
	}
	if p.Size != int64(len(data)) {
		t.Errorf("Size = %d, want %d", p.Size, len(data))
	}
	if k := kinds(p)[KindOther]; len(k) != 1 || !strings.Contains(k[0].Detail, "8 bytes after the end of the gzip stream") {
		t.Errorf("trailing data not reported: %+v", p.Issues)
	}
}

func TestReadHiddenAfterTarEnd(t *testing.T) {
	raw := append(tarBytes(t, []ent{file("package/a", "a")}), "hidden payload"...)
	p, err := ReadBytes(gz(t, raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(p)[KindOther]; len(k) != 1 || !strings.Contains(k[0].Detail, "14 non-zero bytes after the tar end-of-archive marker") {
		t.Errorf("hidden data not reported: %+v", p.Issues)
	}
}

func TestReadMultiMemberGzip(t *testing.T) {
	// Node's zlib continues into a following gzip member, so a tar split
	// across members must read as one archive.
	raw := tarBytes(t, []ent{file("package/a", strings.Repeat("x", 3000)), file("package/b", "b")})
	data := append(gz(t, raw[:1000]), gz(t, raw[1000:])...)
	p, err := ReadBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(paths(p), ","); got != "a,b" || len(p.Issues) != 0 {
		t.Errorf("paths %q issues %+v", got, p.Issues)
	}
}

func TestReadErrors(t *testing.T) {
	good := tgz(t, file("package/a", strings.Repeat("abc", 2000)), file("package/b", "b"))
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-6] ^= 0xff // CRC-32 in the gzip trailer
	tarOnly := tarBytes(t, []ent{file("package/a", strings.Repeat("abc", 2000))})
	tests := []struct {
		name string
		data []byte
		lim  Limits
		is   error
		msg  string
	}{
		{"empty input", nil, Limits{}, ErrMalformed, "malformed tarball: empty input"},
		{"not gzip", []byte("<!DOCTYPE html><html>"), Limits{}, ErrMalformed, "not gzip data (first bytes 3c 21 44 4f)"},
		{"plain tar", tarOnly, Limits{}, ErrMalformed, "uncompressed tar"},
		{"truncated gzip header", good[:5], Limits{}, ErrMalformed, "truncated"},
		{"truncated gzip body", good[:len(good)/2], Limits{}, ErrMalformed, "truncated"},
		{"truncated gzip trailer", good[:len(good)-4], Limits{}, ErrMalformed, "truncated"},
		{"bad gzip checksum", corrupt, Limits{}, ErrMalformed, "checksum"},
		{"truncated tar header", gz(t, tarOnly[:300]), Limits{}, ErrMalformed, "truncated"},
		{"truncated tar data", gz(t, tarOnly[:1024]), Limits{}, ErrMalformed, "truncated"},
		{"bad tar header", gz(t, append(bytes.Repeat([]byte{'A'}, 512), make([]byte, 1024)...)), Limits{}, ErrMalformed, "invalid tar header"},
		{"entry count", tgz(t, file("package/1", ""), file("package/2", ""), file("package/3", "")), Limits{MaxEntries: 2}, ErrTooManyEntries, "exceeds 2 entries (Limits.MaxEntries)"},
		{"path length", tgz(t, file("package/"+strings.Repeat("p", 100), "")), Limits{MaxPathLen: 64}, ErrPathTooLong, "Limits.MaxPathLen"},
		{"link length", tgz(t, ent{name: "package/l", typ: tar.TypeSymlink, link: strings.Repeat("../", 30)}), Limits{MaxPathLen: 64}, ErrPathTooLong, "64 bytes"},
		{"unpacked", good, Limits{MaxUnpacked: 4 << 10}, ErrTooLarge, "exceeds 4 KiB (Limits.MaxUnpacked)"},
		{"compressed", good, Limits{MaxCompressed: 64}, ErrTooLarge, "compressed input exceeds 64 bytes (Limits.MaxCompressed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ReadBytes(tc.data, tc.lim)
			if err == nil {
				t.Fatalf("no error; files %q", paths(p))
			}
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v; want %v containing %q", err, tc.is, tc.msg)
			}
		})
	}
}

func TestReadEmptyArchive(t *testing.T) {
	for name, data := range map[string][]byte{
		"end blocks only": tgz(t),
		"no blocks":       gz(t, nil),
	} {
		p, err := ReadBytes(data, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(p.Files) != 0 || len(p.Issues) != 0 || p.Unpacked != 0 {
			t.Errorf("%s: %+v", name, p)
		}
	}
}

func TestReadExactLimitsAccepted(t *testing.T) {
	data := tgz(t, file("package/a", "abc"))
	raw := tarBytes(t, []ent{file("package/a", "abc")})
	if _, err := ReadBytes(data, Limits{MaxCompressed: int64(len(data)), MaxUnpacked: int64(len(raw)), MaxEntries: 1, MaxPathLen: len("package/a")}); err != nil {
		t.Fatalf("limits equal to the content must pass: %v", err)
	}
}

// countingReader counts what Read pulled from the source.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	m, err := c.r.Read(p)
	c.n += int64(m)
	return m, err
}

// bomb streams a tgz produced on the fly, so the test does not build
// 300 MB up front and proves that Read stops early: the producer only
// runs as far as the consumer reads.
func bomb(ents []ent) (*countingReader, func()) {
	pr, pw := io.Pipe()
	go func() {
		zw := stdgzip.NewWriter(pw)
		err := writeTar(zw, ents)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return &countingReader{r: pr}, func() { pr.Close() }
}

func TestReadGzipBomb(t *testing.T) {
	const limit = 64 << 20
	tests := []struct {
		name string
		ents []ent
	}{
		// One entry declaring 300 MB: refused from its header.
		{"one big file", []ent{file("package/a", "a"), {name: "package/zeros", typ: tar.TypeReg, mode: 0o644, size: 300 << 20}}},
		// Many honest 8 MB files: refused once the stream passes the cap.
		{"many files", func() []ent {
			var e []ent
			for i := range 38 {
				e = append(e, ent{name: "package/z" + string(rune('a'+i%26)) + string(rune('a'+i/26)), typ: tar.TypeReg, mode: 0o644, size: 8 << 20})
			}
			return e
		}()},
		// Skipped (non-file) entries with a 300 MB data section.
		{"skipped entry data", []ent{{name: "package/x", typ: 'Z', size: 300 << 20}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, stop := bomb(tc.ents)
			defer stop()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Read(src, Limits{MaxUnpacked: limit})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "64 MiB") {
				t.Fatalf("err = %v, want ErrTooLarge naming 64 MiB", err)
			}
			// zeros compress about 1000:1, so reading the whole 300 MB
			// would pull ~300 KB; stopping at the cap pulls at most ~70 KB.
			if src.n > 100<<10 {
				t.Errorf("read %d compressed bytes: did not stop early", src.n)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*limit {
				t.Errorf("allocated %d MB for a %d MB cap", alloc>>20, limit>>20)
			}
		})
	}
}

func TestReadLyingSizeDoesNotAllocate(t *testing.T) {
	// A header that declares 512 MB but is followed by a few bytes must
	// fail as truncated without allocating the declared size.
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	if err := tw.WriteHeader(&tar.Header{Name: "package/a", Typeflag: tar.TypeReg, Mode: 0o644, Size: 512 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(make([]byte, 3584)); err != nil {
		t.Fatal(err)
	}
	data := gz(t, raw.Bytes()) // the writer is abandoned: the entry stays truncated
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadBytes(data, Limits{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MB for a truncated entry", alloc>>20)
	}
}

func TestStripPath(t *testing.T) {
	tests := []struct{ in, rel, top, problem string }{
		{"package/a/b.js", "a/b.js", "package", ""},
		{"package/", "", "package", ""},
		{"package", "", "package", ""},
		{"x/../y", "y", "x", "'..' segment"},
		{"../a", "a", "..", "'..' segment"},
		{"package/a/..", "a", "package", "'..' segment"},
		{"/abs/x", "abs/x", "", "absolute path"},
		{"//host/share/x", "host/share/x", "", "absolute path"},
		{"c:/x", "x", "c:", "drive letter"},
		{"package/D:evil", "D:evil", "package", "drive letter"},
		{`package/a\b`, `a\b`, "package", "backslash"},
		{"package/a..b/c...", "a..b/c...", "package", ""},
	}
	for _, tc := range tests {
		rel, top, problem := stripPath(tc.in)
		if rel != tc.rel || top != tc.top || !strings.Contains(problem, tc.problem) || (tc.problem == "") != (problem == "") {
			t.Errorf("stripPath(%q) = %q, %q, %q; want %q, %q, ~%q", tc.in, rel, top, problem, tc.rel, tc.top, tc.problem)
		}
	}
}

func TestLinkEscapes(t *testing.T) {
	tests := []struct {
		rel, target string
		hard, want  bool
	}{
		{"a", "../../etc/passwd", false, true},
		{"lib/a", "../b", false, false},
		{"lib/a", "../../b", false, true},
		{"a", "/etc/passwd", false, true},
		{"a", `..\x`, false, true},
		{"a", "package/b", true, false},
		{"a", "package/../../b", true, true},
		{"a", "", false, false},
	}
	for _, tc := range tests {
		if got := linkEscapes(tc.rel, tc.target, tc.hard); got != tc.want {
			t.Errorf("linkEscapes(%q, %q, %v) = %v", tc.rel, tc.target, tc.hard, got)
		}
	}
}

// TestReadRealTarball runs when bench/.cache/typescript-5.5.4.tgz exists
// (see realTarball) and checks the digests against the sha1sum tool.
func TestReadRealTarball(t *testing.T) {
	path := filepath.Join("..", "..", "bench", ".cache", "typescript-5.5.4.tgz")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip("no cached typescript-5.5.4.tgz")
	}
	p, err := ReadBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Lookup("package.json") == nil || p.Lookup("lib/typescript.js") == nil || len(p.Issues) != 0 {
		t.Errorf("files %d, issues %+v", len(p.Files), p.Issues)
	}
	if ok, detail := VerifyBytes(data, p.Integrity, p.SHA1); !ok {
		t.Error(detail)
	}
	out, err := exec.Command("sha1sum", path).Output()
	if err != nil {
		t.Skip("no sha1sum tool")
	}
	if got, _, _ := strings.Cut(string(out), " "); got != p.SHA1 {
		t.Errorf("sha1sum %s, Read %s", got, p.SHA1)
	}
}

func TestReadSharedReusesUnchangedContent(t *testing.T) {
	old := tgz(t,
		file("package/same.js", "unchanged\n"),
		file("package/edited.js", "before\n"),
		file("package/resized.js", "short\n"),
		file("package/empty", ""),
		file("package/gone.js", "removed later\n"),
		file("package/z.js", "zzzzzz\n"),
	)
	newer := tgz(t,
		file("package/same.js", "unchanged\n"),
		file("package/edited.js", "after!\n"), // same size, other bytes
		file("package/resized.js", "much longer now\n"),
		file("package/empty", ""),
		file("package/added.js", "unchanged\n"),
		file("package/dup.js", "first\n"),
		file("package/dup.js", "second\n"),
		file("package/z.js", "yyyyyy\n"), // read into the scratch edited.js used
	)
	base, err := ReadBytes(old, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := ReadShared(bytes.NewReader(newer), Limits{}, base)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ReadBytes(newer, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// Sharing must not change what was read.
	if shared.SHA1 != plain.SHA1 || shared.Integrity != plain.Integrity || shared.Unpacked != plain.Unpacked ||
		len(shared.Files) != len(plain.Files) || len(shared.Issues) != len(plain.Issues) {
		t.Fatalf("ReadShared differs from Read: %+v vs %+v", shared, plain)
	}
	for i, f := range shared.Files {
		if f.Path != plain.Files[i].Path || !bytes.Equal(f.Data, plain.Files[i].Data) || f.Mode != plain.Files[i].Mode {
			t.Errorf("file %d: %q %q, want %q %q", i, f.Path, f.Data, plain.Files[i].Path, plain.Files[i].Data)
		}
	}
	sameBacking := func(a, b []byte) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }
	if !sameBacking(shared.Lookup("same.js").Data, base.Lookup("same.js").Data) {
		t.Error("unchanged file was copied instead of shared")
	}
	// Share does the same after the fact.
	Share(plain, base)
	for i, f := range plain.Files {
		if s := shared.Files[i]; f.Path != s.Path || !bytes.Equal(f.Data, s.Data) {
			t.Errorf("after Share, %q differs", f.Path)
		}
		if bf := base.Lookup(f.Path); bf != nil && bytes.Equal(bf.Data, f.Data) && len(f.Data) > 0 && !sameBacking(f.Data, bf.Data) {
			t.Errorf("after Share, unchanged %q is still a copy", f.Path)
		}
	}
	Share(plain, nil) // a first release has no base
	for _, p := range []string{"edited.js", "resized.js", "added.js", "dup.js"} {
		for _, bf := range base.Files {
			if sameBacking(shared.Lookup(p).Data, bf.Data) {
				t.Errorf("%s aliases base file %s", p, bf.Path)
			}
		}
	}
	// The scratch buffer must not leak into kept files: edited.js was read
	// into it, then cloned, and z.js overwrote the scratch afterwards.
	if sameBacking(shared.Lookup("edited.js").Data, shared.Lookup("dup.js").Data) {
		t.Error("two files share one buffer")
	}
	if got := string(shared.Lookup("edited.js").Data); got != "after!\n" {
		t.Errorf("edited.js = %q", got)
	}
}
