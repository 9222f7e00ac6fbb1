package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// `stagegate wait` is the hand-off a release pipeline needs after
// `npm stage publish`: it blocks until a maintainer decides. A staged
// record disappears both when it is approved and when it is rejected, so
// the outcome is read from the packument: the version is live (approved)
// or it is not (rejected).

// Exit codes of wait (architecture.md §2).
const (
	waitApproved = 0
	waitRejected = 1
	waitGone     = 2
	waitTimeout  = 124
)

// waitResult is wait's --json document.
type waitResult struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	Version string `json:"version"`
	Outcome string `json:"outcome"` // approved, rejected, gone, timeout
	Tag     string `json:"tag,omitempty"`
	Time    string `json:"time,omitempty"` // when the version went live, from the packument
	Waited  string `json:"waited"`
}

// waitBackoff is the polling schedule: quick at first (an approval often
// follows the stage within a minute), then settling at max.
type waitBackoff struct{ next, max time.Duration }

func (b *waitBackoff) step(retryAfter time.Duration) time.Duration {
	d := b.next
	if retryAfter > d {
		d = retryAfter
	}
	b.next = min(b.max, b.next*3/2)
	return d
}

func newWaitCmd(g *globals) *cobra.Command {
	var (
		timeout  time.Duration
		interval time.Duration
		asJSON   bool
	)
	c := &cobra.Command{
		Use:   "wait <stage-id|name@version>",
		Short: "Wait until a staged version is approved (exit 0), rejected (1), gone (2) or the timeout passes (124)",
		Long: `wait blocks until a maintainer approves or rejects a staged version: the
hand-off a release pipeline needs after npm stage publish. It polls the
stage record with backoff (honouring the registry's retry-after) and, once
the record is gone, reads the packument to tell an approval from a
rejection. Exit codes: 0 approved, 1 rejected, 2 not staged (or the
package is gone), 124 the --timeout passed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval <= 0 {
				return usageErr("--interval must be positive")
			}
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, timeout)
				defer cancel()
			}
			start := time.Now()
			res, err := waitFor(ctx, e.client, args[0], interval, func(msg string) {
				if !asJSON && isTTY(g.stderr) {
					fmt.Fprintln(g.stderr, msg)
				}
			})
			if err != nil {
				return err
			}
			res.Waited = time.Since(start).Round(time.Second).String()
			if asJSON {
				if err := writeJSON(g, res); err != nil {
					return err
				}
			}
			return waitExit(g, res, asJSON)
		},
	}
	c.Flags().DurationVar(&timeout, "timeout", 0, "give up after this long (exit 124); 0 waits forever")
	c.Flags().DurationVar(&interval, "interval", 2*time.Second, "first polling interval (it grows to 30s)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the outcome as one JSON object")
	return c
}

// waitExit prints the outcome once (stdout for an approval, the error
// line for the rest) and returns wait's exit code.
func waitExit(g *globals, r waitResult, quiet bool) error {
	name := safeLine(r.Package+"@"+r.Version, 200)
	if r.Package == "" {
		name = safeLine(r.ID, 80)
	}
	var code int
	var msg string
	switch r.Outcome {
	case "approved":
		if !quiet {
			line := name + " approved"
			if r.Tag != "" {
				line += ", tag " + safeLine(r.Tag, 60)
			}
			if r.Time != "" {
				line += ", live since " + safeLine(r.Time, 40)
			}
			fmt.Fprintln(g.stdout, line)
		}
		return nil
	case "rejected":
		code, msg = waitRejected, name+" was rejected: its stage record is gone and the version is not published"
	case "gone":
		code, msg = waitGone, name+" is not staged: nothing to wait for (stagegate list shows what is)"
	default:
		code, msg = waitTimeout, name+" is still staged after "+r.Waited
	}
	return &exitError{code: code, err: errors.New(msg)}
}

// waitFor polls until the staged version target (an id or name@version)
// is decided or ctx ends.
func waitFor(ctx context.Context, c *registry.Client, target string, interval time.Duration, progress func(string)) (waitResult, error) {
	item, res, err := resolveWaitTarget(ctx, c, target)
	if err != nil || res.Outcome != "" {
		return res, err
	}
	res = waitResult{ID: item.ID, Package: item.PackageName, Version: item.Version, Tag: item.Tag}
	progress(fmt.Sprintf("waiting for %s to be approved or rejected…", safeLine(item.PackageName+"@"+item.Version, 200)))
	back := waitBackoff{next: interval, max: 30 * time.Second}
	var retryAfter time.Duration
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				res.Outcome = "timeout"
				return res, nil
			}
			return res, ctx.Err()
		case <-time.After(back.step(retryAfter)):
		}
		retryAfter = 0
		_, err := c.ViewStaged(ctx, item.ID)
		switch {
		case err == nil:
			continue // still staged
		case registry.IsNotFound(err):
			return decided(ctx, c, res)
		case ctx.Err() != nil:
			continue // the loop's select reports the timeout
		}
		var re *registry.Error
		if errors.As(err, &re) {
			switch re.Kind {
			case registry.ErrRateLimited, registry.ErrServer, registry.ErrNetwork, registry.ErrTimeout:
				// Transient: keep waiting, as a pipeline would want.
				retryAfter = re.RetryAfter
				progress("registry: " + safeLine(re.Error(), 200) + "; still waiting")
				continue
			}
		}
		return res, err
	}
}

// resolveWaitTarget finds the stage record of an id or name@version. A
// name@version that is no longer staged but live is already approved.
func resolveWaitTarget(ctx context.Context, c *registry.Client, target string) (registry.StageItem, waitResult, error) {
	item, err := viewStage(ctx, c, target)
	var notStaged *notStagedError
	switch {
	case err == nil:
		return item, waitResult{}, nil
	case registry.IsNotFound(err):
		return item, waitResult{ID: target, Outcome: "gone"}, nil
	case !errors.As(err, &notStaged):
		return item, waitResult{}, err
	}
	// Not staged: perhaps already decided.
	name, version, _ := review.SplitSpec(target)
	res := waitResult{Package: name, Version: version, Outcome: "gone"}
	p, err := c.Packument(ctx, name)
	switch {
	case err == nil:
		if _, live := p.Versions[version]; live {
			res.Outcome, res.Tag, res.Time = "approved", tagOf(p, version, ""), p.Time[version]
		}
	case !registry.IsNotFound(err):
		return item, waitResult{}, err
	}
	return item, res, nil
}

// decided reads the outcome once the stage record is gone.
func decided(ctx context.Context, c *registry.Client, res waitResult) (waitResult, error) {
	p, err := c.Packument(ctx, res.Package)
	switch {
	case registry.IsNotFound(err):
		res.Outcome = "rejected" // a first release rejected leaves no package
		return res, nil
	case err != nil:
		return res, fmt.Errorf("the stage record is gone; reading the packument to tell approval from rejection failed: %w", err)
	}
	if _, live := p.Versions[res.Version]; !live {
		res.Outcome = "rejected"
		return res, nil
	}
	res.Outcome, res.Tag, res.Time = "approved", tagOf(p, res.Version, res.Tag), p.Time[res.Version]
	return res, nil
}

// tagOf is the dist-tag that points at version: the stage's own tag when
// it does, else any other.
func tagOf(p *registry.Packument, version, staged string) string {
	if staged != "" && p.DistTags[staged] == version {
		return staged
	}
	for tag, v := range p.DistTags {
		if v == version {
			return tag
		}
	}
	return ""
}
