package devregistry

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection defaults (Options fields left zero).
const (
	DefaultMaxConns          = 128
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 2 * time.Minute // a publish body is at most 200 MB, on loopback
	DefaultWriteTimeout      = 2 * time.Minute
	DefaultIdleTimeout       = 30 * time.Second
)

// connLimiter bounds the open connections. When a new connection would
// pass the bound, the connection idle the longest (a keep-alive between
// requests, or one that never sent a request) is closed to make room, so
// idle clients cannot starve new ones; when every connection is busy with
// a request, the new one is closed at once.
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[net.Conn]connInfo
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max, conns: map[net.Conn]connInfo{}}
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if len(l.conns) >= l.max {
			var victim net.Conn
			var vi connInfo
			for vc, info := range l.conns {
				if info.state != http.StateIdle && info.state != http.StateNew {
					continue
				}
				// Idle keep-alives go before new connections, oldest first.
				better := victim == nil ||
					(info.state == http.StateIdle && vi.state == http.StateNew) ||
					(info.state == vi.state && info.since.Before(vi.since))
				if better {
					victim, vi = vc, info
				}
			}
			if victim == nil {
				l.mu.Unlock()
				_ = c.Close()
				continue
			}
			delete(l.conns, victim)
			_ = victim.Close()
		}
		l.conns[c] = connInfo{state: http.StateNew, since: time.Now()}
		l.mu.Unlock()
		return c, nil
	}
}

// connState is the http.Server's ConnState hook.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(l.conns, c)
		return
	}
	if _, ok := l.conns[c]; ok {
		l.conns[c] = connInfo{state: st, since: time.Now()}
	}
}

// open is the number of connections counted against the bound.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
