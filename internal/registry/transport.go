package registry

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// request is one logical call; do may send it several times if it is a GET.
type request struct {
	method      string
	url         string
	body        []byte
	contentType string
	accept      string // default "*/*", what npm's fetch sends
	command     string // npm-command
	otp         string
	maxBytes    int64
	// expectBody makes an empty 2xx body an error (npm's .json() fails on it).
	expectBody bool
	// progress, if set, hears the bytes received of a 2xx body.
	progress ProgressFunc
}

// ProgressFunc hears how many bytes of a download have arrived and how many
// are expected (0 when the registry did not say). It is called on the
// goroutine that reads the body.
type ProgressFunc func(done, total int64)

// countingReader reports bytes read from the wire to a ProgressFunc.
type countingReader struct {
	r     io.Reader
	done  int64
	total int64
	fn    ProgressFunc
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.done += int64(n)
		c.fn(c.done, c.total)
	}
	return n, err
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// maxBackoff caps one exponential backoff step.
const maxBackoff = 10 * time.Second

// do sends r, retrying idempotent GETs on 5xx, 408, 429 and network
// errors. POST and DELETE are sent once: a retry could approve twice or
// hide an unknown outcome.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, r)
		if err == nil {
			return resp, nil
		}
		if r.method != http.MethodGet || attempt >= c.opts.MaxRetries || ctx.Err() != nil {
			return nil, err
		}
		wait, ok := c.retryDelay(err, attempt)
		if !ok {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, c.transportError(ctx, ctx, r, ctx.Err(), false)
		case <-t.C:
		}
	}
}

// retryDelay decides whether err is worth another GET and how long to wait.
func (c *Client) retryDelay(err *Error, attempt int) (time.Duration, bool) {
	switch err.Kind {
	case ErrRateLimited, ErrServer, ErrNetwork, ErrTimeout:
	default:
		return 0, false
	}
	if err.Status == http.StatusNotImplemented || err.Status == http.StatusHTTPVersionNotSupported {
		return 0, false
	}
	if err.RetryAfter > 0 {
		// Waiting less than asked is pointless; waiting longer than the cap
		// would freeze the UI, so the caller gets the error and RetryAfter.
		if err.RetryAfter > c.opts.MaxRetryAfter {
			return 0, false
		}
		return err.RetryAfter, true
	}
	d := c.opts.RetryBase << attempt
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	// Equal jitter: spread clients that failed together without ever
	// waiting less than half the step.
	half := d / 2
	return half + rand.N(half+1), true
}

// once sends r one time and reads the whole body within the per-request timeout.
func (c *Client) once(ctx context.Context, r request) (*response, *Error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var sent atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent.Store(true) },
	})
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url, body)
	if err != nil {
		return nil, &Error{Kind: ErrInvalid, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry, Message: "cannot build the request", Err: err}
	}
	var authHeader string
	if c.auth != nil {
		authHeader = c.auth.AuthHeader(r.url)
	}
	if !validHeaderValue(authHeader) {
		// net/http would refuse it as an "invalid header field value",
		// which reads like a network problem.
		return nil, &Error{Kind: ErrNotLoggedIn, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry, malformedToken: true}
	}
	red := newRedactor(authHeader, r.otp)
	h := req.Header
	h.Set("User-Agent", c.ua)
	h.Set("Npm-Auth-Type", c.authType)
	if r.command != "" {
		h.Set("Npm-Command", r.command)
	}
	if authHeader != "" {
		h.Set("Authorization", authHeader)
	}
	if r.otp != "" {
		h.Set("Npm-Otp", r.otp)
	}
	accept := r.accept
	if accept == "" {
		accept = "*/*"
	}
	h.Set("Accept", accept)
	// Set explicitly (as npm does) so this client decodes, and caps, the
	// decompressed size itself.
	h.Set("Accept-Encoding", "gzip,deflate")
	if r.body != nil && r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, actx, r, err, sent.Load())
	}
	defer resp.Body.Close()

	max := r.maxBytes
	if resp.StatusCode >= 300 {
		max = maxErrorBody
	}
	if r.progress != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		resp.Body = readCloser{&countingReader{r: resp.Body, total: max64(resp.ContentLength, 0), fn: r.progress}, resp.Body}
	}
	data, rerr := readBody(resp, max)
	if resp.StatusCode >= 300 || resp.StatusCode < 200 {
		// An error body that cannot be read fully still classifies by status.
		return nil, c.statusError(r, resp, data, red, authHeader == "")
	}
	if rerr != nil {
		e := c.transportError(ctx, actx, r, rerr, true)
		if errors.Is(rerr, errTooLarge) {
			e.Kind = ErrTooLarge
			e.Message = fmt.Sprintf("the body exceeds the limit of %d bytes", max)
		} else if errors.Is(rerr, errBadEncoding) {
			e.Kind = ErrBadResponse
			e.Message = sanitize(red.apply(rerr.Error()), maxMessage)
		}
		e.Status = resp.StatusCode
		return nil, e
	}
	if r.expectBody && len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Kind: ErrBadResponse, Status: resp.StatusCode, Method: r.method, URL: stripUserinfo(r.url),
			Registry: c.registry, Sent: true, Message: "the response has no JSON body"}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// transportError classifies a failure with no usable response.
