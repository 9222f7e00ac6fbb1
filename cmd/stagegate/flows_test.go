package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/audit"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/ui"
)

// These flows run the real dashboard (teatest) on the real backend against
// the embedded registry over HTTP: what a maintainer types, what the
// registry then holds.

type flow struct {
	t      *testing.T
	srv    *devregistry.Server
	url    string
	client *registry.Client
	tm     *teatest.TestModel

	mu   sync.Mutex
	out  []byte // everything the program has drawn
	mark int    // where the output stood at the last key sent
}

// collect keeps all output, so a wait sees every frame drawn since the last
// key, however frames and waits interleave.
func (f *flow) collect() {
	buf := make([]byte, 32<<10)
	for {
		n, err := f.tm.Output().Read(buf)
		if n > 0 {
			f.mu.Lock()
			f.out = append(f.out, buf[:n]...)
			f.mu.Unlock()
		}
		if err != nil && n == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// typ sends keys after marking the output, so the next wait only accepts what they cause.
func (f *flow) typ(s string) {
	f.mu.Lock()
	f.mark = len(f.out)
	f.mu.Unlock()
	f.tm.Type(s)
}

func startDashboardFlow(t *testing.T, webAuth bool) *flow {
	t.Helper()
	srv, u := startDemoRegistry(t, devregistry.Options{WebAuth: webAuth})
	client, err := registry.New(registry.Options{Registry: u, Auth: staticAuth{regURL: u, token: srv.Token()}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b := &backend{
		reg: u, client: client, mem: &dashboardMemory{},
		engine:  &review.Engine{Registry: client, Cache: review.NewCache(filepath.Join(dir, "cache"), 64<<20)},
		decider: &approval.Decider{Client: client, Registry: u, Via: "test", Audit: audit.Open(filepath.Join(dir, "audit.jsonl")).Append},
		// The browser: a person clicks "Approve" on the registry's page.
		open: func(page string) error {
			resp, err := http.Post(page, "application/x-www-form-urlencoded", nil)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("confirm page: %s", resp.Status)
			}
			return nil
		},
	}
	m := ui.New(&queue{regs: []*backend{b}}, ui.Options{AutoRefresh: -1})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	f := &flow{t: t, srv: srv, url: u, client: client, tm: tm}
	go f.collect()
	// One wait: a wait consumes what it has read, and the list and the first
	// review summaries can arrive in the same frame.
	f.wait("✓ verified")
	t.Cleanup(func() {
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return f
}

func (f *flow) wait(s string) {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		ok := bytes.Contains(f.out[f.mark:], []byte(s))
		f.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t.Fatalf("the dashboard never drew %q after the last key; last output:\n%q", s, f.out[max(f.mark, len(f.out)-2000):])
}

// approveKey presses a; while the row's review is still loading the
// dashboard refuses (by design), so press again until the modal opens.
func (f *flow) approveKey() {
	f.t.Helper()
	// Wait for the first row's review to be drawn (its file count): a
	// second identical refusal draws nothing new, since the renderer only
	// repaints changed lines, so pressing blindly could wait forever.
	f.mu.Lock()
	f.mark = 0
	f.mu.Unlock()
	f.wait("7 files +43 -16")
	for try := 0; try < 100; try++ {
		f.typ("a")
		switch f.waitAny("2FA code", "still being reviewed") {
		case "2FA code":
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.t.Fatal("the review of the first row never completed")
}

// waitAny waits for the first of several texts drawn since the last key.
func (f *flow) waitAny(texts ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		out := f.out[f.mark:]
		for _, s := range texts {
			if bytes.Contains(out, []byte(s)) {
				f.mu.Unlock()
				return s
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	f.t.Fatalf("the dashboard drew none of %q after the last key", texts)
	return ""
}

func (f *flow) code() string {
	c, err := totp.GenerateCode(f.srv.TOTPSecret(), time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// wrongCode is valid for no step within ±2 minutes.
func (f *flow) wrongCode() string {
	valid := map[string]bool{}
	for d := -4; d <= 4; d++ {
		c, _ := totp.GenerateCodeCustom(f.srv.TOTPSecret(), time.Now().Add(time.Duration(d)*30*time.Second),
			totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		valid[c] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", (123457+i*7919)%1000000); !valid[c] {
			return c
		}
	}
}

func (f *flow) enter() {
	f.mu.Lock()
	f.mark = len(f.out)
	f.mu.Unlock()
	f.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
}

func (f *flow) published(name, version string) bool {
	f.t.Helper()
	p, err := f.client.Packument(context.Background(), name)
	if err != nil {
		f.t.Fatal(err)
	}
	_, ok := p.Versions[version]
	return ok
}

func (f *flow) staged(name, version string) bool {
	f.t.Helper()
	items, err := f.client.ListStaged(context.Background(), name)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, it := range items {
		if it.Version == version {
			return true
		}
	}
	return false
}

// The queue opens on @acme/charts 3.3.1 (first package, first row).

func TestDashboardApproveWithCode(t *testing.T) {
	f := startDashboardFlow(t, false)
	f.approveKey()
	f.typ(f.code())
	f.enter()
	f.wait("approved @acme/charts@3.3.1")
	if !f.published("@acme/charts", "3.3.1") || f.staged("@acme/charts", "3.3.1") {
		t.Fatal("approval from the dashboard did not publish @acme/charts@3.3.1")
	}
}

func TestDashboardWrongCodeThenRetry(t *testing.T) {
	f := startDashboardFlow(t, false)
	f.approveKey()
	f.typ(f.wrongCode())
	f.enter()
	// Plain words, not npm's "pass --otp=<code> to the command you ran".
	f.wait("did not accept the code: it may be")
	f.mu.Lock()
	leaked := bytes.Contains(f.out, []byte("command you ran"))
	f.mu.Unlock()
	if leaked {
		t.Error("npm's generic OTP text in the dashboard")
	}
	if f.published("@acme/charts", "3.3.1") {
		t.Fatal("published with a wrong code")
	}
	f.typ(f.code())
	f.enter()
	f.wait("approved @acme/charts@3.3.1")
	if !f.published("@acme/charts", "3.3.1") {
		t.Fatal("not published after the retry")
	}
}

func TestDashboardRejectWithConfirmation(t *testing.T) {
	f := startDashboardFlow(t, false)
	f.typ("x")
	f.wait("permanent")
	f.typ("y")
	f.wait("2FA code")
	f.typ(f.code())
	f.enter()
	f.wait("rejected @acme/charts@3.3.1")
	if f.staged("@acme/charts", "3.3.1") || f.published("@acme/charts", "3.3.1") {
		t.Fatal("rejected version is still staged or was published")
	}
}

func TestDashboardBatchApproveOneCode(t *testing.T) {
	f := startDashboardFlow(t, false)
	f.typ(" ") // select @acme/charts 3.3.1, move down
	f.wait("1 selected")
	f.typ(" ") // and @acme/forms 1.9.1
	f.wait("2 selected")
	f.approveKey()
	f.wait("one code")
	f.typ(f.code())
	f.enter()
	f.wait("2 approved")
	if !f.published("@acme/charts", "3.3.1") || !f.published("@acme/forms", "1.9.1") {
		t.Fatal("batch approval did not publish both versions")
	}
}

func TestDashboardWebAuth(t *testing.T) {
	f := startDashboardFlow(t, true)
	f.approveKey()
	f.enter() // empty code: sign in with the browser
	f.wait("/-/weblogin/")
	f.typ("o") // "opens the browser": the test's browser clicks Approve
	f.wait("approved @acme/charts@3.3.1")
	if !f.published("@acme/charts", "3.3.1") {
		t.Fatal("web-auth approval did not publish")
	}
}
