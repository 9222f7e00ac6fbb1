package posture

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/registry"
)

// Registry is what Gather asks the registry (internal/registry.Client).
type Registry interface {
	Whoami(ctx context.Context) (string, error)
	PackagesOf(ctx context.Context, owner string) (map[string]string, error)
	PackageMFA(ctx context.Context, name string) (registry.MFA, error)
	TrustList(ctx context.Context, name string) ([]registry.TrustRelation, error)
	Tokens(ctx context.Context) ([]registry.TokenInfo, error)
}

// Config is npm's configuration (internal/npmrc.Config).
type Config interface {
	Get(key string) string
	Source(key string) string
}

// Options of Gather.
type Options struct {
	// Packages to check; empty: every package the logged-in user can
	// publish (`npm access list packages <user>`, read-write entries).
	Packages []string
	// NPMVersion runs `npm --version`; nil uses NPMVersion below.
	NPMVersion func(ctx context.Context) (string, error)
	// Parallel bounds concurrent package look-ups (default 8).
	Parallel int
}

// Gather asks the registry and the configuration, then Evaluates.
func Gather(ctx context.Context, reg Registry, regURL string, cfg Config, opts Options) (Report, error) {
	names := append([]string(nil), opts.Packages...)
	var user string
	if len(names) == 0 {
		u, err := reg.Whoami(ctx)
		if err != nil {
			return Report{}, err
		}
		user = u
		acc, err := reg.PackagesOf(ctx, u)
		if err != nil {
			return Report{}, err
		}
		for name, level := range acc {
			if level == "read-write" || level == "write" {
				names = append(names, name)
			}
		}
		sort.Strings(names)
	}
	facts := make([]PackageFacts, len(names))
	par := opts.Parallel
	if par <= 0 {
		par = 8
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f := PackageFacts{Name: name}
			f.MFA, f.MFAErr = reg.PackageMFA(ctx, name)
			f.Trust, f.TrustErr = reg.TrustList(ctx, name)
			facts[i] = f
		}()
	}
	tokens, tokenErr := reg.Tokens(ctx)
	local := LocalFacts{Settings: map[string]string{}, Sources: map[string]string{}}
	for _, k := range []string{CheckRemote, CheckFile, CheckGit} {
		local.Settings[k] = cfg.Get(k)
		local.Sources[k] = cfg.Source(k)
	}
	run := opts.NPMVersion
	if run == nil {
		run = NPMVersion
	}
	local.NPMVersion, local.NPMErr = run(ctx)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	return Evaluate(regURL, user, facts, tokens, tokenErr, local), nil
}

// NPMVersion runs `npm --version` from PATH with a 15 s timeout.
func NPMVersion(ctx context.Context) (string, error) {
	path, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm is not on PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", errors.New("npm --version did not answer within 15s")
		}
		return "", errors.New("npm --version failed: " + err.Error())
	}
	v := strings.TrimSpace(out.String())
	if i := strings.LastIndexByte(v, '\n'); i >= 0 { // a notice before the version
		v = strings.TrimSpace(v[i+1:])
	}
	if len(v) > 40 {
		v = v[:40]
	}
	return v, nil
}
