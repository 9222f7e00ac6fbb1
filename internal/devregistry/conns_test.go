package devregistry

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// startListening runs a Server on a loopback port, as `stagegate registry` does.
func startListening(t *testing.T, mod func(*Options)) (*Server, string) {
	t.Helper()
	opts := Options{Token: testToken, CIToken: testCI, TOTPSecret: testSecret}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	u, err := s.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
}

// closedWithin reports whether the server closes c within d (a read ends
// in EOF or a reset rather than the deadline).
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, os.ErrDeadlineExceeded)
}

func ping(t *testing.T, addr string) {
	t.Helper()
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get("http://" + addr + "/-/ping")
	if err != nil {
		t.Fatalf("a new client is starved: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("ping: %d", res.StatusCode)
	}
}

// TestIdleConnectionsDoNotStarveNewClients: past MaxConns, the connections
// idle the longest are closed to make room, so a flood of connections
// that never send a request (or idle keep-alives) cannot lock clients out,
// and open connections stay bounded.
func TestIdleConnectionsDoNotStarveNewClients(t *testing.T) {
	const max = 8
	s, addr := startListening(t, func(o *Options) { o.MaxConns = max })
	// Keep-alive clients left idle after one request.
	for range 4 {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		res, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/-/ping")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	// Then a flood of connections that never speak.
	var idle []net.Conn
	for range 40 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		idle = append(idle, c)
	}
	ping(t, addr)
	closed := 0
	for _, c := range idle {
		if closedWithin(c, 50*time.Millisecond) {
			closed++
		}
	}
	if closed < len(idle)-max {
		t.Errorf("the server closed %d of %d idle connections, want at least %d (bound %d)", closed, len(idle), len(idle)-max, max)
	}
	if n := s.ln.open(); n > max {
		t.Errorf("%d connections open, want at most %d", n, max)
	}
}

// TestTimeouts: a keep-alive connection is closed after IdleTimeout, and
// one that sends half a request after ReadHeaderTimeout.
func TestTimeouts(t *testing.T) {
	_, addr := startListening(t, func(o *Options) {
		o.IdleTimeout = 200 * time.Millisecond
		o.ReadHeaderTimeout = 200 * time.Millisecond
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /-/ping HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !closedWithin(c, 2*time.Second) {
		t.Error("an idle keep-alive connection was not closed after IdleTimeout")
	}

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	_, _ = io.WriteString(slow, "GET /-/ping HTTP/1.1\r\nHost: x\r\n")
	if !closedWithin(slow, 2*time.Second) {
		t.Error("a connection sending half a request was not closed after ReadHeaderTimeout")
	}
}

// TestDefaultTimeouts: a server started with zero options has every timeout set.
func TestDefaultTimeouts(t *testing.T) {
	s, _ := startListening(t, nil)
	s.netMu.Lock()
	srv := s.srv
	s.netMu.Unlock()
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || s.ln.max <= 0 {
		t.Errorf("timeouts %v %v %v %v, max conns %d", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, s.ln.max)
	}
}
