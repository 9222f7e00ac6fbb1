package ui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// updating reports -update, the flag x/exp/golden (used by teatest)
// registers; our goldens follow the same flag.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

// fixedNow is the clock of every test, so "2h ago" is stable in goldens.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type call struct {
	op, id, shasum, otp string
	reg                 string // the item's registry, "" for the default
}

// fakeBackend is a scriptable Backend. Review and PollWebAuth can be held
// on a gate to test loading states; approve decides each Approve/Reject.
type fakeBackend struct {
	mu        sync.Mutex
	items     []registry.StageItem
	listErr   error
	lists     int
	reviews   map[string]*review.Review
	reviewErr map[string]error
	gate      chan struct{} // non-nil: Review waits for it
	started   []string      // ids Review was called for
	running   int
	maxRun    int
	decide    func(c call) error
	decideCtx func(ctx context.Context, c call) error // when set, instead of decide
	calls     []call
	webOTP    string
	webErr    error
	webGate   chan struct{}
	opened    []string
	// current overrides what Current reports for an id; by default it is
	// what the item's review was computed against (nothing changed).
	current map[string]approval.Current
	user    string // Whoami
	// regs is what the queue spans (default: one registry); users the
	// Whoami answer per registry when set.
	regs    []string
	users   map[string]string
	webRegs []string // the registry of each PollWebAuth
}

func (f *fakeBackend) Current(ctx context.Context, it registry.StageItem) (approval.Current, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.current[it.ID]; ok {
		return c, nil
	}
	r := f.reviews[it.ID]
	if r == nil {
		r = smallReview(it)
	}
	c := approval.Current{Tag: approval.TagMove{Tag: it.Tag, From: r.Stage.TagFrom, To: it.Version}}
	if r.Base != nil {
		c.Base = r.Base.Version
	}
	return c, nil
}

func (f *fakeBackend) Whoami(ctx context.Context, reg string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users != nil {
		return f.users[reg], nil
	}
	return f.user, nil
}

func (f *fakeBackend) Registry() string { return "http://127.0.0.1:4873/" }

func (f *fakeBackend) Registries() []string {
	if f.regs != nil {
		return f.regs
	}
	return []string{f.Registry()}
}

func (f *fakeBackend) List(ctx context.Context) ([]registry.StageItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if le, ok := f.listErr.(*ListErrors); ok && le.Answered > 0 {
		return append([]registry.StageItem(nil), f.items...), le // a partial list
	}
	if f.listErr != nil {
		return nil, f.listErr
	}
	return append([]registry.StageItem(nil), f.items...), nil
}

func (f *fakeBackend) Review(ctx context.Context, it registry.StageItem, progress func(review.Progress)) (*review.Review, error) {
	f.mu.Lock()
	f.started = append(f.started, it.ID)
	f.running++
	f.maxRun = max(f.maxRun, f.running)
	gate := f.gate
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.mu.Unlock()
	}()
	progress(review.Progress{Phase: "staged tarball", Done: 45, Total: 100})
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reviewErr[it.ID]; err != nil {
		return nil, err
	}
	if r := f.reviews[it.ID]; r != nil {
		return r, nil
	}
	return smallReview(it), nil
}

func (f *fakeBackend) act(ctx context.Context, op string, it registry.StageItem, sha, otp string) error {
	f.mu.Lock()
	c := call{op: op, id: it.ID, shasum: sha, otp: otp, reg: it.Registry}
	f.calls = append(f.calls, c)
	d, dc := f.decide, f.decideCtx
	f.mu.Unlock()
	if dc != nil {
		return dc(ctx, c)
	}
	if d == nil {
		return nil
	}
	return d(c)
}

func (f *fakeBackend) Approve(ctx context.Context, it registry.StageItem, sha, otp string) error {
	return f.act(ctx, "approve", it, sha, otp)
}

func (f *fakeBackend) Reject(ctx context.Context, it registry.StageItem, sha, otp string) error {
	return f.act(ctx, "reject", it, sha, otp)
}

func (f *fakeBackend) PollWebAuth(ctx context.Context, reg, doneURL string) (string, error) {
	f.mu.Lock()
	f.webRegs = append(f.webRegs, reg)
	g := f.webGate
	f.mu.Unlock()
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return f.webOTP, f.webErr
}

func (f *fakeBackend) OpenURL(u string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, u)
	return nil
}

func (f *fakeBackend) callsCopy() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// codeRegistry accepts the given codes; an empty code gets a web-auth
// challenge when web is set, a plain OTP challenge otherwise. Each code is
// accepted uses times (0: unlimited), then the registry challenges again.
func codeRegistry(web bool, uses int, codes ...string) func(call) error {
	var mu sync.Mutex
	used := map[string]int{}
	return func(c call) error {
		mu.Lock()
		defer mu.Unlock()
		if c.otp == "" {
			e := &registry.Error{Kind: registry.ErrOTPRequired, Message: "this operation requires a one-time password"}
			if web {
				e.AuthURL, e.DoneURL = "http://127.0.0.1:4873/-/weblogin/abc", "http://127.0.0.1:4873/-/weblogin/abc/done"
			}
			return e
		}
		for _, ok := range codes {
			if c.otp == ok {
				if uses > 0 && used[ok] >= uses {
					return &registry.Error{Kind: registry.ErrOTPRequired, Message: "one-time password expired"}
				}
				used[ok]++
				return nil
			}
		}
		return &registry.Error{Kind: registry.ErrOTPRejected, Message: "invalid one-time password"}
	}
}

