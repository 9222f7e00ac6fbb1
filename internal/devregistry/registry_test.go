package devregistry

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAuthMatrix(t *testing.T) {
	e := newEnv(t, nil)
	e.publish("pub", "1.0.0", "latest")
	id := e.stage(testToken, "pub", "1.1.0", "next")
	body := publishBody("other", "1.0.0", "latest", tgzFor(t, "other", "1.0.0", "1"))
	tests := []struct {
		name, method, path, token string
		body                      []byte
		want                      int
	}{
		{"ping anonymous", "GET", "/-/ping", "", nil, 200},
		{"whoami anonymous", "GET", "/-/whoami", "", nil, 401},
		{"whoami bad token", "GET", "/-/whoami", "nope", nil, 401},
		{"whoami ci", "GET", "/-/whoami", testCI, nil, 200},
		{"packument anonymous", "GET", "/pub", "", nil, 200},
		{"tarball anonymous", "GET", "/pub/-/pub-1.0.0.tgz", "", nil, 200},
		{"staged tarball not public", "GET", "/pub/-/pub-1.1.0.tgz", "", nil, 404},
		{"unknown package", "GET", "/nope", "", nil, 404},
		{"list anonymous", "GET", "/-/stage", "", nil, 401},
		{"list ci", "GET", "/-/stage", testCI, nil, 200},
		{"view anonymous", "GET", "/-/stage/" + id, "", nil, 401},
		{"view ci", "GET", "/-/stage/" + id, testCI, nil, 200},
		{"stage tarball ci", "GET", "/-/stage/" + id + "/tarball", testCI, nil, 200},
		{"approve anonymous", "POST", "/-/stage/" + id + "/approve", "", nil, 401},
		{"approve ci", "POST", "/-/stage/" + id + "/approve", testCI, nil, 403},
		{"reject ci", "DELETE", "/-/stage/" + id, testCI, nil, 403},
		{"publish ci", "PUT", "/other", testCI, body, 403},
		{"publish anonymous", "PUT", "/other", "", body, 401},
		{"stage anonymous", "POST", "/-/stage/package/other", "", body, 401},
		{"unknown id view", "GET", "/-/stage/00000000-0000-4000-8000-000000000000", testToken, nil, 404},
		{"unknown id approve", "POST", "/-/stage/00000000-0000-4000-8000-000000000000/approve", testToken, nil, 404},
		{"unknown id reject", "DELETE", "/-/stage/not-a-uuid", testToken, nil, 404},
		{"unknown dash route", "GET", "/-/nope", testToken, nil, 404},
		{"web login unsupported", "POST", "/-/v1/login", "", []byte("{}"), 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.token, tt.body)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if r.status >= 400 {
				m := r.json(t)
				if msg, _ := m["error"].(string); msg == "" {
					t.Errorf("error body without error text: %s", r.body)
				}
			}
			if r.status == 401 {
				if r.header.Get("WWW-Authenticate") != "" || bytes.Contains(r.body, []byte("one-time pass")) {
					t.Errorf("a missing token must not look like an OTP challenge: %v %s", r.header, r.body)
				}
				if !bytes.Contains(r.body, []byte("log in")) {
					t.Errorf("401 body should tell the user to log in: %s", r.body)
				}
			}
			if r.status == 403 && !bytes.Contains(r.body, []byte("CI token")) {
				t.Errorf("403 should explain the CI token's limits: %s", r.body)
			}
			if strings.HasPrefix(tt.path, "/-/stage") && r.header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("cache-control %q", r.header.Get("Cache-Control"))
			}
		})
	}
}

