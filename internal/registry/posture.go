package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The routes npm 11 uses for `npm access`, `npm trust` and `npm token`,
// read by `stagegate posture`:
//
//   - npm access list packages <user>: libnpmaccess getPackages GETs
//     /-/org/{scope}/package and, on 404, /-/user/{user}/package;
//     the answer maps package names to "read-only" or "read-write".
//   - npm access set mfa=…: libnpmaccess setMfa POSTs
//     /-/package/{name}/access with publish_requires_tfa and
//     automation_token_overrides_tfa. npm has no getter for it; stagegate
//     assumes (and the embedded registry implements) a GET on the same route
//     that answers with the same two fields.
//   - npm trust list: GET /-/package/{name}/trust, an array of
//     relationships {id, type, claims, permissions}; npm 11.19's trust-cmd.js
//     names the permissions "createPackage" (publish) and
//     "createStagedPackage" (stage publish).
//   - npm token list: npm-profile's paginate GETs /-/npm/v1/tokens and
//     follows urls.next; each object has key (a hash of the token), token
//     (a prefix), name, created, readonly and cidr_whitelist.

// Trust permissions as npm 11 sends them (lib/trust-cmd.js PERMISSIONS).
const (
	PermPublish      = "createPackage"
	PermStagePublish = "createStagedPackage"
)

// MFA is a package's publishing 2FA setting as /-/package/{name}/access reports it.
type MFA struct {
	// PublishRequiresTFA: a publish needs a second factor.
	PublishRequiresTFA bool `json:"publish_requires_tfa"`
	// AutomationOverrides: automation tokens may publish without one.
	AutomationOverrides bool `json:"automation_token_overrides_tfa"`
}

// Level is npm's name for the setting: none, publish or automation.
func (m MFA) Level() string {
	switch {
	case !m.PublishRequiresTFA:
		return "none"
	case m.AutomationOverrides:
		return "automation"
	default:
		return "publish"
	}
}

// TrustRelation is one trusted publisher configuration of a package.
type TrustRelation struct {
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	Claims      map[string]string `json:"claims,omitempty"` // flattened: "workflow_ref.file" → "release.yml"
	Permissions []string          `json:"permissions"`
	// PermissionsMissing: the registry sent no permissions list. Relationships
	// made before npm 11.10 had none and could always publish.
	PermissionsMissing bool `json:"permissionsMissing,omitempty"`
}

// CanPublish reports whether the relationship may `npm publish` (not only
// stage): it holds createPackage, or it predates permissions.
func (t TrustRelation) CanPublish() bool {
	if t.PermissionsMissing {
		return true
	}
	for _, p := range t.Permissions {
		if p == PermPublish {
			return true
		}
	}
	return false
}

// TokenInfo is one entry of the token list, without any token value.
type TokenInfo struct {
	// Key is the registry's identifier of the token (a hash, not the
	// token): `npm token revoke` takes a prefix of it.
	Key       string `json:"key"`
	Name      string `json:"name,omitempty"`
	Created   string `json:"created,omitempty"`
	Readonly  bool   `json:"readonly"`
	Bypass2FA bool   `json:"bypass2fa"`
	// Automation: a classic automation token (type "automation"), which
	// skips 2FA on a package set to mfa=automation.
	Automation bool     `json:"automation"`
	Packages   []string `json:"packages,omitempty"` // granular scope; empty: every package
	Scopes     []string `json:"scopes,omitempty"`
}

// ParsePackageAccess decodes the {name: "read-write"|"read-only"} map of
// /-/user/{user}/package. Entries whose value is not a string are dropped.
func ParsePackageAccess(data []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("not an object")
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil || ValidatePackageName(name) != nil {
			continue
		}
		out[name] = s
	}
	return out, nil
}

