package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globals are the flags shared by every command, named as npm names them.
type globals struct {
	registry   string
	userconfig string
	timeout    string
	noColor    bool
	noMouse    bool
	theme      string
	notify     string

	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitInterrupted is the exit code of a command cut short by a signal.
const exitInterrupted = 130

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "stagegate:") {
			msg = "stagegate: " + msg
		}
		fmt.Fprintln(stderr, msg)
		if isCobraUsageError(err) {
			return 2
		}
		if ctx.Err() != nil {
			// Interrupted (ctrl+c, SIGTERM): 128+SIGINT, as shells report it,
			// so a script can tell an interruption from a failure.
			return exitInterrupted
		}
	}
	return exitCode(err)
}

// isCobraUsageError recognises the errors cobra returns for bad flags and arguments.
func isCobraUsageError(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "requires exactly"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "stagegate",
		Short: "Review and approve npm staged releases",
		Long: `stagegate lists the versions waiting in your npm stage queue, shows what
each one changes against the last live version, and approves or rejects it
with your 2FA code. Configuration is npm's own (.npmrc, npm_config_*).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		Version:       version,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd, g)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.registry, "registry", "", "registry URL (default: npm's configured registry)")
	pf.StringVar(&g.userconfig, "userconfig", "", "user .npmrc file (default: ~/.npmrc)")
	pf.StringVar(&g.timeout, "fetch-timeout", "", "timeout for each registry request, e.g. 30s")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colour (also NO_COLOR)")
	g.dashboardFlags(root.Flags())
	for _, c := range subcommands(g) {
		root.AddCommand(c)
	}
	return root
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the stagegate version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(g.stdout, "stagegate %s\n", version)
			return err
		},
	}
}

// dashboardFlags are the flags of every command that opens the dashboard
// (stagegate itself and stagegate demo).
func (g *globals) dashboardFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&g.noMouse, "no-mouse", false, "dashboard: do not capture the mouse (keeps terminal text selection)")
	fs.StringVar(&g.theme, "theme", "auto", "dashboard colours: auto, dark or light")
	fs.StringVar(&g.notify, "notify", "terminal", "announce newly staged versions: terminal (bell and OSC 9/777), desktop (also a desktop notification) or none")
}
