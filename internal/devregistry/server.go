// Package devregistry is an embedded npm registry with the staging API
// (npm stage publish/list/view/download/approve/reject): packuments,
// tarballs, npm publish, a stage queue with TOTP (RFC 6238) or web-auth 2FA
// on approve and reject, a maintainer token and a stage-only CI token. It
// backs `stagegate registry`, `stagegate demo` and the end-to-end tests, and
// the real npm CLI works against it unmodified.
//
// State lives in memory, or with Options.DataDir in a JSON state file and
// content-addressed tarball files written atomically. Tokens and the TOTP
// secret are never written to disk: pass them again (--token,
// --totp-secret) after a restart, or new ones are generated.
//
// A TOTP code may be used any number of times within its validity window
// (±1 step of 30 s): pnpm's batch approval reuses one code for several
// approvals, and a local dev registry has no replay to defend against.
//
// Deliberate simplifications, for a single-user loopback registry:
//   - npm publish (PUT) needs the maintainer token but no OTP, like a
//     granular token with 2FA bypass; staging never needs 2FA, as on npmjs.
//   - Legacy login (PUT /-/user/org.couchdb.user:NAME) returns the
//     maintainer token for the configured user with any password.
//   - Staging a new package publishes no "0.0.0-stage" placeholder; its
//     packument is 404 until a version is approved.
//   - The web-auth page is reached by its unguessable session URL alone;
//     doneUrl needs the maintainer token, and the token it issues is valid
//     once, for the one stage id and operation that raised the challenge.
package devregistry

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. Zero values are usable: tokens and the TOTP
// secret are generated, state is kept in memory.
type Options struct {
	// Token is the maintainer's token: it may do everything. Generated if "".
	Token string
	// CIToken may stage and read, never publish, approve or reject. Generated if "".
	CIToken string
	// TOTPSecret is the base32 secret of the maintainer's authenticator. Generated if "".
	TOTPSecret string
	// WebAuth adds authUrl/doneUrl to OTP challenges (npm's web 2FA flow).
	WebAuth bool
	// DataDir persists state and tarballs; "" keeps everything in memory.
	DataDir string
	// Now is the clock (tests); time.Now if nil.
	Now func() time.Time
	// PublicURL is the base URL written into tarball, authUrl and doneUrl
	// links; else the listener's URL, else the request's Host.
	PublicURL string
	// RecordAuth, a test hook, sees each request's raw Authorization header.
	// It must not log it.
	RecordAuth func(method, path, authorization string)
	// Logger receives one line per request, without secrets. nil: no logging.
	Logger *slog.Logger
	// Username is the maintainer's name (whoami, _npmUser, actor). Default "maintainer".
	Username string
	// CIActor is the actor name recorded for the CI token. Default "ci".
	CIActor string
}

// Server is the registry. Create it with New; it is safe for concurrent use.
type Server struct {
	opts    Options
	store   *store
	handler http.Handler

	mu  sync.Mutex // guards st and web
	st  *state
	web map[string]*webSession

	posture postureState // release posture routes (posture.go), own lock

	// netMu guards the listener fields; it is separate from mu because
	// handlers holding mu build URLs from them.
	netMu sync.Mutex
	url   string // set by Listen
	ln    net.Listener
	srv   *http.Server
	close sync.Once
}

// New returns a Server, loading DataDir's state if there is one.
func New(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Username == "" {
		opts.Username = "maintainer"
	}
	if opts.CIActor == "" {
		opts.CIActor = "ci"
	}
	var err error
	if opts.Token == "" {
		if opts.Token, err = newToken(); err != nil {
			return nil, err
		}
	}
	if opts.CIToken == "" {
		if opts.CIToken, err = newToken(); err != nil {
			return nil, err
		}
	}
	if opts.Token == opts.CIToken {
		return nil, errors.New("devregistry: the CI token must differ from the maintainer token")
	}
	if opts.TOTPSecret == "" {
		b := make([]byte, 20)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		opts.TOTPSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	} else {
		opts.TOTPSecret = strings.ToUpper(strings.ReplaceAll(opts.TOTPSecret, " ", ""))
		if _, err := decodeSecret(opts.TOTPSecret); err != nil {
			return nil, errors.New("devregistry: the TOTP secret is not valid base32")
		}
	}
	if opts.PublicURL != "" {
		opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	}
	s := &Server{opts: opts, web: map[string]*webSession{}}
	if s.store, err = newStore(opts.DataDir); err != nil {
		return nil, err
	}
	if s.st, err = s.store.load(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "npm_" + hex.EncodeToString(b), nil
}

// Handler serves the registry API.
func (s *Server) Handler() http.Handler { return s.handler }

// Token is the maintainer token.
func (s *Server) Token() string { return s.opts.Token }

// CIToken is the stage-only CI token.
func (s *Server) CIToken() string { return s.opts.CIToken }

// TOTPSecret is the base32 TOTP secret.
func (s *Server) TOTPSecret() string { return s.opts.TOTPSecret }

// Username is the maintainer's user name.
func (s *Server) Username() string { return s.opts.Username }

// Listen binds addr (e.g. "127.0.0.1:0") and returns the registry URL with
// a trailing slash. Call Serve to accept connections.
func (s *Server) Listen(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	u := "http://" + ln.Addr().String()
	s.netMu.Lock()
	s.ln, s.url = ln, u
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	s.netMu.Unlock()
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL + "/", nil
	}
	return u + "/", nil
}

// Serve accepts connections on the Listen listener until Close. It returns
// nil after Close.
func (s *Server) Serve() error {
	s.netMu.Lock()
	srv, ln := s.srv, s.ln
	s.netMu.Unlock()
	if srv == nil {
		return errors.New("devregistry: Serve before Listen")
	}
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server, letting requests in flight finish for up to 1 s.
func (s *Server) Close() error {
	var err error
	s.close.Do(func() {
		s.netMu.Lock()
		srv := s.srv
		s.netMu.Unlock()
		if srv == nil {
			return
		}
		// Requests in flight get a moment to finish; then the rest is cut.
		// Shutdown alone would wait 5 s for any connection that was opened
		// but never sent a request (net/http counts those as active).
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err = srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
	})
	return err
}

// Start listens on addr, serves in the background until ctx is done, and
// returns the URL once connections are accepted.
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	u, err := s.Listen(addr)
	if err != nil {
		return "", err
	}
	go func() { _ = s.Serve() }()
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	return u, nil
}

// baseURL is the URL links in responses point at, without a trailing slash.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	s.netMu.Lock()
	u := s.url
	s.netMu.Unlock()
	if u != "" {
		return u
	}
	return "http://" + r.Host
}

// logRequest writes one line per request: method, a redacted path, status
// and duration. Headers and query strings (which may carry session ids)
// are never logged.
func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	if s.opts.Logger == nil {
		return
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/-/weblogin/") {
		p = "/-/weblogin/<redacted>"
	}
	s.opts.Logger.Info("request", "method", r.Method, "path", p, "status", status, "ms", d.Milliseconds())
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