// ParseMFA decodes the access document; both fields must be booleans.
func ParseMFA(data []byte) (MFA, error) {
	var raw struct {
		P *bool `json:"publish_requires_tfa"`
		A *bool `json:"automation_token_overrides_tfa"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return MFA{}, err
	}
	if raw.P == nil {
		return MFA{}, errors.New("publish_requires_tfa missing")
	}
	m := MFA{PublishRequiresTFA: *raw.P}
	if raw.A != nil {
		m.AutomationOverrides = *raw.A
	}
	return m, nil
}

// ParseTrustList decodes npm trust list's answer: an array of
// relationships (null or an empty body is none).
func ParseTrustList(data []byte) ([]TrustRelation, error) {
	var raw []struct {
		ID          json.RawMessage `json:"id"`
		Type        string          `json:"type"`
		Claims      map[string]any  `json:"claims"`
		Permissions *[]string       `json:"permissions"`
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make([]TrustRelation, 0, len(raw))
	for _, r := range raw {
		t := TrustRelation{Type: r.Type, Claims: map[string]string{}}
		var s string
		if json.Unmarshal(r.ID, &s) == nil {
			t.ID = s
		} else if len(r.ID) > 0 && string(r.ID) != "null" {
			t.ID = string(r.ID) // a numeric id
		}
		flattenClaims("", r.Claims, t.Claims, 0)
		if r.Permissions == nil {
			t.PermissionsMissing = true
		} else {
			t.Permissions = append([]string{}, (*r.Permissions)...)
		}
		out = append(out, t)
	}
	return out, nil
}

// flattenClaims turns nested claims into dotted keys with text values.
func flattenClaims(prefix string, in map[string]any, out map[string]string, depth int) {
	if depth > 4 {
		return
	}
	for k, v := range in {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch x := v.(type) {
		case map[string]any:
			flattenClaims(key, x, out, depth+1)
		case string:
			out[key] = x
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, fmt.Sprint(e))
			}
			out[key] = strings.Join(parts, ",")
		case nil:
		default:
			out[key] = fmt.Sprint(x)
		}
	}
}

// ParseTokenPage decodes one page of the token list. The token prefix the
// registry sends ("token") is deliberately not kept.
func ParseTokenPage(data []byte) (objects []TokenInfo, next string, err error) {
	var raw struct {
		Objects []struct {
			Key        string   `json:"key"`
			Name       any      `json:"name"`
			Created    any      `json:"created"`
			Readonly   bool     `json:"readonly"`
			Bypass2FA  bool     `json:"bypass_2fa"`
			Automation bool     `json:"automation"`
			Type       string   `json:"type"`
			Packages   []string `json:"packages"`
			Scopes     []string `json:"scopes"`
			Permission string   `json:"packages_and_scopes_permission"`
		} `json:"objects"`
		URLs struct {
			Next *string `json:"next"`
		} `json:"urls"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, "", err
	}
	for _, o := range raw.Objects {
		ti := TokenInfo{
			Key: o.Key, Readonly: o.Readonly || o.Permission == "read-only",
			Bypass2FA: o.Bypass2FA, Automation: o.Automation || strings.EqualFold(o.Type, "automation"),
			Packages: o.Packages, Scopes: o.Scopes,
		}
		if s, ok := o.Name.(string); ok {
			ti.Name = s
		}
		if s, ok := o.Created.(string); ok {
			ti.Created = s
		}
		objects = append(objects, ti)
	}
	if raw.URLs.Next != nil {
		next = *raw.URLs.Next
	}
	return objects, next, nil
}

// TokenIDs gives each token the shortest prefix of its key, at least
// minLen long, that no other token's key shares: what npm token list
// shows as id and npm token revoke accepts.
func TokenIDs(tokens []TokenInfo, minLen int) []string {
	ids := make([]string, len(tokens))
	for i, t := range tokens {
		n := min(minLen, len(t.Key))
		for ; n < len(t.Key); n++ {
			clash := false
			for j, o := range tokens {
				if j != i && strings.HasPrefix(o.Key, t.Key[:n]) {
					clash = true
					break
				}
			}
			if !clash {
				break
			}
		}
		ids[i] = t.Key[:n]
	}
	return ids
}

