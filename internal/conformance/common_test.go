package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/stagegate/stagegate/internal/devregistry"
)

// binaries builds cmd/stagegate once per test process: several tests run
// the real binary, and a build costs tens of seconds on a loaded machine.
// (Test-only state; the package itself keeps none.)
var binaries struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// stagegateBinary returns the path of a freshly built cmd/stagegate, or
// $STAGEGATE_BIN when set (to test a release build as it ships).
func stagegateBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("STAGEGATE_BIN"); p != "" {
		return p
	}
	root := repoRoot(t)
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "stagegate-conformance-")
		if binaries.err != nil {
			return
		}
		binaries.path = filepath.Join(binaries.dir, "stagegate")
		cmd := exec.Command("go", "build", "-o", binaries.path, "./cmd/stagegate")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binaries.err = fmt.Errorf("go build ./cmd/stagegate: %v\n%s", err, out)
		}
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.path
}

// needNPM finds npm >= 11.15 or skips; with STAGEGATE_REQUIRE_NPM=1 (CI)
// a missing npm fails the test instead, so CI cannot pass by skipping.
func needNPM(t testing.TB) string {
	t.Helper()
	bin, _, err := FindNPM(repoRoot(t), os.Getenv)
	if err != nil {
		if os.Getenv("STAGEGATE_REQUIRE_NPM") == "1" {
			t.Fatalf("STAGEGATE_REQUIRE_NPM=1 but %v", err)
		}
		t.Skipf("npm conformance tests skipped: %v", err)
	}
	return bin
}

// startRegistry runs an in-process devregistry over real HTTP on
// 127.0.0.1:0 and returns it with its URL (trailing slash).
func startRegistry(t testing.TB, opts devregistry.Options) (*devregistry.Server, string) {
	t.Helper()
	srv, err := devregistry.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	u, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Close()
	})
	return srv, u
}

// nerf is npm's nerf-dart of a registry URL: "//host:port/path/".
func nerf(registryURL string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(registryURL, "http://"), "https://")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return "//" + u
}

// world is one isolated user: a home, a user .npmrc, a package folder, an
// npm and a stagegate that both read that configuration.
type world struct {
	t        testing.TB
	registry string
	home     string
	userrc   string
	pkgDir   string
	npm      *Runner
	sg       *Runner // nil until useStagegate
	secrets  []string
}

