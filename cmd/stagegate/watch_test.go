package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/registry"
)

func TestWatchAnnouncesNewStagesAndRunsHook(t *testing.T) {
	f := newFixture(t)
	hookOut := filepath.Join(t.TempDir(), "hook.json")
	t.Setenv("NPM_TOKEN", "npm_should_never_reach_the_hook")
	done := make(chan result, 1)
	go func() {
		done <- f.run("watch", "--json", "--interval", "50ms", "--count", "1",
			"--exec", `cat > `+hookOut+`; env | grep -c NPM_TOKEN >> `+hookOut+` || true`)
	}()
	time.Sleep(300 * time.Millisecond) // the baseline poll has seen the demo queue
	f.upload(true, "watched-pkg", "1.0.0", []entry{
		pkgFile("package.json", `{"name":"watched-pkg","version":"1.0.0"}`),
		pkgFile("index.js", "module.exports = 1;\n"),
	})
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("watch did not announce the new stage")
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one announcement (the demo queue is the baseline), got:\n%s", r.stdout)
	}
	var it registry.StageItem
	if err := json.Unmarshal([]byte(lines[0]), &it); err != nil || it.PackageName != "watched-pkg" || it.ID == "" {
		t.Fatalf("announcement %q: %v", lines[0], err)
	}
	hook, err := os.ReadFile(hookOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hook), `"packageName":"watched-pkg"`) || !strings.HasSuffix(strings.TrimSpace(string(hook)), "0") {
		t.Errorf("hook saw %q (the item on stdin, and no NPM_TOKEN in its environment)", hook)
	}
	if strings.Contains(string(hook), f.srv.Token()) {
		t.Error("the hook saw the registry token")
	}
}

func TestWatchExisting(t *testing.T) {
	f := newFixture(t)
	r := f.run("watch", "--existing", "--count", "2", "--interval", "50ms")
	if r.code != 0 || strings.Count(r.stdout, "staged ") != 2 || !strings.Contains(r.stdout, "review: stagegate diff") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestHookEnv(t *testing.T) {
	got := hookEnv([]string{"PATH=/bin", "NPM_TOKEN=x", "npm_config_//r/:_authToken=y", "NODE_AUTH_TOKEN=z",
		"npm_config_registry=http://r/", "HOME=/h"})
	if strings.Join(got, " ") != "PATH=/bin npm_config_registry=http://r/ HOME=/h" {
		t.Errorf("hookEnv kept %v", got)
	}
}
