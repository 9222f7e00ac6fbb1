package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/tarball"
	"github.com/stagegate/stagegate/internal/termsafe"
)

// decideFlags are shared by approve and reject.
type decideFlags struct {
	otp    string
	yes    bool
	shasum string
	// allowBack approves even when a dist-tag moves to a lower version.
	allowBack bool
	// json prints the decisions as one JSON document on stdout.
	json bool
}

func newApproveCmd(g *globals) *cobra.Command {
	var f decideFlags
	c := &cobra.Command{
		Use:   "approve <stage-id|name@version>...",
		Short: "Approve staged versions (publishes them under their tag)",
		Long: `Approve one or more staged versions with a 2FA code. Each staged tarball is
downloaded and checked against its stage record first, and the record is
re-read just before sending, so what is published is what was checked. One
code is reused while the registry accepts it; when it challenges again you are
asked for a new one (on a terminal). Without --otp and without a terminal the
command fails before sending anything.

An approval that moves a dist-tag back (latest at 1.0.4, approving 1.0.1
under latest) says "moves latest back from 1.0.4 to 1.0.1" and asks to
confirm on a terminal; without one it is refused unless
--allow-tag-backwards is given. When an error stops a batch (network, login,
2FA), the versions not yet sent are listed as "not attempted".

A batch is approved in dependency order, as pnpm publishes a workspace: a
version comes after the batch's versions of the packages its staged
package.json depends on (dependencies, optionalDependencies,
peerDependencies). When a version is not approved, the versions that depend
on it, directly or through another, are skipped ("not attempted: depends on
...") and the exit status is 1; independent versions still go through.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.decide(cmd.Context(), "approve", args, f)
		},
	}
	c.Flags().StringVar(&f.otp, "otp", "", "one-time password from your authenticator")
	c.Flags().StringVar(&f.shasum, "shasum", "", "refuse unless the staged tarball's sha1 is this one (what you reviewed); one id only")
	c.Flags().BoolVar(&f.allowBack, tagBackwardsFlag, false, "approve even when a dist-tag moves to a lower version (latest 1.0.4 -> 1.0.1) without asking")
	c.Flags().BoolVar(&f.json, "json", false, "print the decisions as JSON")
	return c
}

func newRejectCmd(g *globals) *cobra.Command {
	var f decideFlags
	c := &cobra.Command{
		Use:   "reject <stage-id|name@version>...",
		Short: "Reject staged versions (deletes them for good)",
		Long: `Reject one or more staged versions with a 2FA code. Rejection is permanent:
the staged tarball is deleted. On a terminal you are asked to confirm unless
--yes is given; without a terminal --yes is required. Rejections are sent in
the order given: a rejection publishes nothing, so nothing has to wait for
another one, and one that fails is no reason to keep the others staged.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.decide(cmd.Context(), "reject", args, f)
		},
	}
	c.Flags().StringVar(&f.otp, "otp", "", "one-time password from your authenticator")
	c.Flags().BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
	c.Flags().StringVar(&f.shasum, "shasum", "", "refuse unless the staged tarball's sha1 is this one; one id only")
	c.Flags().BoolVar(&f.json, "json", false, "print the decisions as JSON")
	return c
}

// otpSource hands out one-time codes: the --otp code first, then (on a
// terminal) a prompt each time the registry challenges again.
type otpSource struct {
	code     string
	prompt   func(msg string) (string, error)
	prompted int
}

func (o *otpSource) next(reason string) (string, error) {
	if o.prompt == nil {
		if o.code != "" {
			return "", fmt.Errorf("%s: run again with a fresh --otp code", reason)
		}
		return "", usageErr("%s: pass --otp <code> (there is no terminal to ask on)", reason)
	}
	if o.prompted >= 5 {
		return "", errors.New("too many one-time password attempts; run the command again")
	}
	o.prompted++
	code, err := o.prompt(reason)
	if err != nil {
		return "", err
	}
	o.code = code
	return code, nil
}

func (g *globals) terminalPrompt() func(string) (string, error) {
	in, ok := g.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) || !isTTY(g.stderr) {
		return nil
	}
	return func(reason string) (string, error) {
		if reason != "" {
			fmt.Fprintf(g.stderr, "%s\n", reason)
		}
		fmt.Fprint(g.stderr, "Enter OTP (empty for browser authentication): ")
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(g.stderr)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
}

