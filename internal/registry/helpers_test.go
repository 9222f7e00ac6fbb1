package registry

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorded is one request as the fake registry saw it.
type recorded struct {
	Method string
	URI    string // raw request URI, exactly as sent
	Header http.Header
	Body   []byte
}

// fakeRegistry is an httptest server on 127.0.0.1 that records requests
// and answers through handle (n is the 0-based request number).
type fakeRegistry struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, recorded{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		f.handle(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeRegistry) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// prefixAuth gives header to URLs under prefix, as npmrc's nerf-dart
// lookup would, and records every URL it was asked about.
type prefixAuth struct {
	prefix, header string
	mu             sync.Mutex
	asked          []string
}

func (a *prefixAuth) AuthHeader(u string) string {
	a.mu.Lock()
	a.asked = append(a.asked, u)
	a.mu.Unlock()
	if strings.HasPrefix(u, a.prefix) {
		return a.header
	}
	return ""
}

func newClient(t *testing.T, reg string, auth Authorizer, mod func(*Options)) *Client {
	t.Helper()
	o := Options{Registry: reg, Auth: auth, RetryBase: time.Millisecond, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const testID = "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f"

func compress(t *testing.T, enc, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	default:
		t.Fatalf("encoding %q", enc)
	}
	io.WriteString(w, s)
	w.Close()
	return buf.Bytes()
}