func TestWhoamiAndLogin(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Username = "alice"; o.Password = "s3cret-pw" })
	if m := e.do("GET", "/-/whoami", testToken, nil).json(t); m["username"] != "alice" {
		t.Errorf("whoami %v", m)
	}
	r := e.do("PUT", "/-/user/org.couchdb.user:alice", "", []byte(`{"_id":"org.couchdb.user:alice","name":"alice","password":"s3cret-pw"}`))
	if r.status != 201 || r.json(t)["token"] != testToken {
		t.Errorf("login: %d %s", r.status, r.body)
	}
	for _, body := range []string{
		`{"name":"alice","password":"x"}`,
		`{"name":"alice","password":""}`,
		`{"name":"alice"}`,
		`{"name":"alice","password":"s3cret-pw "}`,
		`{"name":"alice","password":"S3CRET-PW"}`,
	} {
		r = e.do("PUT", "/-/user/org.couchdb.user:alice", "", []byte(body))
		if r.status != 401 || bytes.Contains(r.body, []byte(testToken)) || !bytes.Contains(r.body, []byte("Incorrect password")) {
			t.Errorf("login with %s: %d %s", body, r.status, r.body)
		}
	}
	r = e.do("PUT", "/-/user/org.couchdb.user:bob", "", []byte(`{"name":"bob","password":"s3cret-pw"}`))
	if r.status != 401 || bytes.Contains(r.body, []byte(testToken)) {
		t.Errorf("login of another user: %d %s", r.status, r.body)
	}
}

func TestGeneratedPassword(t *testing.T) {
	e := newEnv(t, nil)
	pw := e.s.Password()
	if len(pw) < 32 {
		t.Fatalf("generated password %d characters", len(pw))
	}
	r := e.do("PUT", "/-/user/org.couchdb.user:maintainer", "", []byte(`{"name":"maintainer","password":"`+pw+`"}`))
	if r.status != 201 || r.json(t)["token"] != testToken {
		t.Errorf("login with the generated password: %d %s", r.status, r.body)
	}
	r = e.do("PUT", "/-/user/org.couchdb.user:maintainer", "", []byte(`{"name":"maintainer","password":"anything"}`))
	if r.status != 401 {
		t.Errorf("login with another password: %d %s", r.status, r.body)
	}
}

func TestPublishAndPackument(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Username = "alice" })
	tgz := tgzFor(t, "@sc/pkg", "1.0.0", "1")
	r := e.do("PUT", "/@sc%2fpkg", testToken, publishBody("@sc/pkg", "1.0.0", "latest", tgz))
	if r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/@sc%2fpkg", "/@sc%2Fpkg", "/@sc/pkg"} {
		r := e.do("GET", p, "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.status, r.body)
		}
		var doc struct {
			Name     string            `json:"name"`
			DistTags map[string]string `json:"dist-tags"`
			Versions map[string]struct {
				Dist struct {
					Tarball, Shasum, Integrity string
				} `json:"dist"`
				NpmUser struct{ Name string } `json:"_npmUser"`
			} `json:"versions"`
			Time        map[string]string `json:"time"`
			Maintainers []struct{ Name string }
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		v := doc.Versions["1.0.0"]
		if doc.Name != "@sc/pkg" || doc.DistTags["latest"] != "1.0.0" || v.NpmUser.Name != "alice" ||
			doc.Time["1.0.0"] != "2026-11-25T12:00:10.000Z" || len(doc.Maintainers) != 1 {
			t.Errorf("packument %s", r.body)
		}
		if !strings.HasPrefix(v.Dist.Tarball, e.url+"/") {
			t.Fatalf("tarball URL %q does not point at this server", v.Dist.Tarball)
		}
		tr := e.do("GET", strings.TrimPrefix(v.Dist.Tarball, e.url), "", nil)
		sum := sha1.Sum(tr.body)
		if tr.status != 200 || hex.EncodeToString(sum[:]) != v.Dist.Shasum || !bytes.Equal(tr.body, tgz) {
			t.Errorf("tarball: %d, sha1 mismatch", tr.status)
		}
	}
	// libnpmpublish's own tarball URL form also resolves.
	if r := e.do("GET", "/@sc/pkg/-/@sc/pkg-1.0.0.tgz", "", nil); r.status != 200 {
		t.Errorf("libnpmpublish tarball path: %d", r.status)
	}
	r = e.do("PUT", "/@sc%2fpkg", testToken, publishBody("@sc/pkg", "1.0.0", "latest", tgz))
	if r.status != 409 || !strings.Contains(r.json(t)["error"].(string), `previously published version "1.0.0"`) {
		t.Errorf("republish: %d %s", r.status, r.body)
	}
}

