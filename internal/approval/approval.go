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
	Approved Result = "approved" // the version is published
	Rejected Result = "rejected" // the stage record is deleted
	Refused  Result = "refused"  // nothing was sent: the record changed or is gone
	Failed   Result = "failed"   // the registry refused, or the request did not take effect
	Unknown  Result = "unknown"  // sent, and neither the answer nor the checks tell
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
}

// ErrShasumMismatch is returned (wrapped) when the staged tarball is not
// the one that was reviewed.
var ErrShasumMismatch = errors.New("the staged tarball changed since it was reviewed")

// ValidatingMessage is why a version the registry still validates is not approved.
const ValidatingMessage = registry.ValidatingMessage

// ErrValidating is returned when the stage record's status is "validating".
var ErrValidating = errors.New(ValidatingMessage)

// DefaultVerifyTimeout bounds the checks after an unknown outcome.
const DefaultVerifyTimeout = 30 * time.Second

// Decider sends decisions through Client and records them with Audit.
type Decider struct {
	Client *registry.Client
	// Audit receives every decision, including refusals and failures; nil
	// disables auditing.
	Audit func(Entry) error
	// Now defaults to time.Now.
	Now func() time.Time
	// Via is recorded in audit entries ("cli", "dashboard").
	Via string
	// Registry is recorded in audit entries; default Client.Registry().
	Registry string
	// VerifyTimeout bounds the checks after an unknown outcome; they run
	// even when ctx has expired, since ctx expiring is often why the
	// outcome is unknown. Default DefaultVerifyTimeout.
	VerifyTimeout time.Duration
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
	err := d.Client.Reject(ctx, item.ID, otp)
	switch {
	case err == nil:
		out.Result = Rejected
		return d.record(out, item, sha, nil)
	case unknown(err):
		return d.verify(ctx, out, item, sha, err)
	case registry.KindOf(err) == registry.ErrNotFound:
		out.Result, out.Detail = Failed, "the staged version was already gone: "+err.Error()
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

// verify establishes what an approve or reject with a lost answer did:
// a stage record still present means it did not take effect (yet); a
// record gone and the version in the packument means it was approved; a
// record gone and the version absent means it was rejected.
func (d *Decider) verify(ctx context.Context, out Outcome, item registry.StageItem, shasum string, sendErr error) (Outcome, error) {
	timeout := d.VerifyTimeout
	if timeout <= 0 {
		timeout = DefaultVerifyTimeout
	}
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()

	_, err := d.Client.ViewStaged(vctx, item.ID)
	switch {
	case err == nil:
		out.Result, out.Verified = Failed, true
		out.Detail = "the request's answer was lost and the version is still staged: it did not take effect (yet); check again before retrying"
		return d.record(out, item, shasum, fmt.Errorf("%s: %w", out.Detail, sendErr))
	case registry.KindOf(err) != registry.ErrNotFound:
		out.Result = Unknown
		out.Detail = "the request's answer was lost and the stage record could not be checked: " + err.Error()
		return d.record(out, item, shasum, fmt.Errorf("outcome unknown: %w", sendErr))
	}

	published, perr := d.published(vctx, item)
	switch {
	case perr != nil:
		out.Result = Unknown
		out.Detail = "the stage record is gone but the packument could not be checked: " + perr.Error()
		return d.record(out, item, shasum, fmt.Errorf("outcome unknown: %w", sendErr))
	case out.Action == "approve" && published:
		out.Result, out.Verified, out.Detail = Approved, true, "the answer was lost; the version is now published"
		return d.record(out, item, shasum, nil)
	case out.Action == "reject" && !published:
		out.Result, out.Verified, out.Detail = Rejected, true, "the answer was lost; the stage record is gone"
		return d.record(out, item, shasum, nil)
	case out.Action == "approve":
		out.Result = Unknown
		out.Detail = "the answer was lost; the stage record is gone but the version is not published (rejected elsewhere, or still publishing)"
	default:
		out.Result = Unknown
		out.Detail = "the answer was lost; the stage record is gone and the version is published (approved elsewhere?)"
	}
	return d.record(out, item, shasum, fmt.Errorf("%s: %w", out.Detail, sendErr))
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
	}
	if aerr := d.Audit(e); aerr != nil {
		aerr = fmt.Errorf("%s %s, but the audit log could not be written: %w", out.Action, out.Result, aerr)
		if err == nil {
			return out, aerr
		}
		return out, errors.Join(err, aerr)
	}
	return out, err
}
