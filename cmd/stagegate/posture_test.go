package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/posture"
)

// postureSeed makes slugkit safe (2FA on publish, a stage-only trusted
// publisher, no bypass token) and termhue unsafe (mfa=automation, a trusted
// publisher that may publish, a token that bypasses 2FA).
func postureSeed() devregistry.PostureSeed {
	return devregistry.PostureSeed{
		Packages: map[string]devregistry.PackagePosture{
			"slugkit": {MFA: "publish", Trust: []devregistry.TrustSeed{{
				Type:        "github",
				Claims:      map[string]any{"repository": "acme/slugkit", "workflow_ref": map[string]any{"file": "release.yml"}},
				Permissions: []string{"createStagedPackage"},
			}}},
			"termhue": {MFA: "automation", Trust: []devregistry.TrustSeed{{
				Type:        "github",
				Claims:      map[string]any{"repository": "acme/termhue", "workflow_ref": map[string]any{"file": "publish.yml"}, "environment": "npm"},
				Permissions: []string{"createPackage", "createStagedPackage"},
			}}},
		},
		Tokens: []devregistry.TokenSeed{
			{Name: "read only", Readonly: true},
			{Name: "termhue CI", Bypass2FA: true, Packages: []string{"termhue"}},
		},
	}
}

func newPostureFixture(t *testing.T, npmrcExtra string) *fixture {
	t.Helper()
	f := newFixture(t)
	if err := f.srv.SeedPosture(postureSeed()); err != nil {
		t.Fatal(err)
	}
	if npmrcExtra != "" {
		b, err := os.ReadFile(f.userconfig)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.userconfig, append(b, npmrcExtra...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func postureReport(t *testing.T, r result) posture.Report {
	t.Helper()
	var rep posture.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("posture --json printed no JSON (exit %d): %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return rep
}

func checksOf(t *testing.T, rep posture.Report, pkg string) map[string]posture.Check {
	t.Helper()
	for _, p := range rep.Packages {
		if p.Name == pkg {
			m := map[string]posture.Check{}
			for _, c := range p.Checks {
				m[c.ID] = c
			}
			return m
		}
	}
	t.Fatalf("%s is not in the report", pkg)
	return nil
}

const allNone = "allow-remote=none\nallow-file=none\nallow-git=none\n"

func TestPostureSafeAndUnsafe(t *testing.T) {
	f := newPostureFixture(t, allNone)
	r := f.run("posture", "slugkit", "termhue", "--json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a red cell): %s", r.code, r.stderr)
	}
	rep := postureReport(t, r)
	safe := checksOf(t, rep, "slugkit")
	for _, id := range []string{posture.CheckMFA, posture.CheckTrust, posture.CheckTokens} {
		if safe[id].Status != posture.Green || len(safe[id].Fix) != 0 {
			t.Errorf("slugkit %s: %+v, want green", id, safe[id])
		}
	}
	bad := checksOf(t, rep, "termhue")
	if c := bad[posture.CheckMFA]; c.Status != posture.Red || !slices.Equal(c.Fix, []string{"npm access set mfa=publish termhue"}) {
		t.Errorf("termhue mfa: %+v", c)
	}
	c := bad[posture.CheckTrust]
	if c.Status != posture.Red || len(c.Fix) != 2 || !strings.HasPrefix(c.Fix[0], "npm trust revoke termhue --id=") ||
		c.Fix[1] != "npm trust github termhue --file=publish.yml --repository=acme/termhue --environment=npm --allow-stage-publish --yes" {
		t.Errorf("termhue trust: %+v", c)
	}
	var bypassID string
	for _, tok := range rep.Tokens {
		if tok.Name == "termhue CI" {
			bypassID = tok.ID
			if !tok.Skips || len(tok.ID) < 6 {
				t.Errorf("bypass token: %+v", tok)
			}
		} else if tok.Skips {
			t.Errorf("read-only token marked as skipping the gate: %+v", tok)
		}
	}
	if c := bad[posture.CheckTokens]; c.Status != posture.Red || !slices.Equal(c.Fix, []string{"npm token revoke " + bypassID}) {
		t.Errorf("termhue tokens: %+v (bypass id %q)", c, bypassID)
	}
	for _, l := range rep.Local {
		if l.ID != posture.CheckNPM && l.Status != posture.Green {
			t.Errorf("local %s: %+v, want green from the userconfig", l.ID, l)
		}
	}
	if rep.Red != 3 {
		t.Errorf("red = %d, want 3", rep.Red)
	}
	// The registry lists token prefixes ("npm_…"); posture shows none.
	if strings.Contains(r.stdout, "npm_") || strings.Contains(r.stderr, "npm_") {
		t.Errorf("a token prefix reached the output:\n%s", r.stdout)
	}
}

func TestPostureHumanTable(t *testing.T) {
	f := newPostureFixture(t, "")
	r := f.run("posture", "slugkit", "termhue")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"2FA ON PUBLISH", "TRUSTED PUBLISHING", "TOKENS",
		"✓ mfa=publish", "✗ mfa=automation", "✓ 1 trusted publisher, stage-only", "✗ 1 of 1 trusted publisher may npm publish",
		"✗ 1 token publishes without 2FA",
		"✗ allow-git=all (npm's default)",
		"npm access set mfa=publish termhue",
		"npm config set allow-remote=none --location=project",
		"npm config set allow-file=none --location=project",
		"npm config set allow-git=none --location=project",
		"npm token revoke ",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour without a terminal:\n%q", r.stdout)
	}
	if strings.Contains(r.stdout, "npm access set mfa=publish slugkit") {
		t.Errorf("a fix for a green cell:\n%s", r.stdout)
	}
}

// With no package named, posture checks what the logged-in user can
// publish: npm access list packages <user>.
func TestPostureDefaultsToTheUsersPackages(t *testing.T) {
	f := newPostureFixture(t, allNone)
	rep := postureReport(t, f.run("posture", "--json"))
	if rep.User != f.srv.Username() {
		t.Errorf("user %q", rep.User)
	}
	var names []string
	for _, p := range rep.Packages {
		names = append(names, p.Name)
	}
	for _, want := range []string{"slugkit", "termhue", "mdtoc"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s missing from %v", want, names)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
	// Unseeded packages have npm's default posture: no 2FA on publish.
	if c := checksOf(t, rep, "mdtoc")[posture.CheckMFA]; c.Status != posture.Red || c.Detail != "mfa=none: a token or password publishes without 2FA" {
		t.Errorf("mdtoc mfa: %+v", c)
	}
}

// Each printed fix, sent over the same routes npm uses, turns the red
// cells green (here through the registry's routes; the conformance test
// runs the real npm CLI).
func TestPostureFixesTurnGreen(t *testing.T) {
	f := newPostureFixture(t, allNone)
	rep := postureReport(t, f.run("posture", "termhue", "--json"))
	c := checksOf(t, rep, "termhue")
	id := strings.TrimPrefix(c[posture.CheckTrust].Fix[0], "npm trust revoke termhue --id=")
	tokenID := strings.TrimPrefix(c[posture.CheckTokens].Fix[0], "npm token revoke ")
	var key string
	for _, tok := range rep.Tokens {
		if tok.ID == tokenID {
			key = tok.ID
		}
	}
	if key == "" {
		t.Fatalf("token id %q not listed", tokenID)
	}
	h := newRouteClient(t, f)
	h.do("POST", "/-/package/termhue/access", `{"publish_requires_tfa":true,"automation_token_overrides_tfa":false}`, 200)
	h.do("DELETE", "/-/package/termhue/trust/"+id, "", 204)
	h.do("POST", "/-/package/termhue/trust", `[{"type":"github","claims":{"repository":"acme/termhue","workflow_ref":{"file":"publish.yml"}},"permissions":["createStagedPackage"]}]`, 201)
	h.do("DELETE", "/-/npm/v1/tokens/token/"+h.tokenKey(key), "", 204)
	r := f.run("posture", "termhue", "--json")
	if r.code != 0 {
		t.Fatalf("after the fixes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestPostureUsageAndLocal(t *testing.T) {
	f := newPostureFixture(t, "allow-git=root\n")
	if r := f.run("posture", "Not A Name"); r.code != 2 {
		t.Errorf("invalid name: exit %d", r.code)
	}
	// npm not on PATH: the npm-version cell is red, with the fix.
	t.Setenv("PATH", t.TempDir())
	rep := postureReport(t, f.run("posture", "slugkit", "--json"))
	byID := map[string]posture.Check{}
	for _, c := range rep.Local {
		byID[c.ID] = c
	}
	if c := byID[posture.CheckNPM]; c.Status != posture.Red || !strings.Contains(c.Detail, "npm is not on PATH") {
		t.Errorf("npm-version: %+v", c)
	}
	if c := byID[posture.CheckGit]; c.Status != posture.Red || !strings.HasPrefix(c.Detail, "allow-git=root (user config ") {
		t.Errorf("allow-git=root: %+v", c)
	}
	// An npm older than 11.15 is red.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "npm"), []byte("#!/bin/sh\necho 11.14.2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	rep = postureReport(t, f.run("posture", "slugkit", "--json"))
	for _, c := range rep.Local {
		if c.ID == posture.CheckNPM && (c.Status != posture.Red || !strings.Contains(c.Detail, "npm 11.14.2 has no npm stage")) {
			t.Errorf("old npm: %+v", c)
		}
	}
}

// routeClient sends raw requests to the fixture's registry with the
// maintainer token, as npm access, npm trust and npm token do.
type routeClient struct {
	t *testing.T
	f *fixture
}

func newRouteClient(t *testing.T, f *fixture) *routeClient { return &routeClient{t, f} }

func (h *routeClient) do(method, path, body string, want int) []byte {
	h.t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(h.f.url, "/")+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.f.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

// tokenKey finds the full key of the token whose key starts with id, as
// npm token revoke does.
func (h *routeClient) tokenKey(id string) string {
	h.t.Helper()
	var page struct {
		Objects []struct {
			Key string `json:"key"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(h.do("GET", "/-/npm/v1/tokens", "", 200), &page); err != nil {
		h.t.Fatal(err)
	}
	for _, o := range page.Objects {
		if strings.HasPrefix(o.Key, id) {
			return o.Key
		}
	}
	h.t.Fatalf("no token key starts with %q", id)
	return ""
}
