package conformance

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
)

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the real npm CLI; skipped with -short")
	}
}

// itemByID finds a stage item in a parsed list.
func itemByID(items []map[string]any, id string) map[string]any {
	for _, it := range items {
		if it["id"] == id {
			return it
		}
	}
	return nil
}

// TestNPMStageLifecycle walks one package through npm's whole staging
// flow against the in-process registry: publish a base, stage, list (npm
// and stagegate agree), view, download, a wrong OTP, approve, stage again,
// reject.
func TestNPMStageLifecycle(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	srv, reg := startRegistry(t, devregistry.Options{})
	w := newWorld(t, npmBin, reg, srv.Token(), srv.TOTPSecret(), srv.CIToken())
	const name = "conf-lifecycle"

	w.publish(name, "1.0.0")
	id := w.stagePublish(name, "1.1.0")

	// list: npm and stagegate print the same items.
	npmItems := w.npmList()
	if len(npmItems) != 1 || npmItems[0]["id"] != id || npmItems[0]["packageName"] != name ||
		npmItems[0]["version"] != "1.1.0" || npmItems[0]["tag"] != "latest" {
		t.Fatalf("npm stage list --json = %v, want one item %s %s@1.1.0 latest", npmItems, id, name)
	}
	sameJSON(t, "list --json", npmItems, w.sgList())
	sameJSON(t, "list <pkg> --json", w.npmList(name), w.sgList(name))

	// view: --json is the same item; the human form names id and version.
	var npmView, sgView map[string]any
	decodeJSON(t, "npm stage view", w.mustNPM("stage", "view", id, "--json"), &npmView)
	decodeJSON(t, "stagegate view", w.mustSG("view", id, "--json"), &sgView)
	sameJSON(t, "view --json vs list item", npmItems[0], npmView)
	sameJSON(t, "view --json", npmView, sgView)
	human := w.mustNPM("stage", "view", id)
	for _, want := range []string{id, "1.1.0", name} {
		if !bytes.Contains(human.Stdout, []byte(want)) {
			t.Errorf("npm stage view %s does not show %q:\n%s", id, want, w.npm.Describe(human))
		}
	}

	// download: the saved file's sha1 is the item's shasum, for npm and stagegate.
	shasum, _ := npmView["shasum"].(string)
	if len(shasum) != 40 {
		t.Fatalf("item shasum = %q, want 40 hex digits", shasum)
	}
	w.mustNPM("stage", "download", id)
	npmFile := filepath.Join(w.pkgDir, fmt.Sprintf("%s-1.1.0-%s.tgz", name, id))
	if got := fileSHA1(t, npmFile); got != shasum {
		t.Errorf("npm stage download: sha1 %s, item shasum %s", got, shasum)
	}
	sgFile := filepath.Join(t.TempDir(), "sg.tgz")
	w.mustSG("download", id, "-o", sgFile)
	if got := fileSHA1(t, sgFile); got != shasum {
		t.Errorf("stagegate download: sha1 %s, item shasum %s", got, shasum)
	}

	// Staging the same version again is a conflict (staged and published
	// versions share one index, stage-protocol.md §3).
	w.writePackage(name, "1.1.0")
	if r := w.runNPM("stage", "publish"); r.OK() || !bytes.Contains(r.Stderr, []byte("409")) {
		t.Errorf("staging 1.1.0 twice: want a 409 failure\n%s", w.npm.Describe(r))
	}

	// No code and no TTY: npm gets the OTP challenge and fails with EOTP
	// instead of prompting.
	if r := w.runNPM("stage", "approve", id); r.OK() || !bytes.Contains(r.Stderr, []byte("EOTP")) {
		t.Errorf("approve without --otp: want a failure with EOTP\n%s", w.npm.Describe(r))
	}

	// A wrong code: npm fails with EOTP and nothing is published.
	bad := wrongCode(t, srv.TOTPSecret())
	r := w.runNPM("stage", "approve", id, "--otp", bad)
	if r.OK() || !bytes.Contains(r.Stderr, []byte("EOTP")) {
		t.Fatalf("approve with a wrong code: want a failure with EOTP\n%s", w.npm.Describe(r))
	}
	if v := w.npmView(name); contains(v.Versions, "1.1.0") {
		t.Fatalf("1.1.0 published after a wrong code: %v", v.Versions)
	}
	if itemByID(w.npmList(), id) == nil {
		t.Fatalf("item %s left the queue after a wrong code", id)
	}

	// Approve with the right code: 1.1.0 is live under latest, the item is gone.
	c := code(t, srv.TOTPSecret())
	w.addSecret(c)
	w.mustNPM("stage", "approve", id, "--otp", c)
	v := w.npmView(name)
	if !contains(v.Versions, "1.1.0") || v.DistTags["latest"] != "1.1.0" {
		t.Fatalf("after approve: versions %v, dist-tags %v; want 1.1.0 as latest", v.Versions, v.DistTags)
	}
	var one map[string]any
	decodeJSON(t, "npm view", w.mustNPM("view", name+"@1.1.0", "--json", "--prefer-online"), &one)
	if one["version"] != "1.1.0" {
		t.Errorf("npm view %s@1.1.0 --json: version %v", name, one["version"])
	}
	if items := w.npmList(); len(items) != 0 {
		t.Fatalf("queue after approve = %v, want empty", items)
	}

	// Stage 1.2.0 and reject it: the record is gone and 1.2.0 is not live.
	id2 := w.stagePublish(name, "1.2.0")
	c = code(t, srv.TOTPSecret())
	w.addSecret(c)
	rej := w.mustNPM("stage", "reject", id2, "--otp", c)
	if !bytes.Contains(rej.Stdout, []byte("rejected")) {
		t.Errorf("npm stage reject output: %s", rej.Stdout)
	}
	r = w.runNPM("stage", "view", id2, "--json")
	if r.OK() || !bytes.Contains(r.Stderr, []byte("404")) {
		t.Errorf("npm stage view of a rejected id: want a 404\n%s", w.npm.Describe(r))
	}
	if itemByID(w.npmList(), id2) != nil {
		t.Errorf("rejected item %s still listed", id2)
	}
	if v := w.npmView(name); contains(v.Versions, "1.2.0") || v.DistTags["latest"] != "1.1.0" {
		t.Errorf("after reject: versions %v, dist-tags %v; want no 1.2.0, latest 1.1.0", v.Versions, v.DistTags)
	}
}

