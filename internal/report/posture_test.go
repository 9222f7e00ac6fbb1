package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/posture"
	"github.com/stagegate/stagegate/internal/registry"
)

func postureFixture() posture.Report {
	return posture.Evaluate("http://127.0.0.1:4873/", "maintainer", []posture.PackageFacts{
		{Name: "@demo/greet", MFA: registry.MFA{PublishRequiresTFA: true},
			Trust: []registry.TrustRelation{{ID: "t1", Type: "github", Permissions: []string{registry.PermStagePublish}}}},
		{Name: "pad-lite", MFA: registry.MFA{PublishRequiresTFA: true, AutomationOverrides: true},
			Trust: []registry.TrustRelation{{ID: "34a3dd6c", Type: "github", Permissions: []string{registry.PermPublish},
				Claims: map[string]string{"repository": "demo/pad-lite\x1b[2J", "workflow_ref.file": "publish.yml"}}}},
		{Name: "old-pkg", MFAErr: &registry.Error{Kind: registry.ErrNotFound, Message: "Not found"}},
	}, []registry.TokenInfo{{Key: "e41562aa", Name: "old CI\u202e", Bypass2FA: true, Packages: []string{"pad-lite"}}}, nil,
		posture.LocalFacts{
			Settings:   map[string]string{posture.CheckGit: "none"},
			Sources:    map[string]string{posture.CheckGit: "project config ~/my-project/.npmrc"},
			NPMVersion: "11.19.1",
		})
}

func TestPostureGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Posture(&b, postureFixture(), Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "posture", b.String())
	if strings.ContainsAny(b.String(), "\x1b\u202e") {
		t.Error("raw control or bidi characters reached the output")
	}
	var c bytes.Buffer
	_ = Posture(&c, postureFixture(), Style{Color: true})
	if !strings.Contains(c.String(), sgrRed+"✗"+sgrReset) || !strings.Contains(c.String(), sgrGreen+"✓"+sgrReset) {
		t.Errorf("no red/green marks in colour:\n%q", c.String())
	}
}

func TestPostureAllGreenAndEmpty(t *testing.T) {
	rep := posture.Evaluate("http://r/", "", nil, nil, errors.New("listing tokens: 404"), posture.LocalFacts{
		Settings:   map[string]string{posture.CheckRemote: "none", posture.CheckFile: "none", posture.CheckGit: "none"},
		NPMVersion: "11.15.0",
	})
	var b bytes.Buffer
	if err := Posture(&b, rep, Style{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No packages to check", "Every release goes through the stage gate.", "Tokens: the registry did not list them (listing tokens: 404)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
