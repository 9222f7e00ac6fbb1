package conformance

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/posture"
)

// TestPostureFixesWithRealNPM: stagegate posture reads the routes npm
// access, npm trust and npm token use, and every fix it prints, run as is
// with the real npm CLI, turns its red cell green.
func TestPostureFixesWithRealNPM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npm")
	}
	npmBin := needNPM(t)
	srv, reg := startRegistry(t, devregistry.Options{})
	if err := srv.SeedPosture(devregistry.PostureSeed{
		Packages: map[string]devregistry.PackagePosture{
			"safe-pkg": {MFA: "publish", Trust: []devregistry.TrustSeed{{Type: "github",
				Claims: map[string]any{"repository": "o/safe", "workflow_ref": map[string]any{"file": "rel.yml"}}, Permissions: []string{"createStagedPackage"}}}},
			"@o/unsafe-pkg": {MFA: "automation", Trust: []devregistry.TrustSeed{{Type: "github",
				Claims: map[string]any{"repository": "o/unsafe", "workflow_ref": map[string]any{"file": "pub.yml"}}, Permissions: []string{"createPackage"}}}},
		},
		Tokens: []devregistry.TokenSeed{{Name: "ro", Readonly: true}, {Name: "ci bypass", Bypass2FA: true, Packages: []string{"@o/unsafe-pkg"}}},
	}); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, npmBin, reg, srv.Token(), srv.CIToken(), srv.TOTPSecret())
	w.writePackage("safe-pkg", "1.0.0") // a project folder for --location=project

	// The packages posture checks by default are npm access list packages'.
	var npmPkgs map[string]string
	decodeJSON(t, "npm access list packages", w.mustNPM("access", "list", "packages", srv.Username(), "--json"), &npmPkgs)
	var rep posture.Report
	r := w.runSG("posture", "--json")
	decodeJSON(t, "stagegate posture", r, &rep)
	if r.ExitCode != 1 {
		t.Fatalf("posture exit %d, want 1:\n%s", r.ExitCode, w.sg.Describe(r))
	}
	var names, want []string
	for _, p := range rep.Packages {
		names = append(names, p.Name)
	}
	for n := range npmPkgs {
		want = append(want, n)
	}
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Errorf("posture checked %v, npm access lists %v", names, want)
	}
	// Token ids are the ones npm token list shows.
	var npmTokens []struct {
		ID string `json:"id"`
	}
	decodeJSON(t, "npm token list", w.mustNPM("token", "list", "--json"), &npmTokens)
	for i, tok := range rep.Tokens {
		if i >= len(npmTokens) || npmTokens[i].ID != tok.ID {
			t.Errorf("token %d: stagegate id %q, npm token list %+v", i, tok.ID, npmTokens)
		}
	}

	var fixes []string
	for _, p := range rep.Packages {
		for _, c := range p.Checks {
			if p.Name == "safe-pkg" && c.Status != posture.Green {
				t.Errorf("safe-pkg %s: %+v", c.ID, c)
			}
			if c.Status == posture.Red {
				fixes = append(fixes, c.Fix...)
			}
		}
	}
	for _, c := range rep.Local {
		if c.Status == posture.Red {
			fixes = append(fixes, c.Fix...)
		}
	}
	if len(fixes) < 6 {
		t.Fatalf("fixes: %v", fixes)
	}
	for _, f := range fixes {
		if strings.Contains(f, "'") || !strings.HasPrefix(f, "npm ") || strings.Contains(f, "npm install -g") {
			t.Fatalf("fix %q is not runnable here", f)
		}
		// npm trust takes only its own flags as separate words: pass the
		// world's configuration in the --key=value form.
		args := append(strings.Fields(f)[1:], "--registry="+w.registry, "--userconfig="+w.userrc)
		if r := w.npm.Run(context.Background(), args...); !r.OK() {
			t.Fatalf("the fix %q failed:\n%s", f, w.npm.Describe(r))
		}
	}
	b, err := os.ReadFile(filepath.Join(w.pkgDir, ".npmrc"))
	if err != nil || !strings.Contains(string(b), "allow-git=none") {
		t.Errorf("project .npmrc: %q %v", b, err)
	}
	r = w.runSG("posture", "--json")
	decodeJSON(t, "stagegate posture", r, &rep)
	if r.ExitCode != 0 || rep.Red != 0 {
		t.Errorf("after npm ran every fix: exit %d, %d red: %s", r.ExitCode, rep.Red, r.Stdout)
	}
}
