package devregistry

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxBodyBytes bounds a publish document (base64 tarball plus
// manifest); every other request body is bounded by maxSmallBody.
const DefaultMaxBodyBytes = 200 << 20

// maxSmallBody bounds the body of a request that is not a publish (login).
const maxSmallBody = 64 << 10

// maxPerPage is the largest page the list route returns.
const maxPerPage = 100

// role is what the request's bearer token may do.
type role int

const (
	anonymous role = iota
	maintainer
	ciRole
)

func (s *Server) roleOf(r *http.Request) role {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return anonymous
	}
	tok = strings.TrimSpace(tok)
	switch {
	case subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) == 1:
		return maintainer
	case subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.CIToken)) == 1:
		return ciRole
	}
	return anonymous
}

// actor is who a role acts as, for stage items and _npmUser.
func (s *Server) actor(ro role) (name, kind string) {
	if ro == ciRole {
		return s.opts.CIActor, "ci"
	}
	return s.opts.Username, "user"
}

// needAuthMessage deliberately avoids the words "one-time pass": npm would
// otherwise take the 401 for an OTP challenge (check-response.js).
const needAuthMessage = "Authentication required: log in with `npm login` or set //HOST/:_authToken in your .npmrc to a token of this registry."

// writeJSON writes v without HTML escaping, so texts such as "--otp=<code>"
// reach clients byte for byte as npmjs sends them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b := []byte(`{"error":"cannot encode response"}`)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
	} else {
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// requireRole answers 401 or 403 and returns false when the request may not go on.
func (s *Server) requireRole(w http.ResponseWriter, r *http.Request, allowCI bool, what string) (role, bool) {
	ro := s.roleOf(r)
	switch {
	case ro == anonymous:
		writeError(w, http.StatusUnauthorized, needAuthMessage)
		return ro, false
	case ro == ciRole && !allowCI:
		writeError(w, http.StatusForbidden, "Forbidden: the CI token may stage versions but cannot "+what+"; a maintainer must do it with 2FA.")
		return ro, false
	}
	return ro, true
}

func (s *Server) routes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opts.Now()
		sw := &statusWriter{ResponseWriter: w}
		if s.opts.RecordAuth != nil {
			s.opts.RecordAuth(r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		if r.Body != nil {
			limit := int64(maxSmallBody)
			publish := (r.Method == http.MethodPut && !strings.HasPrefix(r.URL.Path, "/-/")) ||
				(r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/-/stage/package/"))
			if publish {
				limit = s.opts.MaxBodyBytes
			}
			r.Body = http.MaxBytesReader(sw, r.Body, limit)
		}
		sw.Header().Set("Cache-Control", "private, no-cache")
		s.route(sw, r)
		s.logRequest(r, sw.status, s.opts.Now().Sub(start))
	})
}

// route dispatches on the escaped path, segment by segment, so both
// "/@scope%2fpkg" (what npm sends) and "/@scope/pkg" name the same package.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	raw := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad path")
			return
		}
		segs[i] = u
	}
	if len(segs) > 0 && segs[0] == "-" {
		s.routeDash(w, r, segs[1:])
		return
	}
	joined := strings.Join(segs, "/")
	if name, file, ok := strings.Cut(joined, "/-/"); ok {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
			return
		}
		s.handleTarball(w, r, name, file)
		return
	}
	if !validName(joined) {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.handlePackument(w, r, joined)
	case http.MethodPut:
		s.handlePublish(w, r, joined, false)
	default:
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func (s *Server) routeDash(w http.ResponseWriter, r *http.Request, segs []string) {
	is := func(method string, n int) bool { return r.Method == method && len(segs) == n }
	if s.routePosture(w, r, segs) { // npm access, trust and token routes (posture.go)
		return
	}
	switch {
	case len(segs) == 1 && segs[0] == "ping" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{})
	case len(segs) == 1 && segs[0] == "whoami" && r.Method == http.MethodGet:
		ro, ok := s.requireRole(w, r, true, "")
		if ok {
			name, _ := s.actor(ro)
			writeJSON(w, http.StatusOK, map[string]string{"username": name})
		}
	case len(segs) == 2 && segs[0] == "user" && strings.HasPrefix(segs[1], "org.couchdb.user:") && r.Method == http.MethodPut:
		s.handleLogin(w, r, strings.TrimPrefix(segs[1], "org.couchdb.user:"))
	case len(segs) == 2 && segs[0] == "weblogin":
		s.handleWebLogin(w, r, segs[1])
	case len(segs) == 2 && segs[0] == "v1" && segs[1] == "done" && r.Method == http.MethodGet:
		if _, ok := s.requireRole(w, r, false, "confirm approvals"); ok {
			s.handleDone(w, r)
		}
	case len(segs) >= 1 && segs[0] == "stage":
		st := segs[1:]
		switch {
		case is(http.MethodGet, 1):
			s.handleList(w, r)
		case r.Method == http.MethodPost && len(st) >= 2 && st[0] == "package":
			name := strings.Join(st[1:], "/")
			s.handlePublish(w, r, name, true)
		case is(http.MethodGet, 2):
			s.handleView(w, r, st[0])
		case is(http.MethodGet, 3) && st[1] == "tarball":
			s.handleStageTarball(w, r, st[0])
		case is(http.MethodPost, 3) && st[1] == "approve":
			s.handleDecision(w, r, st[0], "approve")
		case is(http.MethodDelete, 2):
			s.handleDecision(w, r, st[0], "reject")
		default:
			writeError(w, http.StatusNotFound, "Not found")
		}
	default:
		writeError(w, http.StatusNotFound, "Not found")
	}
}

