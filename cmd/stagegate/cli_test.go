package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
)

// fixture is an embedded registry seeded with the demo packages and a
// userconfig pointing stagegate at it, as `npm login` would leave it.
type fixture struct {
	t          *testing.T
	srv        *devregistry.Server
	url        string
	userconfig string
	secrets    []string
}

// startDemoRegistry runs the embedded registry, seeded with the demo
// packages, on a free loopback port for the length of the test.
func startDemoRegistry(t *testing.T, opts devregistry.Options) (*devregistry.Server, string) {
	t.Helper()
	srv, err := devregistry.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(assets.Demo()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	u, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, u
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv, u := startDemoRegistry(t, devregistry.Options{})
	dir := t.TempDir()
	uc := filepath.Join(dir, "npmrc")
	nerf := strings.TrimPrefix(u, "http:")
	if err := os.WriteFile(uc, []byte("registry="+u+"\n"+nerf+":_authToken="+srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Keep the user's real configuration, cache and audit log out of the test.
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("STAGEGATE_AUDIT_LOG", "")
	t.Setenv("NO_COLOR", "")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(strings.ToLower(k), "npm_config_") {
			t.Setenv(k, "")
		}
	}
	return &fixture{t: t, srv: srv, url: u, userconfig: uc, secrets: []string{srv.Token(), srv.TOTPSecret(), srv.CIToken()}}
}

type result struct {
	code           int
	stdout, stderr string
}

// run executes stagegate in-process with no terminal and checks that no secret leaks.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--registry", f.url, "--userconfig", f.userconfig}, args...)
	code := run(context.Background(), full, strings.NewReader(""), &out, &errb)
	r := result{code, out.String(), errb.String()}
	for _, s := range f.secrets {
		if s != "" && (strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s)) {
			f.t.Fatalf("stagegate %v printed a secret", args)
		}
	}
	for _, arg := range args {
		if len(arg) == 6 && isDigits(arg) && (strings.Contains(r.stdout, arg) || strings.Contains(r.stderr, arg)) {
			f.t.Fatalf("stagegate %v printed the one-time code", args)
		}
	}
	return r
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (f *fixture) code() string {
	c, err := totp.GenerateCode(f.srv.TOTPSecret(), time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) items() []registry.StageItem {
	f.t.Helper()
	r := f.run("list", "--json")
	if r.code != 0 {
		f.t.Fatalf("list --json: exit %d: %s", r.code, r.stderr)
	}
	var items []registry.StageItem
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		f.t.Fatalf("list --json is not JSON: %v\n%s", err, r.stdout)
	}
	return items
}

func (f *fixture) find(pkg, version string) registry.StageItem {
	f.t.Helper()
	for _, it := range f.items() {
		if it.PackageName == pkg && it.Version == version {
			return it
		}
	}
	f.t.Fatalf("%s@%s is not staged", pkg, version)
	return registry.StageItem{}
}

func (f *fixture) published(pkg, version string) (bool, string) {
	f.t.Helper()
	c, err := registry.New(registry.Options{Registry: f.url})
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := c.Packument(context.Background(), pkg)
	if err != nil {
		f.t.Fatal(err)
	}
	_, ok := p.Versions[version]
	return ok, p.DistTags["latest"]
}

func TestListAndView(t *testing.T) {
	f := newFixture(t)
	items := f.items()
	if len(items) < 10 {
		t.Fatalf("demo seed has %d staged items, want at least 10", len(items))
	}
	for _, it := range items {
		if !registry.ValidStageID(it.ID) || it.PackageName == "" || it.Version == "" || it.Shasum == "" || it.CreatedAt == "" {
			t.Errorf("incomplete item %+v", it)
		}
	}
	human := f.run("list")
	if human.code != 0 || !strings.Contains(human.stdout, "PACKAGE") || !strings.Contains(human.stdout, "@acme/forms") {
		t.Fatalf("list: exit %d\n%s%s", human.code, human.stdout, human.stderr)
	}
	if strings.Contains(human.stdout, "\x1b") {
		t.Error("list printed escape sequences without a terminal")
	}
	one := f.run("list", "@acme/forms", "--json")
	var forms []registry.StageItem
	if err := json.Unmarshal([]byte(one.stdout), &forms); err != nil || len(forms) != 2 {
		t.Fatalf("list @acme/forms: %v %d items\n%s", err, len(forms), one.stdout)
	}
	v := f.run("view", items[0].ID, "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(v.stdout), &got); err != nil || got["id"] != items[0].ID {
		t.Fatalf("view --json: %v %v", err, got)
	}
	hv := f.run("view", items[0].ID)
	if !strings.Contains(hv.stdout, "shasum: "+items[0].Shasum) {
		t.Errorf("view output lacks the shasum:\n%s", hv.stdout)
	}
	if r := f.run("view", "not-a-uuid"); r.code == 0 {
		t.Error("view of a bad id succeeded")
	}
	if r := f.run("view", "00000000-0000-4000-8000-000000000000"); r.code != 1 || !strings.Contains(strings.ToLower(r.stderr), "not found") {
		t.Errorf("view of an unknown id: exit %d %q", r.code, r.stderr)
	}
	if r := f.run("list", "pkg@1.0.0"); r.code != 2 {
		t.Errorf("list pkg@1.0.0: exit %d, want usage error 2", r.code)
	}
}

func TestDownloadVerifiesShasum(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	out := filepath.Join(t.TempDir(), "x.tgz")
	r := f.run("download", it.ID, "-o", out)
	if r.code != 0 {
		t.Fatalf("download: %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(b)
	if hex.EncodeToString(sum[:]) != it.Shasum {
		t.Fatalf("downloaded sha1 %x, item shasum %s", sum, it.Shasum)
	}
}

func TestDiffJSONContract(t *testing.T) {
	f := newFixture(t)
	it := f.find("scopewalk", "2.1.2")
	r := f.run("diff", it.ID, "--json")
	if r.code != 0 {
		t.Fatalf("diff --json: %d %s", r.code, r.stderr)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
	for _, k := range []string{"schema", "package", "staged", "base", "summary", "manifest", "files", "signals"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("review JSON lacks %q", k)
		}
	}
	var rv struct {
		Schema int `json:"schema"`
		Staged struct {
			Version  string `json:"version"`
			ID       string `json:"id"`
			Verified bool   `json:"verified"`
			Shasum   string `json:"shasum"`
		} `json:"staged"`
		Base *struct {
			Version, Reason string
			Verified        bool
		} `json:"base"`
		Manifest []struct{ Path, Change string } `json:"manifest"`
		Files    []struct{ Path, Status string } `json:"files"`
		Signals  []any                           `json:"signals"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Schema != 1 || rv.Staged.ID != it.ID || !rv.Staged.Verified || rv.Staged.Shasum != it.Shasum {
		t.Errorf("staged = %+v", rv.Staged)
	}
	if rv.Base == nil || rv.Base.Version != "2.1.1" || rv.Base.Reason != "dist-tag latest" || !rv.Base.Verified {
		t.Errorf("base = %+v", rv.Base)
	}
	var hook bool
	for _, m := range rv.Manifest {
		if m.Path == "scripts.postinstall" && m.Change == "added" {
			hook = true
		}
	}
	if !hook {
		t.Errorf("manifest lacks the added postinstall: %+v", rv.Manifest)
	}
	paths := map[string]string{}
	for _, fl := range rv.Files {
		paths[fl.Path] = fl.Status
	}
	if paths["lib/build.js"] != "added" || paths["preinstall.sh"] != "added" || paths["package.json"] != "modified" {
		t.Errorf("files = %v", paths)
	}
	if rv.Signals == nil {
		t.Error("signals must be an array, not null")
	}

	stat := f.run("diff", it.ID, "--stat")
	if stat.code != 0 || !strings.Contains(stat.stdout, "lib/build.js") || strings.Contains(stat.stdout, "@@") {
		t.Errorf("diff --stat:\n%s", stat.stdout)
	}
	names := f.run("diff", it.ID, "--name-only")
	if strings.TrimSpace(names.stdout) != "lib/build.js\npackage.json\npreinstall.bat\npreinstall.sh" {
		t.Errorf("diff --name-only:\n%s", names.stdout)
	}
	full := f.run("diff", it.ID)
	if !strings.Contains(full.stdout, "scripts.postinstall") || !strings.Contains(full.stdout, "@@") {
		t.Errorf("diff:\n%s", full.stdout)
	}
	if r := f.run("diff", it.ID, "--fail-on", "severe"); r.code != 2 {
		t.Errorf("--fail-on severe: exit %d, want 2", r.code)
	}
	first := f.find("@acme/tokens", "0.1.0")
	fr := f.run("diff", first.ID, "--json")
	if fr.code != 0 || !strings.Contains(fr.stdout, `"base": null`) {
		t.Errorf("first release diff: %d\n%s", fr.code, fr.stdout)
	}
	pre := f.find("@acme/forms", "2.0.0-beta.1")
	pr := f.run("diff", pre.ID, "--json")
	if !strings.Contains(pr.stdout, `"version": "1.9.0"`) && !strings.Contains(pr.stdout, `"version": "1.9.1"`) {
		t.Logf("prerelease base: %s", pr.stdout[:min(400, len(pr.stdout))])
	}
}

func TestApproveWithOTPPublishes(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	if r := f.run("approve", it.ID); r.code != 2 || !strings.Contains(r.stderr, "--otp") {
		t.Fatalf("approve without --otp and without a terminal: exit %d %q", r.code, r.stderr)
	}
	if r := f.run("approve", it.ID, "--otp", "000000"); r.code != 1 || !strings.Contains(r.stderr+r.stdout, "one-time") {
		t.Fatalf("approve with a wrong code: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ok, _ := f.published("slugkit", "1.2.1"); ok {
		t.Fatal("published after a wrong code")
	}
	r := f.run("approve", it.ID, "--otp", f.code())
	if r.code != 0 || !strings.Contains(r.stdout, "slugkit@1.2.1 approved") {
		t.Fatalf("approve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ok, latest := f.published("slugkit", "1.2.1")
	if !ok || latest != "1.2.1" {
		t.Fatalf("after approve: published=%v latest=%s", ok, latest)
	}
	again := f.run("approve", it.ID, "--otp", f.code())
	if again.code != 1 {
		t.Errorf("approving twice: exit %d", again.code)
	}
	entries, err := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "stagegate", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(entries), `"result":"approved"`) || !strings.Contains(string(entries), it.Shasum) {
		t.Errorf("audit log:\n%s", entries)
	}
}

func TestBatchApproveOneCode(t *testing.T) {
	f := newFixture(t)
	a := f.find("mdtoc", "0.5.0")
	b := f.find("qlimit", "1.2.1")
	r := f.run("approve", a.ID, b.ID, "--otp", f.code())
	if r.code != 0 {
		t.Fatalf("batch approve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, v := range [][2]string{{"mdtoc", "0.5.0"}, {"qlimit", "1.2.1"}} {
		if ok, _ := f.published(v[0], v[1]); !ok {
			t.Errorf("%s@%s not published", v[0], v[1])
		}
	}
	// One unknown id fails on its own; the others still go through.
	c := f.find("termhue", "1.0.1")
	r = f.run("approve", c.ID, "00000000-0000-4000-8000-000000000000", "--otp", f.code())
	if r.code != 1 || !strings.Contains(r.stdout, "termhue@1.0.1 approved") || !strings.Contains(r.stdout, "no such staged version") {
		t.Errorf("batch with an unknown id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRejectNeedsConfirmation(t *testing.T) {
	f := newFixture(t)
	it := f.find("@acme/router", "1.5.2")
	if r := f.run("reject", it.ID, "--otp", f.code()); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("reject without --yes and without a terminal: exit %d %q", r.code, r.stderr)
	}
	r := f.run("reject", it.ID, "--otp", f.code(), "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "rejected") {
		t.Fatalf("reject: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, left := range f.items() {
		if left.ID == it.ID {
			t.Fatal("rejected item still listed")
		}
	}
	if ok, _ := f.published("@acme/router", "1.5.2"); ok {
		t.Fatal("a rejected version was published")
	}
}

func TestNotLoggedInSaysWhatToDo(t *testing.T) {
	f := newFixture(t)
	if err := os.WriteFile(f.userconfig, []byte("registry="+f.url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := f.run("list")
	if r.code != 1 || !strings.Contains(r.stderr, "npm login") {
		t.Errorf("list without a token: exit %d %q", r.code, r.stderr)
	}
}

func TestRegistryDown(t *testing.T) {
	f := newFixture(t)
	f.srv.Close()
	r := f.run("list", "--fetch-timeout", "2s")
	if r.code != 1 || r.stderr == "" {
		t.Errorf("list with the registry down: exit %d %q", r.code, r.stderr)
	}
}

func TestCompareFoldersAndTarballs(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"compare", "../../assets/demo/termhue/1.0.0", "../../assets/demo/termhue/1.0.1", "--json"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("compare: %d %s", code, errb.String())
	}
	var rv struct {
		Package string
		Base    struct{ Version string }
		Files   []struct{ Path, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &rv); err != nil {
		t.Fatal(err)
	}
	if rv.Package != "termhue" || rv.Base.Version != "1.0.0" || len(rv.Files) != 2 {
		t.Errorf("compare = %+v", rv)
	}
	out.Reset()
	code = run(context.Background(), []string{"compare", "nope.tgz", "../../assets/demo/termhue/1.0.1"}, strings.NewReader(""), &out, &errb)
	if code != 1 {
		t.Errorf("compare of a missing file: exit %d", code)
	}
}

func TestDashboardNeedsATerminal(t *testing.T) {
	for _, args := range [][]string{{}, {"demo"}} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "terminal") {
			t.Errorf("stagegate %v without a terminal: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{
		{"list", "--fetch-timeout", "soon"},
		{"list", "--no-such-flag"},
		{"approve"},
		{"approve", "not-a-uuid", "--otp", "123456"},
		{"approve", "00000000-0000-4000-8000-000000000000", "--otp", "12ab56"},
		{"diff", "00000000-0000-4000-8000-000000000000", "--stat", "--name-only"},
		{"view"},
		{"compare", "a.tgz"},
	} {
		if r := f.run(args...); r.code != 2 {
			t.Errorf("stagegate %v: exit %d, want 2 (usage)\n%s", args, r.code, r.stderr)
		}
	}
	if r := f.run("version"); r.code != 0 || !strings.HasPrefix(r.stdout, "stagegate ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}