func (c *Client) transportError(ctx, actx context.Context, r request, err error, sent bool) *Error {
	e := &Error{Kind: ErrNetwork, Method: r.method, URL: stripUserinfo(r.url), Registry: c.registry, Sent: sent, Err: err}
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		e.Kind = ErrCanceled
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e.Kind = ErrTimeout
		}
		e.Err = ctx.Err()
	case actx.Err() != nil:
		e.Kind = ErrTimeout
		e.Message = "no complete answer within " + c.opts.Timeout.String()
	case errors.Is(err, errRedirectRefused):
		e.Kind = ErrBadResponse
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Message = sanitize(err.Error(), maxMessage)
	case errors.As(err, &ne) && ne.Timeout():
		e.Kind = ErrTimeout
	}
	return e
}

// statusError classifies a non-2xx response.
func (c *Client) statusError(r request, resp *http.Response, body []byte, red redactor, noAuth bool) *Error {
	body = []byte(red.apply(string(body)))
	msg, authURL, doneURL := parseErrorBody(body)
	e := &Error{
		Status:   resp.StatusCode,
		Method:   r.method,
		URL:      stripUserinfo(r.url),
		Message:  red.apply(msg),
		Registry: c.registry,
		Sent:     true,
	}
	st := resp.StatusCode
	switch {
	case st == http.StatusUnauthorized:
		otp, ip := isOTPChallenge(resp.Header, body, authURL, doneURL)
		switch {
		case ip:
			e.Kind = ErrForbidden
			if e.Message == "" {
				e.Message = "login is not allowed from your IP address"
			}
		case otp:
			e.Kind = ErrOTPRequired
			if r.otp != "" {
				e.Kind = ErrOTPRejected
			}
			e.AuthURL, e.DoneURL = authURL, doneURL
			e.Message = plainOTPMessage(e.Kind, e.Message)
		default:
			e.Kind = ErrNotLoggedIn
			e.noCredentials = noAuth
		}
	case st == http.StatusForbidden:
		e.Kind = ErrForbidden
	case st == http.StatusNotFound || st == http.StatusGone:
		e.Kind = ErrNotFound
	case st == http.StatusConflict:
		e.Kind = ErrConflict
	case st == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case st == http.StatusRequestTimeout:
		e.Kind = ErrTimeout
	case st >= 500:
		e.Kind = ErrServer
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case st >= 400:
		e.Kind = ErrBadRequest
	default:
		e.Kind = ErrBadResponse
		if st >= 300 && st < 400 {
			loc := resp.Header.Get("Location")
			e.Message = "unexpected redirect"
			if loc != "" {
				e.Message += " to " + sanitize(stripUserinfo(red.apply(loc)), 200)
			}
		}
	}
	return e
}

