package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
)

type actKind int

const (
	actApprove actKind = iota
	actReject
)

func (k actKind) verb() string {
	if k == actReject {
		return "Reject"
	}
	return "Approve"
}

func (k actKind) past() string {
	if k == actReject {
		return "rejected"
	}
	return "approved"
}

type phase int

const (
	phaseCode    phase = iota // waiting for the user to type a code
	phaseSending              // a request is with the registry
	phaseWebAuth              // waiting for the browser sign-in
	phaseDone
)

// target is one version to approve or reject, with the shasum it is approved
// for: the reviewed tarball's when the review is known, else the queue's.
type target struct {
	item     registry.StageItem
	shasum   string
	reviewed bool
	verified bool
	high     int // high-severity signals, to repeat them in the modal
	risk     string
	base     string // the base the review compared against ("" first release)
	tagFrom  string // the staged tag's version when the review was computed
	baseOK   bool   // the base tarball was verified (or there is no base)
	deps     []string
	// after are the targets (indexes) this one depends on in a batch.
	after []int
}

// move is what approving t does to its tag, as of its review.
func (t target) move() approval.TagMove {
	return approval.TagMove{Tag: t.item.Tag, From: t.tagFrom, To: t.item.Version}
}

// highRisk: a batch approval leaves t out unless the user includes it.
func (t target) highRisk() bool { return t.risk == "high" || t.high > 0 }

// backwards reports an approval that moves the tag to a lower version.
func (t target) backwards() bool { return t.reviewed && t.move().Backwards() }

type resState int

const (
	resPending resState = iota
	resOK
	resFailed
	resSkipped
)

type targetResult struct {
	state resState
	msg   string // already terminal-safe
}

// action is one approve or reject of one or more versions, from the 2FA
// modal to the per-version results. The code is kept only while the action
// runs, is reused for the next version while the registry accepts it, and is
// dropped as soon as the registry challenges again or the action ends.
type action struct {
	kind actKind
	// all is every version the user asked for; targets are the ones the
	// action sends (a batch approval leaves high-risk ones out unless
	// includeRisky).
	all           []target
	includeRisky  bool
	backConfirmed bool // the user confirmed the tag moves back
	// changed holds, by item key, why a version's review no longer
	// describes what approving it does (checked when the modal opens; the
	// check is repeated just before sending).
	changed   map[string]string
	targets   []target
	results   []targetResult
	next      int
	otp       string // secret: never rendered, logged or kept after the action
	sentEmpty bool   // the last request carried no code (web-auth request)
	input     lineInput
	phase     phase
	errMsg    string // terminal-safe registry message
	note      string
	authURL   string // untrusted, rendered through safeText
	op        int
	cancel    context.CancelFunc
	// checks stops the checks of an outcome whose answer was lost; done
	// closes when the Backend call of the request in flight returns.
	checks context.CancelFunc
	done   chan struct{}
}

func (a *action) inFlight() bool { return a.phase == phaseSending || a.phase == phaseWebAuth }

func (m *Model) targetFor(it registry.StageItem) target {
	t := target{item: it, shasum: it.Shasum}
	if e := m.reviews[itemKey(it)]; e != nil && (e.state == revDone || e.state == revEvicted) && e.sum.shasum != "" {
		t.shasum, t.reviewed, t.verified, t.high = e.sum.shasum, true, e.sum.verified, e.sum.high
		t.risk, t.base, t.tagFrom = e.sum.risk, e.sum.base, e.sum.tagFrom
		t.baseOK = e.sum.base == "" || e.sum.baseVerified
		t.deps = e.sum.deps
	}
	return t
}

// beginAction starts approve (straight to the 2FA modal) or reject (a
// confirmation first, defaulting to No).
func (m *Model) beginAction(kind actKind, ts []target) tea.Cmd {
	if len(ts) == 0 {
		return m.setStatus(msgInfo, "nothing to "+strings.ToLower(kind.verb()))
	}
	if n := m.registriesOf(ts); n > 1 {
		// One code cannot serve two accounts, and a batch must not half-run.
		return m.setStatus(msgErr, fmt.Sprintf("the selection spans %d registries and each asks for its own 2FA code: select the versions of one registry at a time", n))
	}
	if kind == actReject {
		m.confirmTargets = ts
		m.overlay = ovConfirmReject
		return nil
	}
	if msg, cmd := m.approvalBlocked(ts); msg != "" {
		return tea.Batch(m.setStatus(msgErr, msg), cmd)
	}
	m.openAction(kind, ts)
	return m.checkTargets()
}

