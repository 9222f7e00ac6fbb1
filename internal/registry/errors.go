package registry

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrorKind classifies a registry failure so callers can act on it (prompt
// for an OTP, suggest `npm login`, verify an approval whose outcome is
// unknown) without parsing messages. A kind is itself an error so that
// errors.Is(err, registry.ErrOTPRequired) works.
type ErrorKind int

// The kinds of Error. KindNone is what KindOf returns for nil or for an
// error that did not come from this package.
const (
	KindNone ErrorKind = iota
	// ErrNotLoggedIn: a 401 without an OTP challenge, or no credentials.
	ErrNotLoggedIn
	// ErrOTPRequired: a 401 OTP challenge (www-authenticate: otp, a body
	// mentioning "one-time pass", or an authUrl+doneUrl body) to a request
	// that carried no OTP.
	ErrOTPRequired
	// ErrOTPRejected: an OTP challenge to a request that did carry an OTP.
	ErrOTPRejected
	// ErrWebAuthPending: web authentication was still pending when polling stopped.
	ErrWebAuthPending
	// ErrForbidden: 403, or a 401 refusing the client's IP address.
	ErrForbidden
	// ErrNotFound: 404 or 410.
	ErrNotFound
	// ErrConflict: 409 (version already published or staged).
	ErrConflict
	// ErrRateLimited: 429.
	ErrRateLimited
	// ErrServer: 5xx.
	ErrServer
	// ErrNetwork: the registry could not be reached or the connection broke.
	ErrNetwork
	// ErrBadResponse: a response this client cannot use (bad JSON, missing
	// body, unexpected status or redirect).
	ErrBadResponse
	// ErrTimeout: the per-request timeout or the context deadline expired.
	ErrTimeout
	// ErrCanceled: the caller's context was canceled.
	ErrCanceled
	// ErrBadRequest: another 4xx (400, 405, 413, 422, …).
	ErrBadRequest
	// ErrTooLarge: a response body exceeded its size limit.
	ErrTooLarge
	// ErrInvalid: an argument was refused before anything was sent
	// (a stage id that is not a UUID, an invalid package name or URL).
	ErrInvalid
)

var kindNames = [...]string{
	KindNone:          "none",
	ErrNotLoggedIn:    "not logged in",
	ErrOTPRequired:    "one-time password required",
	ErrOTPRejected:    "one-time password rejected",
	ErrWebAuthPending: "web authentication pending",
	ErrForbidden:      "forbidden",
	ErrNotFound:       "not found",
	ErrConflict:       "conflict",
	ErrRateLimited:    "rate limited",
	ErrServer:         "registry server error",
	ErrNetwork:        "network error",
	ErrBadResponse:    "bad response",
	ErrTimeout:        "timeout",
	ErrCanceled:       "canceled",
	ErrBadRequest:     "request refused",
	ErrTooLarge:       "response too large",
	ErrInvalid:        "invalid argument",
}

// String names the kind.
func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Error makes a kind usable as an errors.Is target.
func (k ErrorKind) Error() string { return "registry: " + k.String() }

// KindOf returns the kind of the first *Error in err's chain, or KindNone.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindNone
}

// IsNotFound reports whether err is a registry 404/410 (an unknown stage
// id or package).
func IsNotFound(err error) bool { return KindOf(err) == ErrNotFound }

// IsOTPChallenge reports whether err asks for a (new) one-time password.
func IsOTPChallenge(err error) bool {
	k := KindOf(err)
	return k == ErrOTPRequired || k == ErrOTPRejected
}

// Error is every failure returned by Client. It never holds a token or an
// OTP: messages are redacted when the Error is built, and URLs lose their
// userinfo.
type Error struct {
	Kind   ErrorKind
	Status int // HTTP status; 0 when no response was received
	Method string
	URL    string // without credentials
	// Message is the registry's body.error (sanitized, length-capped) or,
	// for failures detected on this side, a short description.
	Message string
	// AuthURL and DoneURL come from a web-auth (authUrl/doneUrl) challenge body.
	AuthURL, DoneURL string
	// RetryAfter is the registry's retry-after, when it sent one.
	RetryAfter time.Duration
	// Sent reports that the request may have reached the server (its
	// headers were written). With a timeout or network error on a POST or
	// DELETE this means the outcome is unknown.
	Sent bool
	// Registry is the registry base URL, for actionable hints.
	Registry string
	// Err is the underlying cause (network error, context error, JSON error).
	Err error

	noCredentials bool
	// malformedToken: the configured credential holds a line break or
	// another control character, so no request was sent.
	malformedToken bool
}

// validHeaderValue reports whether v can be sent as an HTTP header value
// (RFC 9110 field-value: no CR, LF, NUL or other control bytes but tab).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// plainOTPMessage replaces the registry's generic one-time password text
// (npm's "pass --otp=<code> to the command you ran", which fits neither
// the dashboard nor stagegate's own flags) with plain words; any other
// message is kept.
func plainOTPMessage(kind ErrorKind, msg string) string {
	l := strings.ToLower(msg)
	if msg != "" && !strings.Contains(l, "one-time pass") && !strings.Contains(l, "--otp") && !strings.Contains(l, "command you ran") {
		return msg
	}
	if kind == ErrOTPRejected {
		return "it may be mistyped or expired (codes change every 30 seconds); enter a fresh code"
	}
	return "enter the code from your authenticator app"
}

