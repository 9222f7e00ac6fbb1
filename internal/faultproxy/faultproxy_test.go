package faultproxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// upstream counts the POSTs it received and answers every request with a
// fixed body.
func upstream(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var posts atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			if string(b) != "payload" {
				http.Error(w, "body lost: "+string(b), http.StatusBadRequest)
				return
			}
			posts.Add(1)
		}
		w.Header().Set("X-Upstream", "yes")
		io.WriteString(w, `{"ok":true,"path":"`+r.URL.Path+`"}`)
	}))
	t.Cleanup(s.Close)
	return s, &posts
}

func newProxy(t *testing.T, up string) *Proxy {
	t.Helper()
	p, err := New(up)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func post(c *http.Client, url string) (*http.Response, []byte, error) {
	resp, err := c.Post(url, "text/plain", strings.NewReader("payload"))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestPassForwardsUnchanged(t *testing.T) {
	up, posts := upstream(t)
	p := newProxy(t, up.URL)
	resp, b, err := post(http.DefaultClient, p.URL()+"-/x?y=1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Upstream") != "yes" || string(b) != `{"ok":true,"path":"/-/x"}` {
		t.Fatalf("got %d %q %q", resp.StatusCode, resp.Header, b)
	}
	if posts.Load() != 1 {
		t.Fatalf("upstream got %d posts", posts.Load())
	}
	ev := p.Events()
	if len(ev) != 1 || ev[0].Method != "POST" || ev[0].Path != "/-/x" || ev[0].Status != 200 {
		t.Fatalf("events %+v", ev)
	}
}

func TestDelayDeliversAfterTheClientGaveUp(t *testing.T) {
	up, posts := upstream(t)
	p := newProxy(t, up.URL)
	p.Add(Rule{Method: "POST", Path: "/approve", Fault: Delay, Delay: 400 * time.Millisecond})
	c := &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	if _, _, err := post(c, p.URL()+"approve"); err == nil {
		t.Fatal("the client should have timed out")
	}
	if posts.Load() != 0 {
		t.Fatal("delivered before the delay")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.Wait(ctx, func(e Event) bool { return e.Path == "/approve" }); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("delivered after %v", d)
	}
	if posts.Load() != 1 {
		t.Fatalf("upstream got %d posts", posts.Load())
	}
	// Other requests pass at once.
	if _, _, err := post(c, p.URL()+"other"); err != nil {
		t.Fatal(err)
	}
}

func TestHangAfterDelivery(t *testing.T) {
	up, posts := upstream(t)
	p := newProxy(t, up.URL)
	p.Add(Rule{Method: "POST", Fault: Hang, Times: 1})
	c := &http.Client{Timeout: 300 * time.Millisecond}
	_, _, err := post(c, p.URL()+"a")
	if err == nil || !isTimeout(err) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if posts.Load() != 1 {
		t.Fatalf("upstream got %d posts, want 1", posts.Load())
	}
	// Times: 1 — the next one passes.
	if resp, _, err := post(c, p.URL()+"a"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("second request: %v", err)
	}
}

func TestReset(t *testing.T) {
	up, posts := upstream(t)
	p := newProxy(t, up.URL)
	p.Add(Rule{Path: "/before", Fault: Reset, Before: true})
	p.Add(Rule{Path: "/after", Fault: Reset})
	if _, _, err := post(http.DefaultClient, p.URL()+"before"); err == nil {
		t.Fatal("want a connection error")
	}
	if posts.Load() != 0 {
		t.Fatal("Before: the registry must not see the request")
	}
	if _, _, err := post(http.DefaultClient, p.URL()+"after"); err == nil {
		t.Fatal("want a connection error")
	}
	if posts.Load() != 1 {
		t.Fatalf("after: upstream got %d posts, want 1", posts.Load())
	}
}

func TestTruncate(t *testing.T) {
	up, _ := upstream(t)
	p := newProxy(t, up.URL)
	p.Add(Rule{Method: "GET", Fault: Truncate})
	resp, err := http.Get(p.URL() + "doc")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want unexpected EOF, got %v (%q)", err, b)
	}
	if len(b) == 0 || len(b) >= len(`{"ok":true,"path":"/doc"}`) {
		t.Fatalf("got %d bytes", len(b))
	}
}

func TestCloseEndsHangs(t *testing.T) {
	up, _ := upstream(t)
	p, err := New(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Add(Rule{Fault: Hang})
	done := make(chan error, 1)
	go func() { _, _, err := post(http.DefaultClient, p.URL()); done <- err }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.Wait(ctx, func(Event) bool { return true }); err != nil {
		t.Fatal(err)
	}
	go p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a hung request must fail when the proxy closes")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the hang")
	}
}

func TestNewRejectsBadUpstream(t *testing.T) {
	if _, err := New("ftp://x"); err == nil {
		t.Fatal("want an error")
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}