func TestPublishValidation(t *testing.T) {
	e := newEnv(t, nil)
	tgz := tgzFor(t, "pkg", "1.0.0", "1")
	good := publishBody("pkg", "1.0.0", "latest", tgz)
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	ver := func(m map[string]any) map[string]any { return m["versions"].(map[string]any)["1.0.0"].(map[string]any) }
	att := func(m map[string]any) map[string]any {
		return m["_attachments"].(map[string]any)["pkg-1.0.0.tgz"].(map[string]any)
	}
	tests := []struct {
		name string
		path string
		body []byte
		want int
	}{
		{"not json", "/pkg", []byte("{"), 400},
		{"name mismatch", "/other", good, 400},
		{"bad shasum", "/pkg", mutate(func(m map[string]any) { ver(m)["dist"].(map[string]any)["shasum"] = strings.Repeat("0", 40) }), 400},
		{"bad integrity", "/pkg", mutate(func(m map[string]any) { ver(m)["dist"].(map[string]any)["integrity"] = "sha512-AAAA" }), 400},
		{"bad base64", "/pkg", mutate(func(m map[string]any) { att(m)["data"] = "!!!" }), 400},
		{"length mismatch", "/pkg", mutate(func(m map[string]any) { att(m)["length"] = 3 }), 400},
		{"no attachment", "/pkg", mutate(func(m map[string]any) { m["_attachments"] = map[string]any{} }), 400},
		{"two versions", "/pkg", mutate(func(m map[string]any) { m["versions"].(map[string]any)["2.0.0"] = ver(m) }), 400},
		{"bad version", "/pkg", mutate(func(m map[string]any) {
			m["versions"] = map[string]any{"1.0": ver(m)}
			m["dist-tags"] = map[string]any{"latest": "1.0"}
		}), 400},
		{"tag is a version", "/pkg", mutate(func(m map[string]any) { m["dist-tags"] = map[string]any{"1.2.3": "1.0.0"} }), 400},
		{"tag elsewhere", "/pkg", mutate(func(m map[string]any) { m["dist-tags"] = map[string]any{"latest": "9.9.9"} }), 400},
		{"bad access", "/pkg", mutate(func(m map[string]any) { m["access"] = "private" }), 400},
		{"bad name", "/Bad%20Name", good, 404},
		{"ok", "/pkg", good, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("PUT", tt.path, testToken, tt.body)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
		})
	}
}

