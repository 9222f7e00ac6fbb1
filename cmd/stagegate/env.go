package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/npmrc"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// env is what a command needs to talk to the registry, built from npm's configuration.
type env struct {
	cfg     *npmrc.Config
	client  *registry.Client
	reg     string
	timeout time.Duration
}

func (g *globals) flagMap() map[string]string {
	m := map[string]string{}
	if g.registry != "" {
		m["registry"] = g.registry
	}
	if g.userconfig != "" {
		m["userconfig"] = g.userconfig
	}
	if g.timeout != "" {
		m["fetch-timeout"] = g.timeout
	}
	return m
}

// newEnv loads npm's configuration and makes a registry client for it.
func (g *globals) newEnv() (*env, error) {
	cfg, err := npmrc.FromEnvironment(g.flagMap())
	if err != nil {
		return nil, fmt.Errorf("read npm configuration: %w", err)
	}
	timeout := 30 * time.Second
	if g.timeout != "" {
		d, err := time.ParseDuration(g.timeout)
		if err != nil {
			return nil, usageErr("--fetch-timeout %q: %v (use a duration such as 30s)", g.timeout, err)
		}
		timeout = d
	}
	return newEnvOn(cfg, cfg.Registry(), timeout)
}

// newEnvOn is a client for reg with cfg's credentials for it.
func newEnvOn(cfg *npmrc.Config, reg string, timeout time.Duration) (*env, error) {
	c, err := registry.New(registry.Options{
		Registry:  reg,
		Auth:      cfg,
		UserAgent: "stagegate/" + version,
		Timeout:   timeout,
	})
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, client: c, reg: reg, timeout: timeout}, nil
}

// scopedEnvs are clients for every scoped registry in npm's configuration
// that has credentials, besides e's registry: the dashboard's queue spans
// them all. A scoped registry without credentials cannot list a stage
// queue, so it is left out rather than shown as an error on every refresh.
func (e *env) scopedEnvs() ([]*env, error) {
	var out []*env
	for _, r := range e.cfg.Registries() {
		if r.Default || !r.HasAuth || r.URL == e.reg {
			continue
		}
		se, err := newEnvOn(e.cfg, r.URL, e.timeout)
		if err != nil {
			return nil, fmt.Errorf("registry %s (for %s): %w", r.URL, strings.Join(r.Scopes, ", "), err)
		}
		out = append(out, se)
	}
	return out, nil
}

// engine is the review engine over this registry, with the user's tarball cache.
func (e *env) engine() *review.Engine {
	var cache *review.Cache
	if dir, err := review.DefaultCacheDir(); err == nil {
		cache = review.NewCache(dir, 0)
	}
	return &review.Engine{Registry: e.client, Cache: cache, Facts: review.NewLookup(e.client)}
}

func openAudit() (*audit.Log, error) {
	p, err := audit.DefaultPath()
	if err != nil {
		return nil, err
	}
	return audit.Open(p), nil
}

// isTTY reports whether f is a terminal.
func isTTY(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colorOn reports whether human output to w should be coloured.
func (g *globals) colorOn(w io.Writer) bool {
	if g.noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTTY(w)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
