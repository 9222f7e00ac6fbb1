package devregistry

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/stagegate/stagegate/internal/pack"
	"github.com/stagegate/stagegate/internal/tarball"
)

const (
	testToken  = "npm_maintainer_test_token"
	testCI     = "npm_ci_test_token"
	testSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// clock is a settable time source shared by the server and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     testing.TB
	s     *Server
	url   string
	clock *clock
}

func newEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 10, 0, time.UTC)}
	opts := Options{Token: testToken, CIToken: testCI, TOTPSecret: testSecret, Now: c.Now}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &env{t: t, s: s, url: hs.URL, clock: c}
}

func (e *env) code(offset time.Duration) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(testSecret, e.clock.Now().Add(offset), totpOpts)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
	return m
}

// do sends a request; headers are pairs (name, value).
func (e *env) do(method, path, token string, body []byte, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func tgzFor(t testing.TB, name, version, extra string) []byte {
	t.Helper()
	b, err := pack.Tgz([]tarball.File{
		{Path: "package.json", Mode: 0o644, Data: []byte(`{"name":"` + name + `","version":"` + version + `"}`)},
		{Path: "index.js", Mode: 0o644, Data: []byte("module.exports = " + extra)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publishBody builds the document libnpmpublish sends.
func publishBody(name, version, tag string, tgz []byte) []byte {
	s1 := sha1.Sum(tgz)
	s512 := sha512.Sum512(tgz)
	file := name + "-" + version + ".tgz"
	doc := map[string]any{
		"_id": name, "name": name, "description": "d",
		"dist-tags": map[string]string{tag: version},
		"versions": map[string]any{version: map[string]any{
			"name": name, "version": version, "_id": name + "@" + version, "description": "d",
			"dist": map[string]string{
				"integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
				"shasum":    hex.EncodeToString(s1[:]),
				"tarball":   "http://elsewhere/" + name + "/-/" + file,
			},
		}},
		"access": nil,
		"_attachments": map[string]any{file: map[string]any{
			"content_type": "application/octet-stream",
			"data":         base64.StdEncoding.EncodeToString(tgz),
			"length":       len(tgz),
		}},
	}
	b, _ := json.Marshal(doc)
	return b
}

func escName(name string) string { return strings.Replace(name, "/", "%2f", 1) }

// stage stages name@version and returns the stage id.
func (e *env) stage(token, name, version, tag string) string {
	e.t.Helper()
	r := e.do("POST", "/-/stage/package/"+escName(name), token, publishBody(name, version, tag, tgzFor(e.t, name, version, `"`+version+`"`)))
	if r.status != http.StatusCreated {
		e.t.Fatalf("stage %s@%s: %d %s", name, version, r.status, r.body)
	}
	id, _ := r.json(e.t)["stageId"].(string)
	if id == "" {
		e.t.Fatalf("no stageId: %s", r.body)
	}
	return id
}

func (e *env) publish(name, version, tag string) {
	e.t.Helper()
	r := e.do("PUT", "/"+escName(name), testToken, publishBody(name, version, tag, tgzFor(e.t, name, version, `"`+version+`"`)))
	if r.status != http.StatusCreated {
		e.t.Fatalf("publish %s@%s: %d %s", name, version, r.status, r.body)
	}
}
