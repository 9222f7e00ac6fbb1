package main

import (
	"fmt"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
)

// target is one version of an approve or reject batch, resolved and
// checked before anything is sent.
type target struct {
	item   registry.StageItem
	shasum string
	move   approval.TagMove // approve: the tag move accepted
	// deps names the packages the staged package.json depends on
	// (approve), which orders the batch.
	deps []string
	// refused is the index in the results of the refusal that took this
	// version out of the batch before anything was sent, else -1. It
	// stays a node of the batch so that what depends on it is skipped.
	refused int
}

// countSendable counts the targets that were not refused.
func countSendable(ts []target) int {
	n := 0
	for _, t := range ts {
		if t.refused < 0 {
			n++
		}
	}
	return n
}

// givenOrder is the batch in the order given, with nothing waiting on
// anything.
func givenOrder(n int) (order []int, after [][]int) {
	order = make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order, make([][]int, n)
}

// dependencyOrder orders an approval batch dependencies first
// (approval.Order): a monorepo release is published the way pnpm
// publishes a workspace, so no version goes live before what it needs.
// after[i] lists the targets (indexes into ts) that targets[i] depends on.
func dependencyOrder(ts []target) (order []int, after [][]int) {
	nodes := make([]approval.Node, len(ts))
	for i, t := range ts {
		nodes[i] = approval.Node{Name: t.item.PackageName, Deps: t.deps}
	}
	return approval.Order(nodes)
}

// blockedBy returns a version among deps that did not go through
// (failedAt[j] >= 0). Skipped versions count as not gone through, so a
// failure stops its dependents transitively in an ordered walk.
func blockedBy(deps []int, failedAt []int) (int, bool) {
	for _, j := range deps {
		if failedAt[j] >= 0 {
			return j, true
		}
	}
	return 0, false
}

// skipped is the decision for item, not attempted because a version of
// the batch that it depends on did not go through (its decision is depRes).
func skipped(item registry.StageItem, depRes decision) decision {
	name := depRes.pkg + "@" + depRes.version
	why := "failed"
	switch depRes.result {
	case string(approval.Refused):
		why = "was refused"
	case "skipped":
		why = "was skipped"
	case string(approval.Unknown):
		why = "has an unknown outcome"
	}
	if depRes.auditErr != "" {
		why = "was not audited"
	}
	return decision{
		id: item.ID, pkg: item.PackageName, version: item.Version,
		result:    "skipped",
		detail:    fmt.Sprintf("not attempted: depends on %s, which %s", name, why),
		blockedBy: &versionRef{ID: depRes.id, Package: depRes.pkg, Version: depRes.version},
	}
}

// versionRef names one staged version in --json output.
type versionRef struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	Version string `json:"version"`
}

// decisionsDoc is approve's and reject's --json document.
type decisionsDoc struct {
	Action string `json:"action"` // approve or reject
	// OK is true when every version asked for was decided and audited.
	OK        bool           `json:"ok"`
	Decisions []decisionJSON `json:"decisions"`
}

// decisionJSON is one version's outcome, in the order they were decided.
type decisionJSON struct {
	ID      string `json:"id"`
	Package string `json:"package,omitempty"`
	Version string `json:"version,omitempty"`
	// Result: approved, rejected, refused, failed, unknown, skipped (a
	// version it depends on did not go through) or "not attempted" (an
	// error stopped the batch).
	Result string `json:"result"`
	Detail string `json:"detail,omitempty"`
	// BlockedBy is, for a skipped version, the version of the batch it
	// depends on that did not go through.
	BlockedBy *versionRef `json:"blockedBy,omitempty"`
	// AuditError is set when the decision's audit record could not be written.
	AuditError string `json:"auditError,omitempty"`
	// Resolved: the outcome of an earlier, interrupted run's request.
	Resolved bool `json:"resolved,omitempty"`
}

func decisionsJSON(action string, rs []decision) decisionsDoc {
	doc := decisionsDoc{Action: action, OK: countFailed(rs) == 0, Decisions: []decisionJSON{}}
	for _, r := range rs {
		doc.Decisions = append(doc.Decisions, decisionJSON{
			ID: r.id, Package: r.pkg, Version: r.version, Result: r.result, Detail: r.detail,
			BlockedBy: r.blockedBy, AuditError: r.auditErr, Resolved: r.resolved,
		})
	}
	return doc
}

// printDecisions reports a batch: one JSON document on stdout with
// asJSON, else one line per version.
func (g *globals) printDecisions(action string, rs []decision, asJSON bool) {
	if asJSON {
		if err := writeJSON(g, decisionsJSON(action, rs)); err != nil {
			fmt.Fprintln(g.stderr, "stagegate: writing the JSON output:", err)
		}
		return
	}
	printDecisions(g, rs)
}
