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

	"github.com/stagegate/stagegate/internal/heappeak"
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

// endless yields n bytes of a JSON publish document that never closes its
// string, without holding them.
type endless struct{ left int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.left)
	for i := range p[:n] {
		p[i] = 'A'
	}
	if e.left == 300<<20 && n >= 20 {
		copy(p, `{"name":"big","x":"`)
	}
	e.left -= n
	return int(n), nil
}

// TestHugeRequestBodies: a 300 MiB publish body stops at MaxBodyBytes with
// 413 and the server's heap near that cap; a body claiming more than the
// cap is refused before it is read; a login body is capped at 64 KiB.
func TestHugeRequestBodies(t *testing.T) {
	const limit = 16 << 20
	_, addr := startListening(t, func(o *Options) { o.MaxBodyBytes = limit })
	send := func(path string, body io.Reader, length int64) int {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+addr+path, body)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+testToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			// The server may close the connection once it has answered.
			t.Logf("%s: %v", path, err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	peak := heappeak.Start()
	st := send("/-/stage/package/big", &endless{left: 300 << 20}, -1)
	max := peak()
	if st != http.StatusRequestEntityTooLarge && st != 0 {
		t.Errorf("300 MiB chunked publish: %d, want 413", st)
	}
	t.Logf("heap peak %.1f MiB for a 300 MiB body and a %d MiB cap", float64(max)/(1<<20), limit>>20)
	if max > limit+limit/4+8<<20 {
		t.Errorf("heap peaked at %.1f MiB, want near the %d MiB cap", float64(max)/(1<<20), limit>>20)
	}
	peak = heappeak.Start()
	if st := send("/-/stage/package/big", &endless{left: 300 << 20}, 300<<20); st != http.StatusRequestEntityTooLarge && st != 0 {
		t.Errorf("publish claiming 300 MiB: %d, want 413", st)
	}
	if max := peak(); max > 8<<20 {
		t.Errorf("a claimed length was allocated: heap %.1f MiB", float64(max)/(1<<20))
	}
	login := `{"name":"maintainer","password":"` + strings.Repeat("p", 100<<10) + `"}`
	req, _ := http.NewRequest("PUT", "http://"+addr+"/-/user/org.couchdb.user:maintainer", strings.NewReader(login))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("100 KiB login body: %d, want 400", res.StatusCode)
	}
}
