package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/tarball"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from its golden (go test ./internal/report -update to accept):\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func items() []registry.StageItem {
	return []registry.StageItem{
		{ID: "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f", PackageName: "@acme/router", Version: "1.5.2", Tag: "latest", CreatedAt: "2026-11-25T11:48:00.000Z", Actor: "acme-ci", ActorType: "ci", Shasum: "ba155c918193393125af704ef097a19b2e41c072"},
		{ID: "2de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f", PackageName: "evil\x1b[2Jname", Version: "0.1.0\u202e", Tag: "next", CreatedAt: "2026-11-22T12:00:00Z", Actor: "me\a", ActorType: "user", Shasum: "abc"},
	}
}

func TestStageListGolden(t *testing.T) {
	var b bytes.Buffer
	if err := StageList(&b, items(), Style{Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	golden(t, "list", b.String())
	if strings.ContainsAny(b.String(), "\x1b\a\u202e") {
		t.Error("raw control or bidi characters reached the output")
	}
	var empty bytes.Buffer
	_ = StageList(&empty, nil, Style{})
	if !strings.Contains(empty.String(), "No staged versions") {
		t.Errorf("empty list: %q", empty.String())
	}
}

func TestStageListColourOnlyOurs(t *testing.T) {
	var b bytes.Buffer
	_ = StageList(&b, items(), Style{Color: true, Now: func() time.Time { return now }})
	// Every ESC must start one of our own SGR sequences.
	s := b.String()
	for i := strings.IndexByte(s, 0x1b); i >= 0; i = strings.IndexByte(s, 0x1b) {
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 || strings.Trim(s[i+2:i+j], "0123456789;") != "" || s[i+1] != '[' {
			t.Fatalf("foreign escape sequence at %d: %q", i, s[i:min(len(s), i+12)])
		}
		s = s[i+j+1:]
	}
}

func sampleReview() *review.Review {
	id := "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f"
	res := &diff.Result{
		Files: []diff.FileDiff{
			{Path: "lib/build.js", Status: diff.Added, NewSize: 1900, NewMode: 0o644, LinesAdded: 2,
				Hunks: []diff.Hunk{{OldStart: 0, OldLines: 0, NewStart: 1, NewLines: 2, Lines: []diff.Line{
					{Kind: diff.Add, NewNo: 1, Text: "throw new Error(\"inert\");"},
					{Kind: diff.Add, NewNo: 2, Text: "eval(\x1b[8mhidden\x1b[0m)\tx"},
				}}}},
			{Path: "package.json", Status: diff.Modified, OldSize: 580, NewSize: 622, OldMode: 0o644, NewMode: 0o644, LinesAdded: 2, LinesRemoved: 1,
				Hunks: []diff.Hunk{{OldStart: 2, OldLines: 3, NewStart: 2, NewLines: 4, Lines: []diff.Line{
					{Kind: diff.Context, OldNo: 2, NewNo: 2, Text: `  "name": "scopewalk",`},
					{Kind: diff.Del, OldNo: 3, Text: `  "version": "2.1.1",`},
					{Kind: diff.Add, NewNo: 3, Text: `  "version": "2.1.2",`},
					{Kind: diff.Add, NewNo: 4, Text: `  "scripts": {"postinstall": "node ./lib/build.js"},`},
					{Kind: diff.Context, OldNo: 4, NewNo: 5, Text: `  "main": "lib/index.js"`},
				}}}},
			{Path: "logo.png", Status: diff.Modified, Binary: true, OldSize: 1024, NewSize: 1100, OldMode: 0o644, NewMode: 0o644},
			{Path: "bin/cli.js", Status: diff.ModeOnly, OldSize: 10, NewSize: 10, OldMode: 0o644, NewMode: 0o755},
		},
		Manifest: []diff.ManifestChange{
			{Path: "scripts.postinstall", Change: "added", New: "node ./lib/build.js"},
			{Path: "version", Change: "changed", Old: "2.1.1", New: "2.1.2"},
			{Path: "author", Change: "changed", Old: "A <a@example.invalid>", New: nil},
		},
	}
	oldPkg := &tarball.Package{Unpacked: 1614}
	newPkg := &tarball.Package{Unpacked: 3632, Issues: []tarball.Issue{{Path: "package/passwd", Kind: "symlink", Target: "../../etc/passwd", Detail: "never followed"}}}
	r := review.Build("scopewalk",
		review.Staged{Version: "2.1.2", ID: &id, Tag: "latest", Shasum: "ce1df4c9c686e0876c376ea7c68abf9b481fe8dc", Verified: true, Actor: "release-bot", ActorType: "ci", CreatedAt: "2026-11-25T11:35:00Z", Origin: "stage"},
		&review.Base{Version: "2.1.1", Verified: true, Reason: "dist-tag latest", Origin: "registry"},
		oldPkg, newPkg, res)
	// The packages above hold no files, so detection finds little: the
	// rendering of signals is tested with a fixed list, untrusted text included.
	r.Signals = []review.Signal{
		{ID: "install-script", Severity: "high", Path: "package.json", Line: 4, Title: "postinstall script added: node ./lib/build.js", Detail: "scripts.postinstall: (none) → \"node ./lib/build.js\""},
		{ID: "dynamic-code", Severity: "high", Path: "lib/build.js", Line: 2, Title: "eval(\x1b[8mhidden\x1b[0m) of decoded data", Detail: "Runs at install time (postinstall script)."},
		{ID: "process-spawn", Severity: "low", Path: "", Title: "child_process use added"},
	}
	return r
}

func TestReviewGolden(t *testing.T) {
	for name, mode := range map[string]ReviewMode{"review-full": Full, "review-stat": Stat, "review-names": NameOnly} {
		var b bytes.Buffer
		if err := Review(&b, sampleReview(), mode, Style{}); err != nil {
			t.Fatal(err)
		}
		golden(t, name, b.String())
		if strings.ContainsAny(b.String(), "\x1b\t") {
			t.Errorf("%s: raw escape or tab in output", name)
		}
	}
}

func TestReviewMismatchIsProminent(t *testing.T) {
	r := sampleReview()
	r.Staged.Verified = false
	var b bytes.Buffer
	_ = Review(&b, r, Stat, Style{})
	if !strings.Contains(b.String(), "INTEGRITY MISMATCH") || !strings.Contains(b.String(), "do not approve") {
		t.Errorf("an integrity mismatch must be prominent:\n%s", b.String())
	}
}

func TestAgoAndBytes(t *testing.T) {
	for ts, want := range map[string]string{
		"2026-11-25T11:59:30Z":     "30s ago",
		"2026-11-25T11:00:00.000Z": "1h ago",
		"2026-11-24T12:00:00Z":     "24h ago",
		"2026-11-01T12:00:00Z":     "24d ago",
		"2026-11-26T12:00:00Z":     "just now",
		"":                         "-",
		"yesterday\x1b[2J":         "yesterday␛[2J",
	} {
		if got := Ago(now, ts); got != want {
			t.Errorf("Ago(%q) = %q, want %q", ts, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1536: "1.5 kB", 5_000_000: "5.0 MB", -2500: "-2.5 kB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReviewSignalsStates(t *testing.T) {
	for _, tt := range []struct {
		checked bool
		want    string
	}{
		{false, "signals: not computed"},
		{true, "signals: none of the known attack patterns; still read the diff"},
	} {
		r := sampleReview()
		r.Signals, r.SignalsChecked = nil, tt.checked
		var b bytes.Buffer
		if err := Review(&b, r, Stat, Style{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("checked=%v: output lacks %q", tt.checked, tt.want)
		}
	}
}

func TestMatchPath(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"*.js", "lib/build.js", true}, // no slash: the base name
		{"*.js", "package.json", false},
		{"lib", "lib/build.js", true},  // a folder
		{"lib/", "lib/build.js", true}, // a folder, spelled as one
		{"lib/*.js", "lib/build.js", true},
		{"lib/*.js", "lib/sub/x.js", false},
		{"lib/**/*.js", "lib/sub/deep/x.js", true},
		{"lib/**", "lib/sub/deep/x.js", true},
		{"**/*.d.ts", "types/a/b.d.ts", true},
		{"dist", "lib/dist.js", false},
		{"./package.json", "package.json", true},
		{"[", "[", false}, // a bad pattern matches nothing
	} {
		if got := MatchPath(tt.pattern, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// Lockfiles, minified and huge files are collapsed by default, as in the
// dashboard; Expand prints them; Paths narrows the files shown.
func TestReviewCollapsesAndFilters(t *testing.T) {
	r := sampleReview()
	lock := diff.FileDiff{Path: "package-lock.json", Status: diff.Modified, OldSize: 900, NewSize: 950, LinesAdded: 1, LinesRemoved: 1,
		Hunks: []diff.Hunk{{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []diff.Line{
			{Kind: diff.Del, OldNo: 1, Text: `"lockfileVersion": 2`}, {Kind: diff.Add, NewNo: 1, Text: `"lockfileVersion": 3`}}}}}
	minified := diff.FileDiff{Path: "dist/app.min.js", Status: diff.Modified, Minified: true, TokenDiff: true, OldSize: 40000, NewSize: 40100, LinesAdded: 1, LinesRemoved: 1,
		Hunks: []diff.Hunk{{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []diff.Line{
			{Kind: diff.Del, OldNo: 1, Text: "var a=1"}, {Kind: diff.Add, NewNo: 1, Text: "var a=2;fetch(x)"}}}}}
	r.Diff.Files = append(r.Diff.Files, lock, minified)
	r.Files = append(r.Files, review.File{Path: lock.Path, Status: "modified", OldSize: 900, NewSize: 950, LinesAdded: 1, LinesRemoved: 1},
		review.File{Path: minified.Path, Status: "modified", OldSize: 40000, NewSize: 40100, LinesAdded: 1, LinesRemoved: 1})

	var def bytes.Buffer
	if err := ReviewWith(&def, r, ReviewOptions{Mode: Full}, Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "review-collapsed", def.String())
	for _, hidden := range []string{`"lockfileVersion": 3`, "fetch(x)"} {
		if strings.Contains(def.String(), hidden) {
			t.Errorf("collapsed by default, yet printed: %q", hidden)
		}
	}
	for _, want := range []string{"⊘ collapsed: lockfile", "⊘ collapsed: minified", "2 files collapsed", "eval("} {
		if !strings.Contains(def.String(), want) {
			t.Errorf("default output lacks %q", want)
		}
	}

	var full bytes.Buffer
	_ = ReviewWith(&full, r, ReviewOptions{Mode: Full, Expand: true}, Style{})
	for _, want := range []string{`"lockfileVersion": 3`, "fetch(x)"} {
		if !strings.Contains(full.String(), want) {
			t.Errorf("--full output lacks %q", want)
		}
	}
	if strings.Contains(full.String(), "collapsed") {
		t.Error("--full still collapses")
	}

	var only bytes.Buffer
	_ = ReviewWith(&only, r, ReviewOptions{Mode: Full, Expand: true, Paths: []string{"lib/**"}}, Style{})
	out := only.String()
	if !strings.Contains(out, "── A lib/build.js") || strings.Contains(out, "── M package-lock.json") || strings.Contains(out, "logo.png") {
		t.Errorf("--path lib/** shows other files:\n%s", out)
	}
	if !strings.Contains(out, "showing 1 of 6 files (--path lib/**)") || !strings.Contains(out, "risk HIGH") {
		t.Errorf("--path must say what it hides and keep the whole release's risk:\n%s", out)
	}
	var names bytes.Buffer
	_ = ReviewWith(&names, r, ReviewOptions{Mode: NameOnly, Paths: []string{"*.json"}}, Style{})
	if names.String() != "package.json\npackage-lock.json\n" {
		t.Errorf("--name-only --path '*.json': %q", names.String())
	}
}
