package posture

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

func TestMFACheck(t *testing.T) {
	notFound := &registry.Error{Kind: registry.ErrNotFound, Message: "Not found"}
	for _, tc := range []struct {
		name   string
		mfa    registry.MFA
		err    error
		status Status
		fix    []string
	}{
		{"none", registry.MFA{}, nil, Red, []string{"npm access set mfa=publish @s/p"}},
		{"publish", registry.MFA{PublishRequiresTFA: true}, nil, Green, nil},
		{"automation", registry.MFA{PublishRequiresTFA: true, AutomationOverrides: true}, nil, Red, []string{"npm access set mfa=publish @s/p"}},
		// automation_token_overrides_tfa without 2FA required is still none.
		{"override without tfa", registry.MFA{AutomationOverrides: true}, nil, Red, []string{"npm access set mfa=publish @s/p"}},
		{"route missing", registry.MFA{}, notFound, Unknown, nil},
		{"error", registry.MFA{}, errors.New("boom"), Unknown, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := MFACheck("@s/p", tc.mfa, tc.err)
			if c.ID != CheckMFA || c.Status != tc.status || !slices.Equal(c.Fix, tc.fix) {
				t.Errorf("%+v", c)
			}
			if tc.err == notFound && c.Detail != "the registry does not offer this route" {
				t.Errorf("detail %q", c.Detail)
			}
		})
	}
}

