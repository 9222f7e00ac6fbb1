package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		call      func(c *Client) error
		answers   []func(w http.ResponseWriter) // per attempt; the last repeats
		retries   int
		wantCalls int
		wantKind  ErrorKind
		minWait   time.Duration
	}{
		{
			name: "GET retried on 503",
			call: func(c *Client) error { _, err := c.ViewStaged(context.Background(), testID); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 503, `{"error":"down"}`) },
				func(w http.ResponseWriter) { writeJSON(w, 200, `{"id":"`+testID+`"}`) },
			},
			wantCalls: 2,
		},
		{
			name: "GET retried on 429 after retry-after",
			call: func(c *Client) error { _, err := c.ListStaged(context.Background(), ""); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { w.Header().Set("Retry-After", "1"); writeJSON(w, 429, `{}`) },
				func(w http.ResponseWriter) { writeJSON(w, 200, `{"items":[],"total":0}`) },
			},
			wantCalls: 2,
			minWait:   time.Second,
		},
		{
			name: "GET not retried when retry-after exceeds the cap",
			call: func(c *Client) error { _, err := c.ListStaged(context.Background(), ""); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { w.Header().Set("Retry-After", "3600"); writeJSON(w, 429, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrRateLimited,
		},
		{
			name: "GET gives up after MaxRetries",
			call: func(c *Client) error { _, err := c.Packument(context.Background(), "p"); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 500, `{}`) },
			},
			retries:   3,
			wantCalls: 4,
			wantKind:  ErrServer,
		},
		{
			name: "GET retried after a dropped connection",
			call: func(c *Client) error { _, err := c.StagedTarball(context.Background(), testID); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) {
					conn, _, _ := w.(http.Hijacker).Hijack()
					conn.Close()
				},
				func(w http.ResponseWriter) { w.Write([]byte("tgz")) },
			},
			wantCalls: 2,
		},
		{
			name: "GET not retried on 404",
			call: func(c *Client) error { _, err := c.ViewStaged(context.Background(), testID); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 404, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrNotFound,
		},
		{
			name: "POST approve never retried on 503",
			call: func(c *Client) error { return c.Approve(context.Background(), testID, "") },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 503, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrServer,
		},
		{
			name: "POST approve never retried on 429",
			call: func(c *Client) error { return c.Approve(context.Background(), testID, "") },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { w.Header().Set("Retry-After", "1"); writeJSON(w, 429, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrRateLimited,
		},
		{
			name: "POST approve never retried after a dropped connection",
			call: func(c *Client) error { return c.Approve(context.Background(), testID, "") },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) {
					conn, _, _ := w.(http.Hijacker).Hijack()
					conn.Close()
				},
			},
			wantCalls: 1,
			wantKind:  ErrNetwork,
		},
		{
			name: "DELETE reject never retried on 502",
			call: func(c *Client) error { return c.Reject(context.Background(), testID, "") },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 502, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrServer,
		},
		{
			name: "POST stage publish never retried",
			call: func(c *Client) error { _, err := c.StagePublish(context.Background(), []byte(`{}`), "p"); return err },
			answers: []func(w http.ResponseWriter){
				func(w http.ResponseWriter) { writeJSON(w, 500, `{}`) },
			},
			wantCalls: 1,
			wantKind:  ErrServer,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				tc.answers[min(n, len(tc.answers)-1)](w)
			})
			c := newClient(t, f.URL, nil, func(o *Options) {
				o.MaxRetries = tc.retries
				o.MaxRetryAfter = 2 * time.Second
			})
			start := time.Now()
			err := tc.call(c)
			if KindOf(err) != tc.wantKind {
				t.Fatalf("err = %v, want kind %v", err, tc.wantKind)
			}
			if n := len(f.requests()); n != tc.wantCalls {
				t.Errorf("%d requests, want %d", n, tc.wantCalls)
			}
			if el := time.Since(start); el < tc.minWait {
				t.Errorf("retried after %v, retry-after asked for %v", el, tc.minWait)
			}
		})
	}
}

func TestRetryDelayBackoff(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/", nil, func(o *Options) { o.RetryBase = 100 * time.Millisecond })
	for attempt := 0; attempt < 12; attempt++ {
		d, ok := c.retryDelay(&Error{Kind: ErrServer, Status: 503}, attempt)
		step := min(100*time.Millisecond<<attempt, maxBackoff)
		if !ok || d < step/2 || d > step {
			t.Errorf("attempt %d: delay %v, want within [%v, %v]", attempt, d, step/2, step)
		}
	}
	for _, k := range []ErrorKind{ErrNotFound, ErrOTPRequired, ErrBadResponse, ErrConflict} {
		if _, ok := c.retryDelay(&Error{Kind: k}, 0); ok {
			t.Errorf("%v is retried", k)
		}
	}
	if _, ok := c.retryDelay(&Error{Kind: ErrServer, Status: 501}, 0); ok {
		t.Error("501 is retried")
	}
}