func validOTP(code string) bool {
	if len(code) < 6 || len(code) > 8 {
		return false
	}
	for _, r := range code {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func (g *globals) confirm(question string) (bool, error) {
	if !isTTY(g.stdin) || !isTTY(g.stderr) {
		return false, usageErr("rejection is permanent and there is no terminal to confirm on: pass --yes")
	}
	fmt.Fprintf(g.stderr, "%s [y/N] ", question)
	line, err := bufio.NewReader(g.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// decision is one id's result, for the summary.
type decision struct {
	id, pkg, version string
	result           string
	detail           string
	// auditErr is set when the decision's audit record could not be
	// written: never a plain success.
	auditErr string
	// resolved: the outcome of an earlier, interrupted run's request.
	resolved bool
	// blockedBy: skipped because this version of the batch, which it
	// depends on, did not go through.
	blockedBy *versionRef
}

// succeeded reports a decision that took effect and was audited.
func (r decision) succeeded() bool {
	return (r.result == "approved" || r.result == "rejected") && r.auditErr == ""
}

// fromOutcome fills r from a Decider's outcome and error.
func (r decision) fromOutcome(out approval.Outcome, err error) decision {
	r.result, r.detail, r.resolved = string(out.Result), out.Detail, out.Resolved
	if r.result == "" {
		r.result = "failed"
	}
	if err != nil && errors.Is(err, approval.ErrAuditWrite) {
		r.auditErr = err.Error()
	} else if err != nil && r.detail == "" {
		r.detail = err.Error()
	}
	return r
}

func (g *globals) decide(ctx context.Context, action string, ids []string, f decideFlags) error {
	seen := map[string]bool{}
	var unique []string
	var refs []string // name@version arguments, resolved once the registry is known
	for _, id := range ids {
		if !registry.ValidStageID(id) {
			if _, _, ok := splitNameVersion(id); ok {
				refs = append(refs, id)
				continue
			}
			return usageErr("%q is not a stage id (a UUID, as `stagegate list` shows) or name@version", termsafe.String(id))
		}
		if !seen[strings.ToLower(id)] {
			seen[strings.ToLower(id)] = true
			unique = append(unique, id)
		}
	}
	if f.shasum != "" && len(unique)+len(refs) != 1 {
		return usageErr("--shasum goes with exactly one stage id")
	}
	if f.otp != "" && !validOTP(f.otp) {
		return usageErr("--otp takes the 6 to 8 digit code from your authenticator")
	}
	src := &otpSource{code: f.otp, prompt: g.terminalPrompt()}
	if f.otp == "" && src.prompt == nil {
		return usageErr("%s needs a one-time password: pass --otp <code> (there is no terminal to ask on)", action)
	}
	e, err := g.newEnv()
	if err != nil {
		return err
	}
	// name@version of a staged version names its stage id (§2).
	for _, ref := range refs {
		it, err := viewStage(ctx, e.client, ref)
		if err != nil {
			return err
		}
		if !seen[strings.ToLower(it.ID)] {
			seen[strings.ToLower(it.ID)] = true
			unique = append(unique, it.ID)
		}
	}
	client := e.client
	if f.otp != "" {
		client = client.WithAuthType("legacy") // npm sends legacy when --otp is given
	}
	log, err := openAudit()
	if err != nil {
		return err
	}
	d := &approval.Decider{Client: client, Registry: e.reg, Audit: log.Append, Via: "cli", Progress: g.checkProgress()}
	// Requests an earlier run left without a known outcome (killed, or
	// its answer lost): resolved below when their id is asked for again.
	pending, err := log.Pending(e.reg)
	if err != nil {
		return fmt.Errorf("%w (%s): %w", approval.ErrAuditWrite, log.Path(), err)
	}
	open := map[string]approval.Entry{}
	for _, p := range pending {
		if p.Action == action || open[strings.ToLower(p.ID)].ID == "" {
			open[strings.ToLower(p.ID)] = p
		}
	}
	// Open entries of other ids (an interrupted dashboard, say) are
	// settled when the registry proves their outcome.
	outs, which, err := d.SettlePending(ctx, pending, 20, func(p approval.Entry) bool { return seen[strings.ToLower(p.ID)] })
	for i, out := range outs {
		fmt.Fprintf(g.stderr, "An earlier, interrupted %s of %s: %s (now in the audit log).\n", out.Action,
			safeLine(which[i].Package+"@"+which[i].Version, 120), out.Result)
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	// ctrl+c stops a request; a second one stops the checks of its outcome.
	checks, stopChecks := context.WithCancel(context.WithoutCancel(ctx))
	defer stopChecks()
	go g.secondInterrupt(ctx, checks, stopChecks)
	ctx = approval.WithChecks(ctx, checks)

	// Resolve every id first (404 is reported per item), as pnpm does.
	var targets []target
	var results []decision
	refuse := func(item registry.StageItem, sha, detail string) bool {
		r := decision{id: item.ID, pkg: item.PackageName, version: item.Version}
		out, err := d.Refuse(action, item, sha, detail)
		r = r.fromOutcome(out, err)
		results = append(results, r)
		if item.PackageName != "" {
			// Still part of the batch: what depends on it is skipped.
			targets = append(targets, target{item: item, refused: len(results) - 1})
		}
		return r.auditErr != ""
	}
	for _, id := range unique {
		item, err := client.ViewStaged(ctx, id)
		if err != nil {
			if !registry.IsNotFound(err) {
				return err
			}
			if p, ok := open[strings.ToLower(id)]; ok {
				out, err := d.Resolve(ctx, p)
				results = append(results, decision{id: id, pkg: p.Package, version: p.Version}.fromOutcome(out, err))
				continue
			}
			if refuse(registry.StageItem{ID: id}, "", "no such staged version (already approved, rejected, or never staged)") {
				break
			}
			continue
		}
		if p, ok := open[strings.ToLower(id)]; ok {
			fmt.Fprintf(g.stderr, "An earlier %s of %s has no known outcome and the version is still staged: it has not taken effect (yet), so this run checks the tarball again and sends it.\n",
				p.Action, safeLine(item.PackageName+"@"+item.Version, 120))
		}
		_, pkg, err := fetchStagedPackage(ctx, client, item)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			if refuse(item, item.Shasum, err.Error()) {
				break
			}
			continue
		}
		sum := pkg.SHA1
		if f.shasum != "" && !strings.EqualFold(f.shasum, sum) {
			if refuse(item, sum, fmt.Sprintf("the staged tarball's sha1 is %s, not the --shasum %s you reviewed", sum, safeLine(f.shasum, 64))) {
				break
			}
			continue
		}
		t := target{item: item, shasum: sum, refused: -1}
		if action == "approve" {
			mv, refusal, err := g.checkTagMove(ctx, client, item, f.allowBack)
			if err != nil {
				return err
			}
			if refusal != "" {
				if refuse(item, sum, refusal) {
					break
				}
				continue
			}
			t.move = mv
			// The tarball just verified is the one approved, so its
			// package.json is what the published version depends on.
			if mf := pkg.Lookup("package.json"); mf != nil {
				t.deps = approval.DependencyNames(mf.Data)
			}
		}
		targets = append(targets, t)
	}
	if n := len(results); n > 0 && results[n-1].auditErr != "" {
		g.printDecisions(action, results, f.json)
		return &exitError{code: 1, err: errors.New(results[n-1].auditErr)}
	}
	if action == "reject" && countSendable(targets) > 0 && !f.yes {
		var names []string
		for _, t := range targets {
			if t.refused < 0 {
				names = append(names, safeLine(t.item.PackageName+"@"+t.item.Version, 80))
			}
		}
		ok, err := g.confirm(fmt.Sprintf("Reject %s? This deletes the staged tarball for good.", strings.Join(names, ", ")))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(g.stderr, "Nothing rejected.")
			if f.json {
				return writeJSON(g, decisionsJSON(action, nil))
			}
			return nil
		}
	}

	// Approvals go dependencies first; rejections in the order given
	// (see the reject command's help for why).
	order, after := givenOrder(len(targets))
	if action == "approve" {
		order, after = dependencyOrder(targets)
	}
	// failedAt[i] is the index in results of targets[i]'s decision when
	// it did not go through (what depends on it is then skipped), else -1.
	failedAt := make([]int, len(targets))
	for i, t := range targets {
		failedAt[i] = t.refused
	}
	code := f.otp
	for p, i := range order {
		t := targets[i]
		if t.refused >= 0 {
			continue
		}
		if j, ok := blockedBy(after[i], failedAt); ok {
			results = append(results, skipped(t.item, results[failedAt[j]]))
			failedAt[i] = len(results) - 1
			continue
		}
		if action == "approve" {
			refusal, err := recheckTagMove(ctx, client, t.item, t.move)
			if err != nil {
				refusal = "could not re-check the dist-tag before approving: " + err.Error()
			}
			if refusal != "" {
				r := decision{id: t.item.ID, pkg: t.item.PackageName, version: t.item.Version}
				out, err := d.Refuse(action, t.item, t.shasum, refusal)
				results = append(results, r.fromOutcome(out, err))
				if r := results[len(results)-1]; r.auditErr != "" {
					g.printDecisions(action, results, f.json)
					return &exitError{code: 1, err: errors.New(r.auditErr)}
				}
				failedAt[i] = len(results) - 1
				continue
			}
		}
		res, err := g.decideOne(ctx, d, action, t.item, t.shasum, &code, src)
		results = append(results, res)
		if !res.succeeded() {
			failedAt[i] = len(results) - 1
		}
		if err != nil && abortsBatch(err) {
			var rest []registry.StageItem
			for _, j := range order[p+1:] {
				if targets[j].refused < 0 {
					rest = append(rest, targets[j].item)
				}
			}
			g.printDecisions(action, append(results, notAttempted(rest)...), f.json)
			if res.auditErr != "" {
				return &exitError{code: 1, err: errors.New(res.auditErr)}
			}
			return err
		}
	}
	g.printDecisions(action, results, f.json)
	if n := countFailed(results); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d %s(s) did not succeed", n, len(results), action)}
	}
	return nil
}

// checkProgress prints the checks after a lost answer on stderr: the
// first at once, then every 5 seconds.
func (g *globals) checkProgress() func(string) {
	var last time.Time
	return func(msg string) {
		if !last.IsZero() && time.Since(last) < 5*time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintln(g.stderr, safeLine(msg, 300))
	}
}

// secondInterrupt waits for ctx's end (the first ctrl+c), says that the
// outcome of a request in flight is being checked, and stops those checks
// on a second ctrl+c.
func (g *globals) secondInterrupt(ctx, checks context.Context, stop context.CancelFunc) {
	select {
	case <-checks.Done():
		return
	case <-ctx.Done():
	}
	if !errors.Is(context.Cause(ctx), context.Canceled) {
		return // a deadline, not the user
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	defer signal.Stop(ch)
	fmt.Fprintln(g.stderr, "Interrupted: a request may be in flight; its outcome is being checked (ctrl+c again stops checking and records it as unknown).")
	select {
	case <-ch:
		stop()
	case <-checks.Done():
	}
}

func countFailed(rs []decision) int {
	n := 0
	for _, r := range rs {
		if !r.succeeded() {
			n++
		}
	}
	return n
}

// decideOne sends one decision, asking for a new code each time the registry challenges.
func (g *globals) decideOne(ctx context.Context, d *approval.Decider, action string, item registry.StageItem, shasum string, code *string, src *otpSource) (decision, error) {
	res := decision{id: item.ID, pkg: item.PackageName, version: item.Version}
	for {
		var out approval.Outcome
		var err error
		if action == "approve" {
			out, err = d.Approve(ctx, item, shasum, *code)
		} else {
			out, err = d.Reject(ctx, item, shasum, *code)
		}
		if err == nil || errors.Is(err, approval.ErrAuditWrite) {
			return res.fromOutcome(out, err), err
		}
		var rerr *registry.Error
		if errors.As(err, &rerr) && (rerr.Kind == registry.ErrOTPRequired || rerr.Kind == registry.ErrOTPRejected) {
			reason := "the registry asks for a one-time password"
			if rerr.Kind == registry.ErrOTPRejected || *code != "" {
				reason = "the registry did not accept the one-time password"
				// The client puts npm's generic OTP text in plain words.
				if rerr.Message != "" {
					reason += ": " + safeLine(rerr.Message, 120)
				}
			}
			next, perr := src.next(reason)
			if perr != nil {
				res.result, res.detail = "failed", reason
				return res, perr
			}
			if next == "" {
				if rerr.AuthURL == "" || rerr.DoneURL == "" {
					fmt.Fprintln(g.stderr, "This registry does not offer browser authentication; enter the code from your authenticator.")
					continue
				}
				tok, werr := g.webAuth(ctx, d.Client, rerr.AuthURL, rerr.DoneURL)
				if werr != nil {
					res.result, res.detail = "failed", werr.Error()
					return res, werr
				}
				next = tok
			} else if !validOTP(next) {
				fmt.Fprintln(g.stderr, "A one-time password is 6 to 8 digits.")
				continue
			}
			*code = next
			continue
		}
		return res.fromOutcome(out, err), err
	}
}

func (g *globals) webAuth(ctx context.Context, c *registry.Client, authURL, doneURL string) (string, error) {
	fmt.Fprintf(g.stderr, "Authenticate in your browser:\n  %s\nWaiting for you to finish (ctrl+c to stop)...\n", safeLine(authURL, 500))
	tok, err := c.PollWebAuth(ctx, doneURL)
	if err != nil {
		return "", fmt.Errorf("browser authentication: %w", err)
	}
	return tok, nil
}

// abortsBatch: auth, network and OTP problems stop a batch; per-item registry answers do not.
func abortsBatch(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, approval.ErrAuditWrite) {
		return true
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return true
	}
	switch registry.KindOf(err) {
	case registry.ErrNotFound, registry.ErrConflict, registry.ErrForbidden, registry.ErrBadRequest, registry.KindNone:
		return false
	}
	return true
}

// fetchStagedTarball downloads a staged tarball, reads it as a package and
// checks its sha1 against the stage record; it returns the bytes and sha1.
func fetchStagedTarball(ctx context.Context, c *registry.Client, item registry.StageItem) ([]byte, string, error) {
	data, pkg, err := fetchStagedPackage(ctx, c, item)
	if err != nil {
		return nil, "", err
	}
	return data, pkg.SHA1, nil
}

// fetchStagedPackage is fetchStagedTarball returning the package read from
// the verified bytes too, so that approve orders a batch by the very
// package.json it publishes without downloading it again.
func fetchStagedPackage(ctx context.Context, c *registry.Client, item registry.StageItem) ([]byte, *tarball.Package, error) {
	if strings.TrimSpace(item.Shasum) == "" {
		return nil, nil, errors.New("the stage record has no shasum, so the staged tarball cannot be verified against it (stage it again, or ask the registry operators)")
	}
	data, err := c.StagedTarball(ctx, item.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("download the staged tarball: %w", err)
	}
	pkg, err := tarball.ReadBytes(data, tarball.DefaultLimits())
	if err != nil {
		return nil, nil, fmt.Errorf("the staged tarball is not a readable package: %w", err)
	}
	if !strings.EqualFold(pkg.SHA1, item.Shasum) {
		return nil, nil, fmt.Errorf("integrity mismatch: the staged tarball's sha1 is %s but the stage record says %s", pkg.SHA1, safeLine(item.Shasum, 64))
	}
	return data, pkg, nil
}

func printDecisions(g *globals, rs []decision) {
	s := g.colorOn(g.stdout)
	for _, r := range rs {
		mark := "✗"
		if r.succeeded() {
			mark = "✓"
		}
		name := r.id
		if r.pkg != "" {
			name = r.pkg + "@" + r.version
		}
		line := fmt.Sprintf("%s %s %s", mark, safeLine(name, 120), r.result)
		switch {
		case r.auditErr != "":
			line += ", but NOT AUDITED: " + safeLine(r.auditErr, 300)
		case r.detail != "" && (mark == "✗" || r.resolved):
			line += ": " + safeLine(r.detail, 300)
		}
		if s {
			if mark == "✓" {
				line = "\x1b[32m" + line + "\x1b[0m"
			} else {
				line = "\x1b[31m" + line + "\x1b[0m"
			}
		}
		fmt.Fprintln(g.stdout, line)
	}
}

// safeLine renders untrusted text as one terminal-safe line of at most n columns.
func safeLine(s string, n int) string {
	out, _ := termsafe.Line(s, n)
	return out
}
