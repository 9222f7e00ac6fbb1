package ui

import (
	"context"
	"errors"
	"net"

	"github.com/stagegate/stagegate/internal/registry"
)

// errKind is what the dashboard needs to know about a failure to decide what
// to do next: ask for a code, offer web auth, tell the user to log in, or
// stop a batch.
type errKind int

const (
	kindUnknown errKind = iota
	kindNotLoggedIn
	kindOTPRequired
	kindOTPRejected
	kindForbidden
	kindNotFound
	kindConflict
	kindRateLimited
	kindServer
	kindNetwork
	kindTimeout
	kindCanceled
)

// errInfo is a classified error. msg is untrusted (it may come from the
// registry) and must be passed through safe.go before display.
type errInfo struct {
	kind    errKind
	msg     string
	full    string
	authURL string
	doneURL string
}

// kindOf maps the registry client's error kinds to what the UI acts on.
func kindOf(k registry.ErrorKind) errKind {
	switch k {
	case registry.ErrNotLoggedIn:
		return kindNotLoggedIn
	case registry.ErrOTPRequired:
		return kindOTPRequired
	case registry.ErrOTPRejected:
		return kindOTPRejected
	case registry.ErrForbidden:
		return kindForbidden
	case registry.ErrNotFound:
		return kindNotFound
	case registry.ErrConflict:
		return kindConflict
	case registry.ErrRateLimited:
		return kindRateLimited
	case registry.ErrServer:
		return kindServer
	case registry.ErrNetwork:
		return kindNetwork
	case registry.ErrTimeout:
		return kindTimeout
	case registry.ErrCanceled:
		return kindCanceled
	}
	return kindUnknown
}

// classify maps a Backend error to what the UI acts on. msg is the
// registry's own message when there is one (what a 2FA modal shows); full is
// the whole actionable description (what results and error screens show).
func classify(err error) errInfo {
	if err == nil {
		return errInfo{}
	}
	var re *registry.Error
	if errors.As(err, &re) {
		return errInfo{kind: kindOf(re.Kind), msg: re.Message, full: err.Error(), authURL: re.AuthURL, doneURL: re.DoneURL}
	}
	if errors.Is(err, context.Canceled) {
		return errInfo{kind: kindCanceled, msg: "cancelled", full: err.Error()}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errInfo{kind: kindTimeout, msg: err.Error(), full: err.Error()}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return errInfo{kind: kindNetwork, msg: err.Error(), full: err.Error()}
	}
	return errInfo{kind: kindUnknown, msg: err.Error(), full: err.Error()}
}

// abortsBatch reports whether a failure makes the rest of a batch pointless
// (the same credentials or connection would fail again), as pnpm does:
// per-item errors continue, auth and network errors stop.
func (e errInfo) abortsBatch() bool {
	switch e.kind {
	case kindNotLoggedIn, kindNetwork, kindTimeout, kindRateLimited, kindCanceled:
		return true
	}
	return false
}
