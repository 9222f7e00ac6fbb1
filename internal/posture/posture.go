// Package posture answers, per package, whether a release can still skip
// the stage gate, and which npm command closes each gap. The checks are
// pure functions of what the registry and npm's configuration report
// (Evaluate); Gather collects those facts over the registry's npm routes.
package posture

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/stagegate/stagegate/internal/registry"
)

// Status of one check.
type Status string

// The statuses: green (the gate cannot be skipped this way), red (it can),
// unknown (the registry or the machine did not say).
const (
	Green   Status = "green"
	Red     Status = "red"
	Unknown Status = "unknown"
)

// Check ids (stable; the JSON contract of `posture --json`).
const (
	CheckMFA      = "mfa"
	CheckTrust    = "trust"
	CheckTokens   = "tokens"
	CheckRemote   = "allow-remote"
	CheckFile     = "allow-file"
	CheckGit      = "allow-git"
	CheckNPM      = "npm-version"
	minNPMVersion = "11.15.0"
)

// Check is one cell of the table.
type Check struct {
	ID     string   `json:"id"`
	Status Status   `json:"status"`
	Detail string   `json:"detail"`
	Fix    []string `json:"fix,omitempty"` // npm commands that turn a red cell green, in order
}

// PackageFacts is what the registry said about one package; an Err is set
// when the registry could not answer that question.
type PackageFacts struct {
	Name     string
	MFA      registry.MFA
	MFAErr   error
	Trust    []registry.TrustRelation
	TrustErr error
}

// LocalFacts is this project's and machine's side.
type LocalFacts struct {
	// Settings holds allow-remote, allow-file and allow-git as npm's
	// configuration resolves them ("" = unset, npm's default "all").
	Settings map[string]string
	// Sources names where each setting came from ("" = default).
	Sources    map[string]string
	NPMVersion string // `npm --version`, "" when npm did not run
	NPMErr     error
}

// PackageReport is one row.
type PackageReport struct {
	Name   string  `json:"name"`
	Checks []Check `json:"checks"` // mfa, trust, tokens
}

// TokenReport is a token as posture shows it: never a token value, only
// the id (a prefix of the registry's key) and what the registry said.
type TokenReport struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Created    string   `json:"created,omitempty"`
	Readonly   bool     `json:"readonly"`
	Bypass2FA  bool     `json:"bypass2fa"`
	Automation bool     `json:"automation"`
	Packages   []string `json:"packages,omitempty"`
	Scopes     []string `json:"scopes,omitempty"`
	Skips      bool     `json:"skipsGate"` // it can publish without a second factor
}

// Report is `posture --json`.
type Report struct {
	Schema   int             `json:"schema"`
	Registry string          `json:"registry"`
	User     string          `json:"user,omitempty"`
	Packages []PackageReport `json:"packages"`
	Local    []Check         `json:"local"`
	Tokens   []TokenReport   `json:"tokens"`
	TokenErr string          `json:"tokensError,omitempty"`
	Red      int             `json:"red"`
}