func TestStageApproveFlow(t *testing.T) {
	e := newEnv(t, nil)
	e.publish("@sc/pkg", "1.0.0", "latest")
	id := e.stage(testToken, "@sc/pkg", "1.1.0", "next")
	if !uuidRE.MatchString(id) {
		t.Fatalf("stage id %q is not a UUID v4", id)
	}

	// One version index for staged and published.
	r := e.do("POST", "/-/stage/package/@sc%2fpkg", testToken, publishBody("@sc/pkg", "1.1.0", "next", tgzFor(t, "@sc/pkg", "1.1.0", "2")))
	if r.status != 409 || r.json(t)["error"] != `Cannot stage previously published version "1.1.0"` {
		t.Errorf("restage: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/-/stage/package/@sc%2fpkg", testToken, publishBody("@sc/pkg", "1.0.0", "latest", tgzFor(t, "@sc/pkg", "1.0.0", "2")))
	if r.status != 409 {
		t.Errorf("stage of a published version: %d %s", r.status, r.body)
	}
	r = e.do("PUT", "/@sc%2fpkg", testToken, publishBody("@sc/pkg", "1.1.0", "next", tgzFor(t, "@sc/pkg", "1.1.0", "3")))
	if r.status != 409 || r.json(t)["error"] != `Cannot publish over previously staged version "1.1.0".` {
		t.Errorf("publish over staged: %d %s", r.status, r.body)
	}

	// View (ids match case-insensitively), and the staged tarball.
	r = e.do("GET", "/-/stage/"+strings.ToUpper(id), testToken, nil)
	it := r.json(t)
	tgz := e.do("GET", "/-/stage/"+id+"/tarball", testToken, nil)
	sum := sha1.Sum(tgz.body)
	want := map[string]any{"id": id, "packageName": "@sc/pkg", "version": "1.1.0", "tag": "next",
		"createdAt": "2026-11-25T12:00:10.000Z", "actor": "maintainer", "actorType": "user",
		"access": "restricted", "shasum": hex.EncodeToString(sum[:])}
	if fmt.Sprint(it) != fmt.Sprint(want) {
		t.Errorf("item\n got %v\nwant %v", it, want)
	}
	if tgz.header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("tarball content-type %q", tgz.header.Get("Content-Type"))
	}

	// 2FA: missing, wrong, then right.
	for _, otp := range []string{"", "000000", "abc", e.code(-90 * time.Second)} {
		r = e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", otp)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != "OTP" || r.json(t)["error"] != otpMessage ||
			!bytes.Contains(r.body, []byte("--otp=<code>")) {
			t.Fatalf("otp %q: %d %v %s", otp, r.status, r.header, r.body)
		}
		if _, ok := r.json(t)["authUrl"]; ok {
			t.Error("authUrl without WebAuth")
		}
	}
	r = e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", e.code(-30*time.Second))
	if r.status != 200 || string(r.body) != `{"ok":true}` {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			NpmUser struct{ Name, ActorType string } `json:"_npmUser"`
			Dist    struct{ Shasum string }
		} `json:"versions"`
	}
	if err := json.Unmarshal(e.do("GET", "/@sc/pkg", "", nil).body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.DistTags["next"] != "1.1.0" || doc.DistTags["latest"] != "1.0.0" || doc.Versions["1.1.0"].Dist.Shasum != want["shasum"] {
		t.Errorf("after approve: %+v", doc)
	}
	if r = e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", e.code(0)); r.status != 404 {
		t.Errorf("second approve: %d", r.status)
	}
	if r = e.do("GET", "/-/stage/"+id, testToken, nil); r.status != 404 {
		t.Errorf("view after approve: %d", r.status)
	}
	if r = e.do("GET", "/@sc/pkg/-/pkg-1.1.0.tgz", "", nil); r.status != 200 || !bytes.Equal(r.body, tgz.body) {
		t.Errorf("published tarball after approve: %d", r.status)
	}
}

func TestRejectFreesVersion(t *testing.T) {
	e := newEnv(t, nil)
	id := e.stage(testToken, "pkg", "1.0.0", "latest")
	if r := e.do("DELETE", "/-/stage/"+id, testToken, nil); r.status != 401 || r.header.Get("WWW-Authenticate") != "OTP" {
		t.Fatalf("reject without otp: %d", r.status)
	}
	code := e.code(0)
	if r := e.do("DELETE", "/-/stage/"+id, testToken, nil, "npm-otp", code); r.status != 200 || string(r.body) != `{"ok":true}` {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/-/stage/"+id, testToken, nil); r.status != 404 {
		t.Errorf("view after reject: %d", r.status)
	}
	if r := e.do("GET", "/-/stage/"+id+"/tarball", testToken, nil); r.status != 404 {
		t.Errorf("tarball after reject: %d", r.status)
	}
	if r := e.do("GET", "/pkg", "", nil); r.status != 404 {
		t.Errorf("packument of a rejected-only package: %d", r.status)
	}
	// The version is free again, and the same TOTP code works again within its window.
	id2 := e.stage(testToken, "pkg", "1.0.0", "latest")
	if r := e.do("DELETE", "/-/stage/"+id2, testToken, nil, "npm-otp", code); r.status != 200 {
		t.Errorf("code reuse within the window: %d %s", r.status, r.body)
	}
}

