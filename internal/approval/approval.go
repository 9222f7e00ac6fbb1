// Package approval carries out approve and reject decisions safely
// (architecture.md §7): an approval is sent only after the stage record is
// re-read and its shasum matches the tarball that was reviewed; a request
// whose outcome is unknown is never re-sent but verified against the stage
// record and the packument; every decision is audited, without secrets.
package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/registry"
)

// Entry is what the audit callback receives: id, package, version,
// shasum, registry, action, result and time; never a token or an OTP.
type Entry = audit.Entry

// Result is the outcome of one decision. The values are audit.Entry's
// result words.
type Result string

// Results.
const (
	Approved Result = "approved"    // the version is published
	Rejected Result = "rejected"    // the stage record is deleted
	Refused  Result = "refused"     // nothing was sent: the record changed or is gone
	Failed   Result = "failed"      // the registry refused, or the request did not take effect
	Unknown  Result = audit.Unknown // sent, and neither the answer nor the checks tell
)

// Outcome reports what happened.
type Outcome struct {
	Action string // "approve" or "reject"
	Result Result
	// Verified is true when Result was established by checking the stage
	// record and the packument after a request whose answer was lost.
	Verified bool
	// Detail explains the result in one line (no secrets).
	Detail string
	// Resolved is true when the outcome belongs to an earlier run's
	// request, established from the registry's state.
	Resolved bool
}

// ErrShasumMismatch is returned (wrapped) when the staged tarball is not
// the one that was reviewed.
var ErrShasumMismatch = errors.New("the staged tarball changed since it was reviewed")

// ValidatingMessage is why a version the registry still validates is not approved.
const ValidatingMessage = registry.ValidatingMessage

// ErrValidating is returned when the stage record's status is "validating".
var ErrValidating = errors.New(ValidatingMessage)

// DefaultVerifyTimeout is the grace period after an unknown outcome: the
// stage record and the packument are re-checked until they prove what
// happened or this much time has passed (a registry may apply a request
// after its answer was lost).
const DefaultVerifyTimeout = 30 * time.Second

// DefaultVerifyInterval is the pause between those checks.
const DefaultVerifyInterval = time.Second

// ErrAuditWrite is wrapped by every error caused by an audit record that
// could not be written: the decision is then not a plain success.
var ErrAuditWrite = errors.New("the audit log could not be written")

// Decider sends decisions through Client and records them with Audit.
type Decider struct {
	Client *registry.Client
	// Audit receives every decision, including refusals and failures, and
	// an intent record before each request is sent (nothing is sent when
	// it fails); nil disables auditing.
	Audit func(Entry) error
	// Now defaults to time.Now.
	Now func() time.Time
	// Via is recorded in audit entries ("cli", "dashboard").
	Via string
	// Registry is recorded in audit entries; default Client.Registry().
	Registry string
	// VerifyTimeout is the grace period of the checks after an unknown
	// outcome; they run even when ctx has expired, since ctx expiring is
	// often why the outcome is unknown (see WithChecks to stop them).
	// Default DefaultVerifyTimeout.
	VerifyTimeout time.Duration
	// VerifyInterval is the pause between checks; default DefaultVerifyInterval.
	VerifyInterval time.Duration
	// Progress, when set, hears about the checks after an unknown outcome
	// (one line each, no secrets).
	Progress func(msg string)
}

type checksKey struct{}

// WithChecks returns ctx carrying checks: the context under which the
// checks after an unknown outcome run (bounded by VerifyTimeout), instead
// of a context detached from ctx. Canceling checks ends them at once with
// an "unknown" result that is audited.
func WithChecks(ctx, checks context.Context) context.Context {
	return context.WithValue(ctx, checksKey{}, checks)
}

type progressKey struct{}

