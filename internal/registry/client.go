package registry

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// DefaultRegistry is npm's default registry.
const DefaultRegistry = "https://registry.npmjs.org/"

// Defaults applied by New for zero Options fields.
const (
	DefaultTimeout         = 5 * time.Minute // npm's fetch-timeout
	DefaultMaxRetries      = 2               // npm's fetch-retries
	DefaultRetryBase       = 500 * time.Millisecond
	DefaultMaxRetryAfter   = 30 * time.Second
	DefaultMaxTarballBytes = 256 << 20
	DefaultMaxJSONBytes    = 256 << 20 // the largest full packuments are tens of MB
	DefaultMaxPages        = 1000      // pnpm's cap; npm has none
	DefaultMaxListItems    = 20000     // a queue larger than this is a registry bug or an attack
	// MaxStageItemBytes caps the JSON answer of one stage item (view) and of
	// approve and stage publish: a stage record is a few hundred bytes.
	MaxStageItemBytes = 1 << 20
	// MaxListPageBytes caps one page of the stage list (PerPage items).
	MaxListPageBytes      = 8 << 20
	DefaultWebAuthTimeout = 5 * time.Minute
	DefaultPollInterval   = time.Second
)

// Authorizer returns the value of the authorization header for a request
// to url ("Bearer …" or "Basic …"), or "" to send none. internal/npmrc's
// Config implements it with npm's nerf-dart lookup rules.
type Authorizer interface {
	AuthHeader(url string) string
}

// Options configure a Client. Zero values take the defaults above.
type Options struct {
	// Registry is the base URL; a path prefix is kept ("https://h/p/" →
	// "https://h/p/-/stage"). Default DefaultRegistry.
	Registry string
	// Auth supplies credentials per URL; nil sends none.
	Auth Authorizer
	// UserAgent defaults to DefaultUserAgent("").
	UserAgent string
	// Timeout bounds each request attempt, body included. Default 5m.
	Timeout time.Duration
	// HTTPClient is used for transport; its CheckRedirect is replaced by
	// a policy that never forwards credentials or OTPs to another host.
	HTTPClient *http.Client
	// MaxRetries is the number of retries of an idempotent GET after a 5xx,
	// 408, 429 or network error: 0 means DefaultMaxRetries, negative none.
	MaxRetries int
	// RetryBase is the first backoff delay; it doubles per retry, with jitter.
	RetryBase time.Duration
	// MaxRetryAfter caps the retry-after the client will wait before
	// retrying; a longer one ends the call with ErrRateLimited carrying RetryAfter.
	MaxRetryAfter time.Duration
	// AuthType is the npm-auth-type header, default "web". npm sends
	// "legacy" for a whole command when --otp is given up front: set it so
	// (or use WithAuthType) to behave the same.
	AuthType string
	// MaxTarballBytes caps StagedTarball and Tarball (when maxBytes <= 0).
	MaxTarballBytes int64
	// MaxJSONBytes caps JSON responses (packuments, lists).
	MaxJSONBytes int64
	// MaxPages caps ListStaged's pages of 100.
	MaxPages int
	// MaxListItems caps the items ListStaged collects over all pages.
	MaxListItems int
	// WebAuthTimeout bounds PollWebAuth when ctx has no deadline.
	WebAuthTimeout time.Duration
	// PollInterval is PollWebAuth's wait when a 202 has no retry-after.
	PollInterval time.Duration
}

// Client talks to one registry. It is safe for concurrent use and holds
// no mutable state.
type Client struct {
	base     string // registry without trailing slash
	registry string // registry with trailing slash, for messages
	auth     Authorizer
	ua       string
	authType string
	hc       *http.Client
	opts     Options
}