// approvalBlocked refuses an approval of anything stagegate has not read and
// verified: what is published must be the tarball that was reviewed. Reviews
// still missing are started; rejecting needs no review (it publishes nothing).
func (m *Model) approvalBlocked(ts []target) (string, tea.Cmd) {
	var pending, failed, mismatch, validating []string
	var cmds []tea.Cmd
	for _, t := range ts {
		name := safeText(t.item.PackageName + "@" + t.item.Version)
		switch {
		case t.item.Validating():
			validating = append(validating, name)
		case t.reviewed && !t.verified:
			mismatch = append(mismatch, name)
		case t.reviewed:
		default:
			k := itemKey(t.item)
			if e := m.reviews[k]; e != nil && e.state == revFailed {
				failed = append(failed, name)
				continue
			}
			pending = append(pending, name)
			if m.needsFetch(k, false) && len(m.jobs) < maxReviewJobs {
				cmds = append(cmds, m.startJob(k))
			}
		}
	}
	list := func(names []string) string {
		if len(names) > 3 {
			return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
		}
		return strings.Join(names, ", ")
	}
	switch {
	case len(validating) > 0:
		return "not approving " + list(validating) + ": " + registry.ValidatingMessage + " (r refreshes)", tea.Batch(cmds...)
	case len(mismatch) > 0:
		return "not approving " + list(mismatch) + ": the staged tarball does not match its stage record (reject it, or stage again)", nil
	case len(failed) > 0:
		return "not approving " + list(failed) + ": its review failed (open it to see why; r retries)", nil
	case len(pending) > 0:
		return "not approving yet: " + list(pending) + " still being reviewed; press a again when the review is in", tea.Batch(cmds...)
	}
	return "", nil
}

func (m *Model) openAction(kind actKind, ts []target) {
	m.act = &action{
		kind:  kind,
		all:   ts,
		input: lineInput{limit: 8, digits: true},
	}
	m.act.pick()
	m.overlay = ovAction
}

// pick chooses the versions the action sends: in a batch approval, the
// high-risk ones only when the user included them.
func (a *action) pick() {
	a.targets = a.all
	if a.kind == actApprove && len(a.all) > 1 && !a.includeRisky {
		a.targets = nil
		for _, t := range a.all {
			if !t.highRisk() {
				a.targets = append(a.targets, t)
			}
		}
	}
	if a.kind == actApprove && len(a.targets) > 1 {
		a.targets = dependencyOrder(a.targets)
	}
	a.results = make([]targetResult, len(a.targets))
}

// dependencyOrder sorts a batch approval so that a version comes after
// the batch's versions of the packages it depends on (a monorepo release,
// as pnpm orders it), and records those dependencies: when one fails,
// what depends on it is not attempted.
func dependencyOrder(ts []target) []target {
	nodes := make([]approval.Node, len(ts))
	for i, t := range ts {
		nodes[i] = approval.Node{Name: t.item.PackageName, Deps: t.deps}
	}
	order, deps := approval.Order(nodes)
	pos := make([]int, len(ts))
	for p, i := range order {
		pos[i] = p
	}
	out := make([]target, len(ts))
	for p, i := range order {
		t := ts[i]
		t.after = nil
		for _, j := range deps[i] {
			t.after = append(t.after, pos[j])
		}
		out[p] = t
	}
	return out
}

// skipDependents marks the versions of a batch not yet sent that depend
// (directly or through another) on a version that did not go through.
func (a *action) skipDependents() {
	for i := a.next; i < len(a.targets); i++ {
		if a.results[i].state != resPending {
			continue
		}
		for _, j := range a.targets[i].after {
			if r := a.results[j].state; r == resFailed || r == resSkipped {
				name := a.targets[j].item.PackageName + "@" + a.targets[j].item.Version
				a.results[i] = targetResult{state: resSkipped, msg: "not attempted: it depends on " + name + ", which was not approved"}
				break
			}
		}
	}
	for a.next < len(a.targets) && a.results[a.next].state != resPending {
		a.next++
	}
}

// excluded are the versions asked for that the action leaves out.
func (a *action) excluded() []target {
	if len(a.targets) == len(a.all) {
		return nil
	}
	var out []target
	for _, t := range a.all {
		if t.highRisk() && !a.includeRisky {
			out = append(out, t)
		}
	}
	return out
}

// risky counts the high-risk versions of a batch approval.
func (a *action) risky() int {
	n := 0
	if a.kind == actApprove && len(a.all) > 1 {
		for _, t := range a.all {
			if t.highRisk() {
				n++
			}
		}
	}
	return n
}

// needsBackConfirm: an approval moves a tag back and the user has not yet
// said that this is what they want.
func (a *action) needsBackConfirm() bool {
	if a.kind != actApprove || a.backConfirmed || a.next > 0 {
		return false
	}
	for _, t := range a.targets {
		if t.backwards() {
			return true
		}
	}
	return false
}

