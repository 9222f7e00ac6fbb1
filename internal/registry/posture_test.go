package registry

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestParseTrustList(t *testing.T) {
	ts, err := ParseTrustList([]byte(`[
	 {"id":"a1","type":"github","claims":{"repository":"o/r","workflow_ref":{"file":"rel.yml"},"environment":"npm"},"permissions":["createStagedPackage"]},
	 {"id":7,"type":"circleci","claims":{"oidc.circleci.com/org-id":"o","oidc.circleci.com/context-ids":["c1","c2"]}},
	 {"id":"b2","type":"gitlab","permissions":["createPackage"]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("%+v", ts)
	}
	if ts[0].ID != "a1" || ts[0].Claims["workflow_ref.file"] != "rel.yml" || ts[0].Claims["repository"] != "o/r" || ts[0].CanPublish() {
		t.Errorf("stage-only github: %+v", ts[0])
	}
	if ts[1].ID != "7" || !ts[1].PermissionsMissing || !ts[1].CanPublish() || ts[1].Claims["oidc.circleci.com/context-ids"] != "c1,c2" {
		t.Errorf("legacy circleci: %+v", ts[1])
	}
	if !ts[2].CanPublish() || ts[2].PermissionsMissing {
		t.Errorf("publishing gitlab: %+v", ts[2])
	}
	for _, empty := range []string{"", "null", "[]", " \n"} {
		if ts, err := ParseTrustList([]byte(empty)); err != nil || len(ts) != 0 {
			t.Errorf("%q: %v %v", empty, ts, err)
		}
	}
	if _, err := ParseTrustList([]byte(`{"id":1}`)); err == nil {
		t.Error("an object is not a trust list")
	}
}

func TestParseMFA(t *testing.T) {
	for _, tc := range []struct {
		in, level string
		ok        bool
	}{
		{`{"publish_requires_tfa":false}`, "none", true},
		{`{"publish_requires_tfa":true,"automation_token_overrides_tfa":false}`, "publish", true},
		{`{"publish_requires_tfa":true,"automation_token_overrides_tfa":true}`, "automation", true},
		{`{"publish_requires_tfa":true}`, "publish", true},
		{`{}`, "", false},
		{`{"publish_requires_tfa":"yes"}`, "", false},
		{`[]`, "", false},
	} {
		m, err := ParseMFA([]byte(tc.in))
		if (err == nil) != tc.ok || (tc.ok && m.Level() != tc.level) {
			t.Errorf("%s: %+v %v", tc.in, m, err)
		}
	}
}

func TestParseTokenPage(t *testing.T) {
	objs, next, err := ParseTokenPage([]byte(`{"objects":[
	 {"key":"k1","token":"npm_ab","name":"n","created":"2026-01-01T00:00:00.000Z","readonly":false,"bypass_2fa":true,"packages":["p"]},
	 {"key":"k2","token":"npm_cd","readonly":false,"type":"automation"},
	 {"key":"k3","packages_and_scopes_permission":"read-only","bypass_2fa":true,"name":5}],
	 "urls":{"next":"/-/npm/v1/tokens?page=1"}}`))
	if err != nil || next != "/-/npm/v1/tokens?page=1" || len(objs) != 3 {
		t.Fatalf("%+v %q %v", objs, next, err)
	}
	if !objs[0].Bypass2FA || !slices.Equal(objs[0].Packages, []string{"p"}) || objs[0].Name != "n" {
		t.Errorf("%+v", objs[0])
	}
	if !objs[1].Automation || objs[1].Readonly {
		t.Errorf("%+v", objs[1])
	}
	if !objs[2].Readonly || objs[2].Name != "" {
		t.Errorf("%+v", objs[2])
	}
	b, _ := json.Marshal(objs)
	if strings.Contains(string(b), "npm_") {
		t.Errorf("the token prefix was kept: %s", b)
	}
}

// Tokens follows urls.next within the registry and refuses a link to
// another origin, where the next request would carry no trust.
func TestTokensPagination(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Query().Get("page") {
		case "":
			writeJSON(w, 200, `{"objects":[{"key":"b","created":"2"}],"urls":{"next":"/-/npm/v1/tokens?page=1"}}`)
		case "1":
			writeJSON(w, 200, `{"objects":[{"key":"a","created":"1"}],"urls":{"next":null}}`)
		}
	})
	auth := &prefixAuth{prefix: f.URL, header: "Bearer T"}
	c := newClient(t, f.URL, auth, nil)
	toks, err := c.Tokens(context.Background())
	if err != nil || len(toks) != 2 || toks[0].Key != "a" {
		t.Fatalf("%+v %v", toks, err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[1].URI != "/-/npm/v1/tokens?page=1" || reqs[1].Header.Get("Authorization") != "Bearer T" {
		t.Errorf("%+v", reqs)
	}

	evil := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, `{"objects":[],"urls":{"next":"http://example.invalid/-/npm/v1/tokens?page=1"}}`)
	})
	c = newClient(t, evil.URL, auth, nil)
	if _, err := c.Tokens(context.Background()); KindOf(err) != ErrBadResponse {
		t.Errorf("an off-registry next link: %v", err)
	}
	loop := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, `{"objects":[],"urls":{"next":"/-/npm/v1/tokens?page=0"}}`)
	})
	c = newClient(t, loop.URL, auth, nil)
	if _, err := c.Tokens(context.Background()); KindOf(err) != ErrBadResponse || len(loop.requests()) != maxTokenPages {
		t.Errorf("endless pages: %v after %d requests", err, len(loop.requests()))
	}
}

// PackagesOf asks the org route, then the user route on 404, as
// libnpmaccess getPackages does.
func TestPackagesOf(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasPrefix(r.URL.Path, "/-/org/") {
			writeJSON(w, 404, `{"error":"Not found"}`)
			return
		}
		writeJSON(w, 200, `{"a":"read-write","@s/b":"read-only","bad name":"read-write","c":1}`)
	})
	c := newClient(t, f.URL, nil, nil)
	m, err := c.PackagesOf(context.Background(), "alice")
	if err != nil || len(m) != 2 || m["a"] != "read-write" || m["@s/b"] != "read-only" {
		t.Fatalf("%v %v", m, err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].URI != "/-/org/alice/package" || reqs[1].URI != "/-/user/alice/package" {
		t.Errorf("%+v", reqs)
	}
	if _, err := c.PackagesOf(context.Background(), "a/b"); KindOf(err) != ErrInvalid {
		t.Errorf("owner with a slash: %v", err)
	}
}

func TestPostureRoutesEscapeNames(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasSuffix(r.URL.Path, "/access") {
			writeJSON(w, 200, `{"publish_requires_tfa":true}`)
			return
		}
		writeJSON(w, 200, `[]`)
	})
	c := newClient(t, f.URL, nil, nil)
	if m, err := c.PackageMFA(context.Background(), "@s/p"); err != nil || m.Level() != "publish" {
		t.Fatalf("%+v %v", m, err)
	}
	if ts, err := c.TrustList(context.Background(), "@s/p"); err != nil || len(ts) != 0 {
		t.Fatalf("%+v %v", ts, err)
	}
	reqs := f.requests()
	if reqs[0].URI != "/-/package/@s%2fp/access" || reqs[1].URI != "/-/package/@s%2fp/trust" {
		t.Errorf("%s %s", reqs[0].URI, reqs[1].URI)
	}
}

func FuzzParseTrustList(f *testing.F) {
	f.Add([]byte(`[{"id":"a","type":"github","claims":{"repository":"o/r","workflow_ref":{"file":"x.yml"}},"permissions":["createPackage"]}]`))
	f.Add([]byte(`[{"id":1,"claims":{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}}]`))
	f.Add([]byte(`[null,{"claims":[1]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ParseTrustList(data)
		if err != nil {
			return
		}
		for _, tr := range ts {
			// No permissions list always counts as able to publish.
			if tr.PermissionsMissing && !tr.CanPublish() {
				t.Fatalf("%+v", tr)
			}
			if slices.Contains(tr.Permissions, PermPublish) != tr.CanPublish() && !tr.PermissionsMissing {
				t.Fatalf("%+v", tr)
			}
		}
	})
}

func FuzzParseTokenPage(f *testing.F) {
	f.Add([]byte(`{"objects":[{"key":"k","token":"npm_secretprefix","bypass_2fa":true}],"urls":{"next":"/x"}}`))
	f.Add([]byte(`{"objects":null,"urls":null}`))
	f.Add([]byte(`{"objects":[{"type":"Automation","packages_and_scopes_permission":"read-only"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, _, err := ParseTokenPage(data)
		if err != nil {
			return
		}
		for _, o := range objs {
			// The registry's token prefix has no field to land in.
			b, _ := json.Marshal(o)
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				t.Fatalf("re-encoding: %s", b)
			}
			if _, ok := m["token"]; ok {
				t.Fatalf("a token field: %s", b)
			}
		}
	})
}

func FuzzParseMFAAndAccess(f *testing.F) {
	f.Add([]byte(`{"publish_requires_tfa":true,"automation_token_overrides_tfa":true}`))
	f.Add([]byte(`{"a":"read-write","@s/b":"read-only"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := ParseMFA(data); err == nil {
			switch m.Level() {
			case "none", "publish", "automation":
			default:
				t.Fatalf("level %q", m.Level())
			}
		}
		if m, err := ParsePackageAccess(data); err == nil {
			for name := range m {
				if ValidatePackageName(name) != nil {
					t.Fatalf("invalid name %q kept", name)
				}
			}
		}
	})
}