func fileSHA1(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestNPMScopedPrerelease stages a scoped package's prerelease under a
// non-latest tag: the tag is kept through approval and latest stays put.
func TestNPMScopedPrerelease(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	srv, reg := startRegistry(t, devregistry.Options{})
	w := newWorld(t, npmBin, reg, srv.Token(), srv.TOTPSecret(), srv.CIToken())
	const name = "@conf/scoped-pkg"

	w.publish(name, "1.0.0", "--access", "public")
	id := w.stagePublish(name, "2.0.0-beta.1", "--tag", "next", "--access", "public")

	items := w.npmList(name)
	it := itemByID(items, id)
	if it == nil || it["packageName"] != name || it["version"] != "2.0.0-beta.1" || it["tag"] != "next" {
		t.Fatalf("npm stage list %s --json = %v", name, items)
	}
	sameJSON(t, "list <scoped> --json", items, w.sgList(name))
	sameJSON(t, "list --json", w.npmList(), w.sgList())

	// npm saves a scoped download as "conf-scoped-pkg-<ver>-<id>.tgz".
	w.mustNPM("stage", "download", id)
	got := fileSHA1(t, filepath.Join(w.pkgDir, "conf-scoped-pkg-2.0.0-beta.1-"+id+".tgz"))
	if got != it["shasum"] {
		t.Errorf("download sha1 %s, shasum %v", got, it["shasum"])
	}

	c := code(t, srv.TOTPSecret())
	w.addSecret(c)
	w.mustNPM("stage", "approve", id, "--otp", c)
	v := w.npmView(name)
	if !contains(v.Versions, "2.0.0-beta.1") || v.DistTags["next"] != "2.0.0-beta.1" || v.DistTags["latest"] != "1.0.0" {
		t.Fatalf("after approve: versions %v, dist-tags %v; want next=2.0.0-beta.1, latest=1.0.0", v.Versions, v.DistTags)
	}
	var tags map[string]string
	decodeJSON(t, "npm view dist-tags", w.mustNPM("view", name, "dist-tags", "--json", "--prefer-online"), &tags)
	if tags["next"] != "2.0.0-beta.1" {
		t.Errorf("npm view %s dist-tags --json = %v", name, tags)
	}
}

// TestNPMListPagination puts more than 100 items in the queue, so npm must
// fetch two pages, with and without a package filter; stagegate must list
// exactly the same items in the same order.
func TestNPMListPagination(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	srv, reg := startRegistry(t, devregistry.Options{})
	w := newWorld(t, npmBin, reg, srv.Token(), srv.TOTPSecret(), srv.CIToken())

	// 130 of one package and 20 of another: the filtered list of the first
	// also needs two pages, the unfiltered one 150 items.
	want := map[string]bool{}
	for i := 0; i < 130; i++ {
		want[stageDirect(t, reg, srv.Token(), "conf-many", fmt.Sprintf("1.0.%d", i), "")] = true
	}
	for i := 0; i < 20; i++ {
		want[stageDirect(t, reg, srv.Token(), "@conf/other", fmt.Sprintf("2.0.%d", i), "")] = true
	}

	all := w.npmList()
	if len(all) != 150 {
		t.Fatalf("npm stage list --json: %d items, want 150", len(all))
	}
	for _, it := range all {
		if !want[fmt.Sprint(it["id"])] {
			t.Fatalf("npm listed an unknown item %v", it)
		}
	}
	sameJSON(t, "list --json (2 pages)", all, w.sgList())

	many := w.npmList("conf-many")
	if len(many) != 130 {
		t.Fatalf("npm stage list conf-many --json: %d items, want 130", len(many))
	}
	sameJSON(t, "list conf-many --json (2 pages)", many, w.sgList("conf-many"))
	other := w.npmList("@conf/other")
	if len(other) != 20 {
		t.Fatalf("npm stage list @conf/other --json: %d items, want 20", len(other))
	}
	sameJSON(t, "list @conf/other --json", other, w.sgList("@conf/other"))
}

// TestCITokenStagesButCannotApprove: the CI token may `npm stage publish`,
// but approving with it fails even with a valid code, and the item stays.
func TestCITokenStagesButCannotApprove(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	srv, reg := startRegistry(t, devregistry.Options{})
	maint := newWorld(t, npmBin, reg, srv.Token(), srv.TOTPSecret(), srv.CIToken())
	ci := newWorld(t, npmBin, reg, srv.CIToken(), srv.TOTPSecret(), srv.Token())
	const name = "conf-ci"

	maint.publish(name, "1.0.0")
	id := ci.stagePublish(name, "1.0.1")
	if it := itemByID(maint.npmList(), id); it == nil || it["version"] != "1.0.1" {
		t.Fatalf("the CI token's stage is not in the maintainer's list")
	}

	c := code(t, srv.TOTPSecret())
	ci.addSecret(c)
	r := ci.runNPM("stage", "approve", id, "--otp", c)
	if r.OK() {
		t.Fatalf("npm stage approve with the CI token succeeded:\n%s", ci.npm.Describe(r))
	}
	if !bytes.Contains(r.Stderr, []byte("E403")) && !bytes.Contains(r.Stderr, []byte("E401")) {
		t.Errorf("approve with the CI token: want E403 or E401\n%s", ci.npm.Describe(r))
	}
	r = ci.runNPM("stage", "reject", id, "--otp", c)
	if r.OK() {
		t.Errorf("npm stage reject with the CI token succeeded:\n%s", ci.npm.Describe(r))
	}
	// A plain publish with the CI token is refused too.
	ci.writePackage(name, "1.0.2")
	if r := ci.runNPM("publish"); r.OK() {
		t.Errorf("npm publish with the CI token succeeded:\n%s", ci.npm.Describe(r))
	}
	if itemByID(maint.npmList(), id) == nil {
		t.Fatalf("item %s left the queue after refused approve/reject", id)
	}
	if v := maint.npmView(name); contains(v.Versions, "1.0.1") || contains(v.Versions, "1.0.2") {
		t.Fatalf("versions after the CI token's attempts: %v", v.Versions)
	}
}

// TestStagegateBinaryApproveReject runs the real `stagegate registry`
// binary and decides with `stagegate approve` / `stagegate reject`, which
// npm must then see.
func TestStagegateBinaryApproveReject(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	sl := startBinaryRegistry(t, "--seed", "none")
	w := newWorld(t, npmBin, sl.URL, sl.Token, sl.TOTPSecret)
	const name = "conf-binary"

	w.publish(name, "1.0.0")
	idA := w.stagePublish(name, "1.0.1")
	idB := w.stagePublish(name, "1.0.2", "--tag", "canary")
	sameJSON(t, "list --json", w.npmList(), w.sgList())

	// No --otp and no TTY: a clear failure that asks for --otp, no prompt.
	if r := w.runSG("approve", idA); r.OK() || !bytes.Contains(r.Stderr, []byte("--otp")) {
		t.Errorf("stagegate approve without --otp or a TTY: want a failure naming --otp\n%s", w.sg.Describe(r))
	}
	bad := wrongCode(t, sl.TOTPSecret)
	if r := w.runSG("approve", idA, "--otp", bad); r.OK() {
		t.Fatalf("stagegate approve with a wrong code succeeded:\n%s", w.sg.Describe(r))
	} else if strings.Contains(string(r.Stdout)+string(r.Stderr), bad) {
		t.Errorf("stagegate printed the OTP it was given")
	}

	c := code(t, sl.TOTPSecret)
	w.addSecret(c)
	r := w.mustSG("approve", idA, "--otp", c)
	for _, out := range [][]byte{r.Stdout, r.Stderr} {
		if bytes.Contains(out, []byte(sl.Token)) || bytes.Contains(out, []byte(c)) {
			t.Errorf("stagegate approve printed a token or the code")
		}
	}
	v := w.npmView(name)
	if !contains(v.Versions, "1.0.1") || v.DistTags["latest"] != "1.0.1" {
		t.Fatalf("after stagegate approve: versions %v, dist-tags %v", v.Versions, v.DistTags)
	}

	c = code(t, sl.TOTPSecret)
	w.addSecret(c)
	w.mustSG("reject", idB, "--otp", c, "--yes")
	if r := w.runNPM("stage", "view", idB, "--json"); r.OK() || !bytes.Contains(r.Stderr, []byte("404")) {
		t.Errorf("npm stage view of the id stagegate rejected: want a 404\n%s", w.npm.Describe(r))
	}
	if items := w.npmList(); len(items) != 0 {
		t.Errorf("queue after approve+reject = %v, want empty", items)
	}
	v = w.npmView(name)
	if contains(v.Versions, "1.0.2") || v.DistTags["canary"] != "" {
		t.Errorf("after stagegate reject: versions %v, dist-tags %v", v.Versions, v.DistTags)
	}
	// The audit log in the isolated home holds both decisions, and nothing
	// stagegate wrote there holds the token or the TOTP secret.
	log, err := os.ReadFile(filepath.Join(w.home, ".local", "state", "stagegate", "audit.jsonl"))
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	if !bytes.Contains(log, []byte(idA)) || !bytes.Contains(log, []byte(idB)) {
		t.Errorf("the audit log lacks the approve or the reject:\n%s", log)
	}
	auditHasNoSecrets(t, w.home, []string{sl.Token, sl.TOTPSecret})
}

// auditHasNoSecrets scans every file stagegate left under home for secrets.
func auditHasNoSecrets(t *testing.T, home string, secrets []string) {
	t.Helper()
	_ = filepath.Walk(home, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || fi.Size() > 10<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, s := range secrets {
			if s != "" && bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a secret", strings.TrimPrefix(p, home))
			}
		}
		return nil
	})
}