func (c *Client) getJSON(ctx context.Context, u, command string) (*response, request, error) {
	r := request{method: http.MethodGet, url: u, command: command, accept: "application/json",
		maxBytes: c.opts.MaxJSONBytes, expectBody: true}
	resp, err := c.do(ctx, r)
	return resp, r, err
}

func (c *Client) badResponse(r request, resp *response, what string, err error) error {
	return &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: stripUserinfo(r.url),
		Registry: c.registry, Sent: true, Message: "invalid " + what + ": " + sanitize(err.Error(), 200), Err: err}
}

// PackagesOf lists the packages owner (a user or an org) may access, as
// `npm access list packages <owner>` does: the org route first, the user
// route when that is 404.
func (c *Client) PackagesOf(ctx context.Context, owner string) (map[string]string, error) {
	owner = strings.TrimPrefix(owner, "@")
	if owner == "" || strings.ContainsAny(owner, "/:") {
		return nil, invalid("owner %q is not a user or org name", sanitize(owner, 80))
	}
	esc := url.PathEscape(owner)
	resp, r, err := c.getJSON(ctx, c.url("/-/org/"+esc+"/package"), "access")
	if KindOf(err) == ErrNotFound {
		resp, r, err = c.getJSON(ctx, c.url("/-/user/"+esc+"/package"), "access")
	}
	if err != nil {
		return nil, err
	}
	m, err := ParsePackageAccess(resp.body)
	if err != nil {
		return nil, c.badResponse(r, resp, "package list", err)
	}
	return m, nil
}

// PackageMFA reads a package's publishing 2FA setting (GET
// /-/package/{name}/access; see the note at the top of this file).
func (c *Client) PackageMFA(ctx context.Context, name string) (MFA, error) {
	esc, err := EscapeName(name)
	if err != nil {
		return MFA{}, err
	}
	resp, r, err := c.getJSON(ctx, c.url("/-/package/"+esc+"/access"), "access")
	if err != nil {
		return MFA{}, err
	}
	m, err := ParseMFA(resp.body)
	if err != nil {
		return MFA{}, c.badResponse(r, resp, "access document", err)
	}
	return m, nil
}

// TrustList lists a package's trusted publishers (npm trust list).
func (c *Client) TrustList(ctx context.Context, name string) ([]TrustRelation, error) {
	esc, err := EscapeName(name)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodGet, url: c.url("/-/package/" + esc + "/trust"), command: "trust",
		accept: "application/json", maxBytes: c.opts.MaxJSONBytes}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	ts, err := ParseTrustList(resp.body)
	if err != nil {
		return nil, c.badResponse(r, resp, "trust list", err)
	}
	return ts, nil
}

// maxTokenPages bounds the token list's pagination.
const maxTokenPages = 100

// Tokens lists the logged-in user's tokens (npm token list), following
// urls.next only within this registry's origin.
func (c *Client) Tokens(ctx context.Context) ([]TokenInfo, error) {
	var all []TokenInfo
	u := c.url("/-/npm/v1/tokens")
	base, _ := url.Parse(c.base)
	for page := 0; ; page++ {
		if page >= maxTokenPages {
			return nil, &Error{Kind: ErrBadResponse, Method: http.MethodGet, URL: stripUserinfo(u), Registry: c.registry,
				Message: fmt.Sprintf("the token list has more than %d pages", maxTokenPages)}
		}
		resp, r, err := c.getJSON(ctx, u, "token")
		if err != nil {
			return nil, err
		}
		objs, next, err := ParseTokenPage(resp.body)
		if err != nil {
			return nil, c.badResponse(r, resp, "token list", err)
		}
		all = append(all, objs...)
		if next == "" {
			break
		}
		nu, err := url.Parse(next)
		if err != nil {
			return nil, c.badResponse(r, resp, "token list next link", err)
		}
		nu = base.ResolveReference(nu)
		if nu.Scheme != base.Scheme || !strings.EqualFold(nu.Host, base.Host) || nu.User != nil {
			return nil, c.badResponse(r, resp, "token list next link", errors.New("it points outside the registry"))
		}
		u = nu.String()
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Created < all[j].Created })
	return all, nil
}