func (m *Model) onConfirmKey(k tea.KeyMsg) tea.Cmd {
	ts := m.confirmTargets
	m.confirmTargets = nil
	if key.Matches(k, m.keys.Yes) {
		m.openAction(actReject, ts)
		return nil
	}
	m.overlay = ovNone
	return m.setStatus(msgInfo, "reject cancelled; nothing was sent")
}

func (m *Model) onActionKey(k tea.KeyMsg) tea.Cmd {
	a := m.act
	switch a.phase {
	case phaseCode:
		if a.kind == actApprove && a.next == 0 {
			if key.Matches(k, m.keys.IncludeRisky) && a.risky() > 0 {
				a.includeRisky = !a.includeRisky
				a.backConfirmed = false // the set changed: confirm again
				a.pick()
				return nil
			}
			if a.needsBackConfirm() {
				if key.Matches(k, m.keys.Yes) {
					a.backConfirmed = true
					return nil
				}
				return m.cancelAction()
			}
		}
		switch {
		case key.Matches(k, m.keys.Submit) && len(a.targets) == 0:
			return m.setStatus(msgInfo, "nothing to approve: every version is high-risk; i includes them, esc cancels")
		case key.Matches(k, m.keys.Submit):
			a.otp = a.input.String()
			a.input.clear()
			a.errMsg, a.note = "", ""
			return m.sendNext()
		case key.Matches(k, m.keys.Cancel):
			return m.cancelAction()
		}
		a.input.update(k)
	case phaseWebAuth:
		switch {
		case key.Matches(k, m.keys.OpenBrowser):
			b, u := m.b, a.authURL
			return func() tea.Msg { return openURLMsg{err: b.OpenURL(u)} }
		case key.Matches(k, m.keys.Cancel):
			if a.cancel != nil {
				a.cancel()
			}
			m.opSeq++ // the poll's late answer is ignored
			a.op = m.opSeq
			a.phase = phaseCode
			a.authURL = ""
			a.note = "Browser sign-in cancelled. Type a code, or esc to close."
		}
	case phaseSending:
		if key.Matches(k, m.keys.Cancel) {
			return m.setStatus(msgInfo, "waiting for the registry's answer; ctrl+c aborts and quits")
		}
	}
	return nil
}

// cancelAction closes the modal. Versions already done keep their result.
func (m *Model) cancelAction() tea.Cmd {
	a := m.act
	if a.next == 0 {
		m.act, m.overlay = nil, ovNone
		return m.setStatus(msgInfo, strings.ToLower(a.kind.verb())+" cancelled; nothing was sent")
	}
	for i := a.next; i < len(a.results); i++ {
		a.results[i] = targetResult{state: resSkipped, msg: "cancelled"}
	}
	return m.finishAction()
}

// sendNext sends the current target with the current code.
func (m *Model) sendNext() tea.Cmd {
	a := m.act
	a.phase = phaseSending
	a.sentEmpty = a.otp == ""
	m.opSeq++
	a.op = m.opSeq
	ctx, cancel := context.WithCancel(m.ctx)
	checks, stopChecks := context.WithCancel(context.WithoutCancel(m.ctx))
	ctx = approval.WithChecks(ctx, checks)
	prog := make(chan string, 1)
	ctx = approval.WithProgress(ctx, latest(prog))
	done := make(chan struct{})
	a.cancel, a.checks, a.done = cancel, stopChecks, done
	b, t, otp, op, idx, kind := m.b, a.targets[a.next], a.otp, a.op, a.next, a.kind
	return tea.Batch(waitChecks(op, prog, done), func() tea.Msg {
		defer close(done)
		var err error
		if kind == actReject {
			err = b.Reject(ctx, t.item, t.shasum, otp)
		} else if err = checkCurrent(ctx, b, t); err == nil {
			err = b.Approve(ctx, t.item, t.shasum, otp)
		}
		return actionResultMsg{op: op, idx: idx, err: err}
	}, m.startSpinner())
}

