// Package conformance checks stagegate against the real npm CLI: the
// embedded staging registry must serve every `npm stage` subcommand the way
// npm expects, `stagegate list --json` must print what `npm stage list
// --json` prints, and stagegate must read npm's configuration so that it
// sends the same credential to the same registry as npm does.
//
// The suite itself lives in the _test.go files; this file holds the pieces
// the tests, the benchmark and cmd/seedstage share: locating a new enough
// npm, running it in an isolated environment, redacting secrets from what
// is logged, and building the publish documents npm sends.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MinNPMMajor and MinNPMMinor are the oldest npm with `npm stage` (11.15).
const (
	MinNPMMajor = 11
	MinNPMMinor = 15
)

// DefaultCommandTimeout bounds one npm or stagegate invocation. npm's own
// start-up takes a second or two on a loaded 2-core machine; anything near
// a minute is a hang (an unexpected prompt, a retry loop), not slowness.
const DefaultCommandTimeout = 90 * time.Second

// RepoRoot walks up from dir to the directory holding go.mod.
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("go.mod not found above " + dir)
		}
		d = parent
	}
}

// NPMVersionOK reports whether an `npm --version` output is at least 11.15.
func NPMVersionOK(v string) bool {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "v"))
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > MinNPMMajor || (major == MinNPMMajor && minor >= MinNPMMinor)
}

// FindNPM returns an npm >= 11.15 and its version, looking in the order CI
// sets things up: $STAGEGATE_NPM (getenv is passed in so tests can vary
// it), then <repo>/.cache/npm/bin/npm (installed by .ci/setup), then npm
// on PATH. The reasons for rejecting each candidate are in the error.
func FindNPM(repoRoot string, getenv func(string) string) (bin, version string, err error) {
	var why []string
	try := func(p string) bool {
		v, e := npmVersion(p)
		switch {
		case e != nil:
			why = append(why, fmt.Sprintf("%s: %v", p, e))
		case !NPMVersionOK(v):
			why = append(why, fmt.Sprintf("%s is npm %s (need >= %d.%d)", p, v, MinNPMMajor, MinNPMMinor))
		default:
			bin, version = p, v
			return true
		}
		return false
	}
	if p := getenv("STAGEGATE_NPM"); p != "" {
		// An explicit choice is final: silently falling back would test another npm.
		if try(p) {
			return bin, version, nil
		}
		return "", "", errors.New("STAGEGATE_NPM: " + strings.Join(why, "; "))
	}
	if repoRoot != "" {
		p := filepath.Join(repoRoot, ".cache", "npm", "bin", "npm")
		if _, e := os.Stat(p); e == nil && try(p) {
			return bin, version, nil
		}
	}
	if p, e := exec.LookPath("npm"); e == nil {
		if try(p) {
			return bin, version, nil
		}
	} else {
		why = append(why, "no npm on PATH")
	}
	return "", "", fmt.Errorf("no npm >= %d.%d found (run `make setup`): %s", MinNPMMajor, MinNPMMinor, strings.Join(why, "; "))
}

func npmVersion(bin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--version")
	// A bare environment: a user's npm_config_* must not change the answer
	// (or print warnings into it).
	cmd.Env = IsolatedEnv(os.Environ(), os.TempDir())
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// droppedEnv reports whether an inherited variable could change which
// configuration npm or stagegate reads, or which credential they send.
func droppedEnv(key string) bool {
	k := strings.ToUpper(key)
	switch {
	case strings.HasPrefix(k, "NPM_CONFIG_"), strings.HasPrefix(k, "NPM_PACKAGE_"),
		strings.HasPrefix(k, "NPM_LIFECYCLE_"), strings.HasPrefix(k, "XDG_"),
		// STAGEGATE_AUDIT_LOG and friends would send a test's decisions elsewhere.
		strings.HasPrefix(k, "STAGEGATE_"):
		return true
	}
	switch k {
	case "HOME", "USERPROFILE", "NODE_AUTH_TOKEN", "NPM_TOKEN", "PREFIX", "DESTDIR",
		"NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "INIT_CWD",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY":
		return true
	}
	return false
}

// IsolatedEnv returns base without any variable that configures npm or
// names a credential, with HOME set to home and npm's network side effects
// (update check, audit, funding) turned off. Callers append their own
// npm_config_* on top: a later entry wins for exec.Cmd.
func IsolatedEnv(base []string, home string) []string {
	env := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if droppedEnv(k) {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"NO_COLOR=1",
		"npm_config_update_notifier=false",
		"npm_config_audit=false",
		"npm_config_fund=false",
		"npm_config_progress=false",
	)
}

// Result is the outcome of one command.
type Result struct {
	Args     []string
	Stdout   []byte
	Stderr   []byte
	ExitCode int   // -1 when the command did not run to an exit
	Err      error // start failure or timeout; nil for a plain non-zero exit
}

// OK reports whether the command ran and exited 0.
func (r Result) OK() bool { return r.Err == nil && r.ExitCode == 0 }

// Runner runs a program in a fixed directory and environment.
type Runner struct {
	Bin     string
	Dir     string
	Env     []string
	Timeout time.Duration // DefaultCommandTimeout when 0
	// Secrets are redacted from Describe: tokens, TOTP secrets and codes.
	Secrets []string
}

// Run runs Bin with args. It never returns a Go error for a non-zero exit:
// the tests look at ExitCode and Stderr.
func (r *Runner) Run(ctx context.Context, args ...string) Result {
	to := r.Timeout
	if to <= 0 {
		to = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Bin, args...)
	cmd.Dir = r.Dir
	cmd.Env = r.Env
	// Nothing must wait for a prompt: an OTP prompt would hang until the timeout.
	cmd.Stdin = nil
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// npm leaves no children, but if a grandchild keeps the pipes open Wait must not hang.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	res := Result{Args: args, Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: -1}
	var ee *exec.ExitError
	switch {
	case err == nil:
		res.ExitCode = 0
	case ctx.Err() != nil:
		res.Err = fmt.Errorf("timed out after %s", to)
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		res.Err = err
	}
	return res
}

// Describe renders a result for a test failure message, with every secret
// the runner knows replaced by a placeholder.
func (r *Runner) Describe(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ %s %s\nexit %d", filepath.Base(r.Bin), strings.Join(res.Args, " "), res.ExitCode)
	if res.Err != nil {
		fmt.Fprintf(&b, " (%v)", res.Err)
	}
	fmt.Fprintf(&b, "\n--- stdout\n%s\n--- stderr\n%s", clip(res.Stdout), clip(res.Stderr))
	return Redact(b.String(), r.Secrets...)
}

func clip(b []byte) string {
	const max = 4000
	if len(b) > max {
		return string(b[:max/2]) + "\n[…]\n" + string(b[len(b)-max/2:])
	}
	return string(b)
}

// otpFlag matches an OTP given on a command line, in case a code is not in
// the secrets list (a wrong code made up by a test, or the one before it).
var otpFlag = regexp.MustCompile(`(--otp[= ])\S+`)

// Redact replaces every non-empty secret in s, and any `--otp VALUE`, with
// a placeholder. Secrets shorter than 4 bytes are still redacted: a
// leaked short test token is still a leak in a CI log.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return otpFlag.ReplaceAllString(s, "${1}[REDACTED]")
}
