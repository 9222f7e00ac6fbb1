package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

type entry struct {
	name     string
	typeflag byte
	body     string
	size     int64 // for bombs: a zero body of this size
	link     string
}

func writeTgz(t *testing.T, path string, entries []entry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typeflag, Linkname: e.link, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
			if e.size > 0 {
				h.Size = e.size
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.size > 0 {
			zero := make([]byte, 1<<20)
			for n := e.size; n > 0; n -= int64(len(zero)) {
				if _, err := tw.Write(zero[:min(int64(len(zero)), n)]); err != nil {
					t.Fatal(err)
				}
			}
		} else if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertInert fails if out holds anything a terminal would act on or hide:
// C0 controls other than newline, DEL, C1 controls, bidi and zero-width characters.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		bad := (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || (r >= 0x200b && r <= 0x200f) || r == 0xfeff
		if bad {
			t.Fatalf("%s: raw %U at byte %d: %q", what, r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	if !utf8.ValidString(out) {
		t.Fatalf("%s: invalid UTF-8 reached the output", what)
	}
}

func hostileFixture(t *testing.T) (oldPath, newPath string) {
	dir := t.TempDir()
	oldPath, newPath = filepath.Join(dir, "old.tgz"), filepath.Join(dir, "new.tgz")
	writeTgz(t, oldPath, []entry{
		{name: "package/package.json", body: `{"name":"fx-hostile","version":"1.0.0"}` + "\n"},
		{name: "package/index.js", body: "module.exports = 1;\n"},
		{name: "package/README.md", body: "# fx\n"},
	})
	esc := "\x1b"
	writeTgz(t, newPath, []entry{
		{name: "package/package.json", body: `{"name":"fx-hostile","version":"1.0.1","description":"` + `\u001b[2J clear` + `","scripts":{"postinstall":"node x.js \u001b]0;pwned\u0007"}}` + "\n"},
		{name: "package/index.js", body: "module.exports = 2;\n"},
		{name: "package/index.js", body: "module.exports = 3; // duplicate wins\n"},
		{name: "package/README.md", body: "# fx\n" + esc + "[2J" + esc + "[8mhidden" + esc + "[0m\n" + esc + "]0;title\a\n" + esc + "]52;c;cGF5bG9hZA==\a\n" + esc + "]8;;http://example.invalid\a link " + esc + "]8;;\a\nsafe\b\b\b\bevil\rover\n\u009b31m c1 csi\n\x7f del\n"},
		{name: "package/util.js", body: "var a = 1; // \u202e }; if (admin) { \u2066\nvar is\u200dAdmin = false;\n"},
		{name: "package/evil" + esc + "[31mname\n.js", body: "x\n"},
		{name: "package/passwd", typeflag: tar.TypeSymlink, link: "../../etc/passwd"},
		{name: "package/../escape.txt", body: "out\n"},
		{name: "package/fifo", typeflag: tar.TypeFifo},
		{name: "package/long.js", body: strings.Repeat("a=1;", 250_000) + esc + "[2J" + "\n"},
	})
	return oldPath, newPath
}

func runStagegate(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHostileTarballNeverReachesTheTerminalRaw(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	oldPath, newPath := hostileFixture(t)

	code, out, errOut := runStagegate(t, "compare", oldPath, newPath)
	if code != 0 {
		t.Fatalf("compare of a hostile tarball: exit %d\n%s", code, errOut)
	}
	assertInert(t, "compare stdout", out)
	assertInert(t, "compare stderr", errOut)
	for _, want := range []string{"symlink", "../../etc/passwd", "escape", "fifo", "duplicate", "␛[2J", "⟦U+202E", "long.js"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output does not mention %q", want)
		}
	}

	for _, mode := range []string{"--stat", "--name-only"} {
		code, out, errOut = runStagegate(t, "compare", oldPath, newPath, mode)
		if code != 0 {
			t.Fatalf("compare %s: exit %d %s", mode, code, errOut)
		}
		assertInert(t, "compare "+mode, out)
	}

	code, out, errOut = runStagegate(t, "compare", oldPath, newPath, "--json")
	if code != 0 {
		t.Fatalf("compare --json: exit %d %s", code, errOut)
	}
	assertInert(t, "compare --json", out)
	var doc struct {
		Files []struct{ Path string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json output is not JSON: %v", err)
	}
	var sawEvil bool
	for _, f := range doc.Files {
		if strings.Contains(f.Path, "\x1b[31m") {
			sawEvil = true // JSON carries the exact name, escaped
		}
		if strings.Contains(f.Path, "escape.txt") || f.Path == "passwd" || f.Path == "fifo" {
			t.Errorf("a refused or non-file entry is listed as a file: %q", f.Path)
		}
	}
	if !sawEvil {
		t.Error("the file whose name holds an escape sequence is missing from the JSON")
	}
}

func TestHostileTarballLimitsAndTruncation(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	dir := t.TempDir()
	base := filepath.Join(dir, "base.tgz")
	writeTgz(t, base, []entry{{name: "package/package.json", body: `{"name":"b","version":"1.0.0"}`}})

	bomb := filepath.Join(dir, "bomb.tgz")
	writeTgz(t, bomb, []entry{
		{name: "package/package.json", body: `{"name":"b","version":"1.0.1"}`},
		{name: "package/zeros.bin", size: 300 << 20},
	})
	if st, _ := os.Stat(bomb); st.Size() > 2<<20 {
		t.Fatalf("bomb fixture is %d bytes compressed; it should be small", st.Size())
	}
	code, out, errOut := runStagegate(t, "compare", base, bomb, "--max-unpacked", "64MiB")
	if code != 1 || !strings.Contains(errOut, "64") {
		t.Errorf("gzip bomb over the limit: exit %d, stderr %q", code, errOut)
	}
	assertInert(t, "bomb stdout", out)
	assertInert(t, "bomb stderr", errOut)

	full, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.tgz")
	if err := os.WriteFile(truncated, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runStagegate(t, "compare", base, truncated)
	if code != 1 || !strings.Contains(strings.ToLower(errOut), "truncated") && !strings.Contains(strings.ToLower(errOut), "malformed") {
		t.Errorf("truncated tarball: exit %d, stderr %q", code, errOut)
	}
	assertInert(t, "truncated stdout", out)
	assertInert(t, "truncated stderr", errOut)

	notGzip := filepath.Join(dir, "x.tgz")
	if err := os.WriteFile(notGzip, []byte("\x1b[2Jnot a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runStagegate(t, "compare", base, notGzip)
	if code != 1 {
		t.Errorf("non-gzip data: exit %d", code)
	}
	assertInert(t, "non-gzip stderr", errOut)

	if code, _, _ = runStagegate(t, "compare", base, base, "--max-unpacked", "lots"); code != 2 {
		t.Errorf("bad --max-unpacked: exit %d, want 2", code)
	}
}

func TestFailOn(t *testing.T) {
	for _, tt := range []struct {
		pkg, old, new, failOn string
		wantCode              int
	}{
		// termhue 1.0.1: one injected obfuscated line hooking wallets:
		// obfuscation around a capability is high risk.
		{"termhue", "1.0.0", "1.0.1", "medium", 3},
		{"termhue", "1.0.0", "1.0.1", "high", 3},
		// mdtoc 0.5.0: a benign minor with a new dependency, medium.
		{"mdtoc", "0.4.0", "0.5.0", "high", 0},
		// scopewalk 2.1.2: an install hook running a credential stealer.
		{"scopewalk", "2.1.1", "2.1.2", "high", 3},
		// slugkit 1.2.1: a benign bug fix.
		{"slugkit", "1.2.0", "1.2.1", "low", 0},
	} {
		dir := "../../assets/demo/" + tt.pkg + "/"
		code, _, errOut := runStagegate(t, "compare", dir+tt.old, dir+tt.new, "--stat", "--fail-on", tt.failOn)
		if code != tt.wantCode {
			t.Errorf("%s %s→%s --fail-on %s: exit %d, want %d; stderr %q", tt.pkg, tt.old, tt.new, tt.failOn, code, tt.wantCode, errOut)
		}
		if code == 3 && !strings.Contains(errOut, "at or above --fail-on "+tt.failOn) {
			t.Errorf("exit 3 without naming the signal: %q", errOut)
		}
		if strings.Contains(errOut, "cannot fail") {
			t.Errorf("--fail-on still warns that it cannot fail: %q", errOut)
		}
	}
}
