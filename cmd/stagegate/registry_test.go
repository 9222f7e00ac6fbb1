package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startRegistryCmd runs `stagegate registry ARGS` and returns its stdout
// reader, a cancel func and the command's result channel.
func startRegistryCmd(t *testing.T, args ...string) (*bufio.Reader, context.CancelFunc, chan error, *bytes.Buffer) {
	t.Helper()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	g := &globals{stdin: strings.NewReader(""), stdout: pw, stderr: &stderr}
	cmd := newRegistryCmd(g)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := cmd.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	t.Cleanup(cancel)
	return bufio.NewReader(pr), cancel, done, &stderr
}

func TestRegistryCmdJSON(t *testing.T) {
	out, cancel, done, _ := startRegistryCmd(t, "--listen", "127.0.0.1:0", "--json", "--seed", "demo",
		"--token", "tok-for-test", "--totp-secret", "JBSWY3DPEHPK3PXP", "--password", "pw-for-test")
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var start struct {
		URL, Token, TOTPSecret, CIToken, Password string
	}
	if err := json.Unmarshal([]byte(line), &start); err != nil {
		t.Fatalf("start line %q: %v", line, err)
	}
	if !strings.HasPrefix(start.URL, "http://127.0.0.1:") || !strings.HasSuffix(start.URL, "/") ||
		start.Token != "tok-for-test" || start.TOTPSecret != "JBSWY3DPEHPK3PXP" || start.CIToken == "" || start.Password != "pw-for-test" {
		t.Fatalf("start line %q", line)
	}
	for pw, want := range map[string]int{"pw-for-test": 201, "wrong": 401} {
		req, _ := http.NewRequest("PUT", start.URL+"-/user/org.couchdb.user:maintainer",
			strings.NewReader(`{"name":"maintainer","password":"`+pw+`"}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want || (want != 201) == strings.Contains(string(body), "tok-for-test") {
			t.Errorf("npm login with password %q: %d %s", pw, res.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("GET", start.URL+"-/stage", nil)
	req.Header.Set("Authorization", "Bearer "+start.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Total int }
	_ = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if res.StatusCode != 200 || list.Total == 0 {
		t.Errorf("seeded demo queue: %d, total %d", res.StatusCode, list.Total)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("registry after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("registry did not stop on cancel")
	}
	rest, _ := io.ReadAll(out)
	if len(rest) != 0 {
		t.Errorf("stdout after the start line: %q", rest)
	}
}

func TestRegistryCmdBanner(t *testing.T) {
	out, cancel, done, _ := startRegistryCmd(t, "--listen", "127.0.0.1:0", "--token", "tok-banner")
	var banner strings.Builder
	for !strings.Contains(banner.String(), "Ctrl-C") {
		l, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("banner: %v\n%s", err, banner.String())
		}
		banner.WriteString(l)
	}
	b := banner.String()
	for _, want := range []string{"listening on http://127.0.0.1:", "registry=http://127.0.0.1:", ":_authToken=tok-banner", "TOTP secret", "password "} {
		if !strings.Contains(b, want) {
			t.Errorf("banner lacks %q:\n%s", want, b)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestRegistryCmdUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--seed", "everything"},
		{"--listen", "0.0.0.0:0"},
		{"--listen", "example.com:80"},
	} {
		g := &globals{stdout: io.Discard, stderr: io.Discard}
		cmd := newRegistryCmd(g)
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); exitCode(err) != 2 {
			t.Errorf("%v: exit %d (%v), want 2", args, exitCode(err), err)
		}
	}
}