func TestRetryWaitHonoursContext(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "10")
		writeJSON(w, 503, `{}`)
	})
	c := newClient(t, f.URL, nil, func(o *Options) { o.MaxRetryAfter = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListStaged(ctx, "")
	if KindOf(err) != ErrTimeout {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the retry wait ignored the context")
	}
}

func TestRedirects(t *testing.T) {
	other := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.Write([]byte("tgz")) })
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/pkg/-/pkg-1.0.0.tgz":
			http.Redirect(w, r, other.URL+"/cdn/pkg-1.0.0.tgz", http.StatusFound)
		case "/same/x.tgz":
			http.Redirect(w, r, "/pkg2/x.tgz", http.StatusFound)
		case "/pkg2/x.tgz":
			w.Write([]byte("tgz2"))
		default:
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusTemporaryRedirect)
		}
	})
	auth := &prefixAuth{prefix: f.URL, header: "Bearer regtoken"}
	c := newClient(t, f.URL, auth, nil)
	ctx := context.Background()
	b, err := c.Tarball(ctx, f.URL+"/pkg/-/pkg-1.0.0.tgz", 0)
	if err != nil || string(b) != "tgz" {
		t.Fatalf("Tarball via redirect = %q, %v", b, err)
	}
	b, err = c.Tarball(ctx, f.URL+"/same/x.tgz", 0)
	if err != nil || string(b) != "tgz2" {
		t.Fatalf("same-host redirect = %q, %v", b, err)
	}
	if got := f.requests()[2].Header.Get("Authorization"); got != "Bearer regtoken" {
		t.Errorf("same-host redirect lost credentials: %q", got)
	}
	// An approve redirected elsewhere is not followed, so its OTP and token stay home.
	err = c.Approve(ctx, testID, "123456")
	if KindOf(err) != ErrBadResponse {
		t.Fatalf("redirected approve: %v", err)
	}
	for _, r := range other.requests() {
		if r.Header.Get("Authorization") != "" || r.Header.Get("Npm-Otp") != "" {
			t.Errorf("credentials sent to another host: %s %v", r.URI, r.Header)
		}
	}
	if n := len(other.requests()); n != 1 {
		t.Errorf("other host got %d requests, want only the tarball", n)
	}
}

func TestDowngradeRedirectRefused(t *testing.T) {
	plain := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.Write([]byte("x")) })
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x.tgz", http.StatusFound)
	}))
	defer tls.Close()
	c := newClient(t, tls.URL, nil, func(o *Options) { o.HTTPClient = tls.Client() })
	_, err := c.Tarball(context.Background(), tls.URL+"/x.tgz", 0)
	if KindOf(err) != ErrBadResponse || !strings.Contains(err.Error(), "downgrade") {
		t.Fatalf("err = %v", err)
	}
	if n := len(plain.requests()); n != 0 {
		t.Errorf("followed an https→http redirect")
	}
}