// handleLogin is npm's legacy (couch) login: the configured user with the
// configured password gets the maintainer token. Web login (POST
// /-/v1/login) answers 404, which makes npm fall back to this.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, name string) {
	var body struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad request body")
		return
	}
	if body.Name != name || name != s.opts.Username {
		writeError(w, http.StatusUnauthorized, "Unknown user: this registry has one user, "+strconv.Quote(s.opts.Username)+".")
		return
	}
	if subtle.ConstantTimeCompare([]byte(body.Password), []byte(s.opts.Password)) != 1 {
		writeError(w, http.StatusUnauthorized, "Incorrect password for "+strconv.Quote(s.opts.Username)+": use the password `stagegate registry` printed (or --password).")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"ok": true, "id": "org.couchdb.user:" + name, "token": s.opts.Token,
	})
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, true, ""); !ok {
		return
	}
	q := r.URL.Query()
	page, perPage, ok := pageParams(w, q, maxPerPage)
	if !ok {
		return
	}
	filter := strings.TrimSuffix(q.Get("package"), "@*")

	now := s.opts.Now().UTC().Format(timeLayout)
	s.mu.Lock()
	matched := make([]item, 0, min(len(s.st.Stages), perPage))
	total := 0
	from := page * perPage
	for _, rec := range s.st.Stages {
		if filter != "" && rec.PackageName != filter {
			continue
		}
		if total >= from && len(matched) < perPage {
			matched = append(matched, rec.view(now))
		}
		total++
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		Items   []item `json:"items"`
		Total   int    `json:"total"`
		Page    int    `json:"page"`
		PerPage int    `json:"perPage"`
	}{matched, total, page, perPage})
}

