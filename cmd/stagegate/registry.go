package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/devregistry"
)

// registryFlags are the flags of `stagegate registry` (architecture.md §2).
type registryFlags struct {
	listen     string
	data       string
	seed       string
	token      string
	ciToken    string
	totpSecret string
	webAuth    bool
	json       bool
}

func newRegistryCmd(g *globals) *cobra.Command {
	var f registryFlags
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Run a local npm registry with the staging API (for trying stagegate and npm stage)",
		Long: `registry runs an npm-compatible registry on this machine: npm publish, npm stage
publish/list/view/download/approve/reject, with TOTP two-factor codes on approve
and reject (or browser confirmation with --web-auth).

It listens on loopback only. Tokens and the TOTP secret are generated unless
given, and are never written to disk: with --data, pass --token and
--totp-secret again after a restart.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRegistry(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:4873", "address to listen on (loopback; port 0 picks a free port)")
	fl.StringVar(&f.data, "data", "", "folder that keeps packages and the stage queue across restarts (default: memory)")
	fl.StringVar(&f.seed, "seed", "none", "initial content: demo (the embedded demo packages) or none")
	fl.StringVar(&f.token, "token", "", "maintainer token (default: generated)")
	fl.StringVar(&f.ciToken, "ci-token", "", "CI token, which may stage but never approve or reject (default: generated)")
	fl.StringVar(&f.totpSecret, "totp-secret", "", "base32 TOTP secret for 2FA codes (default: generated)")
	fl.BoolVar(&f.webAuth, "web-auth", false, "offer browser confirmation (authUrl/doneUrl) in 2FA challenges")
	fl.BoolVar(&f.json, "json", false, `print one line {"url","token","totpSecret","ciToken"} on stdout once listening`)
	return cmd
}

// isLoopback accepts "127.0.0.1:N", "[::1]:N" and "localhost:N".
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runRegistry(cmd *cobra.Command, g *globals, f registryFlags) error {
	if f.seed != "demo" && f.seed != "none" {
		return usageErr("--seed must be demo or none, not %q", f.seed)
	}
	// A dev registry hands its token to anyone who logs in as its user:
	// it must not be reachable from other machines.
	if !isLoopback(f.listen) {
		return usageErr("--listen %q: the dev registry listens on loopback only (127.0.0.1:PORT)", f.listen)
	}
	opts := devregistry.Options{
		Token: f.token, CIToken: f.ciToken, TOTPSecret: f.totpSecret,
		WebAuth: f.webAuth, DataDir: f.data,
	}
	if !f.json {
		// Request lines go to stderr; they never carry headers or query strings.
		opts.Logger = slog.New(slog.NewTextHandler(g.stderr, nil))
	}
	s, err := devregistry.New(opts)
	if err != nil {
		return err
	}
	if f.seed == "demo" {
		if err := s.Seed(assets.Demo()); err != nil {
			return err
		}
		if err := s.SeedPosture(devregistry.DemoPosture()); err != nil {
			return err
		}
	}
	url, err := s.Listen(f.listen)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve() }()

	if f.json {
		line, err := json.Marshal(struct {
			URL        string `json:"url"`
			Token      string `json:"token"`
			TOTPSecret string `json:"totpSecret"`
			CIToken    string `json:"ciToken"`
		}{url, s.Token(), s.TOTPSecret(), s.CIToken()})
		if err != nil {
			_ = s.Close()
			return err
		}
		if _, err := fmt.Fprintf(g.stdout, "%s\n", line); err != nil {
			_ = s.Close()
			return err
		}
	} else {
		printBanner(g.stdout, s, url, f)
	}

	ctx := cmd.Context()
	select {
	case <-ctx.Done():
		return s.Close()
	case err := <-errc:
		return err
	}
}

// printBanner is the one place stagegate shows a token and a TOTP secret:
// the user asked to run a local registry and needs them to use it.
func printBanner(w io.Writer, s *devregistry.Server, url string, f registryFlags) {
	nerf := strings.TrimPrefix(url, "http:")
	storage := "memory (lost when the registry stops)"
	if f.data != "" {
		storage = f.data + " (tokens and the TOTP secret are not saved: pass --token and --totp-secret again after a restart)"
	}
	fmt.Fprintf(w, `stagegate dev registry listening on %s

  user              %s
  maintainer token  %s
  CI token          %s  (may stage; cannot publish, approve or reject)
  TOTP secret       %s  (add it to an authenticator; current code %s)
  data              %s

Point npm at it, in a project .npmrc or a file passed with --userconfig:

  registry=%s
  %s:_authToken=%s

then: npm publish, npm stage publish, npm stage list, npm stage approve <id> --otp <code>,
or: stagegate --registry %s
Press Ctrl-C to stop.
`, url, s.Username(), s.Token(), s.CIToken(), s.TOTPSecret(), s.CurrentCode(), storage,
		url, nerf, s.Token(), url)
}
