package devregistry

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPostureAccessRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.publish("@s/p", "1.0.0", "latest")
	if err := e.s.SeedPosture(PostureSeed{Packages: map[string]PackagePosture{"seeded": {MFA: "automation"}}}); err != nil {
		t.Fatal(err)
	}
	// npm access list packages <user>: the org route is 404, the user route lists.
	if r := e.do("GET", "/-/org/maintainer/package", testToken, nil); r.status != 404 {
		t.Errorf("org route: %d", r.status)
	}
	r := e.do("GET", "/-/user/maintainer/package", testToken, nil)
	if m := r.json(t); r.status != 200 || m["@s/p"] != "read-write" || m["seeded"] != "read-write" || len(m) != 2 {
		t.Errorf("user packages: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/-/user/someone-else/package", testToken, nil); string(r.body) != "{}" {
		t.Errorf("another user's packages: %s", r.body)
	}
	if r := e.do("GET", "/-/user/maintainer/package", "", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}

	get := func(name string) string {
		t.Helper()
		r := e.do("GET", "/-/package/"+escName(name)+"/access", testToken, nil)
		if r.status != 200 {
			t.Fatalf("GET access %s: %d %s", name, r.status, r.body)
		}
		return string(r.body)
	}
	if got := get("@s/p"); got != `{"automation_token_overrides_tfa":false,"publish_requires_tfa":false}` {
		t.Errorf("default: %s", got)
	}
	if got := get("seeded"); got != `{"automation_token_overrides_tfa":true,"publish_requires_tfa":true}` {
		t.Errorf("seeded automation: %s", got)
	}
	// libnpmaccess setMfa's three bodies.
	for _, tc := range []struct{ body, want string }{
		{`{"publish_requires_tfa":true,"automation_token_overrides_tfa":false}`, `{"automation_token_overrides_tfa":false,"publish_requires_tfa":true}`},
		{`{"publish_requires_tfa":true,"automation_token_overrides_tfa":true}`, `{"automation_token_overrides_tfa":true,"publish_requires_tfa":true}`},
		{`{"publish_requires_tfa":false}`, `{"automation_token_overrides_tfa":false,"publish_requires_tfa":false}`},
	} {
		if r := e.do("POST", "/-/package/"+escName("@s/p")+"/access", testToken, []byte(tc.body)); r.status != 200 {
			t.Fatalf("POST %s: %d %s", tc.body, r.status, r.body)
		}
		if got := get("@s/p"); got != tc.want {
			t.Errorf("after %s: %s", tc.body, got)
		}
	}
	if r := e.do("POST", "/-/package/seeded/access", testCI, []byte(`{"publish_requires_tfa":false}`)); r.status != 403 {
		t.Errorf("the CI token changed 2FA: %d", r.status)
	}
	if r := e.do("GET", "/-/package/nope/access", testToken, nil); r.status != 404 {
		t.Errorf("unknown package: %d", r.status)
	}
	if r := e.do("POST", "/-/package/seeded/access", testToken, []byte(`{}`)); r.status != 400 {
		t.Errorf("empty body: %d", r.status)
	}
}

func TestPostureTrustRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.publish("p", "1.0.0", "latest")
	list := func() []trustRec {
		t.Helper()
		r := e.do("GET", "/-/package/p/trust", testToken, nil)
		var out []trustRec
		if r.status != 200 || json.Unmarshal(r.body, &out) != nil {
			t.Fatalf("trust list: %d %s", r.status, r.body)
		}
		return out
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("default: %+v", got)
	}
	// npm trust github … --allow-publish --allow-stage-publish sends this body.
	r := e.do("POST", "/-/package/p/trust", testToken, []byte(`[{"type":"github","claims":{"repository":"o/r","workflow_ref":{"file":"rel.yml"}},"permissions":["createPackage","createStagedPackage"]}]`))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	got := list()
	if len(got) != 1 || got[0].ID == "" || got[0].Type != "github" || strings.Join(got[0].Permissions, ",") != "createPackage,createStagedPackage" {
		t.Fatalf("%+v", got)
	}
	if r := e.do("GET", "/-/package/p/trust", testCI, nil); r.status != 403 {
		t.Errorf("CI token: %d", r.status)
	}
	if r := e.do("POST", "/-/package/p/trust", testToken, []byte(`[{"type":"github"}]`)); r.status != 400 {
		t.Errorf("no permissions: %d", r.status)
	}
	if r := e.do("DELETE", "/-/package/p/trust/"+got[0].ID, testToken, nil); r.status != 204 {
		t.Errorf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/-/package/p/trust/"+got[0].ID, testToken, nil); r.status != 404 {
		t.Errorf("revoke again: %d", r.status)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("after revoke: %+v", got)
	}
	// A relationship seeded without permissions is listed without the field.
	if err := e.s.SeedPosture(PostureSeed{Packages: map[string]PackagePosture{"p": {MFA: "publish", Trust: []TrustSeed{{Type: "gitlab"}}}}}); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/-/package/p/trust", testToken, nil); strings.Contains(string(r.body), "permissions") {
		t.Errorf("legacy relationship: %s", r.body)
	}
}

func TestPostureTokenRoutes(t *testing.T) {
	e := newEnv(t, nil)
	var seed PostureSeed
	for i := 0; i < 12; i++ {
		seed.Tokens = append(seed.Tokens, TokenSeed{Name: "t" + string(rune('a'+i)), Readonly: i%2 == 0, Bypass2FA: i == 3, Automation: i == 5})
	}
	if err := e.s.SeedPosture(seed); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Objects []map[string]any `json:"objects"`
		Total   int              `json:"total"`
		URLs    struct {
			Next *string `json:"next"`
		} `json:"urls"`
	}
	var all []map[string]any
	path := "/-/npm/v1/tokens"
	for n := 0; ; n++ {
		r := e.do("GET", path, testToken, nil)
		var p page
		if r.status != 200 || json.Unmarshal(r.body, &p) != nil || p.Total != 12 {
			t.Fatalf("page %d: %d %s", n, r.status, r.body)
		}
		all = append(all, p.Objects...)
		if p.URLs.Next == nil {
			break
		}
		path = strings.TrimPrefix(*p.URLs.Next, e.url)
		if n > 3 {
			t.Fatal("pages do not end")
		}
	}
	if len(all) != 12 || all[0]["name"] != "ta" || all[3]["bypass_2fa"] != true || all[5]["type"] != "automation" {
		t.Fatalf("%v", all)
	}
	for _, o := range all {
		if tok, _ := o["token"].(string); len(tok) > 8 || !strings.HasPrefix(tok, "npm_") {
			t.Errorf("token prefix %q", tok)
		}
	}
	if r := e.do("GET", "/-/npm/v1/tokens", testCI, nil); r.status != 403 {
		t.Errorf("CI token lists tokens: %d", r.status)
	}
	key := all[3]["key"].(string)
	if r := e.do("DELETE", "/-/npm/v1/tokens/token/"+key, testToken, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/-/npm/v1/tokens/token/"+key, testToken, nil); r.status != 404 {
		t.Errorf("revoke again: %d", r.status)
	}
	if r := e.do("GET", "/-/npm/v1/tokens?perPage=100", testToken, nil); strings.Contains(string(r.body), key) {
		t.Errorf("revoked token still listed")
	}
}

func TestSeedPostureRejects(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []PostureSeed{
		{Packages: map[string]PackagePosture{"Bad Name": {}}},
		{Packages: map[string]PackagePosture{"p": {MFA: "sometimes"}}},
	} {
		if err := e.s.SeedPosture(p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := e.s.SeedPosture(DemoPosture()); err != nil {
		t.Errorf("demo posture: %v", err)
	}
}