func (s *Server) handleView(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := s.requireRole(w, r, true, ""); !ok {
		return
	}
	now := s.opts.Now().UTC().Format(timeLayout)
	s.mu.Lock()
	_, rec := s.st.stage(id)
	var it item
	if rec != nil {
		it = rec.view(now)
	}
	s.mu.Unlock()
	if rec == nil {
		writeError(w, http.StatusNotFound, "Staged package not found: "+strconv.Quote(id))
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (s *Server) handleStageTarball(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := s.requireRole(w, r, true, ""); !ok {
		return
	}
	s.mu.Lock()
	_, rec := s.st.stage(id)
	blob := ""
	if rec != nil {
		blob = rec.Blob
	}
	s.mu.Unlock()
	if rec == nil {
		writeError(w, http.StatusNotFound, "Staged package not found: "+strconv.Quote(id))
		return
	}
	s.writeBlob(w, r, blob)
}

func (s *Server) writeBlob(w http.ResponseWriter, r *http.Request, key string) {
	data, err := s.store.get(key)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "tarball missing from storage")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// handleDecision approves or rejects a staged version: maintainer token,
// then the record must exist, then 2FA. The lock is held from lookup to
// removal, so of concurrent decisions on one id exactly one succeeds and
// the others see 404.
func (s *Server) handleDecision(w http.ResponseWriter, r *http.Request, id, op string) {
	verb := "approve staged versions"
	if op == "reject" {
		verb = "reject staged versions"
	}
	if _, ok := s.requireRole(w, r, false, verb); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, rec := s.st.stage(id)
	if rec == nil {
		writeError(w, http.StatusNotFound, "Staged package not found: "+strconv.Quote(id))
		return
	}
	if !s.checkOTP(r.Header.Get("npm-otp"), rec.ID, op) {
		s.otpChallenge(w, r, rec, op)
		return
	}
	if op == "approve" {
		if rec.validating(s.opts.Now().UTC().Format(timeLayout)) {
			writeError(w, http.StatusConflict, "Staged version "+strconv.Quote(rec.Version)+" is still validating; try again in a moment")
			return
		}
		if published, _ := s.st.versionTaken(rec.PackageName, rec.Version); published {
			writeError(w, http.StatusConflict, "Cannot publish over previously published version "+strconv.Quote(rec.Version)+".")
			return
		}
		if err := s.publishLocked(rec.PackageName, rec.Version, rec.Manifest, rec.Blob, []string{rec.Tag},
			rec.Actor, rec.ActorType, s.opts.Now()); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	s.st.Stages = append(s.st.Stages[:i:i], s.st.Stages[i+1:]...)
	c := change{DelStage: rec.ID}
	if op == "approve" {
		c.Package = s.st.Packages[rec.PackageName]
	}
	if err := s.commitLocked(c); err != nil {
		writeError(w, http.StatusInternalServerError, "cannot save state")
		return
	}
	if op == "reject" && !s.st.blobUsed(rec.Blob) {
		_ = s.store.remove(rec.Blob)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// saveLocked writes the whole state (a snapshot); on failure it reloads
// the last saved state so memory never runs ahead of disk. Caller holds s.mu.
func (s *Server) saveLocked() error {
	err := s.store.snapshot(s.st)
	if err == nil {
		return nil
	}
	if st, _, _, lerr := s.store.read(); lerr == nil {
		s.st = st
	}
	return err
}

// commitLocked makes one change, already applied to s.st, durable: one
// journal line. Caller holds s.mu.
func (s *Server) commitLocked(c change) error {
	st, err := s.store.commit(s.st, c)
	s.st = st
	return err
}

// publishLocked adds a version to its packument and points tags at it.
// Caller holds s.mu and has checked the version is free.
func (s *Server) publishLocked(name, version string, man json.RawMessage, blob string, tags []string, actor, actorType string, at time.Time) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(man, &m); err != nil {
		return errors.New("stored manifest is corrupt")
	}
	npmUser, _ := json.Marshal(map[string]string{"name": actor, "actorType": actorType})
	m["_npmUser"] = npmUser
	doc, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p := s.st.Packages[name]
	if p == nil {
		p = &pkgDoc{Name: name, DistTags: map[string]string{}, Versions: map[string]json.RawMessage{},
			Time: map[string]string{}, Blobs: map[string]string{}}
		s.st.Packages[name] = p
	}
	ts := at.UTC().Format(timeLayout)
	if _, ok := p.Time["created"]; !ok {
		p.Time["created"] = ts
	}
	if p.Time["modified"] < ts {
		p.Time["modified"] = ts
	}
	p.Time[version] = ts
	p.Versions[version] = doc
	p.Blobs[version] = blob
	for _, t := range tags {
		p.DistTags[t] = version
	}
	return nil
}

// timeLayout is RFC 3339 with milliseconds in UTC, as npmjs writes times.
const timeLayout = "2006-01-02T15:04:05.000Z"

// pageParams reads the page and perPage query parameters of a listing
// (perPage capped at maxPerPage); on a bad value it answers 400 and ok is
// false.
func pageParams(w http.ResponseWriter, q url.Values, defPerPage int) (page, perPage int, ok bool) {
	perPage = defPerPage
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "page must be a non-negative integer")
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "perPage must be a positive integer")
			return 0, 0, false
		}
		perPage = min(n, maxPerPage)
	}
	return page, perPage, true
}
