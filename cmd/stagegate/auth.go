package main

import (
	"net/url"
	"strings"
)

// staticAuth sends one bearer token, and only to the registry's own host,
// as npm does for a registry-level credential.
type staticAuth struct {
	regURL string
	token  string
}

func (a staticAuth) AuthHeader(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	r, err := url.Parse(a.regURL)
	if err != nil || !strings.EqualFold(u.Host, r.Host) || u.Scheme != r.Scheme {
		return ""
	}
	return "Bearer " + a.token
}
