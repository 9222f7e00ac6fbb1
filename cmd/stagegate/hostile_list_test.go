package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stagegate/stagegate/internal/heappeak"
)

// listFaultProxy forwards to the embedded registry at upstream, except
// GET /-/stage, whose pages it makes up according to mode:
//
//	big:     10,000 new items per page, forever
//	loop:    full pages whose ids start over every 3 pages
//	endless: full pages of new ids, forever
func listFaultProxy(t *testing.T, upstream, mode string) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/-/stage" {
			rp.ServeHTTP(w, r)
			return
		}
		pages.Add(1)
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n, start := 100, p*100
		switch mode {
		case "big":
			n, start = 10000, p*10000
		case "loop":
			start = (p % 3) * 100
		}
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 32<<10)
		bw.WriteString(`{"total":1000000000,"items":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `{"id":"%08x-0000-4000-8000-000000000000","packageName":"acme-forms","version":"9.0.%d","tag":"latest","createdAt":"2026-11-25T12:00:00.000Z","actor":"ci","actorType":"ci","access":"public","shasum":"%040d"}`,
				start+i, start+i, start+i)
		}
		bw.WriteString(`]}`)
		_ = bw.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/", &pages
}

// TestListAgainstHostileRegistry: `stagegate list` against a registry
// that serves endless pages stops with a clear error (exit 1), after few
// pages and with the heap well under 100 MiB.
func TestListAgainstHostileRegistry(t *testing.T) {
	for _, tc := range []struct {
		mode, want string
		maxPages   int64
	}{
		{"big", "page 0 has 10000 items, more than the 100 asked for", 1},
		{"loop", "page 3 repeats id", 4},
		{"endless", "more than the limit of 20000 staged versions", 201},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			f := newFixture(t)
			proxy, pages := listFaultProxy(t, f.url, tc.mode)
			f.url = proxy
			nerf := strings.TrimPrefix(strings.TrimSuffix(proxy, "/"), "http:")
			if err := os.WriteFile(f.userconfig, []byte("registry="+proxy+"\n"+nerf+"/:_authToken="+f.srv.Token()+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			peak := heappeak.Start()
			r := f.run("list")
			max := peak()
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("printed a partial list: %.200q", r.stdout)
			}
			if n := pages.Load(); n > tc.maxPages {
				t.Errorf("fetched %d pages, want at most %d", n, tc.maxPages)
			}
			t.Logf("%s: heap peak %.1f MiB; %s", tc.mode, float64(max)/(1<<20), strings.TrimSpace(r.stderr))
			if max > 100<<20 {
				t.Errorf("heap peaked at %d MiB, want under 100 MiB", max>>20)
			}
		})
	}
}
