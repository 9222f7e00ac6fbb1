package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

// A token whose value holds a line break (a ${VAR} read from a file with
// CRLF endings, a bad paste) is reported as a malformed token, not as a
// network problem.
func TestMalformedTokenSaysSo(t *testing.T) {
	f := newFixture(t)
	nerf := strings.TrimPrefix(f.url, "http:")
	t.Setenv("NPM_TOKEN", "npm_abc\r\ndef")
	uc := filepath.Join(t.TempDir(), "npmrc")
	if err := os.WriteFile(uc, []byte("registry="+f.url+"\n"+nerf+":_authToken=${NPM_TOKEN}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.userconfig = uc
	r := f.run("list")
	if r.code == 0 || !strings.Contains(r.stderr, "token for "+f.url) || !strings.Contains(r.stderr, "is malformed") ||
		strings.Contains(r.stderr, "network") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "npm_abc") || strings.Contains(r.stderr, "def") {
		t.Fatalf("the token leaked: %s", r.stderr)
	}
}

func TestWrongCodeInPlainWords(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	r := f.run("approve", it.ID, "--otp", "000000")
	out := r.stdout + r.stderr
	if r.code != 1 || !strings.Contains(out, "did not accept the one-time password: it may be mistyped or expired") {
		t.Fatalf("exit %d\n%s", r.code, out)
	}
	if strings.Contains(out, "command you ran") || strings.Contains(out, "--otp=<code>") {
		t.Errorf("npm's generic text:\n%s", out)
	}
}

func TestStageRecordWithoutShasumSaysSo(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	c, err := registry.New(registry.Options{Registry: f.url})
	if err != nil {
		t.Fatal(err)
	}
	it.Shasum = ""
	_, _, err = fetchStagedTarball(context.Background(), c, it)
	if err == nil || !strings.Contains(err.Error(), "the stage record has no shasum") {
		t.Fatalf("err %v", err)
	}
}

// TestDashboardFlagWords: a mistyped dashboard flag value is a usage error
// that names the choices, before anything else is tried; without a
// terminal the dashboard and the demo say what to use instead.
func TestDashboardFlagWords(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--notify", "popup"}, `--notify "popup": use terminal, desktop or none`},
		{[]string{"--theme", "solarized"}, `--theme "solarized": use auto, dark or light`},
		{[]string{"demo", "--notify", "loud"}, `--notify "loud": use terminal, desktop or none`},
		{[]string{"--notify", "desktop"}, "the dashboard needs a terminal"},
		{[]string{"demo", "--theme", "light", "--no-mouse"}, "the demo needs a terminal"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("stagegate %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errb.String(), tt.want)
		}
	}
}
