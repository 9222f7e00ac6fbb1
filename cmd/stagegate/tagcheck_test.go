package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stagegate/stagegate/internal/conformance"
)

// TestApproveTagBackwards is issue 10 item 5: with latest at 1.2.0,
// approving a staged 1.1.5 under latest says "moves latest back from 1.2.0
// to 1.1.5"; without a terminal it is refused unless --allow-tag-backwards.
func TestApproveTagBackwards(t *testing.T) {
	f := newFixture(t)
	id, err := conformance.StageViaAPI(context.Background(), http.DefaultClient, f.url, f.srv.Token(), "slugkit", "1.1.5", "latest")
	if err != nil {
		t.Fatal(err)
	}
	r := f.run("approve", id, "--otp", f.code())
	if r.code != 1 || !strings.Contains(r.stdout, "slugkit@1.1.5 refused") ||
		!strings.Contains(r.stdout, "moves latest back from 1.2.0 to 1.1.5") || !strings.Contains(r.stdout, "--allow-tag-backwards") {
		t.Fatalf("approve moving latest back without a terminal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ok, latest := f.published("slugkit", "1.1.5"); ok || latest != "1.2.0" {
		t.Fatalf("refused, yet published=%v latest=%s", ok, latest)
	}
	r = f.run("approve", id, "--otp", f.code(), "--allow-tag-backwards")
	if r.code != 0 || !strings.Contains(r.stdout, "slugkit@1.1.5 approved") || !strings.Contains(r.stderr, "moves latest back from 1.2.0 to 1.1.5") {
		t.Fatalf("approve --allow-tag-backwards: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ok, latest := f.published("slugkit", "1.1.5"); !ok || latest != "1.1.5" {
		t.Fatalf("after --allow-tag-backwards: published=%v latest=%s", ok, latest)
	}
	// A forward move needs nothing.
	fwd := f.find("termhue", "1.0.1")
	if r := f.run("approve", fwd.ID, "--otp", f.code()); r.code != 0 || strings.Contains(r.stderr, "back") {
		t.Fatalf("forward approve: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	help := f.run("approve", "--help")
	if !strings.Contains(help.stdout, "--allow-tag-backwards") || !strings.Contains(help.stdout, "moves latest back") {
		t.Errorf("approve --help does not document --allow-tag-backwards:\n%s", help.stdout)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "--allow-tag-backwards") {
		t.Error("README's command section does not document --allow-tag-backwards")
	}
}

// TestApproveBatchListsNotAttempted is issue 10 item 4 (CLI): when an error
// stops `approve a b c` at a, b and c are listed as "not attempted".
func TestApproveBatchListsNotAttempted(t *testing.T) {
	f := newFixture(t)
	target, err := url.Parse(f.url)
	if err != nil {
		t.Fatal(err)
	}
	var approves atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/approve") {
			approves.Add(1)
			// The token expired between the checks and the first send.
			w.Header().Set("content-type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"token expired"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	a, b, c := f.find("mdtoc", "0.5.0"), f.find("qlimit", "1.2.1"), f.find("termhue", "1.0.1")
	nerf := strings.TrimPrefix(srv.URL, "http:") + "/"
	if err := os.WriteFile(f.userconfig, []byte("registry="+srv.URL+"/\n"+nerf+":_authToken="+f.srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.url = srv.URL + "/"
	r := f.run("approve", a.ID, b.ID, c.ID, "--otp", f.code())
	if r.code == 0 || approves.Load() != 1 {
		t.Fatalf("exit %d after %d approve requests\n%s%s", r.code, approves.Load(), r.stdout, r.stderr)
	}
	// mdtoc 0.5.0 depends on qlimit and termhue, so qlimit goes first.
	for _, want := range []string{"qlimit@1.2.1 failed", "termhue@1.0.1 not attempted", "mdtoc@0.5.0 not attempted"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}
