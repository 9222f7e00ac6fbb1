package devregistry

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// npmAtLeast reports whether npm's version is at least major.minor.
func npmAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimSpace(v), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// TestNpmSmoke drives the real npm CLI against the registry over HTTP:
// publish, stage publish, stage list --json, stage approve --otp, view.
func TestNpmSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the npm smoke test")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: skipping the npm smoke test")
	}
	out, err := exec.Command(npm, "--version").Output()
	if err != nil || !npmAtLeast(string(out), 11, 15) {
		t.Skipf("npm %q is older than 11.15 (no `npm stage`): skipping the npm smoke test", strings.TrimSpace(string(out)))
	}

	s, err := New(Options{Username: "smoke"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve() }()
	t.Cleanup(func() { _ = s.Close() })

	home := t.TempDir()
	rc := filepath.Join(home, "npmrc")
	nerf := strings.TrimPrefix(u, "http:")
	if err := os.WriteFile(rc, []byte("registry="+u+"\n"+nerf+":_authToken="+s.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(home, "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	writePkg := func(version string) {
		t.Helper()
		manifest := `{"name":"@smoke/pkg","version":"` + version + `","description":"smoke","main":"index.js","license":"MIT"}`
		if err := os.WriteFile(filepath.Join(pkg, "package.json"), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, "index.js"), []byte("module.exports = '"+version+"'\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var environ []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToLower(k), "npm_config_") || k == "NODE_AUTH_TOKEN" || k == "HOME" {
			continue
		}
		environ = append(environ, kv)
	}
	environ = append(environ, "HOME="+home, "npm_config_cache="+filepath.Join(home, "cache"),
		"npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(npm, append(args, "--userconfig", rc, "--ignore-scripts")...)
		cmd.Dir = pkg
		cmd.Env = environ
		cmd.Stdin = nil // no TTY: npm must not prompt
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	runStdout := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(npm, append(args, "--userconfig", rc)...)
		cmd.Dir = pkg
		cmd.Env = environ
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return b
	}

	writePkg("1.0.0")
	run("publish", "--access", "public")
	writePkg("1.1.0")
	out2 := run("stage", "publish", "--tag", "next")
	if !strings.Contains(out2, "staged with id") {
		t.Errorf("stage publish output lacks the stage id:\n%s", out2)
	}

	var items []map[string]any
	if err := json.Unmarshal(runStdout("stage", "list", "--json"), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0]["packageName"] != "@smoke/pkg" || items[0]["version"] != "1.1.0" ||
		items[0]["tag"] != "next" || items[0]["actor"] != "smoke" {
		t.Fatalf("npm stage list --json: %v", items)
	}
	id, _ := items[0]["id"].(string)
	if !strings.Contains(out2, id) {
		t.Errorf("stage publish printed another id than the list has:\n%s", out2)
	}

	run("stage", "download", id)
	if _, err := os.Stat(filepath.Join(pkg, "smoke-pkg-1.1.0-"+id+".tgz")); err != nil {
		t.Errorf("npm stage download: %v", err)
	}

	// A wrong code fails without a prompt (no TTY); the right one approves.
	cmd := exec.Command(npm, "stage", "approve", id, "--otp", "000000", "--userconfig", rc)
	cmd.Dir, cmd.Env = pkg, environ
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "one-time pass") {
		t.Errorf("approve with a wrong code: err=%v\n%s", err, b)
	}
	run("stage", "approve", id, "--otp", s.CurrentCode())
	if v := strings.TrimSpace(string(runStdout("view", "@smoke/pkg@next", "version"))); v != "1.1.0" {
		t.Errorf("npm view @smoke/pkg@next version = %q", v)
	}
}
