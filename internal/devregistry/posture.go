package devregistry

// Release posture routes: what `npm access`, `npm trust` and `npm token`
// call (npm 11's libnpmaccess, lib/trust-cmd.js and npm-profile), so
// `stagegate posture` and the npm CLI can be tested against this registry.
//
//   - GET  /-/org/{org}/package           404: this registry has no orgs (npm then asks the user route)
//   - GET  /-/user/{user}/package         {name: "read-write"} for the maintainer's packages
//   - GET  /-/package/{name}/access       {publish_requires_tfa, automation_token_overrides_tfa}
//     (an assumption: npm has no getter; the fields are setMfa's)
//   - POST /-/package/{name}/access       setMfa's body (and setAccess's {access}, ignored)
//   - GET  /-/package/{name}/trust        [{id, type, claims, permissions}]
//   - POST /-/package/{name}/trust        [{type, claims, permissions}] → the created relationships
//   - DELETE /-/package/{name}/trust/{id}
//   - GET  /-/npm/v1/tokens[?page=N&perPage=M]  {objects, total, urls: {next}}
//   - DELETE /-/npm/v1/tokens/token/{key}
//
// Simplifications: posture state is seeded (SeedPosture) or changed through
// these routes and kept in memory only, never in DataDir; changing MFA or
// trust needs the maintainer token but no OTP; the token list shows the
// seeded token records, which describe tokens but do not authenticate (the
// maintainer and CI tokens of Options are not listed). A package never
// seeded has npm's default posture: mfa=none, no trusted publisher.

import (
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// PostureSeed is the release posture to load with SeedPosture.
type PostureSeed struct {
	Packages map[string]PackagePosture `json:"packages"`
	Tokens   []TokenSeed               `json:"tokens"`
}

// PackagePosture is one package's 2FA setting and trusted publishers.
type PackagePosture struct {
	// MFA is npm access's level: "none", "publish" or "automation".
	MFA   string      `json:"mfa"`
	Trust []TrustSeed `json:"trust"`
}

// TrustSeed is a trusted publisher relationship. Permissions are npm 11's
// "createPackage" (may npm publish) and "createStagedPackage" (may npm stage
// publish); nil leaves the field out, as relationships made before npm
// 11.10 had none.
type TrustSeed struct {
	Type        string         `json:"type"`
	Claims      map[string]any `json:"claims"`
	Permissions []string       `json:"permissions"`
}

// TokenSeed describes a token the token list shows.
type TokenSeed struct {
	Name       string   `json:"name"`
	Readonly   bool     `json:"readonly"`
	Bypass2FA  bool     `json:"bypass2fa"`
	Automation bool     `json:"automation"`
	Packages   []string `json:"packages,omitempty"`
}

type trustRec struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Claims      map[string]any `json:"claims"`
	Permissions []string       `json:"permissions,omitempty"`
}

type pkgPosture struct {
	requiresTFA, automationOverrides bool
	trust                            []trustRec
}

type tokenRec struct {
	Key       string   `json:"key"`
	Token     string   `json:"token"` // a prefix, as npmjs lists it
	Name      string   `json:"name"`
	Created   string   `json:"created"`
	Updated   string   `json:"updated"`
	Readonly  bool     `json:"readonly"`
	Bypass2FA bool     `json:"bypass_2fa"`
	Type      string   `json:"type,omitempty"` // "automation" for a classic automation token
	Packages  []string `json:"packages,omitempty"`
	CIDR      []string `json:"cidr_whitelist"`
}

// postureState is guarded by its own mutex, apart from the stage state.
type postureState struct {
	mu       sync.Mutex
	packages map[string]*pkgPosture
	tokens   []tokenRec
}

func mfaLevel(level string) (requires, automation bool, ok bool) {
	switch level {
	case "", "none":
		return false, false, true
	case "publish":
		return true, false, true
	case "automation":
		return true, true, true
	}
	return false, false, false
}