// Is matches an ErrorKind target: errors.Is(err, registry.ErrNotFound).
func (e *Error) Is(target error) bool {
	k, ok := target.(ErrorKind)
	return ok && k == e.Kind
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// OutcomeUnknown reports whether a state-changing request may or may not
// have taken effect: it was sent, and no clear answer came back (no
// response, a 2xx whose body was unusable, or a 5xx that a proxy may have
// produced after the registry acted).
func (e *Error) OutcomeUnknown() bool {
	if !e.Sent {
		return false
	}
	switch e.Kind {
	case ErrTimeout, ErrNetwork, ErrCanceled, ErrBadResponse, ErrTooLarge:
		return e.Status == 0 || e.Status < 300 || e.Status >= 500
	case ErrServer:
		return true
	}
	return false
}

func (e *Error) where() string {
	if e.URL == "" {
		return e.Method
	}
	return strings.TrimSpace(e.Method + " " + e.URL)
}

func (e *Error) status() string {
	if e.Status == 0 {
		return ""
	}
	t := http.StatusText(e.Status)
	if t == "" {
		return strconv.Itoa(e.Status)
	}
	return strconv.Itoa(e.Status) + " " + t
}

func (e *Error) said() string {
	if e.Message == "" {
		return ""
	}
	return ": " + e.Message
}

func (e *Error) loginHint() string {
	reg := e.Registry
	if reg == "" {
		return "run `npm login`"
	}
	return "run `npm login --registry " + reg + "`"
}

// Error is a human, actionable message.
func (e *Error) Error() string {
	switch e.Kind {
	case ErrNotLoggedIn:
		if e.malformedToken {
			return fmt.Sprintf("the token for %s in your npm configuration is malformed: it contains a line break or another control character (a pasted token, or a ${VAR} whose value has a newline?); nothing was sent: fix the _authToken line in .npmrc or %s", e.Registry, e.loginHint())
		}
		if e.noCredentials {
			return fmt.Sprintf("not logged in to %s (no credentials for %s)%s: %s", e.Registry, e.where(), e.said(), e.loginHint())
		}
		return fmt.Sprintf("not logged in to %s (%s answered %s)%s: %s, or check that your token has not expired", e.Registry, e.where(), e.status(), e.said(), e.loginHint())
	case ErrOTPRequired:
		s := fmt.Sprintf("%s requires a one-time password (2FA): enter the code from your authenticator or pass --otp CODE", e.where())
		if e.AuthURL != "" {
			s += ", or authenticate in a browser at " + e.AuthURL
		}
		return s
	case ErrOTPRejected:
		return fmt.Sprintf("the one-time password was not accepted for %s%s (if fresh codes fail too, check the authenticator's clock)", e.where(), e.said())
	case ErrWebAuthPending:
		return fmt.Sprintf("web authentication was not completed (still pending at %s): try again, or pass --otp CODE", e.where())
	case ErrForbidden:
		return fmt.Sprintf("forbidden: %s answered %s%s: your account or token may lack permission for this package (a read-only, granular or IP-restricted token?)", e.where(), e.status(), e.said())
	case ErrNotFound:
		return fmt.Sprintf("not found: %s answered %s%s", e.where(), e.status(), e.said())
	case ErrConflict:
		return fmt.Sprintf("conflict: %s answered %s%s", e.where(), e.status(), e.said())
	case ErrRateLimited:
		s := fmt.Sprintf("rate limited: %s answered %s%s", e.where(), e.status(), e.said())
		if e.RetryAfter > 0 {
			s += "; retry after " + e.RetryAfter.String()
		}
		return s
	case ErrServer:
		return fmt.Sprintf("registry error: %s answered %s%s: try again later", e.where(), e.status(), e.said())
	case ErrNetwork:
		return fmt.Sprintf("cannot reach the registry: %s: %s: check your network and the registry URL%s", e.where(), e.cause(), e.unknownSuffix())
	case ErrTimeout:
		return fmt.Sprintf("timed out: %s%s", e.where(), e.unknownSuffix())
	case ErrCanceled:
		return fmt.Sprintf("canceled: %s%s", e.where(), e.unknownSuffix())
	case ErrBadResponse:
		s := "unexpected response from the registry: " + e.where()
		if e.Status != 0 {
			s += " answered " + e.status()
		}
		return s + e.said() + e.unknownSuffix()
	case ErrBadRequest:
		return fmt.Sprintf("the registry refused the request: %s answered %s%s", e.where(), e.status(), e.said())
	case ErrTooLarge:
		return fmt.Sprintf("response too large: %s%s", e.where(), e.said())
	case ErrInvalid:
		return "invalid argument" + e.said()
	}
	return fmt.Sprintf("registry: %s %s%s", e.where(), e.status(), e.said())
}

// unknownSuffix warns that a state-changing request may have taken effect.
func (e *Error) unknownSuffix() string {
	if e.OutcomeUnknown() && e.Method != http.MethodGet && e.Method != "" {
		return " (the request was sent: its outcome is unknown, check before retrying)"
	}
	return ""
}

// cause is the innermost error text; url.Error is unwrapped because its
// text repeats the URL, which may carry a username.
func (e *Error) cause() string {
	err := e.Err
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if err == nil {
		return "connection failed"
	}
	return sanitize(err.Error(), maxMessage)
}

// maxMessage caps registry-supplied text so a hostile registry cannot flood a terminal.
const maxMessage = 300

// sanitize makes untrusted text safe for a one-line message: control,
// bidi and zero-width characters become U+FFFD, invalid UTF-8 is replaced,
// whitespace runs collapse, and the result is capped at max runes.
func sanitize(s string, max int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			space = true
			continue
		case unicode.IsControl(r), isInvisible(r):
			r = '\uFFFD'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isInvisible reports bidi controls, zero-width and tag characters, which
// could make a message read differently from what it contains.
func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F,
		r == 0xFEFF, r == 0x061C, r == 0x00AD, r >= 0xE0000 && r <= 0xE007F:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// errorBody is what the registry's error JSON may carry.
type errorBody struct {
	Error   any    `json:"error"`
	Message any    `json:"message"`
	Reason  any    `json:"reason"`
	AuthURL string `json:"authUrl"`
	DoneURL string `json:"doneUrl"`
}

// parseErrorBody extracts the registry's message and any web-auth URLs.
// npm shows body.error; message and reason are what other registries use.
// A non-JSON body is used only when it looks like plain text, so an HTML
// error page does not become the message.
func parseErrorBody(body []byte) (msg, authURL, doneURL string) {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil {
		for _, v := range []any{eb.Error, eb.Message, eb.Reason} {
			if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
				msg = s
				break
			}
		}
		return sanitize(msg, maxMessage), cleanChallengeURL(eb.AuthURL), cleanChallengeURL(eb.DoneURL)
	}
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] == '<' || !utf8.Valid(t) {
		return "", "", ""
	}
	return sanitize(string(t), maxMessage), "", ""
}