// newWorld makes a user whose ~/.npmrc-equivalent (passed as --userconfig)
// holds token for registry.
func newWorld(t testing.TB, npmBin, registry, token string, secrets ...string) *world {
	t.Helper()
	dir := t.TempDir()
	w := &world{
		t:        t,
		registry: registry,
		home:     filepath.Join(dir, "home"),
		userrc:   filepath.Join(dir, "userrc"),
		pkgDir:   filepath.Join(dir, "pkg"),
		secrets:  append([]string{token}, secrets...),
	}
	for _, d := range []string{w.home, w.pkgDir, filepath.Join(dir, "cache")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rc := "registry=" + registry + "\n" + nerf(registry) + ":_authToken=" + token + "\n"
	if err := os.WriteFile(w.userrc, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	global := filepath.Join(dir, "globalrc")
	if err := os.WriteFile(global, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(IsolatedEnv(os.Environ(), w.home),
		"npm_config_cache="+filepath.Join(dir, "cache"),
		// The system's $PREFIX/etc/npmrc must not leak in either.
		"npm_config_globalconfig="+global,
	)
	w.npm = &Runner{Bin: npmBin, Dir: w.pkgDir, Env: env, Secrets: w.secrets}
	return w
}

// dashboardEnv is the environment of a dashboard in tmux: the world's
// home, with its own state (audit log, review memory) and cache.
func (w *world) dashboardEnv() []string {
	return []string{"HOME=" + w.home, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH"),
		"XDG_STATE_HOME=" + filepath.Join(w.home, "state"), "XDG_CACHE_HOME=" + filepath.Join(w.home, "cache")}
}

func (w *world) useStagegate() {
	w.sg = &Runner{Bin: stagegateBinary(w.t), Dir: w.pkgDir, Env: w.npm.Env, Secrets: w.secrets}
}

// addSecret makes a value (an OTP) redacted from failure output.
func (w *world) addSecret(s string) {
	w.secrets = append(w.secrets, s)
	w.npm.Secrets = w.secrets
	if w.sg != nil {
		w.sg.Secrets = w.secrets
	}
}

func (w *world) withConfig(args []string) []string {
	return append(args, "--registry", w.registry, "--userconfig", w.userrc)
}

// runNPM runs npm with the world's registry and user config.
func (w *world) runNPM(args ...string) Result {
	return w.npm.Run(context.Background(), w.withConfig(args)...)
}

func (w *world) mustNPM(args ...string) Result {
	w.t.Helper()
	r := w.runNPM(args...)
	if !r.OK() {
		w.t.Fatalf("npm failed:\n%s", w.npm.Describe(r))
	}
	return r
}

func (w *world) runSG(args ...string) Result {
	w.t.Helper()
	if w.sg == nil {
		w.useStagegate()
	}
	return w.sg.Run(context.Background(), w.withConfig(args)...)
}

func (w *world) mustSG(args ...string) Result {
	w.t.Helper()
	r := w.runSG(args...)
	if !r.OK() {
		w.t.Fatalf("stagegate failed:\n%s", w.sg.Describe(r))
	}
	return r
}

// writePackage puts name@version's files in the package folder.
func (w *world) writePackage(name, version string) {
	w.t.Helper()
	for f, body := range FixturePackage(name, version) {
		if err := os.WriteFile(filepath.Join(w.pkgDir, f), []byte(body), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

var stagedID = regexp.MustCompile(`staged with id ([0-9a-fA-F-]{36})`)

// stagePublish runs `npm stage publish` for name@version and returns the stage id npm printed.
func (w *world) stagePublish(name, version string, extra ...string) string {
	w.t.Helper()
	w.writePackage(name, version)
	r := w.mustNPM(append([]string{"stage", "publish"}, extra...)...)
	m := stagedID.FindSubmatch(r.Stdout)
	if m == nil {
		w.t.Fatalf("npm stage publish printed no stage id:\n%s", w.npm.Describe(r))
	}
	return string(m[1])
}

// publish runs a plain `npm publish` of name@version.
func (w *world) publish(name, version string, extra ...string) {
	w.t.Helper()
	w.writePackage(name, version)
	w.mustNPM(append([]string{"publish"}, extra...)...)
}

// decodeJSON parses a command's stdout, which must be exactly one JSON document.
func decodeJSON(t testing.TB, who string, r Result, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s --json: %v\nstdout: %s", who, err, clip(r.Stdout))
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("%s --json: more than one JSON document on stdout: %s", who, clip(r.Stdout))
	}
}

// sameJSON fails unless a and b (decoded generically) are equal.
func sameJSON(t testing.TB, what string, a, b any) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.MarshalIndent(a, "", " ")
		jb, _ := json.MarshalIndent(b, "", " ")
		t.Fatalf("%s differ:\nnpm:       %s\nstagegate: %s", what, clip(ja), clip(jb))
	}
}

// npmList and sgList run the two list commands and return their parsed JSON.
func (w *world) npmList(args ...string) []map[string]any {
	w.t.Helper()
	var items []map[string]any
	decodeJSON(w.t, "npm stage list", w.mustNPM(append([]string{"stage", "list", "--json"}, args...)...), &items)
	return items
}

func (w *world) sgList(args ...string) []map[string]any {
	w.t.Helper()
	var items []map[string]any
	decodeJSON(w.t, "stagegate list", w.mustSG(append([]string{"list", "--json"}, args...)...), &items)
	return items
}

// packument is what `npm view <name> --json` tells about versions and tags.
type viewInfo struct {
	Versions []string
	DistTags map[string]string
}

// npmView reads name's versions and dist-tags through `npm view`, bypassing
// npm's HTTP cache (--prefer-online) so a change is seen at once.
func (w *world) npmView(name string) viewInfo {
	w.t.Helper()
	var v struct {
		Versions any               `json:"versions"`
		DistTags map[string]string `json:"dist-tags"`
	}
	decodeJSON(w.t, "npm view", w.mustNPM("view", name, "versions", "dist-tags", "--json", "--prefer-online"), &v)
	info := viewInfo{DistTags: v.DistTags}
	switch vs := v.Versions.(type) { // npm prints a bare string for a single version
	case string:
		info.Versions = []string{vs}
	case []any:
		for _, s := range vs {
			info.Versions = append(info.Versions, fmt.Sprint(s))
		}
	}
	return info
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// totpOpts mirror RFC 6238 authenticator defaults.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// code returns the TOTP code for secret now.
func code(t testing.TB, secret string) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, time.Now(), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode returns a 6-digit code that is valid for no step within ±2
// minutes, so the server must refuse it whatever skew it allows.
func wrongCode(t testing.TB, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	now := time.Now()
	for d := -4; d <= 4; d++ {
		c, err := totp.GenerateCodeCustom(secret, now.Add(time.Duration(d)*30*time.Second), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", (123457+i*7919)%1000000)
		if !valid[c] {
			return c
		}
	}
}

// stageDirect stages name@version through the HTTP API, as npm stage
// publish would, without spending an npm start-up per item.
func stageDirect(t testing.TB, registry, token, name, version, tag string) string {
	t.Helper()
	id, err := StageViaAPI(context.Background(), http.DefaultClient, registry, token, name, version, tag)
	if err != nil {
		t.Fatal(Redact(err.Error(), token))
	}
	return id
}

// startBinaryRegistry runs `stagegate registry --listen 127.0.0.1:0 --json`
// and reads its start line.
func startBinaryRegistry(t testing.TB, extra ...string) StartLine {
	t.Helper()
	bin := stagegateBinary(t)
	home := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"registry", "--listen", "127.0.0.1:0", "--json"}, extra...)...)
	cmd.Env = IsolatedEnv(os.Environ(), home)
	cmd.Dir = home
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
		cancel()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			<-done // stderr is complete only once the process has been waited for
			t.Fatalf("stagegate registry exited without a start line; stderr:\n%s", clip(stderr.Bytes()))
		}
		sl, err := ParseStartLine([]byte(line))
		if err != nil {
			t.Fatalf("stagegate registry start line: %v", err)
		}
		return sl
	case <-time.After(60 * time.Second):
		cancel()
		<-done
		t.Fatalf("stagegate registry printed no start line in 60s; stderr:\n%s", clip(stderr.Bytes()))
	}
	return StartLine{}
}