func (m *Model) onActionResult(msg actionResultMsg) tea.Cmd {
	a := m.act
	if a == nil || msg.op != a.op || a.phase != phaseSending {
		return nil
	}
	a.cancel()
	a.checks()
	if m.interrupts > 0 {
		return m.interruptedResult(msg)
	}
	if msg.err == nil {
		a.results[msg.idx] = targetResult{state: resOK}
		a.next++
		decision := "approved"
		if a.kind == actReject {
			decision = "rejected"
		}
		remember := m.rememberDecision(a.targets[msg.idx].item, decision)
		a.skipDependents()
		if a.next < len(a.targets) {
			return tea.Batch(remember, m.sendNext()) // reuse the code while the registry accepts it
		}
		return tea.Batch(remember, m.finishAction())
	}
	e := classify(msg.err)
	switch e.kind {
	case kindOTPRequired, kindOTPRejected:
		a.otp = ""
		a.phase = phaseCode
		if a.sentEmpty {
			if e.authURL != "" && e.doneURL != "" {
				return m.startWebAuth(e)
			}
			a.errMsg = "This registry does not offer browser sign-in: type the code from your authenticator app."
			return nil
		}
		a.errMsg = safeText(e.msg)
		if a.errMsg != "" && e.kind == kindOTPRejected {
			a.errMsg = "The registry did not accept the code: " + a.errMsg
		}
		if a.errMsg == "" {
			a.errMsg = "The registry did not accept the code."
		}
		if a.next > 0 {
			a.note = fmt.Sprintf("%d of %d done; the registry asks for a new code.", a.next, len(a.targets))
		}
		return nil
	}
	a.results[msg.idx] = targetResult{state: resFailed, msg: errText(e)}
	if errors.Is(msg.err, approval.ErrChanged) {
		// What the user reviewed is not what approving would do: the
		// review is computed again (after the refresh that ends the action).
		m.invalidateReview(itemKey(a.targets[msg.idx].item))
	}
	if e.abortsBatch() {
		for i := msg.idx + 1; i < len(a.results); i++ {
			a.results[i] = targetResult{state: resSkipped, msg: "not attempted after the error above"}
		}
		return m.finishAction()
	}
	a.next++
	a.skipDependents()
	if a.next < len(a.targets) {
		return m.sendNext()
	}
	return m.finishAction()
}

// errText is a safe description of a failure for the results list: the
// registry client's full message when there is one, else a short one.
func errText(e errInfo) string {
	if e.full != "" && e.kind != kindUnknown {
		return safeText(e.full)
	}
	prefix := map[errKind]string{
		kindNotLoggedIn: "not logged in",
		kindForbidden:   "forbidden",
		kindNotFound:    "not found (already approved or rejected?)",
		kindConflict:    "conflict",
		kindRateLimited: "rate limited",
		kindServer:      "registry error",
		kindNetwork:     "network error",
		kindTimeout:     "timed out",
		kindCanceled:    "cancelled",
	}[e.kind]
	msg := safeText(e.msg)
	switch {
	case prefix == "":
		return msg
	case msg == "":
		return prefix
	}
	return prefix + ": " + msg
}

func (m *Model) startWebAuth(e errInfo) tea.Cmd {
	a := m.act
	a.phase = phaseWebAuth
	a.authURL = e.authURL
	m.opSeq++
	a.op = m.opSeq
	ctx, cancel := context.WithCancel(m.ctx)
	a.cancel = cancel
	b, done, op := m.b, e.doneURL, a.op
	reg := m.regOf(a.targets[0].item) // a batch never spans registries
	return tea.Batch(func() tea.Msg {
		otp, err := b.PollWebAuth(ctx, reg, done)
		return webAuthMsg{op: op, otp: otp, err: err}
	}, m.startSpinner())
}

func (m *Model) onWebAuth(msg webAuthMsg) tea.Cmd {
	a := m.act
	if a == nil || msg.op != a.op || a.phase != phaseWebAuth {
		return nil
	}
	a.cancel()
	a.authURL = ""
	if msg.err != nil {
		e := classify(msg.err)
		a.phase = phaseCode
		a.errMsg = "Browser sign-in failed: " + errText(e)
		return nil
	}
	a.otp = msg.otp
	return m.sendNext()
}

// finishAction forgets the code, reports, and refreshes the queue.
func (m *Model) finishAction() tea.Cmd {
	a := m.act
	a.otp = ""
	a.phase = phaseDone
	for _, t := range a.excluded() {
		a.targets = append(a.targets, t)
		a.results = append(a.results, targetResult{state: resSkipped, msg: "high risk: left out of the batch (i includes it)"})
	}
	a.all = a.targets
	ok := 0
	for i, r := range a.results {
		if r.state == resOK {
			ok++
			k := itemKey(a.targets[i].item)
			delete(m.selected, k)
			if m.rv != nil && m.rv.key == k {
				m.closeReview()
			}
		}
	}
	cmds := []tea.Cmd{m.refresh()}
	if ok == len(a.targets) && len(a.targets) == 1 {
		it := a.targets[0].item
		m.act, m.overlay = nil, ovNone
		cmds = append(cmds, m.setStatus(msgOK, fmt.Sprintf("✓ %s %s@%s", a.kind.past(), safeText(it.PackageName), safeText(it.Version))))
	} else {
		m.overlay = ovResults
	}
	return tea.Batch(cmds...)
}

// registriesOf counts the registries the targets are staged on.
func (m *Model) registriesOf(ts []target) int {
	seen := map[string]bool{}
	for _, t := range ts {
		seen[m.regOf(t.item)] = true
	}
	return len(seen)
}
