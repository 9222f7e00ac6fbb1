package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// PerPage is the page size npm requests when listing the stage queue.
const PerPage = 100

// stageCommand is the npm-command header npm sends for every `npm stage …` request.
const stageCommand = "stage"

// ValidStageID reports whether id is a UUID as npm checks it
// (^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$, any case).
func ValidStageID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func invalid(format string, a ...any) *Error {
	return &Error{Kind: ErrInvalid, Message: fmt.Sprintf(format, a...)}
}

// checkStageID refuses a non-UUID before anything is sent; the id is then
// sent exactly as typed, as npm does.
func checkStageID(id string) error {
	if !ValidStageID(id) {
		return invalid("stage id %q is not a UUID", sanitize(id, 60))
	}
	return nil
}

// nameSafe are the characters encodeURIComponent leaves alone, which is
// what npm's name validation allows in a package name.
func nameSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_.!~*'()", c) >= 0
}

// ValidatePackageName checks that name is a plain or scoped npm package
// name whose characters cannot alter a URL path (no "..", "?", "%" or
// extra "/").
func ValidatePackageName(name string) error {
	if name == "" || len(name) > 214 {
		return invalid("package name %q must be 1 to 214 characters", sanitize(name, 60))
	}
	scope, bare := "", name
	if name[0] == '@' {
		var ok bool
		scope, bare, ok = strings.Cut(name[1:], "/")
		if !ok || scope == "" {
			return invalid("scoped package name %q must look like @scope/name", sanitize(name, 60))
		}
	}
	if bare == "" {
		return invalid("package name %q has an empty name", sanitize(name, 60))
	}
	for _, part := range []string{scope, bare} {
		if part != "" && part[0] == '.' {
			return invalid("package name %q may not start with a period", sanitize(name, 60))
		}
		for i := 0; i < len(part); i++ {
			if !nameSafe(part[i]) {
				return invalid("package name %q contains a character that is not allowed", sanitize(name, 60))
			}
		}
	}
	return nil
}

// EscapeName escapes a package name for a URL path as npm does
// (npm-package-arg escapedName): "@scope/pkg" becomes "@scope%2fpkg",
// with a lowercase %2f.
func EscapeName(name string) (string, error) {
	if err := ValidatePackageName(name); err != nil {
		return "", err
	}
	return strings.Replace(name, "/", "%2f", 1), nil
}

// formEncode encodes like WHATWG URLSearchParams (what npm's query option
// produces): alphanumerics and *-._ are kept, space is +, all else %XX.
func formEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// ListFilter turns npm's `stage list [<pkg>]` argument into a package
// name: "name" or "name@*"; any other version spec is refused, as npm does.
func ListFilter(spec string) (string, error) {
	if spec == "" {
		return "", nil
	}
	name := spec
	if at := strings.LastIndexByte(spec, '@'); at > 0 {
		if spec[at+1:] != "*" {
			return "", invalid("version specifiers are not supported for listing staged packages: %q", sanitize(spec, 80))
		}
		name = spec[:at]
	}
	if err := ValidatePackageName(name); err != nil {
		return "", err
	}
	return name, nil
}

// listPage is one page of GET /-/stage.
type listPage struct {
	Items *[]StageItem `json:"items"`
	Total *float64     `json:"total"`
}

// decodeListPage parses a list page; a page without an items array is an
// error (npm would crash on it).
func decodeListPage(data []byte) ([]StageItem, *float64, error) {
	var p listPage
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, nil, err
	}
	if p.Items == nil {
		return nil, nil, fmt.Errorf("no items array")
	}
	return *p.Items, p.Total, nil
}

// listURL builds the page URL with the query in npm's order and encoding.
func (c *Client) listURL(page int, pkg string) string {
	q := "page=" + strconv.Itoa(page) + "&perPage=" + strconv.Itoa(PerPage)
	if pkg != "" {
		q += "&package=" + formEncode(pkg)
	}
	return c.url("/-/stage") + "?" + q
}

// ListStaged returns every staged version, optionally only of pkg ("name"
// or "name@*"), fetching pages until npm's stop rule holds: as many items
// as total, or a short page. Items keep the registry's raw JSON.
//
// A registry that misbehaves cannot make it grow without bound: each page
// is at most MaxListPageBytes and PerPage items, an id seen on an earlier
// page (a page served again, or a loop) is an error, and so is passing
// Options.MaxListItems or Options.MaxPages.
func (c *Client) ListStaged(ctx context.Context, pkg string) ([]StageItem, error) {
	name, err := ListFilter(pkg)
	if err != nil {
		return nil, err
	}
	var all []StageItem
	seen := map[string]int{} // id -> page it was first seen on
	for page := 0; ; page++ {
		u := c.listURL(page, name)
		bad := func(status int, format string, a ...any) error {
			return &Error{Kind: ErrBadResponse, Status: status, Method: http.MethodGet, URL: u, Registry: c.registry,
				Sent: status != 0, Message: fmt.Sprintf(format, a...)}
		}
		if page >= c.opts.MaxPages {
			return nil, bad(0, "stopped after %d pages (%d items): the registry keeps reporting more", page, len(all))
		}
		r := request{method: http.MethodGet, url: u, command: stageCommand, maxBytes: c.jsonCap(MaxListPageBytes), expectBody: true}
		resp, err := c.do(ctx, r)
		if err != nil {
			return nil, err
		}
		items, total, err := decodeListPage(resp.body)
		if err != nil {
			return nil, &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: r.url, Registry: c.registry,
				Sent: true, Message: "invalid stage list: " + sanitize(err.Error(), 200), Err: err}
		}
		if len(items) > PerPage {
			return nil, bad(resp.status, "invalid stage list: page %d has %d items, more than the %d asked for", page, len(items), PerPage)
		}
		for _, it := range items {
			key := strings.ToLower(it.ID)
			if key == "" {
				continue // unusable, but not a loop; the item cap still bounds them
			}
			if first, dup := seen[key]; dup {
				return nil, bad(resp.status, "invalid stage list: page %d repeats id %s from page %d (the registry is serving pages in a loop)",
					page, sanitize(it.ID, 60), first)
			}
			seen[key] = page
		}
		if len(all)+len(items) > c.opts.MaxListItems {
			return nil, bad(resp.status, "stopped after %d items on %d pages: more than the limit of %d staged versions", len(all)+len(items), page+1, c.opts.MaxListItems)
		}
		all = append(all, items...)
		if (total != nil && float64(len(all)) >= *total) || len(items) < PerPage {
			return all, nil
		}
	}
}

