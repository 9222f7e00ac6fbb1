package ui

import (
	"context"
	"strings"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// Backend is everything the dashboard needs from the outside world. The
// dashboard calls it only from tea.Cmds, never from Update or View, so a slow
// registry never freezes the screen.
type Backend interface {
	// Registry is the registry URL, shown in headers and in hints such as
	// "npm login --registry <url>".
	Registry() string
	// Registries is every registry the queue spans, Registry() first: the
	// default and each scoped registry with credentials.
	Registries() []string
	// List returns every staged version (all pages) of every registry,
	// each item's Registry naming where it is staged ("" = Registry()).
	// When some registries fail and others answer, it returns what it got
	// with a *ListErrors.
	List(ctx context.Context) ([]registry.StageItem, error)
	// Review computes the review of one staged version against its base,
	// reporting progress from any goroutine.
	Review(ctx context.Context, item registry.StageItem, progress func(review.Progress)) (*review.Review, error)
	// Approve publishes item if the registry still holds the tarball whose
	// shasum was reviewed. otp "" asks the registry for its web-auth challenge.
	Approve(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error
	// Reject deletes the staged version, with the same checks as Approve.
	Reject(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error
	// Current reads what the registry says now about item's package: the
	// base a review would pick and what approving does to the tag. An
	// approval is sent only when both are what the review showed.
	Current(ctx context.Context, item registry.StageItem) (approval.Current, error)
	// Whoami is the user of the credentials for reg (one of Registries),
	// to warn a maintainer who approves a version they staged themselves.
	Whoami(ctx context.Context, reg string) (string, error)
	// PollWebAuth waits until the browser flow behind doneURL completes and
	// returns the one-time token to send as the OTP.
	// reg is the registry of the version being decided.
	PollWebAuth(ctx context.Context, reg, doneURL string) (otp string, err error)
	// OpenURL opens url in the user's browser.
	OpenURL(url string) error
}

// RegistryError is one registry's failure in a queue that spans several.
type RegistryError struct {
	Registry string
	Err      error
}

func (e *RegistryError) Error() string { return e.Registry + ": " + e.Err.Error() }
func (e *RegistryError) Unwrap() error { return e.Err }

// ListErrors is a List that could not read every registry. Answered counts
// the registries that did: with none, the queue has nothing to show.
type ListErrors struct {
	Failed   []*RegistryError
	Answered int
}

func (e *ListErrors) Error() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes the first failure, so a lone registry's error is
// classified as it would be without the wrapper.
func (e *ListErrors) Unwrap() error {
	if len(e.Failed) == 0 {
		return nil
	}
	return e.Failed[0].Err
}
