package ui

import (
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// listMsg answers List request req; only the latest request is applied.
type listMsg struct {
	req   int
	items []registry.StageItem
	err   error
}

// reviewProgressMsg reports progress of one review job.
type reviewProgressMsg struct {
	job *reviewJob
	p   review.Progress
}

// reviewDoneMsg ends one review job. A job that is no longer the item's
// current job (cancelled, superseded, item gone) is ignored.
type reviewDoneMsg struct {
	job *reviewJob
	rev *review.Review
	err error
}

// actionResultMsg answers one Approve or Reject call of action op for
// target idx. op guards against answers that arrive after the user left.
type actionResultMsg struct {
	op  int
	idx int
	err error
}

// webAuthMsg ends a PollWebAuth call. otp is a secret: it goes straight
// into the next Approve/Reject and is never shown or kept after the action.
type webAuthMsg struct {
	op  int
	otp string
	err error
}

// currentMsg answers the check of an approval's targets against the
// registry (checkTargets); changed maps item keys to why they changed.
type currentMsg struct {
	act     *action
	changed map[string]string
}

// whoamiMsg answers Backend.Whoami at start-up.
type whoamiMsg struct {
	registry string
	user     string
	err      error
}

// openURLMsg reports the outcome of OpenURL.
type openURLMsg struct{ err error }

// statusExpireMsg clears status message id if it is still the one shown.
type statusExpireMsg struct{ id int }

// autoRefreshMsg is the gentle periodic refresh; gen drops superseded timers.
type autoRefreshMsg struct{ gen int }

// debounceMsg fires after the queue cursor rests, to prefetch around it.
type debounceMsg struct{ tag int }