func stageItems() []registry.StageItem {
	return []registry.StageItem{
		{ID: "id-router-152", PackageName: "@acme/router", Version: "1.5.2", Tag: "latest", CreatedAt: "2026-11-25T10:00:00Z",
			Actor: "github-actions", ActorType: "oidc", Shasum: "1111111111111111111111111111111111111111"},
		{ID: "id-leftpad-200", PackageName: "left-pad", Version: "2.0.0", Tag: "next", CreatedAt: "2026-11-22T12:00:00Z",
			Actor: "bob", ActorType: "user", Shasum: "2222222222222222222222222222222222222222"},
		{ID: "id-router-151", PackageName: "@acme/router", Version: "1.5.1", Tag: "latest", CreatedAt: "2026-11-25T11:55:00Z",
			Actor: "alice", ActorType: "user", Shasum: "3333333333333333333333333333333333333333"},
	}
}

func smallReview(it registry.StageItem) *review.Review {
	id := it.ID
	return &review.Review{
		Schema: 1, Package: it.PackageName,
		Staged:  review.Staged{Version: it.Version, ID: &id, Tag: it.Tag, Shasum: it.Shasum, Verified: true, Actor: it.Actor, ActorType: it.ActorType},
		Base:    &review.Base{Version: "1.0.0", Verified: true, Reason: "dist-tag latest"},
		Summary: review.Summary{FilesModified: 1, LinesAdded: 1, LinesRemoved: 1, BytesBefore: 100, BytesAfter: 104},
		Files:   []review.File{{Path: "index.js", Status: "modified", OldSize: 100, NewSize: 104, LinesAdded: 1, LinesRemoved: 1}},
		Diff: &diff.Result{Files: []diff.FileDiff{{Path: "index.js", Status: diff.Modified, OldSize: 100, NewSize: 104, LinesAdded: 1, LinesRemoved: 1,
			Hunks: []diff.Hunk{{OldStart: 1, OldLines: 2, NewStart: 1, NewLines: 2, Lines: []diff.Line{
				{Kind: diff.Context, OldNo: 1, NewNo: 1, Text: "'use strict'"},
				{Kind: diff.Del, OldNo: 2, Text: "module.exports = function pad (s) { return s }"},
				{Kind: diff.Add, NewNo: 2, Text: "module.exports = function pad (s, n) { return s }"},
			}}}}}},
	}
}

// richReview has manifest changes, signals, a normal file, a minified
// file, a lockfile, a binary, a mode change and a hostile line.
func richReview(it registry.StageItem) *review.Review {
	r := smallReview(it)
	r.Summary = review.Summary{FilesAdded: 2, FilesModified: 4, LinesAdded: 9, LinesRemoved: 3, BytesBefore: 52000, BytesAfter: 1250000}
	r.Manifest = []diff.ManifestChange{
		{Path: "description", Change: "changed", Old: "router", New: "a router"},
		{Path: "scripts.postinstall", Change: "added", New: "node setup.js"},
		{Path: "dependencies.left-pad", Change: "added", New: "github:evil/left-pad"},
	}
	r.Signals = []review.Signal{
		{ID: "install-script", Severity: "high", Path: "package.json", Title: "postinstall script added", Detail: "node setup.js"},
		{ID: "non-registry-dependency", Severity: "high", Path: "package.json", Title: "dependency from github"},
		{ID: "obfuscated-code", Severity: "medium", Path: "dist/router.min.js", Title: "file became minified"},
	}
	lines := []diff.Line{
		{Kind: diff.Context, OldNo: 10, NewNo: 10, Text: "function route(path) {"},
		{Kind: diff.Del, OldNo: 11, Text: "\treturn match(path)"},
		{Kind: diff.Add, NewNo: 11, Text: "\treturn match(normalize(path))"},
		{Kind: diff.Add, NewNo: 12, Text: "\t// evil \x1b[2J\x1b]0;pwned\x07 title"},
		{Kind: diff.Context, OldNo: 12, NewNo: 13, Text: "}"},
	}
	r.Diff = &diff.Result{Files: []diff.FileDiff{
		{Path: "bin/router-native.node", Status: diff.Added, Binary: true, NewSize: 1100000},
		{Path: "dist/router.min.js", Status: diff.Modified, Minified: true, TokenDiff: true, OldSize: 40000, NewSize: 90000, LinesAdded: 1, LinesRemoved: 1,
			Hunks: []diff.Hunk{{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []diff.Line{
				{Kind: diff.Del, OldNo: 1, Text: "var a=1;"}, {Kind: diff.Add, NewNo: 1, Text: "var _0x1=1;"}}}}},
		{Path: "lib/index.js", Status: diff.Modified, OldSize: 2000, NewSize: 2100, LinesAdded: 2, LinesRemoved: 1,
			Hunks: []diff.Hunk{{OldStart: 10, OldLines: 3, NewStart: 10, NewLines: 4, Lines: lines},
				{OldStart: 40, OldLines: 1, NewStart: 41, NewLines: 2, Lines: []diff.Line{
					{Kind: diff.Context, OldNo: 40, NewNo: 41, Text: "module.exports = route"},
					{Kind: diff.Add, NewNo: 42, Text: "module.exports.secret = process.env"},
				}}}},
		{Path: "package-lock.json", Status: diff.Modified, OldSize: 10000, NewSize: 11000, LinesAdded: 5, LinesRemoved: 1},
		{Path: "scripts/run.sh", Status: diff.ModeOnly, OldMode: 0o644, NewMode: 0o755, OldSize: 10, NewSize: 10},
		{Path: "setup.js", Status: diff.Added, NewSize: 300, LinesAdded: 1,
			Hunks: []diff.Hunk{{OldStart: 0, OldLines: 0, NewStart: 1, NewLines: 1, Lines: []diff.Line{{Kind: diff.Add, NewNo: 1, Text: "require('child_process').exec('curl http://x')"}}}}},
	}}
	r.Files = nil
	for _, f := range r.Diff.Files {
		r.Files = append(r.Files, review.File{Path: f.Path, Status: string(f.Status), Binary: f.Binary, OldSize: f.OldSize, NewSize: f.NewSize,
			LinesAdded: f.LinesAdded, LinesRemoved: f.LinesRemoved})
	}
	return r
}

