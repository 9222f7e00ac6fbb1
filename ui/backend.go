package ui

import (
	"context"

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
	// List returns every staged version (all pages).
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
	// Whoami is the registry user of the configured credentials, to warn
	// a maintainer who approves a version they staged themselves.
	Whoami(ctx context.Context) (string, error)
	// PollWebAuth waits until the browser flow behind doneURL completes and
	// returns the one-time token to send as the OTP.
	PollWebAuth(ctx context.Context, doneURL string) (otp string, err error)
	// OpenURL opens url in the user's browser.
	OpenURL(url string) error
}