var (
	errTooLarge    = errors.New("body too large")
	errBadEncoding = errors.New("unsupported or corrupt content-encoding")
)

// readBody reads at most max decoded bytes of resp's body.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	var r io.Reader = resp.Body
	switch enc {
	case "", "identity":
		if resp.ContentLength > max {
			return nil, errTooLarge
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, fmt.Errorf("%w: gzip: %v", errBadEncoding, err)
		}
		defer zr.Close()
		r = zr
	case "deflate":
		// HTTP deflate is zlib-wrapped, but some servers send raw deflate.
		br := bufio.NewReader(resp.Body)
		hdr, _ := br.Peek(2)
		if len(hdr) == 0 {
			return nil, nil
		}
		if len(hdr) == 2 && hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("%w: deflate: %v", errBadEncoding, err)
			}
			defer zr.Close()
			r = zr
		} else {
			fr := flate.NewReader(br)
			defer fr.Close()
			r = fr
		}
	default:
		return nil, fmt.Errorf("%w: %q", errBadEncoding, sanitize(enc, 40))
	}
	hint := int64(-1)
	if enc == "" || enc == "identity" {
		hint = resp.ContentLength
	}
	data, err := readCapped(r, max, hint)
	if errors.Is(err, errTooLarge) {
		return nil, err
	}
	if err != nil {
		var fe flate.CorruptInputError
		if errors.As(err, &fe) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
			errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrHeader) {
			return data, fmt.Errorf("%w: %v", errBadEncoding, err)
		}
		return data, err
	}
	return data, nil
}

// readChunk is the unit readCapped reads an unknown-length body in.
const readChunk = 256 << 10

// readCapped reads r to EOF, at most max bytes, keeping peak memory near
// the size of the body (or of max, for a body that is too large): a known
// length (hint >= 0) is read into one buffer of that size; otherwise the
// body is read in fixed chunks that are joined once at the end, instead of
// a doubling buffer, which for a body at the cap holds up to 2.25 times it
// while copying. More than max bytes is errTooLarge and returns no data.
func readCapped(r io.Reader, max, hint int64) ([]byte, error) {
	if hint >= 0 && hint <= max {
		buf := make([]byte, hint)
		n, err := io.ReadFull(r, buf)
		switch {
		case err == nil:
			// The length was honest so far; a longer body is still caught.
			var one [1]byte
			if m, _ := io.ReadFull(r, one[:]); m > 0 {
				return nil, errTooLarge
			}
			return buf, nil
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return buf[:n], io.ErrUnexpectedEOF
		default:
			return buf[:n], err
		}
	}
	var chunks [][]byte
	var total int64
	var err error
	for {
		size := int64(readChunk)
		if rest := max + 1 - total; rest < size {
			size = rest
		}
		c := make([]byte, size)
		n, rerr := io.ReadFull(r, c)
		if n > 0 {
			chunks = append(chunks, c[:n])
			total += int64(n)
		}
		if total > max {
			return nil, errTooLarge
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
				err = rerr
			}
			break
		}
	}
	if len(chunks) == 1 {
		return chunks[0], err
	}
	data := make([]byte, 0, total)
	for i, c := range chunks {
		data = append(data, c...)
		chunks[i] = nil
	}
	return data, err
}

// decodeJSON unmarshals a response, turning a failure into ErrBadResponse.
func (c *Client) decodeJSON(r request, resp *response, v any) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: stripUserinfo(r.url),
			Registry: c.registry, Sent: true, Message: "invalid JSON: " + sanitize(err.Error(), 200), Err: err}
	}
	return nil
}

// readCloser pairs a wrapping reader with the body it must still close.
type readCloser struct {
	io.Reader
	io.Closer
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
