package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/internal/registry"
)

// `stagegate watch` announces versions as they are staged: one line (or
// one JSON object) each, and optionally a command run with the stage item
// as JSON on stdin, so a team can route new stages to chat or a ticket.
// The versions staged when it starts are the baseline, not news.

func newWatchCmd(g *globals) *cobra.Command {
	var (
		interval time.Duration
		execCmd  string
		asJSON   bool
		existing bool
		count    int
	)
	c := &cobra.Command{
		Use:   "watch [<pkg>]",
		Short: "Announce newly staged versions as they appear",
		Long: `watch polls the stage queue and prints one line per newly staged version
(one JSON object per line with --json). With --exec CMD it runs CMD with
sh -c for each, the stage item as JSON on its stdin; registry credentials
are never passed to it. The versions already staged when watch starts are
not announced unless --existing is given.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval <= 0 {
				return usageErr("--interval must be positive")
			}
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			pkg := ""
			if len(args) == 1 {
				pkg = args[0]
			}
			w := watcher{client: e.client, pkg: pkg, interval: interval, existing: existing, count: count,
				announce: func(ctx context.Context, it registry.StageItem) error {
					if asJSON {
						line, err := json.Marshal(it)
						if err != nil {
							return err
						}
						fmt.Fprintln(g.stdout, string(line))
					} else {
						fmt.Fprintln(g.stdout, watchLine(it))
					}
					if execCmd != "" {
						if err := runHook(ctx, execCmd, it, g.stderr); err != nil {
							fmt.Fprintln(g.stderr, "stagegate: --exec: "+safeLine(err.Error(), 300))
						}
					}
					return nil
				},
				warn: func(msg string) { fmt.Fprintln(g.stderr, "stagegate: "+msg) },
			}
			err = w.run(cmd.Context())
			if errors.Is(err, context.Canceled) {
				return nil // ctrl+c ends a watch
			}
			return err
		},
	}
	c.Flags().DurationVar(&interval, "interval", 30*time.Second, "how often to poll the queue")
	c.Flags().StringVar(&execCmd, "exec", "", "run this command (with sh -c) for each new version, the stage item as JSON on stdin")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON stage item per line")
	c.Flags().BoolVar(&existing, "existing", false, "also announce the versions staged when watch starts")
	c.Flags().IntVar(&count, "count", 0, "exit after announcing this many versions (0: run until interrupted)")
	return c
}

// watchLine is the human announcement of one staged version.
func watchLine(it registry.StageItem) string {
	s := "staged " + safeLine(it.PackageName+"@"+it.Version, 200)
	if it.Tag != "" {
		s += " (" + safeLine(it.Tag, 40) + ")"
	}
	if it.Actor != "" {
		s += " by " + safeLine(it.Actor, 60)
		if it.ActorType != "" {
			s += " (" + safeLine(it.ActorType, 30) + ")"
		}
	}
	return s + " · id " + safeLine(it.ID, 60) + " · review: stagegate diff " + safeLine(it.ID, 60)
}

// watcher polls the queue and announces ids it has not seen.
type watcher struct {
	client   *registry.Client
	pkg      string
	interval time.Duration
	existing bool
	count    int
	announce func(context.Context, registry.StageItem) error
	warn     func(string)
}

func (w *watcher) run(ctx context.Context) error {
	seen := map[string]bool{}
	first, announced := true, 0
	delay := time.Duration(0)
	for {
		if delay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(delay):
			}
		}
		delay = w.interval
		items, err := w.client.ListStaged(ctx, w.pkg)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var re *registry.Error
			if errors.As(err, &re) {
				switch re.Kind {
				case registry.ErrRateLimited, registry.ErrServer, registry.ErrNetwork, registry.ErrTimeout:
					w.warn(safeLine(re.Error(), 300) + "; still watching")
					delay = max(w.interval, re.RetryAfter)
					continue
				}
			}
			return err
		}
		for _, it := range items {
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			if first && !w.existing {
				continue
			}
			if err := w.announce(ctx, it); err != nil {
				return err
			}
			announced++
			if w.count > 0 && announced >= w.count {
				return nil
			}
		}
		first = false
	}
}

// runHook runs cmd with the item as JSON on stdin. Its environment is the
// user's without npm credentials: a hook posts to chat, it has no business
// with the registry token.
func runHook(ctx context.Context, cmd string, it registry.StageItem, stderr interface{ Write([]byte) (int, error) }) error {
	doc, err := json.Marshal(it)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdin = bytes.NewReader(append(doc, '\n'))
	c.Stdout, c.Stderr = stderr, stderr
	c.Env = hookEnv(os.Environ())
	return c.Run()
}

// hookEnv drops the variables that carry registry credentials.
func hookEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		u := strings.ToUpper(k)
		if u == "NPM_TOKEN" || u == "NODE_AUTH_TOKEN" || strings.HasPrefix(u, "NPM_CONFIG_") &&
			(strings.Contains(u, "AUTH") || strings.Contains(u, "TOKEN") || strings.Contains(u, "PASSWORD") || strings.Contains(u, "//")) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