// Evaluate turns facts into the report. tokens is nil with tokenErr set
// when the registry does not list tokens.
func Evaluate(reg, user string, pkgs []PackageFacts, tokens []registry.TokenInfo, tokenErr error, local LocalFacts) Report {
	rep := Report{Schema: 1, Registry: reg, User: user, Packages: []PackageReport{}, Tokens: []TokenReport{}}
	ids := registry.TokenIDs(tokens, 6)
	for i, t := range tokens {
		rep.Tokens = append(rep.Tokens, TokenReport{ID: ids[i], Name: t.Name, Created: t.Created, Readonly: t.Readonly,
			Bypass2FA: t.Bypass2FA, Automation: t.Automation, Packages: t.Packages, Scopes: t.Scopes, Skips: TokenSkipsGate(t)})
	}
	if tokenErr != nil {
		rep.TokenErr = tokenErr.Error()
	}
	sorted := append([]PackageFacts(nil), pkgs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, p := range sorted {
		row := PackageReport{Name: p.Name, Checks: []Check{
			MFACheck(p.Name, p.MFA, p.MFAErr),
			TrustCheck(p.Name, p.Trust, p.TrustErr),
			TokensCheck(p.Name, tokens, ids, tokenErr),
		}}
		rep.Packages = append(rep.Packages, row)
	}
	for _, key := range []string{CheckRemote, CheckFile, CheckGit} {
		rep.Local = append(rep.Local, SettingCheck(key, local.Settings[key], local.Sources[key]))
	}
	rep.Local = append(rep.Local, NPMVersionCheck(local.NPMVersion, local.NPMErr))
	for _, p := range rep.Packages {
		for _, c := range p.Checks {
			if c.Status == Red {
				rep.Red++
			}
		}
	}
	for _, c := range rep.Local {
		if c.Status == Red {
			rep.Red++
		}
	}
	return rep
}

func unknown(id string, err error) Check {
	msg := "the registry did not say"
	if err != nil {
		msg += ": " + err.Error()
	}
	if registry.KindOf(err) == registry.ErrNotFound {
		msg = "the registry does not offer this route"
	}
	return Check{ID: id, Status: Unknown, Detail: msg}
}

// MFACheck: publishing must require 2FA with automation tokens not
// overriding it (npm access set mfa=publish).
func MFACheck(pkg string, m registry.MFA, err error) Check {
	if err != nil {
		return unknown(CheckMFA, err)
	}
	c := Check{ID: CheckMFA, Detail: "mfa=" + m.Level()}
	switch m.Level() {
	case "publish":
		c.Status = Green
		c.Detail += ": every publish needs a second factor"
	case "automation":
		c.Status = Red
		c.Detail += ": automation tokens publish without 2FA"
	default:
		c.Status = Red
		c.Detail += ": a token or password publishes without 2FA"
	}
	if c.Status == Red {
		c.Fix = []string{"npm access set mfa=publish " + shellQuote(pkg)}
	}
	return c
}

// TrustCheck: every trusted publisher must be stage-only: its permissions
// hold createStagedPackage and not createPackage (npm 11's names; a
// relationship without a permissions list predates them and could publish).
func TrustCheck(pkg string, ts []registry.TrustRelation, err error) Check {
	if err != nil {
		return unknown(CheckTrust, err)
	}
	c := Check{ID: CheckTrust, Status: Green}
	var bad []registry.TrustRelation
	for _, t := range ts {
		if t.CanPublish() {
			bad = append(bad, t)
		}
	}
	switch {
	case len(ts) == 0:
		c.Detail = "no trusted publisher"
	case len(bad) == 0:
		c.Detail = plural(len(ts), "trusted publisher") + ", stage-only"
	default:
		c.Status = Red
		c.Detail = fmt.Sprintf("%d of %s may npm publish", len(bad), plural(len(ts), "trusted publisher"))
		for _, t := range bad {
			c.Fix = append(c.Fix, "npm trust revoke "+shellQuote(pkg)+" --id="+shellQuote(t.ID))
			c.Fix = append(c.Fix, recreateStageOnly(pkg, t))
		}
	}
	return c
}

// recreateStageOnly is the npm trust command that makes the same
// relationship again with the stage permission only.
func recreateStageOnly(pkg string, t registry.TrustRelation) string {
	var args []string
	flag := func(name, claim string) {
		if v := t.Claims[claim]; v != "" {
			args = append(args, "--"+name+"="+shellQuote(v))
		}
	}
	switch t.Type {
	case "github":
		flag("file", "workflow_ref.file")
		flag("repository", "repository")
		flag("environment", "environment")
	case "gitlab":
		flag("file", "ci_config_ref_uri.file")
		flag("project", "project_path")
		flag("environment", "environment")
	case "circleci":
		flag("org-id", "oidc.circleci.com/org-id")
		flag("project-id", "oidc.circleci.com/project-id")
		flag("pipeline-definition-id", "oidc.circleci.com/pipeline-definition-id")
		flag("vcs-origin", "oidc.circleci.com/vcs-origin")
		for _, id := range strings.Split(t.Claims["oidc.circleci.com/context-ids"], ",") {
			if id != "" {
				args = append(args, "--context-id="+shellQuote(id))
			}
		}
	default:
		args = append(args, "<the same claims>")
	}
	typ := t.Type
	if typ == "" || !safeWord(typ) {
		typ = "<provider>"
	}
	return strings.Join(append([]string{"npm trust", typ, shellQuote(pkg)}, append(args, "--allow-stage-publish", "--yes")...), " ")
}

// TokenSkipsGate: a token that can write and needs no second factor
// (bypass_2fa, or a classic automation token). It is red even while the
// package's mfa=publish would refuse it: one `npm access set` away from
// publishing, and it outlives the setting.
func TokenSkipsGate(t registry.TokenInfo) bool {
	return !t.Readonly && (t.Bypass2FA || t.Automation)
}

// TokenCovers reports whether the token's package or scope list reaches pkg
// (an empty list reaches every package).
func TokenCovers(t registry.TokenInfo, pkg string) bool {
	if len(t.Packages) == 0 && len(t.Scopes) == 0 {
		return true
	}
	for _, p := range t.Packages {
		if p == pkg {
			return true
		}
	}
	if scope, _, ok := strings.Cut(pkg, "/"); ok && strings.HasPrefix(scope, "@") {
		for _, s := range t.Scopes {
			if "@"+strings.TrimPrefix(s, "@") == scope {
				return true
			}
		}
	}
	return false
}

// TokensCheck: no token that skips the gate may reach pkg.
func TokensCheck(pkg string, tokens []registry.TokenInfo, ids []string, err error) Check {
	if err != nil {
		return unknown(CheckTokens, err)
	}
	c := Check{ID: CheckTokens, Status: Green, Detail: "no token publishes without 2FA"}
	n := 0
	for i, t := range tokens {
		if TokenSkipsGate(t) && TokenCovers(t, pkg) {
			n++
			c.Fix = append(c.Fix, "npm token revoke "+shellQuote(ids[i]))
		}
	}
	if n > 0 {
		c.Status = Red
		c.Detail = plural(n, "token") + " publish without 2FA"
		if n == 1 {
			c.Detail = "1 token publishes without 2FA"
		}
	}
	return c
}

// SettingCheck: allow-remote, allow-file and allow-git must be none, so an
// install cannot pull code from outside the registry (npm 11 defines them
// with the values all, none and root; the default is all).
func SettingCheck(key, value, source string) Check {
	c := Check{ID: key}
	shown := value
	if shown == "" {
		shown = "all (npm's default)"
	} else if source != "" {
		shown += " (" + source + ")"
	}
	c.Detail = key + "=" + shown
	if value == "none" {
		c.Status = Green
		return c
	}
	c.Status = Red
	c.Fix = []string{"npm config set " + key + "=none --location=project"}
	return c
}

// NPMVersionCheck: npm stage needs npm >= 11.15.
func NPMVersionCheck(v string, err error) Check {
	c := Check{ID: CheckNPM, Fix: []string{"npm install -g npm@latest"}}
	switch {
	case err != nil:
		c.Status = Red
		c.Detail = "npm did not run: " + err.Error()
	case !versionAtLeast(v, minNPMVersion):
		c.Status = Red
		c.Detail = "npm " + v + " has no npm stage (needs " + minNPMVersion + " or later)"
		if _, ok := parseVersion(v); !ok {
			c.Detail = "npm printed an unreadable version " + strconv.Quote(v)
		}
	default:
		c.Status = Green
		c.Detail = "npm " + v
		c.Fix = nil
	}
	return c
}

func parseVersion(v string) ([3]int, bool) {
	var out [3]int
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	v, _, _ = strings.Cut(v, "+")
	core, pre, hasPre := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (len(p) > 1 && p[0] == '0') {
			return out, false
		}
		out[i] = n
	}
	_ = pre
	if hasPre {
		// A prerelease of x.y.z comes before x.y.z.
		out[2]--
	}
	return out, true
}

func versionAtLeast(v, want string) bool {
	a, ok := parseVersion(v)
	b, _ := parseVersion(want)
	if !ok {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return true
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func safeWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != ""
}

// shellQuote quotes s for a POSIX shell when it is not a plain word.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./@:=+,", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