// harness drives a Model the way bubbletea does: Update, then run the
// returned Cmds and feed their messages back, until nothing is left but
// timers and calls held on a gate.
type harness struct {
	t      *testing.T
	m      *Model
	f      *fakeBackend
	msgs   chan tea.Msg
	active int
	timers []func(time.Time) tea.Msg
	quit   bool
}

func newHarness(t *testing.T, f *fakeBackend, w, h int) *harness {
	t.Helper()
	return newHarnessWith(t, f, w, h, nil)
}

// newHarnessWith lets a test adjust the model (limits, budgets) before it starts.
func newHarnessWith(t *testing.T, f *fakeBackend, w, h int, adjust func(*Model)) *harness {
	t.Helper()
	hs := newHarnessOn(t, f, w, h, adjust)
	hs.f = f
	return hs
}

// newHarnessOn runs the model on any backend (the real review engine, for
// the scale tests); h.f is then nil.
func newHarnessOn(t *testing.T, b Backend, w, h int, adjust func(*Model)) *harness {
	t.Helper()
	m := newModel(context.Background(), b, Options{Now: func() time.Time { return fixedNow }}, termenv.Ascii, true)
	hs := &harness{t: t, m: m, msgs: make(chan tea.Msg, 64)}
	m.after = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		hs.timers = append(hs.timers, fn)
		return nil
	}
	t.Cleanup(m.cancel)
	if adjust != nil {
		adjust(m)
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.exec(m.Init())
	hs.settle()
	return hs
}

func (h *harness) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.active++
	go func() { h.msgs <- cmd() }()
}

func (h *harness) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.exec(c)
		}
		return
	case spinner.TickMsg:
		return // animation only; dropping it stops the spinner loop
	case tea.QuitMsg:
		h.quit = true
		return
	}
	_, cmd := h.m.Update(msg)
	_ = h.m.View() // bubbletea renders after every update; views size their panes
	h.exec(cmd)
}

// send delivers msg and settles.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	h.deliver(msg)
	h.settle()
}

// settle runs Cmds until all are done, or until the only ones left have
// been blocked for a while (held on a gate).
func (h *harness) settle() {
	h.t.Helper()
	for h.active > 0 {
		select {
		case msg := <-h.msgs:
			h.active--
			h.deliver(msg)
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

// fire runs the pending timers (status expiry, debounce, auto refresh).
func (h *harness) fire() {
	ts := h.timers
	h.timers = nil
	for _, fn := range ts {
		h.deliver(fn(fixedNow))
	}
	h.settle()
}

func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "space", " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+n":
		return tea.KeyMsg{Type: tea.KeyCtrlN}
	case "ctrl+p":
		return tea.KeyMsg{Type: tea.KeyCtrlP}
	case "ctrl+d":
		return tea.KeyMsg{Type: tea.KeyCtrlD}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// screen is the colour-stripped view.
func (h *harness) screen() string { return ansi.Strip(h.m.View()) }

func (h *harness) mustSee(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			h.t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

func (h *harness) mustNotSee(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if strings.Contains(s, p) {
			h.t.Fatalf("screen shows %q:\n%s", p, s)
		}
	}
}

// golden compares the colour-stripped view with testdata/<name>.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.Join(trimRight(strings.Split(got, "\n")), "\n") + "\n"
	p := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs from golden at line %d (run with -update to accept):\ngot:  %q\nwant: %q\n--- got\n%s", name, i+1, g, w, got)
				return
			}
		}
	}
}

func trimRight(ls []string) []string {
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, " ")
	}
	return ls
}

func resize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
