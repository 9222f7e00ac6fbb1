package registry

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Packument fetches the full package document (GET /{escapedName} with
// accept: application/json, as npm's publish checks do; not the
// abbreviated install document, which lacks time and _npmUser).
func (c *Client) Packument(ctx context.Context, name string) (*Packument, error) {
	esc, err := EscapeName(name)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodGet, url: c.url("/" + esc), accept: "application/json", command: stageCommand,
		maxBytes: c.opts.MaxJSONBytes, expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var p Packument
	if err := c.decodeJSON(r, resp, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// checkAbsURL accepts only absolute http(s) URLs without credentials.
func checkAbsURL(raw, what string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("%s %q is not an absolute http(s) URL", what, sanitize(stripUserinfo(raw), 200))
	}
	if u.User != nil {
		return invalid("%s %q must not contain credentials", what, sanitize(stripUserinfo(raw), 200))
	}
	return nil
}

// Tarball downloads a published tarball from an absolute URL (a
// packument's dist.tarball), at most maxBytes (Options.MaxTarballBytes
// when maxBytes <= 0). Credentials are whatever the Authorizer gives for
// that exact URL, so a tarball on another host gets none unless configured.
func (c *Client) Tarball(ctx context.Context, tarballURL string, maxBytes int64) ([]byte, error) {
	return c.TarballProgress(ctx, tarballURL, maxBytes, nil)
}

// TarballProgress is Tarball reporting bytes received to fn (may be nil).
func (c *Client) TarballProgress(ctx context.Context, tarballURL string, maxBytes int64, fn ProgressFunc) ([]byte, error) {
	if err := checkAbsURL(tarballURL, "tarball URL"); err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = c.opts.MaxTarballBytes
	}
	r := request{method: http.MethodGet, url: tarballURL, command: stageCommand, maxBytes: maxBytes, progress: fn}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}

// Whoami returns the username the registry associates with the
// credentials (GET /-/whoami → {"username": …}).
func (c *Client) Whoami(ctx context.Context) (string, error) {
	r := request{method: http.MethodGet, url: c.url("/-/whoami"), command: "whoami", maxBytes: maxErrorBody, expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	var out struct {
		Username any `json:"username"`
	}
	if err := c.decodeJSON(r, resp, &out); err != nil {
		return "", err
	}
	s, ok := out.Username.(string)
	if !ok || s == "" {
		// npm's getIdentity: a token the registry does not tie to a user is not a login.
		return "", &Error{Kind: ErrNotLoggedIn, Status: resp.status, Method: r.method, URL: r.url, Registry: c.registry, Sent: true,
			Message: "the registry returned no username"}
	}
	return s, nil
}

// Ping checks that the registry answers (GET /-/ping); any 2xx is success.
func (c *Client) Ping(ctx context.Context) error {
	r := request{method: http.MethodGet, url: c.url("/-/ping"), command: "ping", maxBytes: maxErrorBody}
	_, err := c.do(ctx, r)
	if err != nil && KindOf(err) == ErrTooLarge {
		return nil
	}
	return err
}

// PollWebAuth waits for browser authentication to finish, as npm-profile's
// webAuthCheckLogin does: GET doneURL; 202 means pending (wait retry-after
// seconds, or Options.PollInterval when it is missing or 0, where npm would
// spin); 200 {"token"} returns the token, which is the OTP for the retried
// request. It stops with ctx, or after Options.WebAuthTimeout when ctx has
// no deadline (ErrWebAuthPending). The token is never logged or put in an error.
func (c *Client) PollWebAuth(ctx context.Context, doneURL string) (string, error) {
	if err := checkAbsURL(doneURL, "web authentication URL"); err != nil {
		return "", err
	}
	pctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, c.opts.WebAuthTimeout)
		defer cancel()
	}
	r := request{method: http.MethodGet, url: doneURL, command: stageCommand, maxBytes: maxErrorBody}
	for {
		resp, err := c.do(pctx, r)
		if err != nil {
			return "", c.pollStopped(ctx, pctx, r, err)
		}
		switch resp.status {
		case http.StatusOK:
			var out struct {
				Token any `json:"token"`
			}
			if err := c.decodeJSON(r, resp, &out); err != nil {
				// decodeJSON's message quotes no body text, so no token leaks.
				return "", err
			}
			tok, _ := out.Token.(string)
			if tok, err = checkOTP(tok); err != nil || tok == "" {
				return "", &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry,
					Sent: true, Message: "web authentication finished without a usable token"}
			}
			return tok, nil
		case http.StatusAccepted:
			wait := parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
			if wait <= 0 {
				wait = c.opts.PollInterval
			}
			if wait > time.Minute {
				wait = time.Minute
			}
			t := time.NewTimer(wait)
			select {
			case <-pctx.Done():
				t.Stop()
				return "", c.pollStopped(ctx, pctx, r, pctx.Err())
			case <-t.C:
			}
		default:
			return "", &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry,
				Sent: true, Message: "web authentication answered with an unexpected status"}
		}
	}
}

// pollStopped reports why polling ended: the caller's ctx, our own
// WebAuthTimeout (still pending), or a registry error.
func (c *Client) pollStopped(ctx, pctx context.Context, r request, err error) error {
	if ctx.Err() == nil && pctx.Err() != nil {
		return &Error{Kind: ErrWebAuthPending, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry, Err: pctx.Err(),
			Message: "not completed within " + c.opts.WebAuthTimeout.String()}
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	return c.transportError(ctx, pctx, r, err, false)
}
