package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// pager is where long human output goes: $PAGER (as git does) when stdout
// is a terminal, else stdout itself. JSON and output to a pipe or file are
// never paged.
type pager struct {
	w    io.Writer
	cmd  *exec.Cmd
	pipe io.WriteCloser
}

// pagerCommand is the pager to run, "" for none: STAGEGATE_PAGER, then
// PAGER, then less; "cat" (or an empty value set on purpose) means none.
func pagerCommand(getenv func(string) string) string {
	for _, k := range []string{"STAGEGATE_PAGER", "PAGER"} {
		if v, set := lookup(getenv, k); set {
			if v = strings.TrimSpace(v); v == "cat" {
				return ""
			}
			return v
		}
	}
	if _, err := exec.LookPath("less"); err != nil {
		return ""
	}
	return "less"
}

func lookup(getenv func(string) string, k string) (string, bool) {
	if getenv != nil {
		v := getenv(k)
		return v, v != ""
	}
	return os.LookupEnv(k)
}

// startPager starts the pager when wanted and possible; any failure to
// start it falls back to writing to stdout.
func (g *globals) startPager(want bool) *pager {
	p := &pager{w: g.stdout}
	if !want || !isTTY(g.stdout) {
		return p
	}
	command := pagerCommand(nil)
	if command == "" {
		return p
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdout, cmd.Stderr = g.stdout, g.stderr
	cmd.Env = os.Environ()
	if os.Getenv("LESS") == "" {
		// As git: quit if one screen, keep colours, do not clear the screen.
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if os.Getenv("LV") == "" {
		cmd.Env = append(cmd.Env, "LV=-c")
	}
	pipe, err := cmd.StdinPipe()
	if err != nil {
		return p
	}
	if err := cmd.Start(); err != nil {
		return p
	}
	return &pager{w: pipe, cmd: cmd, pipe: pipe}
}

// Write passes output on; a pager the user quit early is not an error.
func (p *pager) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil && p.cmd != nil && errors.Is(err, syscall.EPIPE) {
		return len(b), nil
	}
	return n, err
}

// wait closes the pager's input and waits until the user quits it.
func (p *pager) wait() {
	if p.cmd == nil {
		return
	}
	p.pipe.Close()
	_ = p.cmd.Wait() // its exit status is the pager's business
}