func TestWebAuthPolling(t *testing.T) {
	t.Run("202 with retry-after, then 200 token", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n < 2 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(202)
				w.Write([]byte(`{}`))
				return
			}
			writeJSON(w, 200, `{"token":"web-otp-token-1"}`)
		})
		auth := &prefixAuth{prefix: f.URL, header: "Bearer t"}
		c := newClient(t, f.URL, auth, func(o *Options) { o.PollInterval = 10 * time.Millisecond })
		otp, err := c.PollWebAuth(context.Background(), f.URL+"/-/v1/done?authId=abc")
		if err != nil || otp != "web-otp-token-1" {
			t.Fatalf("PollWebAuth = %q, %v", otp, err)
		}
		reqs := f.requests()
		if len(reqs) != 3 {
			t.Errorf("%d polls, want 3", len(reqs))
		}
		for _, r := range reqs {
			if r.URI != "/-/v1/done?authId=abc" || r.Header.Get("Authorization") != "Bearer t" {
				t.Errorf("poll %s with auth %q", r.URI, r.Header.Get("Authorization"))
			}
		}
	})
	t.Run("retry-after seconds are honoured", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(202)
				return
			}
			writeJSON(w, 200, `{"token":"tok"}`)
		})
		c := newClient(t, f.URL, nil, func(o *Options) { o.PollInterval = time.Millisecond })
		start := time.Now()
		if _, err := c.PollWebAuth(context.Background(), f.URL+"/done"); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el < time.Second {
			t.Errorf("polled again after %v, retry-after was 1s", el)
		}
	})
	t.Run("context cancel stops polling", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(202)
		})
		c := newClient(t, f.URL, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.PollWebAuth(ctx, f.URL+"/done")
		if KindOf(err) != ErrCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Error("cancel was not prompt")
		}
	})
	t.Run("own timeout reports still pending", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(202) })
		c := newClient(t, f.URL, nil, func(o *Options) {
			o.PollInterval = 10 * time.Millisecond
			o.WebAuthTimeout = 100 * time.Millisecond
		})
		_, err := c.PollWebAuth(context.Background(), f.URL+"/done")
		if KindOf(err) != ErrWebAuthPending {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   ErrorKind
	}{
		{"200 without token", 200, `{"ok":true}`, ErrBadResponse},
		{"200 token not a string", 200, `{"token":5}`, ErrBadResponse},
		{"200 not JSON", 200, `tok`, ErrBadResponse},
		{"403", 403, `{"error":"denied"}`, ErrForbidden},
		{"404", 404, `{}`, ErrNotFound},
		{"unexpected 204", 204, ``, ErrBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, tc.status, tc.body) })
			c := newClient(t, f.URL, nil, nil)
			_, err := c.PollWebAuth(context.Background(), f.URL+"/done")
			if KindOf(err) != tc.want {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSecretsNeverInErrors drives every error path with a registry that
// echoes the credentials and OTP back in bodies and headers, and checks
// that no error text or formatted value contains them.
func TestSecretsNeverInErrors(t *testing.T) {
	const token = "npm_S3cretT0kenValue"
	const otp = "918273"
	const webToken = "webauth-secret-token-xyz"
	echo := func(r *http.Request) string {
		return fmt.Sprintf("auth=%s otp=%s", r.Header.Get("Authorization"), r.Header.Get("Npm-Otp"))
	}
	statuses := []int{400, 401, 403, 404, 409, 422, 429, 500, 503, 307}
	for _, st := range statuses {
		for _, mode := range []string{"json", "text", "challenge"} {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				e := echo(r)
				w.Header().Set("Location", "http://x.invalid/"+e)
				switch mode {
				case "json":
					writeJSON(w, st, fmt.Sprintf(`{"error":%q,"authUrl":"http://h/%s","doneUrl":"http://h/d"}`, e, r.Header.Get("Npm-Otp")))
				case "text":
					w.WriteHeader(st)
					w.Write([]byte(e))
				case "challenge":
					w.Header().Set("WWW-Authenticate", "OTP "+e)
					writeJSON(w, st, `{"error":"one-time pass `+e+`"}`)
				}
			})
			for _, basic := range []bool{false, true} {
				hdr := "Bearer " + token
				if basic {
					hdr = "Basic bnBtdXNlcjpucG1fUzNjcmV0VDBrZW5WYWx1ZQ==" // npmuser:<token>
				}
				c := newClient(t, f.URL, &prefixAuth{prefix: f.URL, header: hdr}, func(o *Options) { o.MaxRetries = -1 })
				ctx := context.Background()
				errs := []error{
					c.Approve(ctx, testID, otp),
					c.Reject(ctx, testID, otp),
					func() error { _, err := c.ListStaged(ctx, ""); return err }(),
					func() error { _, err := c.Whoami(ctx); return err }(),
					func() error { _, err := c.StagePublish(ctx, []byte(`{}`), "p"); return err }(),
				}
				for _, err := range errs {
					if err == nil {
						t.Fatalf("status %d: no error", st)
					}
					checkNoSecret(t, err, token, otp, "bnBtdXNlcjpucG1f")
				}
			}
		}
	}
	// A web-auth token in a malformed success body never reaches an error.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, `{"token":"`+webToken+` with spaces"}`)
	})
	c := newClient(t, f.URL, nil, nil)
	_, err := c.PollWebAuth(context.Background(), f.URL+"/done")
	if err == nil {
		t.Fatal("a token with spaces was accepted")
	}
	checkNoSecret(t, err, webToken)
	// Network and invalid-argument errors do not carry the OTP either.
	dead := newClient(t, "http://127.0.0.1:1/", &prefixAuth{prefix: "http://127.0.0.1:1/", header: "Bearer " + token}, func(o *Options) { o.MaxRetries = -1 })
	checkNoSecret(t, dead.Approve(context.Background(), testID, otp), token, otp)
	checkNoSecret(t, dead.Approve(context.Background(), testID, otp+"\n"+otp), token, otp)
}

func checkNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var e *Error
	errors.As(err, &e)
	texts := []string{err.Error(), fmt.Sprintf("%v %+v %#v %s %q", err, err, err, err, err)}
	if e != nil {
		texts = append(texts, fmt.Sprintf("%#v", *e), e.Message, e.URL, e.AuthURL, e.DoneURL)
	}
	for _, s := range secrets {
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Errorf("secret %q leaked in %q", s, txt)
			}
		}
	}
}