// WithProgress returns ctx carrying fn, which then hears about the checks
// after an unknown outcome instead of Decider.Progress.
func WithProgress(ctx context.Context, fn func(msg string)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ProgressFunc returns the callback WithProgress put in ctx, or nil.
func ProgressFunc(ctx context.Context) func(msg string) {
	fn, _ := ctx.Value(progressKey{}).(func(string))
	return fn
}

// ChecksContext returns the context WithChecks put in ctx, if any.
func ChecksContext(ctx context.Context) (context.Context, bool) {
	c, ok := ctx.Value(checksKey{}).(context.Context)
	return c, ok && c != nil
}

// Approve re-reads the stage record, refuses if its shasum (or package and
// version) differs from what was reviewed, then approves once. An error is
// returned with every result other than Approved.
func (d *Decider) Approve(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) (Outcome, error) {
	out := Outcome{Action: "approve"}
	if strings.TrimSpace(reviewedShasum) == "" {
		out.Result, out.Detail = Refused, "no reviewed shasum: review the tarball before approving"
		return d.record(out, item, reviewedShasum, errors.New(out.Detail))
	}
	cur, err := d.Client.ViewStaged(ctx, item.ID)
	if err != nil {
		if registry.KindOf(err) == registry.ErrNotFound {
			out.Result, out.Detail = Refused, "the staged version is gone (approved or rejected elsewhere?)"
		} else {
			out.Result, out.Detail = Failed, "could not re-read the stage record: "+err.Error()
		}
		return d.record(out, item, reviewedShasum, err)
	}
	if strings.TrimSpace(cur.Shasum) == "" {
		out.Result = Refused
		out.Detail = "the stage record has no shasum, so nothing proves the staged tarball is the one reviewed: not approving"
		return d.record(out, item, reviewedShasum, fmt.Errorf("%w: %s", ErrShasumMismatch, out.Detail))
	}
	if !strings.EqualFold(strings.TrimSpace(cur.Shasum), strings.TrimSpace(reviewedShasum)) {
		out.Result = Refused
		out.Detail = fmt.Sprintf("the stage record's shasum is %q but the reviewed tarball's is %q: review it again", cur.Shasum, reviewedShasum)
		return d.record(out, item, reviewedShasum, fmt.Errorf("%w: %s", ErrShasumMismatch, out.Detail))
	}
	if (item.PackageName != "" && cur.PackageName != item.PackageName) || (item.Version != "" && cur.Version != item.Version) {
		out.Result = Refused
		out.Detail = fmt.Sprintf("the stage record is now %q@%q, not the reviewed %q@%q", cur.PackageName, cur.Version, item.PackageName, item.Version)
		return d.record(out, item, reviewedShasum, errors.New(out.Detail))
	}
	if cur.Validating() {
		out.Result, out.Detail = Refused, ValidatingMessage
		return d.record(out, item, reviewedShasum, ErrValidating)
	}
	// Audit what the registry holds now, which is what was checked.
	if item.Tag == "" {
		item.Tag = cur.Tag
	}
	if item.PackageName == "" {
		item.PackageName, item.Version = cur.PackageName, cur.Version
	}

	if err := d.intent(out.Action, item, reviewedShasum); err != nil {
		out.Result, out.Detail = Failed, "not sent: "+err.Error()
		return out, err
	}
	err = d.Client.Approve(ctx, item.ID, otp)
	switch {
	case err == nil:
		out.Result, out.Detail = Approved, ""
		return d.record(out, item, reviewedShasum, nil)
	case unknown(err):
		return d.verify(ctx, out, item, reviewedShasum, err)
	default:
		out.Result, out.Detail = Failed, err.Error()
		return d.record(out, item, reviewedShasum, err)
	}
}

// Reject deletes the stage record once; after an unknown outcome it checks
// whether the record is gone. reviewedShasum is only recorded (item.Shasum
// when empty): a rejection is never refused, since removing a staged
// version whose tarball changed is exactly what a reviewer may want.
func (d *Decider) Reject(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) (Outcome, error) {
	out := Outcome{Action: "reject"}
	sha := reviewedShasum
	if sha == "" {
		sha = item.Shasum
	}
	if err := d.intent(out.Action, item, sha); err != nil {
		out.Result, out.Detail = Failed, "not sent: "+err.Error()
		return out, err
	}
	err := d.Client.Reject(ctx, item.ID, otp)
	switch {
	case err == nil:
		out.Result = Rejected
		return d.record(out, item, sha, nil)
	case unknown(err):
		return d.verify(ctx, out, item, sha, err)
	case registry.KindOf(err) == registry.ErrNotFound:
		out.Result, out.Detail = Failed, "the staged version was already gone (approved or rejected elsewhere?)"
	default:
		out.Result, out.Detail = Failed, err.Error()
	}
	return d.record(out, item, sha, err)
}

// unknown reports a request that may or may not have taken effect.
func unknown(err error) bool {
	var e *registry.Error
	return errors.As(err, &e) && e.OutcomeUnknown()
}

// verify establishes what an approve or reject with a lost answer did,
// re-checking for the grace period: a stage record gone and the version
// in the packument means approved; gone and absent means rejected; a
// record still there proves nothing yet (the registry may apply the
// request late), so after the grace period the outcome is unknown, never
// "failed".
func (d *Decider) verify(ctx context.Context, out Outcome, item registry.StageItem, shasum string, sendErr error) (Outcome, error) {
	timeout := d.VerifyTimeout
	if timeout <= 0 {
		timeout = DefaultVerifyTimeout
	}
	interval := d.VerifyInterval
	if interval <= 0 {
		interval = DefaultVerifyInterval
	}
	base, ok := ChecksContext(ctx)
	if !ok {
		base = context.WithoutCancel(ctx)
	}
	vctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	start := time.Now()
	detail := "nothing could be checked"
	for {
		res, seen, settled := d.check(vctx, out.Action, item)
		if vctx.Err() == nil || settled {
			detail = seen // a check cut short by the deadline says nothing new
		}
		if settled {
			out.Result, out.Verified = res, true
			out.Detail = "the registry's answer was lost; checked: " + seen
			if res == Approved || res == Rejected {
				return d.record(out, item, shasum, nil)
			}
			return d.record(out, item, shasum, fmt.Errorf("%s: %w", out.Detail, sendErr))
		}
		elapsed := time.Since(start).Round(time.Second)
		if vctx.Err() != nil || elapsed+interval > timeout {
			out.Result = Unknown
			again := fmt.Sprintf("`stagegate %s %s` checks again", out.Action, item.ID)
			out.Detail = fmt.Sprintf("the registry's answer was lost and after %s of checks %s: the request may still take effect; %s", elapsed, detail, again)
			if base.Err() != nil {
				out.Detail = "the registry's answer was lost and the checks were stopped: " + detail + "; " + again
			}
			return d.record(out, item, shasum, &outcomeError{"outcome unknown: " + out.Detail, sendErr})
		}
		progress := d.Progress
		if fn := ProgressFunc(ctx); fn != nil {
			progress = fn
		}
		if progress != nil {
			progress(fmt.Sprintf("the registry's answer to the %s was lost; checking whether it took effect: %s (%s of %s)", out.Action, detail, elapsed, timeout))
		}
		t := time.NewTimer(interval)
		select {
		case <-t.C:
		case <-vctx.Done():
		}
		t.Stop()
	}
}

// outcomeError says what became of a request whose answer was lost; it
// wraps the request's error (for its kind) without repeating its text.
type outcomeError struct {
	msg string
	err error
}

func (e *outcomeError) Error() string { return e.msg }
func (e *outcomeError) Unwrap() error { return e.err }

// check looks once at the stage record and the packument. settled means
// they prove the outcome of action.
func (d *Decider) check(ctx context.Context, action string, item registry.StageItem) (res Result, detail string, settled bool) {
	_, err := d.Client.ViewStaged(ctx, item.ID)
	switch {
	case err == nil:
		return "", "the version is still staged", false
	case registry.KindOf(err) != registry.ErrNotFound:
		return "", "the stage record could not be checked (" + err.Error() + ")", false
	}
	published, perr := d.published(ctx, item)
	switch {
	case perr != nil:
		return "", "the stage record is gone but the packument could not be checked (" + perr.Error() + ")", false
	case action == "approve" && published:
		return Approved, "the version is now published", true
	case action == "reject" && !published:
		return Rejected, "the stage record is gone and the version is not published", true
	case action == "approve":
		return "", "the stage record is gone but the version is not published (rejected elsewhere, or still publishing)", false
	}
	return Failed, "the version was published (approved elsewhere?), not rejected", true
}

// Resolve establishes the outcome of an open audit entry (an intent, or
// an unknown outcome, left by an earlier run) from the registry's state,
// and audits it as resolved. A record still staged, or a state that
// proves nothing, is audited as unknown and stays open.
func (d *Decider) Resolve(ctx context.Context, open Entry) (Outcome, error) {
	out, _, err := d.resolve(ctx, open, true)
	return out, err
}

// Settle is Resolve for entries nobody asked about (a start-up sweep): it
// audits only an outcome the registry proves, and reports whether it did.
func (d *Decider) Settle(ctx context.Context, open Entry) (Outcome, bool, error) {
	return d.resolve(ctx, open, false)
}

func (d *Decider) resolve(ctx context.Context, open Entry, always bool) (Outcome, bool, error) {
	out := Outcome{Action: open.Action, Resolved: true}
	item := registry.StageItem{ID: open.ID, PackageName: open.Package, Version: open.Version, Tag: open.Tag}
	res, detail, settled := d.check(ctx, open.Action, item)
	if !settled && !always {
		out.Result, out.Detail = Unknown, detail
		return out, false, nil
	}
	if !settled {
		out.Result, out.Detail = Unknown, "an earlier run's "+open.Action+" was interrupted and "+detail
		o, err := d.record(out, item, open.Shasum, errors.New(out.Detail))
		return o, true, err
	}
	out.Result, out.Verified = res, true
	out.Detail = "an earlier run's " + open.Action + " was interrupted; checked: " + detail
	var err error
	if res != Approved && res != Rejected {
		err = errors.New(out.Detail)
	}
	o, err := d.record(out, item, open.Shasum, err)
	return o, true, err
}

// SettlePending settles up to max open entries (see Settle), skipping
// those for which skip returns true, and returns the outcomes it audited.
func (d *Decider) SettlePending(ctx context.Context, open []Entry, max int, skip func(Entry) bool) ([]Outcome, []Entry, error) {
	var outs []Outcome
	var which []Entry
	for _, e := range open {
		if len(which) >= max || ctx.Err() != nil {
			break
		}
		if skip != nil && skip(e) {
			continue
		}
		out, wrote, err := d.Settle(ctx, e)
		if errors.Is(err, ErrAuditWrite) {
			return outs, which, err
		}
		if wrote {
			outs, which = append(outs, out), append(which, e)
		}
	}
	return outs, which, nil
}

// Refuse audits a decision refused before anything was sent (the tarball
// does not match its record, a --shasum mismatch, an id already gone) and
// returns it with an error.
func (d *Decider) Refuse(action string, item registry.StageItem, shasum, detail string) (Outcome, error) {
	out := Outcome{Action: action, Result: Refused, Detail: detail}
	return d.record(out, item, shasum, errors.New(detail))
}

// intent audits, and syncs, that a request is about to be sent.
func (d *Decider) intent(action string, item registry.StageItem, shasum string) error {
	_, err := d.record(Outcome{Action: action, Result: audit.Intent, Detail: "sending"}, item, shasum, nil)
	return err
}

// published reports whether item's version is in the packument. A 404
// packument means nothing is published.
func (d *Decider) published(ctx context.Context, item registry.StageItem) (bool, error) {
	if item.PackageName == "" || item.Version == "" {
		return false, errors.New("the stage item has no package name or version")
	}
	p, err := d.Client.Packument(ctx, item.PackageName)
	if registry.KindOf(err) == registry.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, ok := p.Versions[item.Version]
	return ok, nil
}

// record audits the decision and returns it with err; an audit failure is
// reported alongside the decision's own result.
func (d *Decider) record(out Outcome, item registry.StageItem, shasum string, err error) (Outcome, error) {
	if d.Audit == nil {
		return out, err
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	reg := d.Registry
	if reg == "" {
		reg = d.Client.Registry()
	}
	e := Entry{
		Time:     now(),
		Action:   out.Action,
		ID:       item.ID,
		Package:  item.PackageName,
		Version:  item.Version,
		Tag:      item.Tag,
		Shasum:   shasum,
		Registry: reg,
		Result:   string(out.Result),
		Detail:   out.Detail,
		Via:      d.Via,
		Resolved: out.Resolved,
	}
	if aerr := d.Audit(e); aerr != nil {
		if out.Result == audit.Intent {
			return out, fmt.Errorf("%w: %w", ErrAuditWrite, aerr)
		}
		aerr = fmt.Errorf("%s %s, but %w: %w", out.Action, out.Result, ErrAuditWrite, aerr)
		if err == nil {
			return out, aerr
		}
		return out, errors.Join(err, aerr)
	}
	return out, err
}