// ViewStaged returns one staged version (GET /-/stage/{id}).
func (c *Client) ViewStaged(ctx context.Context, id string) (StageItem, error) {
	if err := checkStageID(id); err != nil {
		return StageItem{}, err
	}
	r := request{method: http.MethodGet, url: c.url("/-/stage/" + id), command: stageCommand, maxBytes: c.jsonCap(MaxStageItemBytes), expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return StageItem{}, err
	}
	var it StageItem
	if err := c.decodeJSON(r, resp, &it); err != nil {
		return StageItem{}, err
	}
	if bytes.Equal(bytes.TrimSpace(it.Raw), []byte("null")) {
		return StageItem{}, &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: r.url, Registry: c.registry, Sent: true, Message: "the stage item is null"}
	}
	return it, nil
}

// StagedTarball downloads a staged version's .tgz (GET /-/stage/{id}/tarball),
// at most Options.MaxTarballBytes.
func (c *Client) StagedTarball(ctx context.Context, id string) ([]byte, error) {
	return c.StagedTarballProgress(ctx, id, nil)
}

// StagedTarballProgress is StagedTarball reporting bytes received to fn (may be nil).
func (c *Client) StagedTarballProgress(ctx context.Context, id string, fn ProgressFunc) ([]byte, error) {
	if err := checkStageID(id); err != nil {
		return nil, err
	}
	r := request{method: http.MethodGet, url: c.url("/-/stage/" + id + "/tarball"), command: stageCommand, maxBytes: c.opts.MaxTarballBytes, progress: fn}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}

// checkOTP refuses an OTP that could not be a header value; it never
// echoes the OTP.
func checkOTP(otp string) (string, error) {
	otp = strings.TrimSpace(otp)
	if len(otp) > 2048 {
		return "", invalid("the one-time password is too long")
	}
	for i := 0; i < len(otp); i++ {
		if otp[i] <= ' ' || otp[i] >= 0x7f {
			return "", invalid("the one-time password contains characters that are not allowed")
		}
	}
	return otp, nil
}

// Approve publishes a staged version (POST /-/stage/{id}/approve, empty
// body). otp, when not empty, is sent as npm-otp. The registry must
// answer with a JSON body, as npm requires. It is never retried: on a
// timeout or network error check (*Error).OutcomeUnknown and verify.
func (c *Client) Approve(ctx context.Context, id, otp string) error {
	if err := checkStageID(id); err != nil {
		return err
	}
	otp, err := checkOTP(otp)
	if err != nil {
		return err
	}
	r := request{method: http.MethodPost, url: c.url("/-/stage/" + id + "/approve"), command: stageCommand, otp: otp,
		maxBytes: c.jsonCap(MaxStageItemBytes), expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	var v any
	return c.decodeJSON(r, resp, &v)
}

// Reject deletes a staged version (DELETE /-/stage/{id}); any 2xx is
// success, as for npm. It is never retried.
func (c *Client) Reject(ctx context.Context, id, otp string) error {
	if err := checkStageID(id); err != nil {
		return err
	}
	otp, err := checkOTP(otp)
	if err != nil {
		return err
	}
	r := request{method: http.MethodDelete, url: c.url("/-/stage/" + id), command: stageCommand, otp: otp, maxBytes: maxErrorBody}
	_, err = c.do(ctx, r)
	if err != nil && KindOf(err) == ErrTooLarge {
		return nil // npm ignores the body; a large one does not undo the 2xx
	}
	return err
}

// StagePublish stages a version: POST /-/stage/package/{escapedName}
// with doc, the JSON document `npm publish` would PUT. It returns the
// registry's stageId (npm does not validate it; it may be empty). There is
// no OTP handling on this route in npm: a challenge is returned as an error.
func (c *Client) StagePublish(ctx context.Context, doc []byte, name string) (string, error) {
	esc, err := EscapeName(name)
	if err != nil {
		return "", err
	}
	if !json.Valid(doc) {
		return "", invalid("the publish document is not valid JSON")
	}
	r := request{method: http.MethodPost, url: c.url("/-/stage/package/" + esc), body: doc, contentType: "application/json",
		command: stageCommand, maxBytes: c.jsonCap(MaxStageItemBytes), expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	var out struct {
		StageID any `json:"stageId"`
	}
	if err := c.decodeJSON(r, resp, &out); err != nil {
		return "", err
	}
	s, _ := out.StageID.(string)
	return s, nil
}