func TestList(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for i := range 130 {
		name := "a-pkg"
		if i%2 == 1 {
			name = "@sc/b"
		}
		ids = append(ids, e.stage(testCI, name, fmt.Sprintf("1.0.%d", i), "latest"))
		e.clock.Add(time.Millisecond) // distinct createdAt, still oldest first
	}
	type page struct {
		Items []struct {
			ID, PackageName, ActorType string
		} `json:"items"`
		Total, Page, PerPage int
	}
	get := func(q string) (int, page) {
		r := e.do("GET", "/-/stage?"+q, testToken, nil)
		var p page
		if r.status == 200 {
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
		}
		return r.status, p
	}
	var all []string
	for pg := 0; ; pg++ {
		st, p := get(fmt.Sprintf("page=%d&perPage=100", pg))
		if st != 200 || p.Total != 130 || p.Page != pg || p.PerPage != 100 {
			t.Fatalf("page %d: %d %+v", pg, st, p)
		}
		for _, it := range p.Items {
			all = append(all, it.ID)
			if it.ActorType != "ci" {
				t.Errorf("actorType %q for the CI token", it.ActorType)
			}
		}
		if len(all) >= p.Total || len(p.Items) < 100 {
			break
		}
	}
	if fmt.Sprint(all) != fmt.Sprint(ids) {
		t.Error("pages are not all items oldest first")
	}
	if _, p := get("perPage=1000"); p.PerPage != 100 || len(p.Items) != 100 {
		t.Errorf("perPage cap: %d items, perPage %d", len(p.Items), p.PerPage)
	}
	for _, q := range []string{"package=%40sc%2Fb", "package=%40sc%2Fb%40%2A"} {
		_, p := get(q)
		if p.Total != 65 || len(p.Items) != 65 || p.Items[0].ID != ids[1] {
			t.Errorf("%s: total %d", q, p.Total)
		}
	}
	if _, p := get("page=5"); len(p.Items) != 0 || p.Total != 130 {
		t.Errorf("past the end: %+v", p)
	}
	for _, q := range []string{"page=-1", "page=x", "perPage=0"} {
		if st, _ := get(q); st != 400 {
			t.Errorf("%s: %d", q, st)
		}
	}
	if r := e.do("GET", "/-/stage?package=none", testToken, nil); string(r.body) != `{"items":[],"total":0,"page":0,"perPage":100}` {
		t.Errorf("empty list: %s", r.body)
	}
}

func TestWebAuthFlow(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.WebAuth = true })
	id := e.stage(testCI, "@sc/web", "2.0.0-beta.1", "beta")
	other := e.stage(testCI, "@sc/web", "2.0.0-beta.2", "beta")
	r := e.do("POST", "/-/stage/"+id+"/approve", testToken, nil)
	m := r.json(t)
	authURL, _ := m["authUrl"].(string)
	doneURL, _ := m["doneUrl"].(string)
	if r.status != 401 || r.header.Get("WWW-Authenticate") != "OTP" || m["error"] != otpMessage ||
		!strings.HasPrefix(authURL, e.url+"/-/weblogin/") || !strings.HasPrefix(doneURL, e.url+"/-/v1/done?sessionId=") {
		t.Fatalf("challenge: %d %s", r.status, r.body)
	}
	done := strings.TrimPrefix(doneURL, e.url)
	if r := e.do("GET", done, "", nil); r.status != 401 {
		t.Errorf("doneUrl without the bearer token: %d", r.status)
	}
	r = e.do("GET", done, testToken, nil)
	if r.status != 202 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("done before confirmation: %d %v", r.status, r.header)
	}
	page := e.do("GET", strings.TrimPrefix(authURL, e.url), "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "@sc/web@2.0.0-beta.1 (tag beta)") ||
		!strings.Contains(string(page.body), `<form method="post">`) || !strings.Contains(string(page.body), ">Approve<") {
		t.Fatalf("auth page: %d %s", page.status, page.body)
	}
	if r := e.do("POST", strings.TrimPrefix(authURL, e.url), "", nil); r.status != 200 {
		t.Fatalf("confirm: %d", r.status)
	}
	r = e.do("GET", done, testToken, nil)
	tok, _ := r.json(t)["token"].(string)
	if r.status != 200 || tok == "" {
		t.Fatalf("done after confirmation: %d %s", r.status, r.body)
	}
	// The token is for this operation only, and only once.
	if r := e.do("POST", "/-/stage/"+other+"/approve", testToken, nil, "npm-otp", tok); r.status != 401 {
		t.Errorf("token on another id: %d", r.status)
	}
	if r := e.do("DELETE", "/-/stage/"+id, testToken, nil, "npm-otp", tok); r.status != 401 {
		t.Errorf("token on another operation: %d", r.status)
	}
	if r := e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", tok); r.status != 200 {
		t.Fatalf("approve with the web token: %d %s", r.status, r.body)
	}
	id3 := e.stage(testCI, "@sc/web", "2.0.0-beta.3", "beta")
	if r := e.do("POST", "/-/stage/"+id3+"/approve", testToken, nil, "npm-otp", tok); r.status != 401 {
		t.Errorf("token reuse: %d", r.status)
	}
	// Sessions expire.
	e.clock.Add(webSessionTTL + time.Second)
	if r := e.do("GET", done, testToken, nil); r.status != 404 {
		t.Errorf("expired session: %d", r.status)
	}
	if r := e.do("GET", "/-/weblogin/nope", "", nil); r.status != 404 {
		t.Errorf("unknown session: %d", r.status)
	}
}