// SeedPosture replaces the release posture of the packages it names and
// adds its tokens.
func (s *Server) SeedPosture(p PostureSeed) error {
	ps := &s.posture
	now := s.opts.Now().UTC()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.packages == nil {
		ps.packages = map[string]*pkgPosture{}
	}
	for name, pp := range p.Packages {
		if !validName(name) {
			return &seedError{"invalid package name " + strconv.Quote(name)}
		}
		req, auto, ok := mfaLevel(pp.MFA)
		if !ok {
			return &seedError{"mfa must be none, publish or automation, not " + strconv.Quote(pp.MFA)}
		}
		rec := &pkgPosture{requiresTFA: req, automationOverrides: auto}
		for _, t := range pp.Trust {
			rec.trust = append(rec.trust, trustRec{ID: uuid.NewString(), Type: t.Type, Claims: t.Claims, Permissions: t.Permissions})
		}
		ps.packages[name] = rec
	}
	for i, t := range p.Tokens {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		sum := sha512.Sum512(b)
		created := now.Add(time.Duration(i-len(p.Tokens)) * time.Hour).Format(timeLayout)
		rec := tokenRec{Key: hex.EncodeToString(sum[:]), Token: "npm_" + hex.EncodeToString(b[:2]), Name: t.Name,
			Created: created, Updated: created, Readonly: t.Readonly, Bypass2FA: t.Bypass2FA, Packages: t.Packages, CIDR: nil}
		if t.Automation {
			rec.Type = "automation"
		}
		ps.tokens = append(ps.tokens, rec)
	}
	return nil
}

type seedError struct{ msg string }

func (e *seedError) Error() string { return "devregistry: posture seed: " + e.msg }

// DemoPosture is the posture `stagegate registry --seed demo` and
// `stagegate demo` load over the demo packages (assets/demo): @acme/charts
// cannot skip the stage gate, qlimit can, three ways; the others keep npm's
// default (no 2FA on publish).
func DemoPosture() PostureSeed {
	return PostureSeed{
		Packages: map[string]PackagePosture{
			"@acme/charts": {MFA: "publish", Trust: []TrustSeed{{
				Type:        "github",
				Claims:      map[string]any{"repository": "acme/charts", "workflow_ref": map[string]any{"file": "release.yml"}},
				Permissions: []string{"createStagedPackage"},
			}}},
			"qlimit": {MFA: "automation", Trust: []TrustSeed{{
				Type:        "github",
				Claims:      map[string]any{"repository": "mkovac/qlimit", "workflow_ref": map[string]any{"file": "publish.yml"}},
				Permissions: []string{"createPackage", "createStagedPackage"},
			}}},
		},
		Tokens: []TokenSeed{
			{Name: "laptop read-only", Readonly: true},
			{Name: "old CI publish", Bypass2FA: true, Packages: []string{"qlimit"}},
		},
	}
}

