package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/memory"
	"github.com/stagegate/stagegate/internal/npmrc"
	"github.com/stagegate/stagegate/internal/posture"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/ui"
)

// backend is one registry's client, review engine and approval logic.
type backend struct {
	reg     string
	client  *registry.Client
	engine  *review.Engine
	decider *approval.Decider
	// open replaces the browser launcher (tests play the browser).
	open func(url string) error
	// mem sizes the soft memory limit from each review's packages, as diff
	// does; shared by every registry of the queue.
	mem *dashboardMemory
	log *audit.Log
}

// settlePending audits the outcome of requests an earlier run left open
// (killed mid-request) once the registry proves it; the rest stay open.
func (b *backend) settlePending(ctx context.Context) {
	if b.log == nil {
		return
	}
	open, err := b.log.Pending(b.reg)
	if err != nil || len(open) == 0 {
		return
	}
	_, _, _ = b.decider.SettlePending(ctx, open, 20, nil)
}

// newQueue is the dashboard's backend over e's registry and every scoped
// registry with credentials, sharing one audit log.
func newQueue(e *env) (*queue, error) {
	log, err := openAudit()
	if err != nil {
		return nil, err
	}
	scoped, err := e.scopedEnvs()
	if err != nil {
		return nil, err
	}
	q := &queue{}
	mem := &dashboardMemory{}
	for _, se := range append([]*env{e}, scoped...) {
		q.regs = append(q.regs, newBackend(se, log, mem))
	}
	return q, nil
}

func newBackend(e *env, log *audit.Log, mem *dashboardMemory) *backend {
	return &backend{
		mem:    mem,
		reg:    e.reg,
		client: e.client,
		engine: e.engine(),
		log:    log,
		decider: &approval.Decider{
			Client:   e.client,
			Registry: e.reg,
			Audit:    log.Append,
			Via:      "dashboard",
		},
	}
}

// queue is the dashboard's ui.Backend: one backend per registry the queue
// spans, the default first. Each item goes to the registry it was listed
// on, with that registry's credentials and 2FA.
type queue struct {
	regs []*backend
}

// on is the backend of registry reg ("" is the default).
func (q *queue) on(reg string) *backend {
	for _, b := range q.regs {
		if b.reg == reg {
			return b
		}
	}
	return q.regs[0]
}

func (q *queue) Registry() string { return q.regs[0].reg }

func (q *queue) Registries() []string {
	out := make([]string, len(q.regs))
	for i, b := range q.regs {
		out[i] = b.reg
	}
	return out
}

// List reads every registry's queue at once. A registry that fails does
// not hide the others: their items come back with a *ui.ListErrors.
func (q *queue) List(ctx context.Context) ([]registry.StageItem, error) {
	type answer struct {
		items []registry.StageItem
		err   error
	}
	answers := make([]answer, len(q.regs))
	var wg sync.WaitGroup
	for i, b := range q.regs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := b.client.ListStaged(ctx, "")
			for j := range items {
				items[j].Registry = b.reg
			}
			answers[i] = answer{items, err}
		}()
	}
	wg.Wait()
	if len(q.regs) == 1 {
		return answers[0].items, answers[0].err
	}
	var all []registry.StageItem
	failed := &ui.ListErrors{}
	for i, a := range answers {
		if a.err != nil {
			failed.Failed = append(failed.Failed, &ui.RegistryError{Registry: q.regs[i].reg, Err: a.err})
			continue
		}
		failed.Answered++
		all = append(all, a.items...)
	}
	if len(failed.Failed) > 0 {
		return all, failed
	}
	return all, nil
}

func (q *queue) Review(ctx context.Context, item registry.StageItem, progress func(review.Progress)) (*review.Review, error) {
	return q.on(item.Registry).Review(ctx, item, progress)
}

func (q *queue) Approve(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error {
	return q.on(item.Registry).Approve(ctx, item, reviewedShasum, otp)
}

func (q *queue) Reject(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error {
	return q.on(item.Registry).Reject(ctx, item, reviewedShasum, otp)
}

func (q *queue) Current(ctx context.Context, item registry.StageItem) (approval.Current, error) {
	return q.on(item.Registry).Current(ctx, item)
}

func (q *queue) Whoami(ctx context.Context, reg string) (string, error) {
	return q.on(reg).Whoami(ctx)
}

func (q *queue) PollWebAuth(ctx context.Context, reg, doneURL string) (string, error) {
	return q.on(reg).PollWebAuth(ctx, doneURL)
}

func (q *queue) OpenURL(raw string) error { return q.regs[0].OpenURL(raw) }

// settlePending resolves every registry's open audit intents.
func (q *queue) settlePending(ctx context.Context) {
	for _, b := range q.regs {
		b.settlePending(ctx)
	}
}

func (b *backend) Review(ctx context.Context, item registry.StageItem, progress func(review.Progress)) (*review.Review, error) {
	return b.engine.ReviewStaged(ctx, item, review.Options{Progress: progress, Loaded: b.mem.loaded})
}

func (b *backend) Approve(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error {
	_, err := b.decider.Approve(ctx, item, reviewedShasum, otp)
	return err
}

func (b *backend) Reject(ctx context.Context, item registry.StageItem, reviewedShasum, otp string) error {
	_, err := b.decider.Reject(ctx, item, reviewedShasum, otp)
	return err
}

// Current reads the package's packument: the base a review would pick now
// and what approving does to the tag.
func (b *backend) Current(ctx context.Context, item registry.StageItem) (approval.Current, error) {
	return approval.CurrentFor(ctx, b.client, item)
}

func (b *backend) Whoami(ctx context.Context) (string, error) {
	return b.client.Whoami(ctx)
}

func (b *backend) PollWebAuth(ctx context.Context, doneURL string) (string, error) {
	return b.client.PollWebAuth(ctx, doneURL)
}

// OpenURL opens an http(s) URL in the user's browser; anything else is refused.
func (b *backend) OpenURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return errors.New("refusing to open a non-http(s) URL")
	}
	if b.open != nil {
		return b.open(u.String())
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u.String())
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u.String())
	default:
		if os.Getenv("BROWSER") != "" {
			cmd = exec.Command(os.Getenv("BROWSER"), u.String())
		} else {
			cmd = exec.Command("xdg-open", u.String())
		}
	}
	if err := cmd.Start(); err != nil {
		return err // the dashboard adds "could not open the browser … copy the URL instead"
	}
	go cmd.Wait() //nolint:errcheck // reap the launcher; its exit status says nothing about the page
	return nil
}