func TestTOTPAndCurrentCode(t *testing.T) {
	e := newEnv(t, nil)
	if e.s.CurrentCode() != e.code(0) || len(e.s.CurrentCode()) != 6 {
		t.Fatalf("CurrentCode %q", e.s.CurrentCode())
	}
	tests := []struct {
		offset time.Duration
		want   int
	}{
		{0, 200}, {-30 * time.Second, 200}, {30 * time.Second, 200},
		{-65 * time.Second, 401}, {65 * time.Second, 401},
	}
	for i, tt := range tests {
		id := e.stage(testToken, "totp", fmt.Sprintf("1.0.%d", i), "latest")
		if r := e.do("DELETE", "/-/stage/"+id, testToken, nil, "npm-otp", e.code(tt.offset)); r.status != tt.want {
			t.Errorf("code at %v: %d, want %d", tt.offset, r.status, tt.want)
		}
	}
}

func TestNewOptions(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Token(), "npm_") || s.CIToken() == s.Token() || len(s.TOTPSecret()) < 16 {
		t.Errorf("generated credentials: %q %q %q", s.Token(), s.CIToken(), s.TOTPSecret())
	}
	if _, err := New(Options{TOTPSecret: "not base32!"}); err == nil {
		t.Error("bad secret accepted")
	}
	if _, err := New(Options{Token: "x", CIToken: "x"}); err == nil {
		t.Error("identical tokens accepted")
	}
}

