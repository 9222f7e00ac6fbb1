package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusErrorKinds(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		otp      string
		noAuth   bool
		want     ErrorKind
		wantMsg  string // substring of Error()
		authURL  string
		retryAft time.Duration
	}{
		{name: "401 plain", status: 401, body: `{"error":"bad token"}`, want: ErrNotLoggedIn, wantMsg: "npm login --registry"},
		{name: "401 without credentials", status: 401, noAuth: true, want: ErrNotLoggedIn, wantMsg: "no credentials"},
		{name: "401 www-authenticate OTP", status: 401, header: map[string]string{"WWW-Authenticate": "OTP"}, want: ErrOTPRequired, wantMsg: "one-time password"},
		{name: "401 www-authenticate list", status: 401, header: map[string]string{"WWW-Authenticate": "Basic realm=x,  otp"}, want: ErrOTPRequired},
		{name: "401 www-authenticate otp substring (pnpm)", status: 401, header: map[string]string{"WWW-Authenticate": "Bearer otp-required"}, want: ErrOTPRequired},
		{name: "401 body one-time pass, no header", status: 401, body: `{"error":"You must provide a one-time pass."}`, want: ErrOTPRequired},
		{name: "401 body one-time pass but other header", status: 401, header: map[string]string{"WWW-Authenticate": "Basic"}, body: `{"error":"one-time pass"}`, want: ErrNotLoggedIn},
		{name: "401 authUrl and doneUrl (pnpm)", status: 401, body: `{"authUrl":"https://r.example/auth/1","doneUrl":"https://r.example/done/1"}`, want: ErrOTPRequired, authURL: "https://r.example/auth/1", wantMsg: "https://r.example/auth/1"},
		{name: "401 authUrl with javascript scheme dropped", status: 401, header: map[string]string{"WWW-Authenticate": "otp"}, body: `{"authUrl":"javascript:alert(1)","doneUrl":"https://r.example/done/1"}`, want: ErrOTPRequired, authURL: ""},
		{name: "401 ipaddress", status: 401, header: map[string]string{"WWW-Authenticate": "ipaddress"}, want: ErrForbidden, wantMsg: "IP address"},
		{name: "401 challenge with OTP sent", status: 401, header: map[string]string{"WWW-Authenticate": "OTP"}, otp: "123456", want: ErrOTPRejected, wantMsg: "not accepted"},
		{name: "401 body challenge with OTP sent", status: 401, body: `{"error":"invalid one-time password"}`, otp: "123456", want: ErrOTPRejected},
		{name: "403", status: 403, body: `{"error":"OIDC permission denied for this action"}`, want: ErrForbidden, wantMsg: "OIDC permission denied"},
		{name: "404", status: 404, body: `{"error":"Not found"}`, want: ErrNotFound, wantMsg: "404 Not Found"},
		{name: "410", status: 410, want: ErrNotFound},
		{name: "409", status: 409, body: `{"error":"Cannot stage previously published version \"1.0.0\""}`, want: ErrConflict, wantMsg: `previously published version "1.0.0"`},
		{name: "429", status: 429, header: map[string]string{"Retry-After": "120"}, want: ErrRateLimited, retryAft: 120 * time.Second, wantMsg: "retry after 2m0s"},
		{name: "500", status: 500, want: ErrServer, wantMsg: "try again later"},
		{name: "400", status: 400, body: `{"message":"bad"}`, want: ErrBadRequest, wantMsg: ": bad"},
		{name: "422 text body", status: 422, body: "invalid package\n", want: ErrBadRequest, wantMsg: "invalid package"},
		{name: "html body is not a message", status: 502, body: "<html><body>Bad gateway</body></html>", want: ErrServer},
		{name: "redirect on POST", status: 307, header: map[string]string{"Location": "http://elsewhere.invalid/x"}, want: ErrBadResponse, wantMsg: "unexpected redirect to http://elsewhere.invalid/x"},
		{name: "204 on approve", status: 204, want: ErrBadResponse, wantMsg: "outcome is unknown"},
		{name: "200 not JSON", status: 200, body: "ok", want: ErrBadResponse, wantMsg: "invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			var auth Authorizer = &prefixAuth{prefix: f.URL, header: "Bearer tok"}
			if tc.noAuth {
				auth = nil
			}
			c := newClient(t, f.URL, auth, func(o *Options) { o.MaxRetries = -1 })
			err := c.Approve(context.Background(), testID, tc.otp)
			if KindOf(err) != tc.want {
				t.Fatalf("err = %v (kind %v), want %v", err, KindOf(err), tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("errors.Is(err, %v) is false", tc.want)
			}
			var e *Error
			errors.As(err, &e)
			if e.Status != tc.status || e.Method != "POST" || e.URL != f.URL+"/-/stage/"+testID+"/approve" || !e.Sent {
				t.Errorf("error fields: %+v", e)
			}
			if tc.wantMsg != "" && !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tc.wantMsg)
			}
			if e.AuthURL != tc.authURL {
				t.Errorf("AuthURL = %q, want %q", e.AuthURL, tc.authURL)
			}
			if e.RetryAfter != tc.retryAft {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.retryAft)
			}
		})
	}
}