func TestTrustCheck(t *testing.T) {
	gh := func(id string, perms ...string) registry.TrustRelation {
		return registry.TrustRelation{ID: id, Type: "github", Permissions: perms,
			Claims: map[string]string{"repository": "o/r", "workflow_ref.file": "rel.yml"}}
	}
	legacy := gh("L")
	legacy.Permissions, legacy.PermissionsMissing = nil, true
	for _, tc := range []struct {
		name   string
		in     []registry.TrustRelation
		status Status
		detail string
		fix    []string
	}{
		{"none", nil, Green, "no trusted publisher", nil},
		{"stage only", []registry.TrustRelation{gh("A", registry.PermStagePublish)}, Green, "1 trusted publisher, stage-only", nil},
		{"publish", []registry.TrustRelation{gh("A", registry.PermStagePublish), gh("B", registry.PermPublish, registry.PermStagePublish)}, Red,
			"1 of 2 trusted publishers may npm publish",
			[]string{"npm trust revoke p --id=B", "npm trust github p --file=rel.yml --repository=o/r --allow-stage-publish --yes"}},
		{"no permissions field", []registry.TrustRelation{legacy}, Red, "1 of 1 trusted publisher may npm publish",
			[]string{"npm trust revoke p --id=L", "npm trust github p --file=rel.yml --repository=o/r --allow-stage-publish --yes"}},
		{"empty permissions", []registry.TrustRelation{gh("E")}, Green, "1 trusted publisher, stage-only", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := TrustCheck("p", tc.in, nil)
			if c.Status != tc.status || c.Detail != tc.detail || !slices.Equal(c.Fix, tc.fix) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestRecreateStageOnly(t *testing.T) {
	for _, tc := range []struct {
		rel  registry.TrustRelation
		want string
	}{
		{registry.TrustRelation{Type: "gitlab", Claims: map[string]string{"project_path": "g/p", "ci_config_ref_uri.file": ".gitlab-ci.yml"}},
			"npm trust gitlab x --file=.gitlab-ci.yml --project=g/p --allow-stage-publish --yes"},
		{registry.TrustRelation{Type: "circleci", Claims: map[string]string{
			"oidc.circleci.com/org-id": "o1", "oidc.circleci.com/project-id": "p1",
			"oidc.circleci.com/pipeline-definition-id": "d1", "oidc.circleci.com/vcs-origin": "github.com/o/r",
			"oidc.circleci.com/context-ids": "c1,c2"}},
			"npm trust circleci x --org-id=o1 --project-id=p1 --pipeline-definition-id=d1 --vcs-origin=github.com/o/r --context-id=c1 --context-id=c2 --allow-stage-publish --yes"},
		// Values from the registry are shell-quoted, never pasted raw.
		{registry.TrustRelation{Type: "github", Claims: map[string]string{"repository": "o/r; rm -rf ~", "workflow_ref.file": "it's.yml"}},
			`npm trust github x --file='it'\''s.yml' --repository='o/r; rm -rf ~' --allow-stage-publish --yes`},
		{registry.TrustRelation{Type: "buildkite"}, "npm trust buildkite x <the same claims> --allow-stage-publish --yes"},
		{registry.TrustRelation{Type: "x; y"}, "npm trust <provider> x <the same claims> --allow-stage-publish --yes"},
	} {
		if got := recreateStageOnly("x", tc.rel); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.rel.Type, got, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	toks := []registry.TokenInfo{
		{Key: "aaaaaa1", Name: "ro", Readonly: true, Bypass2FA: true},
		{Key: "aaaaaa2", Name: "bypass all", Bypass2FA: true},
		{Key: "bbbbbbbb", Name: "automation for @s", Automation: true, Scopes: []string{"s"}},
		{Key: "cccccccc", Name: "plain write"},
		{Key: "dddddddd", Name: "bypass q only", Bypass2FA: true, Packages: []string{"q"}},
	}
	ids := registry.TokenIDs(toks, 6)
	if want := []string{"aaaaaa1", "aaaaaa2", "bbbbbb", "cccccc", "dddddd"}; !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	for _, tc := range []struct {
		pkg string
		fix []string
	}{
		{"p", []string{"npm token revoke aaaaaa2"}},
		{"@s/p", []string{"npm token revoke aaaaaa2", "npm token revoke bbbbbb"}},
		{"@other/p", []string{"npm token revoke aaaaaa2"}},
		{"q", []string{"npm token revoke aaaaaa2", "npm token revoke dddddd"}},
	} {
		c := TokensCheck(tc.pkg, toks, ids, nil)
		if c.Status != Red || !slices.Equal(c.Fix, tc.fix) {
			t.Errorf("%s: %+v", tc.pkg, c)
		}
	}
	if c := TokensCheck("p", toks[3:4], []string{"cccccc"}, nil); c.Status != Green {
		t.Errorf("a write token that needs 2FA: %+v", c)
	}
	if c := TokensCheck("p", nil, nil, errors.New("403")); c.Status != Unknown {
		t.Errorf("no list: %+v", c)
	}
}

func TestSettingCheck(t *testing.T) {
	for _, tc := range []struct {
		value, source string
		status        Status
		detail        string
	}{
		{"none", "project config /p/.npmrc", Green, "allow-git=none (project config /p/.npmrc)"},
		{"", "", Red, "allow-git=all (npm's default)"},
		{"all", "user config /u/.npmrc", Red, "allow-git=all (user config /u/.npmrc)"},
		{"root", "env", Red, "allow-git=root (env)"},
	} {
		c := SettingCheck(CheckGit, tc.value, tc.source)
		if c.Status != tc.status || c.Detail != tc.detail {
			t.Errorf("%q: %+v", tc.value, c)
		}
		if (c.Status == Red) != slices.Equal(c.Fix, []string{"npm config set allow-git=none --location=project"}) {
			t.Errorf("%q fix: %v", tc.value, c.Fix)
		}
	}
}

func TestNPMVersionCheck(t *testing.T) {
	for _, tc := range []struct {
		v      string
		err    error
		status Status
	}{
		{"11.15.0", nil, Green},
		{"11.19.1", nil, Green},
		{"12.0.0", nil, Green},
		{"v11.15.3", nil, Green},
		{"11.16.0-pre.1", nil, Green},
		{"11.15.0-pre.1", nil, Red},
		{"11.14.9", nil, Red},
		{"10.99.99", nil, Red},
		{"11.15", nil, Red},
		{"garbage", nil, Red},
		{"011.15.0", nil, Red},
		{"", errors.New("npm is not on PATH"), Red},
	} {
		c := NPMVersionCheck(tc.v, tc.err)
		if c.Status != tc.status {
			t.Errorf("%q: %+v", tc.v, c)
		}
		if (c.Status == Red) != (len(c.Fix) == 1) {
			t.Errorf("%q fix: %v", tc.v, c.Fix)
		}
	}
}

func TestEvaluateCountsRed(t *testing.T) {
	rep := Evaluate("http://r/", "u", []PackageFacts{
		{Name: "z", MFA: registry.MFA{PublishRequiresTFA: true}},
		{Name: "a", MFAErr: errors.New("x"), Trust: []registry.TrustRelation{{ID: "1", Type: "github", Permissions: []string{registry.PermPublish}}}},
	}, []registry.TokenInfo{{Key: "k1234567", Bypass2FA: true, Packages: []string{"z"}}}, nil,
		LocalFacts{Settings: map[string]string{CheckRemote: "none", CheckFile: "none", CheckGit: "all"}, NPMVersion: "11.15.0"})
	if rep.Packages[0].Name != "a" || rep.Packages[1].Name != "z" {
		t.Errorf("not sorted: %+v", rep.Packages)
	}
	// a: trust red, mfa unknown; z: tokens red; local: allow-git red.
	if rep.Red != 3 {
		t.Errorf("red = %d: %+v", rep.Red, rep)
	}
	if len(rep.Tokens) != 1 || rep.Tokens[0].ID != "k12345" || !rep.Tokens[0].Skips {
		t.Errorf("tokens %+v", rep.Tokens)
	}
	if strings.Contains(rep.Packages[0].Checks[0].Detail, "did not say") == false {
		t.Errorf("unknown detail %q", rep.Packages[0].Checks[0].Detail)
	}
}

// Text from the registry (token keys, ids, names) reaches the printed
// commands shell-quoted: pasting a fix never runs anything else.
func TestFixesAreShellQuoted(t *testing.T) {
	toks := []registry.TokenInfo{{Key: "$(touch x);", Bypass2FA: true}}
	c := TokensCheck("p", toks, registry.TokenIDs(toks, 6), nil)
	if !slices.Equal(c.Fix, []string{`npm token revoke '$(touc'`}) {
		t.Errorf("%v", c.Fix)
	}
	c = TrustCheck("p", []registry.TrustRelation{{ID: "a b", Type: "github", Permissions: []string{registry.PermPublish}}}, nil)
	if c.Fix[0] != "npm trust revoke p --id='a b'" {
		t.Errorf("%v", c.Fix)
	}
	if got := MFACheck("it's", registry.MFA{}, nil).Fix[0]; got != `npm access set mfa=publish 'it'\''s'` {
		t.Errorf("%s", got)
	}
}