func TestConcurrency(t *testing.T) {
	e := newEnv(t, nil)
	id := e.stage(testToken, "race", "1.0.0", "latest")
	code := e.code(0)
	const n = 16
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.url+"/-/stage/"+id+"/approve", nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("npm-otp", code)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[404] != n-1 {
		t.Errorf("concurrent approvals: %v", count)
	}

	// Concurrent staging: distinct versions all land, one version lands once.
	count = map[int]int{}
	var mu sync.Mutex
	for i := range n {
		wg.Go(func() {
			for _, v := range []string{fmt.Sprintf("2.0.%d", i), "3.0.0"} {
				body := publishBody("race", v, "next", tgzFor(t, "race", v, fmt.Sprint(i)))
				req, _ := http.NewRequest("POST", e.url+"/-/stage/package/race", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+testCI)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				count[res.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if count[201] != n+1 || count[409] != n-1 {
		t.Errorf("concurrent staging: %v", count)
	}
	if r := e.do("GET", "/-/stage", testToken, nil); r.json(t)["total"] != float64(n+1) {
		t.Errorf("list after concurrent staging: %s", r.body)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	e.publish("keep", "1.0.0", "latest")
	id := e.stage(testToken, "keep", "1.1.0", "latest")
	gone := e.stage(testToken, "keep", "1.2.0", "next")
	if r := e.do("DELETE", "/-/stage/"+gone, testToken, nil, "npm-otp", e.code(0)); r.status != 200 {
		t.Fatal(r.status)
	}
	staged := e.do("GET", "/-/stage/"+id+"/tarball", testToken, nil).body

	// Secrets never reach the disk.
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		for _, secret := range []string{testToken, testCI, testSecret} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains a secret", p)
			}
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", p, info.Mode())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tarballs", "*.tgz"))
	if len(files) != 2 {
		t.Errorf("%d tarball files, want 2 (the rejected one is deleted)", len(files))
	}

	// Restart on the same folder.
	e2 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if r := e2.do("GET", "/-/stage/"+id, testToken, nil); r.status != 200 {
		t.Fatalf("staged item after restart: %d", r.status)
	}
	if r := e2.do("GET", "/-/stage/"+gone, testToken, nil); r.status != 404 {
		t.Errorf("rejected item after restart: %d", r.status)
	}
	if r := e2.do("GET", "/-/stage/"+id+"/tarball", testToken, nil); !bytes.Equal(r.body, staged) {
		t.Error("staged tarball changed across restart")
	}
	if r := e2.do("GET", "/keep/-/keep-1.0.0.tgz", "", nil); r.status != 200 {
		t.Errorf("published tarball after restart: %d", r.status)
	}
	if r := e2.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", e2.code(0)); r.status != 200 {
		t.Fatalf("approve after restart: %d %s", r.status, r.body)
	}
	e3 := newEnv(t, func(o *Options) { o.DataDir = dir })
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
	}
	_ = json.Unmarshal(e3.do("GET", "/keep", "", nil).body, &doc)
	if doc.DistTags["latest"] != "1.1.0" {
		t.Errorf("approval not persisted: %v", doc.DistTags)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(leftovers) != 0 {
		t.Errorf("temp files left: %v", leftovers)
	}

	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{DataDir: dir}); err == nil {
		t.Error("corrupt state accepted")
	}
}

func TestSeed(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	if err := e.s.Seed(os.DirFS("testdata/seed")); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]any    `json:"versions"`
		Time     map[string]string `json:"time"`
	}
	_ = json.Unmarshal(e.do("GET", "/@demo%2fgreet", "", nil).body, &doc)
	if doc.DistTags["latest"] != "1.1.0" || len(doc.Versions) != 2 || doc.Time["1.0.0"] != "2026-11-22T12:00:10.000Z" {
		t.Errorf("seeded packument: %+v", doc)
	}
	_ = json.Unmarshal(e.do("GET", "/pad-lite", "", nil).body, &doc)
	if doc.DistTags["latest"] != "0.1.0" {
		t.Errorf("default latest: %+v", doc.DistTags)
	}
	var list struct {
		Items []map[string]string `json:"items"`
	}
	_ = json.Unmarshal(e.do("GET", "/-/stage", testToken, nil).body, &list)
	if len(list.Items) != 2 {
		t.Fatalf("seeded stage items: %v", list.Items)
	}
	first, second := list.Items[0], list.Items[1]
	if first["packageName"] != "@demo/greet" || first["actor"] != "ci-bot" || first["actorType"] != "ci" ||
		first["createdAt"] != "2026-11-25T09:00:10.000Z" || first["tag"] != "latest" {
		t.Errorf("first item %v", first)
	}
	if second["packageName"] != "pad-lite" || second["tag"] != "next" || second["actorType"] != "user" {
		t.Errorf("second item %v", second)
	}
	// Seed tarballs are real packages: deterministic, so seeding twice gives the same digest.
	e2 := newEnv(t, nil)
	if err := e2.s.Seed(os.DirFS("testdata/seed")); err != nil {
		t.Fatal(err)
	}
	var list2 struct {
		Items []map[string]string `json:"items"`
	}
	_ = json.Unmarshal(e2.do("GET", "/-/stage", testToken, nil).body, &list2)
	if list2.Items[0]["shasum"] != first["shasum"] {
		t.Error("seed packing is not deterministic")
	}

	// Reject one, restart, seed again: nothing duplicated, nothing resurrected.
	if r := e.do("DELETE", "/-/stage/"+second["id"], testToken, nil, "npm-otp", e.code(0)); r.status != 200 {
		t.Fatal(r.status)
	}
	e3 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if err := e3.s.Seed(os.DirFS("testdata/seed")); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(e3.do("GET", "/-/stage", testToken, nil).body, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != first["id"] {
		t.Errorf("after reseed: %v", list.Items)
	}
}

