// Package faultproxy is test support: an HTTP proxy in front of a registry
// (usually the embedded one) that injects faults into chosen requests:
// a delay before the request reaches the registry, a hang after it did, a
// reset connection, or a truncated body. It records what reached the
// registry, so a test can act at the exact moment a request took effect
// (kill a process after the registry applied an approve, say).
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is what happens to a matching request.
type Fault int

// Faults.
const (
	// Pass forwards the request and its answer unchanged.
	Pass Fault = iota
	// Delay waits Rule.Delay, then forwards the request even when the
	// client has given up meanwhile (a late delivery), and answers the
	// client if it is still there.
	Delay
	// Hang forwards the request, then never answers: the client waits
	// until it gives up or the proxy closes.
	Hang
	// Reset closes the connection without an answer (a TCP reset). With
	// Rule.Before the request never reaches the registry; otherwise it
	// does first.
	Reset
	// Truncate forwards the request and sends the status, headers and
	// only the first half of the body, then closes the connection.
	Truncate
)

// Rule selects requests and the fault they get.
type Rule struct {
	// Method matches the request method; empty matches any.
	Method string
	// Path matches when the request path contains it; empty matches any.
	Path  string
	Fault Fault
	// Delay is Delay's wait.
	Delay time.Duration
	// Before makes Reset drop the request before the registry sees it.
	Before bool
	// Times limits the rule to the first n matching requests; 0 means all.
	Times int

	used int
}

func (r *Rule) matches(req *http.Request) bool {
	return (r.Method == "" || strings.EqualFold(r.Method, req.Method)) &&
		(r.Path == "" || strings.Contains(req.URL.Path, r.Path)) &&
		(r.Times == 0 || r.used < r.Times)
}

// Event is one request that reached the registry, and its status.
type Event struct {
	Method, Path string
	Status       int
	Fault        Fault
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	upstream *url.URL
	srv      *http.Server
	ln       net.Listener
	client   *http.Client
	closed   chan struct{}
	once     sync.Once
	wg       sync.WaitGroup

	mu      sync.Mutex
	rules   []*Rule
	events  []Event
	changed chan struct{}
}

// New starts a proxy on a free loopback port in front of upstream (an
// http URL such as the embedded registry's).
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q is not an http(s) URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{
		upstream: u,
		ln:       ln,
		client:   &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		closed:   make(chan struct{}),
		changed:  make(chan struct{}),
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// URL is the proxy's base URL, with the upstream's path, ending in "/".
func (p *Proxy) URL() string {
	path := strings.TrimSuffix(p.upstream.Path, "/") + "/"
	return "http://" + p.ln.Addr().String() + path
}

// Add appends a rule; the first matching rule applies.
func (p *Proxy) Add(r Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rr := r
	p.rules = append(p.rules, &rr)
}

// Clear removes every rule: requests pass unchanged.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Events returns the requests that reached the registry so far, in order.
func (p *Proxy) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Wait blocks until a request for which match returns true has reached
// the registry and been answered by it, and returns that event.
func (p *Proxy) Wait(ctx context.Context, match func(Event) bool) (Event, error) {
	for {
		p.mu.Lock()
		for _, e := range p.events {
			if match(e) {
				p.mu.Unlock()
				return e, nil
			}
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		case <-p.closed:
			return Event{}, errors.New("faultproxy: closed")
		}
	}
}

// Close stops the proxy; hanging and delayed requests end.
func (p *Proxy) Close() error {
	p.once.Do(func() { close(p.closed) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if err != nil {
		err = p.srv.Close()
	}
	p.wg.Wait()
	return err
}

func (p *Proxy) rule(r *http.Request) Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rl := range p.rules {
		if rl.matches(r) {
			rl.used++
			return *rl
		}
	}
	return Rule{}
}

func (p *Proxy) record(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
	close(p.changed)
	p.changed = make(chan struct{})
}

// upstreamResponse is the registry's full answer.
type upstreamResponse struct {
	status int
	header http.Header
	body   []byte
}

// hopHeaders are not forwarded (RFC 9110 §7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forward sends r to the registry, detached from the client's connection
// so that a client that gave up does not stop a delivery.
func (p *Proxy) forward(r *http.Request, body []byte, f Fault) (*upstreamResponse, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
	defer cancel()
	u := *p.upstream
	u.Path, u.RawPath = r.URL.Path, r.URL.RawPath
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	out.Host = r.Host
	resp, err := p.client.Do(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	p.record(Event{Method: r.Method, Path: r.URL.Path, Status: resp.StatusCode, Fault: f})
	return &upstreamResponse{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	rule := p.rule(r)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	switch rule.Fault {
	case Delay:
		t := time.NewTimer(rule.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-p.closed:
			return
		}
	case Reset:
		if !rule.Before {
			if _, err := p.forward(r, body, rule.Fault); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
		reset(w)
		return
	}
	resp, err := p.forward(r, body, rule.Fault)
	if err != nil {
		http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	switch rule.Fault {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
		reset(w)
		return
	case Truncate:
		truncate(w, resp)
		return
	}
	if r.Context().Err() != nil {
		return // the client left; the registry got the request anyway
	}
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// reset drops the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate writes the status line, the headers with the full length, and
// half the body, then closes the connection.
func truncate(w http.ResponseWriter, resp *upstreamResponse) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
	h := resp.header.Clone()
	for _, k := range hopHeaders {
		h.Del(k)
	}
	declared := len(resp.body)
	if declared == 0 {
		declared = 1 // an empty body is cut short too
	}
	h.Set("Content-Length", fmt.Sprint(declared))
	h.Set("Connection", "close")
	_ = h.Write(buf)
	buf.WriteString("\r\n")
	_, _ = buf.Write(resp.body[:len(resp.body)/2])
	_ = buf.Flush()
}