// DefaultUserAgent is "stagegate/<version> (+npm-compatible) <go> <os> <arch>".
// An empty version uses the module's build version.
func DefaultUserAgent(version string) string {
	if version == "" {
		version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = strings.TrimPrefix(bi.Main.Version, "v")
		}
	}
	return fmt.Sprintf("stagegate/%s (+npm-compatible) %s %s %s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// New validates opts and returns a Client.
func New(opts Options) (*Client, error) {
	reg := strings.TrimSpace(opts.Registry)
	if reg == "" {
		reg = DefaultRegistry
	}
	u, err := url.Parse(reg)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Kind: ErrInvalid, Message: fmt.Sprintf("registry %q is not an http(s) URL", sanitize(stripUserinfo(reg), 200))}
	}
	if u.User != nil {
		// Secrets in URLs end up in logs and error messages; npm keeps them in .npmrc.
		return nil, &Error{Kind: ErrInvalid, Message: "the registry URL must not contain credentials: put them in .npmrc (//host/:_authToken)"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &Error{Kind: ErrInvalid, Message: fmt.Sprintf("registry %q must not have a query or fragment", sanitize(reg, 200))}
	}
	o := opts
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent("")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.AuthType == "" {
		o.AuthType = "web"
	}
	if o.MaxTarballBytes <= 0 {
		o.MaxTarballBytes = DefaultMaxTarballBytes
	}
	if o.MaxJSONBytes <= 0 {
		o.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxListItems <= 0 {
		o.MaxListItems = DefaultMaxListItems
	}
	if o.WebAuthTimeout <= 0 {
		o.WebAuthTimeout = DefaultWebAuthTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	base := strings.TrimRight(u.String(), "/")
	c := &Client{
		base:     base,
		registry: base + "/",
		auth:     o.Auth,
		ua:       o.UserAgent,
		authType: o.AuthType,
		opts:     o,
	}
	hc := http.Client{}
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	}
	hc.CheckRedirect = c.checkRedirect
	c.hc = &hc
	return c, nil
}

// jsonCap is the cap for a JSON route whose answer is at most routeMax:
// routeMax, or MaxJSONBytes when that is smaller.
func (c *Client) jsonCap(routeMax int64) int64 {
	if c.opts.MaxJSONBytes < routeMax {
		return c.opts.MaxJSONBytes
	}
	return routeMax
}

// Registry returns the registry base URL with a trailing slash.
func (c *Client) Registry() string { return c.registry }

// WithAuthType returns a copy of c that sends npm-auth-type t, e.g.
// "legacy" for a command run with --otp, as npm does.
func (c *Client) WithAuthType(t string) *Client {
	cp := *c
	if t == "" {
		t = "web"
	}
	cp.authType = t
	hc := *c.hc
	hc.CheckRedirect = cp.checkRedirect
	cp.hc = &hc
	return &cp
}

// url joins a registry-relative path the way npm-registry-fetch does.
func (c *Client) url(path string) string {
	return c.base + "/" + strings.TrimLeft(path, "/")
}

// errRedirectRefused explains why a redirect was not followed.
var errRedirectRefused = errors.New("redirect refused")

// checkRedirect follows redirects of GETs only. npm-otp never crosses
// hosts and authorization is recomputed for the new URL, so a packument
// or tarball redirect to a CDN cannot carry the registry token away; a
// downgrade from https to http is refused.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0]
	if first.Method != http.MethodGet {
		return http.ErrUseLastResponse
	}
	if len(via) >= 10 {
		return fmt.Errorf("%w: more than 10 redirects", errRedirectRefused)
	}
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: https to %s downgrade", errRedirectRefused, req.URL.Scheme)
	}
	if req.URL.User != nil {
		return fmt.Errorf("%w: credentials in redirect target", errRedirectRefused)
	}
	if !strings.EqualFold(req.URL.Host, first.URL.Host) {
		req.Header.Del("Npm-Otp")
	}
	req.Header.Del("Authorization")
	if c.auth != nil {
		if a := c.auth.AuthHeader(req.URL.String()); a != "" {
			req.Header.Set("Authorization", a)
		}
	}
	return nil
}