func TestSeedErrors(t *testing.T) {
	tests := map[string]string{
		"bad json":      `{`,
		"bad name":      `{"packages":[{"name":"Bad Name","versions":[]}]}`,
		"missing dir":   `{"packages":[{"name":"x","versions":[{"version":"1.0.0","dir":"nope"}]}]}`,
		"bad state":     `{"packages":[{"name":"pad-lite","versions":[{"version":"0.1.0","dir":"pad/0.1.0","state":"gone"}]}]}`,
		"wrong version": `{"packages":[{"name":"pad-lite","versions":[{"version":"0.9.0","dir":"pad/0.1.0"}]}]}`,
		"bad ago":       `{"packages":[{"name":"pad-lite","versions":[{"version":"0.1.0","dir":"pad/0.1.0","ago":"yesterday"}]}]}`,
		"escape":        `{"packages":[{"name":"pad-lite","versions":[{"version":"0.1.0","dir":"../seed"}]}]}`,
	}
	for name, seed := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := overlayFS{os.DirFS("testdata/seed"), []byte(seed)}
			e := newEnv(t, nil)
			if err := e.s.Seed(fsys); err == nil {
				t.Error("want error")
			}
		})
	}
}

func TestParseAgo(t *testing.T) {
	tests := map[string]time.Duration{"": 0, "3h": 3 * time.Hour, "2d": 48 * time.Hour, "1w": 7 * 24 * time.Hour,
		"1d6h": 30 * time.Hour, "90m": 90 * time.Minute}
	for in, want := range tests {
		if got, err := parseAgo(in); err != nil || got != want {
			t.Errorf("parseAgo(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"x", "-3h", "3", "99999d"} {
		if _, err := parseAgo(bad); err == nil {
			t.Errorf("parseAgo(%q) accepted", bad)
		}
	}
}

func TestLoggingAndRecordAuth(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	var seen []string
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&buf, nil))
		o.WebAuth = true
		o.RecordAuth = func(method, path, auth string) {
			mu.Lock()
			seen = append(seen, method+" "+path+" "+auth)
			mu.Unlock()
		}
	})
	id := e.stage(testToken, "logged", "1.0.0", "latest")
	code := e.code(0)
	r := e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", "123")
	authURL := r.json(t)["authUrl"].(string)
	e.do("GET", strings.TrimPrefix(authURL, e.url), "", nil)
	e.do("POST", "/-/stage/"+id+"/approve", testToken, nil, "npm-otp", code)
	e.do("GET", "/-/whoami", "wrong-secret-token", nil)
	out := buf.String()
	for _, secret := range []string{testToken, code, "wrong-secret-token", testSecret, strings.TrimPrefix(authURL, e.url+"/-/weblogin/")} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "path=/-/stage/"+id+"/approve status=200") {
		t.Errorf("log lacks the approve line:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[0] != "POST /-/stage/package/logged Bearer "+testToken {
		t.Errorf("RecordAuth saw %q", seen)
	}
}

func TestListenServeClose(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve() }()
	res, err := http.Get(u + "-/ping")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("ping %d", res.StatusCode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Errorf("Serve after Close: %v", err)
	}
	pu, _ := url.Parse(u)
	if pu.Hostname() != "127.0.0.1" || !strings.HasSuffix(u, "/") {
		t.Errorf("url %q", u)
	}
}