func (g *globals) uiOptions() (ui.Options, error) {
	o := ui.Options{NoMouse: g.noMouse, NoColor: g.noColor || os.Getenv("NO_COLOR") != "", Theme: g.theme, AutoRefresh: 60 * time.Second}
	switch g.theme {
	case "auto", "dark", "light":
	default:
		return o, usageErr("--theme %q: use auto, dark or light", g.theme)
	}
	switch g.notify {
	case "terminal", "":
	case "desktop":
		o.Desktop = desktopNotify
	case "none":
		o.NoNotify = true
	default:
		return o, usageErr("--notify %q: use terminal, desktop or none", g.notify)
	}
	return o, nil
}

// runDashboard opens the dashboard on the configured registry.
func runDashboard(cmd *cobra.Command, g *globals) error {
	opts, err := g.uiOptions()
	if err != nil {
		return err
	}
	if !isTTY(g.stdout) || !isTTY(g.stdin) {
		return usageErr("the dashboard needs a terminal; for scripts use `stagegate list`, `diff`, `approve` (see `stagegate --help`)")
	}
	e, err := g.newEnv()
	if err != nil {
		return err
	}
	b, err := newQueue(e)
	if err != nil {
		return err
	}
	setGCPercent()
	go b.settlePending(cmd.Context())
	opts.Posture = postureFunc(e.client, e.cfg)
	if dir, err := memory.DefaultDir(); err == nil {
		opts.Memory = memory.Open(dir) // viewed files, notes, approved snapshots
	}
	return dashboardExit(ui.Run(cmd.Context(), b, opts, g.stdin, g.stdout))
}

// dashboardExit maps ctrl+c during an approve or reject to exit status 130.
func dashboardExit(err error) error {
	if errors.Is(err, ui.ErrInterrupted) {
		return &exitError{code: 130, err: err}
	}
	return err
}

// postureFunc is the dashboard's `P` view: stagegate posture over the
// packages the logged-in user can publish.
func postureFunc(c *registry.Client, cfg posture.Config) func(context.Context) (posture.Report, error) {
	return func(ctx context.Context) (posture.Report, error) {
		return posture.Gather(ctx, c, c.Registry(), cfg, posture.Options{})
	}
}

func newDemoCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "demo",
		Short: "Try the dashboard on an embedded registry with a seeded stage queue",
		Long: `Start an embedded staging registry on a free loopback port, seeded with demo
packages (benign releases and imitations of real attacks), and open the
dashboard on it. The status bar shows the demo's current 2FA code. Nothing is
written outside a temporary folder, which is removed on exit.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := g.uiOptions()
			if err != nil {
				return err
			}
			if !isTTY(g.stdout) || !isTTY(g.stdin) {
				return usageErr("the demo needs a terminal (it opens the dashboard)")
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			srv, err := devregistry.New(devregistry.Options{})
			if err != nil {
				return err
			}
			if err := srv.Seed(assets.Demo()); err != nil {
				return fmt.Errorf("seed demo registry: %w", err)
			}
			regURL, err := srv.Start(ctx, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer srv.Close()
			tmp, err := os.MkdirTemp("", "stagegate-demo-*")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			client, err := registry.New(registry.Options{Registry: regURL, Auth: staticAuth{regURL: regURL, token: srv.Token()}, UserAgent: "stagegate/" + version, Timeout: 30 * time.Second})
			if err != nil {
				return err
			}
			b := &backend{
				mem:    &dashboardMemory{},
				reg:    regURL,
				client: client,
				engine: &review.Engine{Registry: client, Cache: review.NewCache(tmp, 256<<20), Facts: review.NewLookup(client)},
				decider: &approval.Decider{Client: client, Registry: regURL, Via: "demo",
					Audit: audit.Open(filepath.Join(tmp, "audit.jsonl")).Append},
			}
			opts.DemoCode = srv.CurrentCode
			// The demo leaves nothing behind: its memory lives with its registry.
			opts.Memory = memory.Open(filepath.Join(tmp, "reviews"))
			setGCPercent()
			if err := srv.SeedPosture(devregistry.DemoPosture()); err != nil {
				return err
			}
			if cfg, err := npmrc.FromEnvironment(g.flagMap()); err == nil {
				opts.Posture = postureFunc(client, cfg)
			}
			return dashboardExit(ui.Run(ctx, &queue{regs: []*backend{b}}, opts, g.stdin, g.stdout))
		},
	}
	g.dashboardFlags(c.Flags())
	return c
}
