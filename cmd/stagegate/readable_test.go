package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// `stagegate diff` collapses minified files by default, as the dashboard
// does; --full prints them.
func TestDiffCollapsesMinifiedUnlessFull(t *testing.T) {
	f := newFixture(t)
	it := f.find("@acme/charts", "3.3.1")
	def := f.run("diff", it.ID, "--no-color")
	if def.code != 0 {
		t.Fatalf("diff: %d %s", def.code, def.stderr)
	}
	if !strings.Contains(def.stdout, "⊘ collapsed: minified") || !strings.Contains(def.stdout, "--full prints") {
		t.Fatalf("the minified bundle is not collapsed:\n%s", def.stdout)
	}
	full := f.run("diff", it.ID, "--no-color", "--full")
	if full.code != 0 || strings.Contains(full.stdout, "collapsed") {
		t.Fatalf("--full: %d, still collapsed:\n%s", full.code, full.stdout)
	}
	if len(full.stdout) <= len(def.stdout) {
		t.Fatalf("--full printed %d bytes, the default %d", len(full.stdout), len(def.stdout))
	}
}

// --pretty shows a minified bundle as the diff of its re-indented text,
// uncollapsed; the JSON review stays the raw one.
func TestDiffPretty(t *testing.T) {
	f := newFixture(t)
	it := f.find("@acme/charts", "3.3.1")
	out := f.run("diff", it.ID, "--no-color", "--pretty")
	if out.code != 0 {
		t.Fatalf("diff --pretty: %d %s", out.code, out.stderr)
	}
	if !strings.Contains(out.stdout, "minified: pretty-printed for reading") || strings.Contains(out.stdout, "⊘ collapsed: minified") {
		t.Fatalf("the minified bundle is not pretty-printed:\n%s", out.stdout)
	}
	raw, pretty := f.run("diff", it.ID, "--json"), f.run("diff", it.ID, "--json", "--pretty")
	if raw.stdout != pretty.stdout {
		t.Fatalf("--pretty changed the JSON review")
	}
}

func TestDiffPathFilter(t *testing.T) {
	f := newFixture(t)
	it := f.find("scopewalk", "2.1.2")
	all := f.run("diff", it.ID, "--name-only")
	only := f.run("diff", it.ID, "--name-only", "--path", "package.json")
	if all.code != 0 || only.code != 0 {
		t.Fatalf("exit %d / %d: %s %s", all.code, only.code, all.stderr, only.stderr)
	}
	if only.stdout != "package.json\n" || strings.Count(all.stdout, "\n") < 2 {
		t.Fatalf("--path package.json: %q (all: %q)", only.stdout, all.stdout)
	}
	full := f.run("diff", it.ID, "--no-color", "--path", "package.json")
	if !strings.Contains(full.stdout, "(--path package.json)") || !strings.Contains(full.stdout, "risk") {
		t.Fatalf("human output with --path:\n%s", full.stdout)
	}
	j := f.run("diff", it.ID, "--json", "--path", "package.json")
	var doc struct {
		Files []struct{ Path string } `json:"files"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil || len(doc.Files) != 1 || doc.Files[0].Path != "package.json" {
		t.Fatalf("--json --path: %v %+v", err, doc.Files)
	}
}

// name@version is accepted wherever a stage id is (architecture.md §2).
func TestNameAtVersionIsAStageRef(t *testing.T) {
	f := newFixture(t)
	it := f.find("@acme/router", "1.5.2")
	byID := f.run("diff", it.ID, "--json")
	byName := f.run("diff", "@acme/router@1.5.2", "--json")
	if byID.code != 0 || byName.code != 0 || byID.stdout != byName.stdout {
		t.Fatalf("diff by name@version differs from by id: %d %d %s", byID.code, byName.code, byName.stderr)
	}
	v := f.run("view", "@acme/router@1.5.2", "--json")
	if v.code != 0 || !strings.Contains(v.stdout, it.ID) {
		t.Fatalf("view name@version: %d %s %s", v.code, v.stdout, v.stderr)
	}
	miss := f.run("diff", "@acme/router@9.9.9")
	if miss.code != 1 || !strings.Contains(miss.stderr, "no staged version @acme/router@9.9.9") || !strings.Contains(miss.stderr, "1.5.2") {
		t.Fatalf("unknown version: %d %s", miss.code, miss.stderr)
	}
	bad := f.run("download", "not a name@1.0.0", "-o", "-")
	if bad.code != 2 {
		t.Fatalf("invalid name: %d %s", bad.code, bad.stderr)
	}
}

func TestDownloadToStdout(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	r := f.run("download", "slugkit@1.2.1", "-o", "-")
	if r.code != 0 {
		t.Fatalf("download -o -: %d %s", r.code, r.stderr)
	}
	sum := sha1.Sum([]byte(r.stdout))
	if hex.EncodeToString(sum[:]) != it.Shasum || !bytes.HasPrefix([]byte(r.stdout), []byte{0x1f, 0x8b}) {
		t.Fatalf("stdout is not the verified tarball (%d bytes)", len(r.stdout))
	}
	if !strings.Contains(r.stderr, "verified") {
		t.Fatalf("stderr: %q", r.stderr)
	}
}

// An interrupted command exits 130, not 1.
func TestInterruptedExits130(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // ctrl+c before the request answers
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--registry", f.url, "--userconfig", f.userconfig, "diff", it.ID}, strings.NewReader(""), &out, &errb)
	if code != 130 {
		t.Fatalf("exit %d, want 130: %s", code, errb.String())
	}
}

func TestPagerCommand(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PAGER": "most -s"}, "most -s"},
		{map[string]string{"PAGER": "more", "STAGEGATE_PAGER": "less -S"}, "less -S"},
		{map[string]string{"PAGER": "cat"}, ""},
	} {
		if got := pagerCommand(env(tt.env)); got != tt.want {
			t.Errorf("pagerCommand(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
	// Output that is not a terminal is never paged.
	var b bytes.Buffer
	g := &globals{stdout: &b}
	if p := g.startPager(true); p.cmd != nil {
		t.Fatal("a pager started for output that is not a terminal")
	}
}
