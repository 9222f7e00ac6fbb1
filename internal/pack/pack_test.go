package pack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stagegate/stagegate/internal/tarball"
)

// copyFixture copies testdata/<name> into a temp folder, renaming _gitignore
// to .gitignore (a real one would hide fixture files from git itself) and
// adding what must never be packed and cannot be committed.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if filepath.Base(target) == "_gitignore" {
			target = filepath.Join(filepath.Dir(target), ".gitignore")
		}
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]string{
		"node_modules/dep/index.js": "x",
		".git/config":               "x",
		"package-lock.json":         "{}",
		".npmrc":                    "//r/:_authToken=x",
		"lib/.npmrc":                "x",
		".DS_Store":                 "x",
		"npm-debug.log":             "x",
	}
	for p, data := range extra {
		full := filepath.Join(dst, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("index.js", filepath.Join(dst, "link.js")); err != nil {
		t.Fatal(err)
	}
	return dst
}

type npmFile struct {
	Path string `json:"path"`
	Mode uint32 `json:"mode"`
}

func npmPackList(t *testing.T, dir string) []npmFile {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not installed: cannot compare with npm pack")
	}
	home := t.TempDir()
	userconfig := filepath.Join(home, "npmrc")
	if err := os.WriteFile(userconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(npm, "pack", "--dry-run", "--json", "--ignore-scripts",
		"--userconfig", userconfig, "--cache", filepath.Join(home, "cache"), "--offline")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+home, "NO_UPDATE_NOTIFIER=1", "npm_config_update_notifier=false")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	var res []struct {
		Files []npmFile `json:"files"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		t.Fatalf("npm pack output: %v\n%s", err, out)
	}
	sort.Slice(res[0].Files, func(i, j int) bool { return res[0].Files[i].Path < res[0].Files[j].Path })
	return res[0].Files
}

func TestDirMatchesNpmPack(t *testing.T) {
	for _, name := range []string{"files", "npmignore", "gitignore"} {
		t.Run(name, func(t *testing.T) {
			dir := copyFixture(t, name)
			files, err := Dir(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]npmFile, 0, len(files))
			for _, f := range files {
				got = append(got, npmFile{Path: f.Path, Mode: f.Mode})
			}
			want := npmPackList(t, dir)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Dir mismatch\n got: %v\nwant: %v", got, want)
			}
		})
	}
}

// TestDirExpected pins the selection without npm, so the rules stay tested
// on machines where npm is absent.
func TestDirExpected(t *testing.T) {
	tests := map[string][]string{
		"files": {"LICENSE", "README.md", "bin/cli.js", "dist/out.js", "index.js", "lib/a.js",
			"lib/sub/.hidden", "lib/sub/b.js", "package.json", "types.d.ts"},
		"npmignore": {"LICENCE.txt", "keep.log", "package.json", "readme.markdown",
			"src/index.js", "src/nested/deep.js"},
		"gitignore": {".github/ci.yml", "Readme", "browser.js", "cli.js", "lib/main.js", "package.json"},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			files, err := Dir(copyFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, f.Path)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestFSFilesFolderWithSlash: a files entry naming a folder with a trailing
// slash ("lib/", as express and react write it) packs the folder, as npm does.
func TestFSFilesFolderWithSlash(t *testing.T) {
	fsys := fstest.MapFS{
		"package.json": {Data: []byte(`{"name":"x","version":"1.0.0","files":["lib/","index.js"]}`)},
		"index.js":     {Data: []byte("1")},
		"lib/a.js":     {Data: []byte("1")},
		"lib/sub/b.js": {Data: []byte("1")},
		"x.js":         {Data: []byte("1")},
	}
	files, err := FS(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	want := []string{"index.js", "lib/a.js", "lib/sub/b.js", "package.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDirBinIsExecutable(t *testing.T) {
	fsys := fstest.MapFS{
		"p/package.json": {Data: []byte(`{"name":"x","version":"1.0.0","bin":{"x":"./cli.js"}}`)},
		"p/cli.js":       {Data: []byte("#!/usr/bin/env node\n"), Mode: 0o444},
		"p/lib.js":       {Data: []byte("1"), Mode: 0o444},
	}
	files, err := FS(fsys, "p")
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]uint32{}
	for _, f := range files {
		modes[f.Path] = f.Mode
	}
	if modes["cli.js"] != 0o755 || modes["lib.js"] != 0o644 {
		t.Fatalf("modes %v", modes)
	}
}

func TestDirErrors(t *testing.T) {
	if _, err := Dir(t.TempDir()); err == nil {
		t.Error("no package.json: want error")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Dir(dir); err == nil {
		t.Error("bad package.json: want error")
	}
	if _, err := Dir(filepath.Join(dir, "package.json")); err == nil {
		t.Error("a file: want error")
	}
}

func readTgz(t *testing.T, b []byte) []*tar.Header {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
}

func TestTgz(t *testing.T) {
	files := []tarball.File{
		{Path: "package.json", Mode: 0o600, Data: []byte(`{"name":"x"}`)},
		{Path: "bin/x", Mode: 0o700, Data: []byte("#!")},
		{Path: "lib/" + strings.Repeat("long/", 30) + "a.js", Mode: 0o644, Data: []byte("a")},
	}
	a, err := Tgz(files)
	if err != nil {
		t.Fatal(err)
	}
	rev := []tarball.File{files[2], files[1], files[0]}
	b, err := Tgz(rev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("Tgz depends on input order")
	}
	hs := readTgz(t, a)
	if len(hs) != 3 {
		t.Fatalf("%d entries", len(hs))
	}
	for _, h := range hs {
		if !strings.HasPrefix(h.Name, "package/") {
			t.Errorf("entry %q not under package/", h.Name)
		}
		if !h.ModTime.Equal(npmMtime) {
			t.Errorf("%s mtime %v", h.Name, h.ModTime)
		}
		want := int64(0o644)
		if h.Name == "package/bin/x" {
			want = 0o755
		}
		if h.Mode != want {
			t.Errorf("%s mode %o want %o", h.Name, h.Mode, want)
		}
	}
	for _, bad := range [][]tarball.File{
		{{Path: "../x"}}, {{Path: "/x"}}, {{Path: "a/../b"}}, {{Path: ""}},
		{{Path: "a"}, {Path: "a"}},
	} {
		if _, err := Tgz(bad); err == nil {
			t.Errorf("Tgz(%q): want error", bad[0].Path)
		}
	}
}

func TestRuleMatch(t *testing.T) {
	tests := []struct {
		pattern string
		path    string
		partial bool
		want    bool
	}{
		{"*.log", "a/b/x.log", false, true}, // matchBase
		{"*.log", "x.LOG", false, true},     // nocase
		{"/readme{,.*[^~$]}", "/README.md", false, true},
		{"/readme{,.*[^~$]}", "/readme.txt~", false, false},
		{"/readme{,.*[^~$]}", "/readme", false, true},
		{"**/.git/**", "/a/.git/config", false, true},
		{"lib/**", "lib/a/b.js", false, true},
		{"lib/**", "lib", true, true},
		{"dist/*.js", "dist", true, true},
		{"dist/*.js", "dist/x.js", false, true},
		{"dist/*.js", "dist/x.js.map", false, false},
		{"*", ".hidden", false, true}, // dot: true
		{"a/*", "a/", false, false},
		{"test/", "test/", false, true},
		{"[!a]b", "cb", false, true},
		{"[!a]b", "ab", false, false},
		{`\*x`, "*x", false, true},
		// minimatch collapses runs of slashes: files ["lib/"] becomes the rule lib//**.
		{"lib//**", "lib/a.js", false, true},
		{"lib//**", "lib/sub/b.js", false, true},
		{"a///b", "a/b", false, true},
		{"a//", "a/", false, true},
	}
	for _, tt := range tests {
		r, ok := compileRule(tt.pattern)
		if !ok {
			t.Fatalf("compile %q", tt.pattern)
		}
		if got := r.match(tt.path, tt.partial); got != tt.want {
			t.Errorf("match(%q, %q, partial=%v) = %v, want %v", tt.pattern, tt.path, tt.partial, got, tt.want)
		}
	}
}

func TestExpandBraces(t *testing.T) {
	tests := map[string][]string{
		"a{b,c}d":   {"abd", "acd"},
		"x{,.*}":    {"x", "x.*"},
		"{a,{b,c}}": {"a", "b", "c"},
		"{x}y":      {"{x}y"},
		"plain":     {"plain"},
		"a{b,c":     {"a{b,c"},
	}
	for in, want := range tests {
		if got := expandBraces(in); !reflect.DeepEqual(got, want) {
			t.Errorf("expandBraces(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzIgnoreRules: ignore files are untrusted (they come with a package);
// compiling and matching any line must not panic.
func FuzzIgnoreRules(f *testing.F) {
	for _, s := range []string{"*.log", "!/readme{,.*[^~$]}", "**/x/**", "[", "{{{", `\`, "a{b,{c,d}}e/[!x-z]"} {
		f.Add(s, "a/b.log")
	}
	f.Fuzz(func(t *testing.T, pattern, p string) {
		if len(pattern) > 256 {
			return
		}
		r, ok := compileRule(pattern)
		if !ok {
			return
		}
		r.match(p, false)
		r.match(p, true)
		r.isRelative()
	})
}