// knownPackage reports whether name is published, staged or has a posture.
func (s *Server) knownPackage(name string) bool {
	s.posture.mu.Lock()
	_, ok := s.posture.packages[name]
	s.posture.mu.Unlock()
	if ok {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Packages[name]; ok {
		return true
	}
	for _, r := range s.st.Stages {
		if r.PackageName == name {
			return true
		}
	}
	return false
}

// routePosture serves the posture routes; segs follow "/-/". It reports
// whether it handled the request.
func (s *Server) routePosture(w http.ResponseWriter, r *http.Request, segs []string) bool {
	n := len(segs)
	switch {
	case n == 3 && segs[0] == "org" && segs[2] == "package" && r.Method == http.MethodGet:
		if _, ok := s.requireRole(w, r, true, ""); ok {
			writeError(w, http.StatusNotFound, "Not found: no such org")
		}
	case n == 3 && segs[0] == "user" && segs[2] == "package" && r.Method == http.MethodGet:
		if _, ok := s.requireRole(w, r, true, ""); ok {
			s.handleUserPackages(w, segs[1])
		}
	case n >= 3 && segs[0] == "package" && segs[n-1] == "access":
		s.handleAccess(w, r, strings.Join(segs[1:n-1], "/"))
	case n >= 3 && segs[0] == "package" && segs[n-1] == "trust":
		s.handleTrust(w, r, strings.Join(segs[1:n-1], "/"), "")
	case n >= 4 && segs[0] == "package" && segs[n-2] == "trust" && r.Method == http.MethodDelete:
		s.handleTrust(w, r, strings.Join(segs[1:n-2], "/"), segs[n-1])
	case n == 3 && segs[0] == "npm" && segs[1] == "v1" && segs[2] == "tokens" && r.Method == http.MethodGet:
		s.handleTokenList(w, r)
	case n == 5 && segs[0] == "npm" && segs[1] == "v1" && segs[2] == "tokens" && segs[3] == "token" && r.Method == http.MethodDelete:
		s.handleTokenRevoke(w, r, segs[4])
	default:
		return false
	}
	return true
}

func (s *Server) handleUserPackages(w http.ResponseWriter, user string) {
	out := map[string]string{}
	if user == s.opts.Username {
		s.posture.mu.Lock()
		for name := range s.posture.packages {
			out[name] = "read-write"
		}
		s.posture.mu.Unlock()
		s.mu.Lock()
		for name := range s.st.Packages {
			out[name] = "read-write"
		}
		for _, rec := range s.st.Stages {
			out[rec.PackageName] = "read-write"
		}
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, out)
}

// postureOf returns the package's posture record, creating the default.
// The caller holds s.posture.mu.
func (s *Server) postureOfLocked(name string) *pkgPosture {
	if s.posture.packages == nil {
		s.posture.packages = map[string]*pkgPosture{}
	}
	p := s.posture.packages[name]
	if p == nil {
		p = &pkgPosture{}
		s.posture.packages[name] = p
	}
	return p
}

func (s *Server) handleAccess(w http.ResponseWriter, r *http.Request, name string) {
	if !validName(name) {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	switch r.Method {
	case http.MethodGet:
		if _, ok := s.requireRole(w, r, true, ""); !ok {
			return
		}
	case http.MethodPost:
		if _, ok := s.requireRole(w, r, false, "change package settings"); !ok {
			return
		}
	default:
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if !s.knownPackage(name) {
		writeError(w, http.StatusNotFound, "Not found: "+name)
		return
	}
	if r.Method == http.MethodPost {
		var body struct {
			Requires   *bool   `json:"publish_requires_tfa"`
			Automation *bool   `json:"automation_token_overrides_tfa"`
			Access     *string `json:"access"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || (body.Requires == nil && body.Access == nil) {
			writeError(w, http.StatusBadRequest, "bad request body")
			return
		}
		s.posture.mu.Lock()
		p := s.postureOfLocked(name)
		if body.Requires != nil {
			p.requiresTFA = *body.Requires
			p.automationOverrides = *body.Requires && body.Automation != nil && *body.Automation
		}
		s.posture.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	s.posture.mu.Lock()
	p := s.postureOfLocked(name)
	out := map[string]bool{"publish_requires_tfa": p.requiresTFA, "automation_token_overrides_tfa": p.automationOverrides}
	s.posture.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleTrust(w http.ResponseWriter, r *http.Request, name, id string) {
	if !validName(name) {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodDelete {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	// Trust routes need a user's credentials, never the CI token (npm: "GATs
	// with bypass 2FA are not supported").
	if _, ok := s.requireRole(w, r, false, "manage trusted publishers"); !ok {
		return
	}
	if !s.knownPackage(name) {
		writeError(w, http.StatusNotFound, "Not found: "+name)
		return
	}
	s.posture.mu.Lock()
	defer s.posture.mu.Unlock()
	p := s.postureOfLocked(name)
	switch r.Method {
	case http.MethodGet:
		out := append([]trustRec{}, p.trust...)
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		var body []TrustSeed
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) == 0 {
			writeError(w, http.StatusBadRequest, "bad request body: an array of trust configurations")
			return
		}
		var made []trustRec
		for _, t := range body {
			if t.Type == "" || len(t.Permissions) == 0 {
				writeError(w, http.StatusBadRequest, "each trust configuration needs a type and permissions")
				return
			}
			made = append(made, trustRec{ID: uuid.NewString(), Type: t.Type, Claims: t.Claims, Permissions: t.Permissions})
		}
		p.trust = append(p.trust, made...)
		writeJSON(w, http.StatusCreated, made)
	case http.MethodDelete:
		for i, t := range p.trust {
			if t.ID == id {
				p.trust = append(p.trust[:i], p.trust[i+1:]...)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		writeError(w, http.StatusNotFound, "Not found: no trust configuration "+strconv.Quote(id))
	}
}

func (s *Server) handleTokenList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireRole(w, r, false, "list tokens"); !ok {
		return
	}
	q := r.URL.Query()
	page, perPage, ok := pageParams(w, q, 10)
	if !ok {
		return
	}
	s.posture.mu.Lock()
	all := append([]tokenRec{}, s.posture.tokens...)
	s.posture.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].Created < all[j].Created })
	from := min(page*perPage, len(all))
	to := min(from+perPage, len(all))
	var next any
	if to < len(all) {
		next = s.baseURL(r) + "/-/npm/v1/tokens?page=" + strconv.Itoa(page+1) + "&perPage=" + strconv.Itoa(perPage)
	}
	objs := all[from:to]
	if objs == nil {
		objs = []tokenRec{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"objects": objs, "total": len(all), "urls": map[string]any{"next": next}})
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request, key string) {
	if _, ok := s.requireRole(w, r, false, "revoke tokens"); !ok {
		return
	}
	s.posture.mu.Lock()
	defer s.posture.mu.Unlock()
	for i, t := range s.posture.tokens {
		if t.Key == key {
			s.posture.tokens = append(s.posture.tokens[:i], s.posture.tokens[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not found: no such token")
}
