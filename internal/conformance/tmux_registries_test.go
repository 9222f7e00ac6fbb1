package conformance

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestTmuxTwoRegistries is issue 11 item 4: the user's npmrc routes @corp
// to a second registry with its own token and 2FA secret. One dashboard
// lists both queues grouped by registry; each version is approved with
// its own registry's code, and `npm view` against each registry sees the
// version published there and nowhere else.
func TestTmuxTwoRegistries(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	npmBin := needNPM(t)
	a := startBinaryRegistry(t, "--seed", "none")
	b := startBinaryRegistry(t, "--seed", "none")
	w := newWorld(t, npmBin, a.URL, a.Token, a.TOTPSecret, b.Token, b.TOTPSecret)
	rc := "registry=" + a.URL + "\n" + nerf(a.URL) + ":_authToken=" + a.Token + "\n" +
		"@corp:registry=" + b.URL + "\n" + nerf(b.URL) + ":_authToken=" + b.Token + "\n"
	if err := os.WriteFile(w.userrc, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	publishFiles(t, a.URL, a.Token, "plainpkg", "1.0.0", FixturePackage("plainpkg", "1.0.0"))
	stageFiles(t, a.URL, a.Token, "plainpkg", "1.0.1", "latest", FixturePackage("plainpkg", "1.0.1"))
	publishFiles(t, b.URL, b.Token, "@corp/widget", "2.0.0", FixturePackage("@corp/widget", "2.0.0"))
	stageFiles(t, b.URL, b.Token, "@corp/widget", "2.0.1", "latest", FixturePackage("@corp/widget", "2.0.1"))

	env := w.dashboardEnv()
	s := startTmux(t, 120, 36, env, []string{stagegateBinary(t), "--userconfig", w.userrc, "--no-mouse"}, w.secrets)
	scr := s.waitFor("2 staged versions in 2 packages", 20*time.Second)
	labelA := strings.TrimSuffix(strings.TrimPrefix(a.URL, "http://"), "/")
	labelB := strings.TrimSuffix(strings.TrimPrefix(b.URL, "http://"), "/")
	at := func(s string) int { return strings.Index(scr, s) }
	if !(strings.Contains(scr, "▌"+labelA) && at("▌"+labelA) < at("plainpkg") &&
		at("plainpkg") < at("▌"+labelB) && at("▌"+labelB) < at("@corp/widget")) {
		t.Fatalf("the queue is not grouped by registry:\n%s", scr)
	}

	// approve approves the version under the cursor with reg's code.
	approve := func(reg StartLine, name string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(s.screen(), "2FA code:") && time.Now().Before(deadline) {
			s.send("a") // pressed again until its review is in
			time.Sleep(400 * time.Millisecond)
		}
		scr := s.waitFor("the code of your account on "+reg.URL, 5*time.Second)
		if !strings.Contains(scr, name) {
			t.Fatalf("the modal is not about %s:\n%s", name, Redact(scr, w.secrets...))
		}
		otp := code(t, reg.TOTPSecret)
		w.addSecret(otp)
		s.secrets = w.secrets
		s.typeText(otp)
		s.send("Enter")
		s.waitFor("approved "+name, 20*time.Second)
	}
	approve(a, "plainpkg@1.0.1")
	s.waitFor("1 staged version", 15*time.Second)
	approve(b, "@corp/widget@2.0.1")
	s.waitFor("No staged versions on 2 registries", 15*time.Second)

	// npm routes @corp to b by the same npmrc; --registry names a directly.
	if v := w.npmView("plainpkg"); v.DistTags["latest"] != "1.0.1" {
		t.Errorf("npm view plainpkg on %s: latest %q, want 1.0.1", a.URL, v.DistTags["latest"])
	}
	if v := w.npmView("@corp/widget"); v.DistTags["latest"] != "2.0.1" {
		t.Errorf("npm view @corp/widget on %s: latest %q, want 2.0.1", b.URL, v.DistTags["latest"])
	}
	// Nothing crossed over: each package exists only where it was staged.
	for reg, name := range map[string]string{a.URL: "@corp/widget", b.URL: "plainpkg"} {
		resp, err := http.Get(strings.TrimRight(reg, "/") + "/" + EscapeName(name))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on %s: %s, want 404", name, reg, resp.Status)
		}
	}
}