// cleanChallengeURL keeps only absolute http(s) URLs from a challenge body,
// without userinfo, so a hostile body cannot smuggle a javascript: or file:
// URL into a browser opener or text into a terminal.
func cleanChallengeURL(s string) string {
	if s == "" || len(s) > 4096 {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	out := u.String()
	if sanitize(out, 4096) != out {
		return ""
	}
	return out
}

// isOTPChallenge applies npm's check-response rules to a 401, plus the
// forms pnpm also accepts: (a) a www-authenticate element equal to "otp"
// (pnpm: containing "otp"); (b) no www-authenticate and a body containing
// "one-time pass"; (c) a JSON body with both authUrl and doneUrl.
// ipAddress reports npm's EAUTHIP case.
func isOTPChallenge(h http.Header, body []byte, authURL, doneURL string) (otp, ipAddress bool) {
	if vals := h.Values("Www-Authenticate"); len(vals) > 0 {
		for _, el := range splitAuthenticate(strings.Join(vals, ", ")) {
			switch el {
			case "ipaddress":
				// npm checks this first: EAUTHIP, not an OTP prompt.
				return false, true
			case "otp":
				otp = true
			}
		}
		if strings.Contains(strings.ToLower(strings.Join(vals, ",")), "otp") {
			otp = true
		}
	} else if bytes.Contains(body, []byte("one-time pass")) {
		otp = true
	}
	if authURL != "" && doneURL != "" {
		otp = true
	}
	return otp, false
}

// splitAuthenticate splits like npm: on /,\s*/, lowercased.
func splitAuthenticate(v string) []string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.ToLower(strings.TrimLeft(p, " \t\r\n\f\v"))
	}
	return parts
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 || n != n {
			return 0
		}
		if n > 24*3600 {
			n = 24 * 3600
		}
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// redactor removes secrets from text that came back from the registry, in
// case it echoes the authorization header or the OTP. It lives only for
// one request so that no Error ever holds a secret.
type redactor []string

func newRedactor(authHeader, otp string) redactor {
	var r redactor
	add := func(s string) {
		if len(s) >= 3 {
			r = append(r, s)
		}
	}
	add(authHeader)
	if _, cred, ok := strings.Cut(authHeader, " "); ok {
		add(cred)
		if strings.HasPrefix(strings.ToLower(authHeader), "basic ") {
			if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
				add(string(dec))
				if _, pass, ok := strings.Cut(string(dec), ":"); ok {
					add(pass)
				}
			}
		}
	}
	add(otp)
	return r
}

func (r redactor) apply(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// stripUserinfo returns u without credentials, for error messages.
func stripUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return sanitize(raw, 200)
	}
	u.User = nil
	return u.String()
}
