package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
)

func TestSeedstageFillsQueueAndWritesNpmrc(t *testing.T) {
	srv, err := devregistry.New(devregistry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	dir := t.TempDir()
	start := filepath.Join(dir, "start.json")
	line, _ := json.Marshal(map[string]string{"url": u, "token": srv.Token(), "totpSecret": srv.TOTPSecret()})
	if err := os.WriteFile(start, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "npmrc")
	if err := run([]string{"-start", start, "-npmrc", rc, "-n", "25", "-name", "@s/seeded", "-c", "4"}); err != nil {
		t.Fatal(err)
	}

	b, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	want := "registry=" + u + "\n//" + strings.TrimPrefix(u, "http://") + ":_authToken=" + srv.Token() + "\n"
	if string(b) != want {
		t.Errorf("npmrc does not name the registry and its token")
	}

	req, _ := http.NewRequest(http.MethodGet, u+"-/stage?page=0&perPage=100", nil)
	req.Header.Set("authorization", "Bearer "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Items []struct{ PackageName, Version string }
		Total int
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range page.Items {
		if it.PackageName != "@s/seeded" {
			t.Errorf("unexpected item %s@%s", it.PackageName, it.Version)
		}
		seen[it.Version] = true
	}
	if page.Total != 25 || len(seen) != 25 || !seen["1.0.0"] || !seen["1.0.24"] {
		t.Errorf("queue has total %d, %d distinct versions; want 25 (1.0.0…1.0.24)", page.Total, len(seen))
	}
}

func TestSeedstageRefusesBadStartLine(t *testing.T) {
	dir := t.TempDir()
	start := filepath.Join(dir, "start.json")
	if err := os.WriteFile(start, []byte(`{"url":"http://example.com/","token":"sekrit-token"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-start", start, "-n", "1"})
	if err == nil {
		t.Fatal("accepted a start line with a non-loopback URL and no totpSecret")
	}
	if strings.Contains(err.Error(), "sekrit-token") {
		t.Error("the error quotes the token")
	}
	if err := run([]string{"-n", "1"}); err == nil {
		t.Error("ran without -start")
	}
}
