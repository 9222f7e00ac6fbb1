package devregistry

import (
	"crypto/subtle"
	"encoding/base32"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// otpMessage is the exact error text npmjs sends with an OTP challenge; npm,
// pnpm and yarn recognise "one-time pass" in it (stage-protocol.md §2.4).
const otpMessage = "This operation requires a one-time password from your authenticator. You can provide a one-time password by passing --otp=<code> to the command you ran. If you already provided a one-time password then it is likely that you either typoed it, or it timed out. Please try again."

// totpOpts are RFC 6238's defaults as authenticator apps use them.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// webSessionTTL bounds how long a web-auth session and its token live.
const webSessionTTL = 10 * time.Minute

// maxWebSessions bounds memory if a client keeps triggering challenges.
const maxWebSessions = 1000

func decodeSecret(s string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(s, "="))
}

// CurrentCode is the TOTP code valid now (for the demo's status bar and tests).
func (s *Server) CurrentCode() string {
	code, err := totp.GenerateCodeCustom(s.opts.TOTPSecret, s.opts.Now(), totp.ValidateOpts{
		Period: totpOpts.Period, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return "" // the secret was validated in New; this cannot happen
	}
	return code
}

// webSession is one pending browser confirmation of an approve or reject.
type webSession struct {
	stageID  string
	op       string // "approve" or "reject"
	what     string // "name@version (tag)", shown on the page
	created  time.Time
	approved bool
	token    string // issued once approved; one use, for stageID+op only
	used     bool
}

// checkOTP reports whether the npm-otp header authorises op on stageID: a
// valid TOTP code (reusable within its window), or an unused web-auth token
// issued for exactly this operation, which it consumes. Caller holds s.mu.
func (s *Server) checkOTP(code, stageID, op string) bool {
	code = strings.TrimSpace(code)
	if code == "" {
		return false
	}
	if len(code) == 6 {
		ok, err := totp.ValidateCustom(code, s.opts.TOTPSecret, s.opts.Now().UTC(), totpOpts)
		if err == nil && ok {
			return true
		}
	}
	now := s.opts.Now()
	for id, w := range s.web {
		if w.token == "" || w.used || now.Sub(w.created) > webSessionTTL {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(w.token), []byte(code)) == 1 {
			if w.stageID != stageID || w.op != op {
				return false
			}
			w.used = true
			delete(s.web, id)
			return true
		}
	}
	return false
}

// otpChallenge answers 401 with www-authenticate: OTP and npmjs's message;
// with WebAuth it opens a web session and adds authUrl and doneUrl. Caller
// holds s.mu.
func (s *Server) otpChallenge(w http.ResponseWriter, r *http.Request, rec *stageRec, op string) {
	body := map[string]string{"error": otpMessage}
	if s.opts.WebAuth {
		s.pruneWeb()
		id := uuid.NewString()
		s.web[id] = &webSession{
			stageID: rec.ID, op: op, created: s.opts.Now(),
			what: rec.PackageName + "@" + rec.Version + " (tag " + rec.Tag + ")",
		}
		base := s.baseURL(r)
		body["authUrl"] = base + "/-/weblogin/" + id
		body["doneUrl"] = base + "/-/v1/done?sessionId=" + id
	}
	w.Header().Set("WWW-Authenticate", "OTP")
	writeJSON(w, http.StatusUnauthorized, body)
}

// pruneWeb drops expired sessions and, past the cap, the oldest ones.
func (s *Server) pruneWeb() {
	now := s.opts.Now()
	for id, w := range s.web {
		if now.Sub(w.created) > webSessionTTL {
			delete(s.web, id)
		}
	}
	for len(s.web) >= maxWebSessions {
		var oldest string
		var t time.Time
		for id, w := range s.web {
			if oldest == "" || w.created.Before(t) {
				oldest, t = id, w.created
			}
		}
		delete(s.web, oldest)
	}
}

func (s *Server) webSession(id string) *webSession {
	w := s.web[id]
	if w == nil || s.opts.Now().Sub(w.created) > webSessionTTL {
		return nil
	}
	return w
}

// webPage is the confirmation page behind authUrl. html/template escapes the
// package name and version, which come from an untrusted publish.
var webPage = template.Must(template.New("weblogin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stagegate dev registry: confirm</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}
button{font-size:1.1em;padding:.4em 1.4em}</style></head>
<body><h1>Confirm {{.Op}}</h1>
{{if .Done}}<p>Confirmed. You can close this page and return to your terminal.</p>
{{else}}<p>{{.Verb}} the staged version <strong>{{.What}}</strong>, stage id <code>{{.ID}}</code>?</p>
<form method="post"><button type="submit">Approve</button></form>{{end}}
</body></html>
`))

func (s *Server) handleWebLogin(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.webSession(id)
	if ws == nil {
		writeError(w, http.StatusNotFound, "unknown or expired login session")
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		if !ws.approved {
			tok, err := newToken()
			if err != nil {
				writeError(w, http.StatusInternalServerError, "cannot create a token")
				return
			}
			ws.approved, ws.token = true, tok
		}
	default:
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	verb := "Publish"
	if ws.op == "reject" {
		verb = "Permanently delete"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.Header().Set("X-Frame-Options", "DENY")
	_ = webPage.Execute(w, map[string]any{
		"Op": ws.op, "Verb": verb, "What": ws.what, "ID": ws.stageID, "Done": ws.approved,
	})
}

// handleDone is doneUrl: 202 with retry-after until the page was confirmed,
// then 200 {"token"}. It needs the maintainer's bearer token, as npm sends it.
func (s *Server) handleDone(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.webSession(r.URL.Query().Get("sessionId"))
	if ws == nil {
		writeError(w, http.StatusNotFound, "unknown or expired login session")
		return
	}
	if !ws.approved {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusAccepted, map[string]any{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": ws.token})
}