func TestKindOfForeignErrors(t *testing.T) {
	if KindOf(nil) != KindNone || KindOf(errors.New("x")) != KindNone {
		t.Error("KindOf of a foreign error is not KindNone")
	}
	wrapped := fmt.Errorf("approving: %w", &Error{Kind: ErrConflict})
	if KindOf(wrapped) != ErrConflict || !errors.Is(wrapped, ErrConflict) || errors.Is(wrapped, ErrNotFound) {
		t.Error("wrapped kind not found")
	}
	if !IsNotFound(fmt.Errorf("x: %w", &Error{Kind: ErrNotFound})) || IsNotFound(&Error{Kind: ErrConflict}) || IsNotFound(nil) {
		t.Error("IsNotFound")
	}
	if !IsOTPChallenge(&Error{Kind: ErrOTPRejected}) || IsOTPChallenge(&Error{Kind: ErrForbidden}) {
		t.Error("IsOTPChallenge")
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("connection refused is ErrNetwork, not sent", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := newClient(t, "http://"+addr+"/", nil, func(o *Options) { o.MaxRetries = -1 })
		err = c.Approve(context.Background(), testID, "")
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrNetwork || e.Sent || e.OutcomeUnknown() {
			t.Fatalf("err = %#v", err)
		}
		if !strings.Contains(e.Error(), "cannot reach the registry") {
			t.Errorf("Error() = %q", e.Error())
		}
	})
	t.Run("per-request timeout after sending: outcome unknown", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { <-release })
		defer close(release)
		c := newClient(t, f.URL, nil, func(o *Options) { o.Timeout = 100 * time.Millisecond })
		err := c.Approve(context.Background(), testID, "")
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrTimeout || !e.Sent || !e.OutcomeUnknown() {
			t.Fatalf("err = %#v", err)
		}
		if !strings.Contains(e.Error(), "outcome is unknown") {
			t.Errorf("Error() = %q", e.Error())
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("POST sent %d times", n)
		}
	})
	t.Run("context deadline is ErrTimeout and wraps DeadlineExceeded", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { <-release })
		defer close(release)
		c := newClient(t, f.URL, nil, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.ListStaged(ctx, "")
		if KindOf(err) != ErrTimeout || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("GET retried after the caller's deadline: %d requests", n)
		}
	})
	t.Run("context cancel is ErrCanceled", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { <-release })
		defer close(release)
		c := newClient(t, f.URL, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := c.Reject(ctx, testID, "")
		if KindOf(err) != ErrCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("tarball over the cap is ErrTooLarge", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.Write(make([]byte, 2048)) })
		c := newClient(t, f.URL, nil, func(o *Options) { o.MaxTarballBytes = 1024 })
		_, err := c.StagedTarball(context.Background(), testID)
		if KindOf(err) != ErrTooLarge {
			t.Fatalf("err = %v", err)
		}
		if _, err := c.Tarball(context.Background(), f.URL+"/x.tgz", 4096); err != nil {
			t.Fatalf("explicit larger cap: %v", err)
		}
	})
	t.Run("gzip bomb is capped after decompression", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(make([]byte, 1<<20))
		zw.Close()
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(buf.Bytes())
		})
		c := newClient(t, f.URL, nil, nil)
		_, err := c.Tarball(context.Background(), f.URL+"/x.tgz", 64<<10)
		if KindOf(err) != ErrTooLarge {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("gzip and deflate JSON are decoded", func(t *testing.T) {
		for _, enc := range []string{"gzip", "deflate"} {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Encoding", enc)
				w.Write(compress(t, enc, `{"username":"alice"}`))
			})
			c := newClient(t, f.URL, nil, nil)
			u, err := c.Whoami(context.Background())
			if err != nil || u != "alice" {
				t.Errorf("%s: Whoami = %q, %v", enc, u, err)
			}
		}
	})
	t.Run("invalid arguments send nothing", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, `{}`) })
		c := newClient(t, f.URL, nil, nil)
		ctx := context.Background()
		for name, err := range map[string]error{
			"otp with newline":  c.Approve(ctx, testID, "12\r\nX-Evil: 1"),
			"publish not json":  func() error { _, err := c.StagePublish(ctx, []byte("{"), "p"); return err }(),
			"tarball file url":  func() error { _, err := c.Tarball(ctx, "file:///etc/passwd", 0); return err }(),
			"tarball userinfo":  func() error { _, err := c.Tarball(ctx, "http://u:p@127.0.0.1/x", 0); return err }(),
			"done url relative": func() error { _, err := c.PollWebAuth(ctx, "/done"); return err }(),
		} {
			if KindOf(err) != ErrInvalid {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
}

func TestNewRefusesBadRegistries(t *testing.T) {
	for _, reg := range []string{"ftp://x/", "not a url", "https://user:pass@h/", "https://h/?q=1", "http:///nohost"} {
		if _, err := New(Options{Registry: reg}); KindOf(err) != ErrInvalid {
			t.Errorf("New(%q) = %v", reg, err)
		} else if strings.Contains(err.Error(), "pass@") {
			t.Errorf("New(%q) error shows credentials: %v", reg, err)
		}
	}
	c, err := New(Options{})
	if err != nil || c.Registry() != DefaultRegistry {
		t.Fatalf("default registry: %v %v", c, err)
	}
}

func TestOtherEndpoints(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/-/whoami":
			if r.Header.Get("Authorization") == "" {
				writeJSON(w, 401, `{"error":"unauthorized"}`)
				return
			}
			writeJSON(w, 200, `{"username":"alice"}`)
		case "/-/ping":
			w.Write([]byte("{}"))
		case "/-/stage/package/new":
			writeJSON(w, 201, `{}`)
		case "/-/stage/package/empty":
			w.WriteHeader(201)
		case "/-/stage/package/challenged":
			w.Header().Set("WWW-Authenticate", "OTP")
			writeJSON(w, 401, `{"error":"otp"}`)
		case "/pkg":
			writeJSON(w, 200, `{"name":"pkg","dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"name":"pkg","version":"1.0.0","dist":{"shasum":"ab","tarball":"http://x/pkg-1.0.0.tgz"}}}}`)
		}
	})
	ctx := context.Background()
	c := newClient(t, f.URL, &prefixAuth{prefix: f.URL, header: "Bearer t"}, nil)
	if u, err := c.Whoami(ctx); err != nil || u != "alice" {
		t.Errorf("Whoami = %q, %v", u, err)
	}
	anon := newClient(t, f.URL, nil, nil)
	if _, err := anon.Whoami(ctx); KindOf(err) != ErrNotLoggedIn {
		t.Errorf("anonymous Whoami: %v", err)
	}
	if err := c.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if id, err := c.StagePublish(ctx, []byte(`{}`), "new"); err != nil || id != "" {
		t.Errorf("StagePublish 201 {} = %q, %v", id, err)
	}
	if _, err := c.StagePublish(ctx, []byte(`{}`), "empty"); KindOf(err) != ErrBadResponse {
		t.Errorf("StagePublish empty body: %v", err)
	}
	if _, err := c.StagePublish(ctx, []byte(`{}`), "challenged"); KindOf(err) != ErrOTPRequired {
		t.Errorf("StagePublish challenge: %v", err)
	}
	p, err := c.Packument(ctx, "pkg")
	if err != nil || p.DistTags["latest"] != "1.0.0" || p.Versions["1.0.0"].Dist.Shasum != "ab" {
		t.Errorf("Packument = %+v, %v", p, err)
	}
	for _, r := range f.requests() {
		want := "stage"
		switch r.URI {
		case "/-/whoami":
			want = "whoami"
		case "/-/ping":
			want = "ping"
		}
		if got := r.Header.Get("Npm-Command"); got != want {
			t.Errorf("%s: npm-command %q, want %q", r.URI, got, want)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\x1b[31mred\x1b[0m", "a\uFFFD[31mred\uFFFD[0m"},
		{"two\n\n lines\t", "two lines"},
		{"bidi\u202eevil", "bidi\uFFFDevil"},
		{"zero\u200bwidth", "zero\uFFFDwidth"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{strings.Repeat("x", 400), strings.Repeat("x", maxMessage) + "…"},
	}
	for _, tc := range tests {
		if got := sanitize(tc.in, maxMessage); got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"-5", 0}, {"3", 3 * time.Second}, {"1.5", 1500 * time.Millisecond},
		{"junk", 0}, {"NaN", 0}, {"Thu, 01 Jan 2026 00:00:10 GMT", 10 * time.Second},
		{"Wed, 31 Dec 2025 00:00:00 GMT", 0}, {"999999999", 24 * time.Hour},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
