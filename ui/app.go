package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/highlight"
	"github.com/stagegate/stagegate/internal/memory"
	"github.com/stagegate/stagegate/internal/posture"
	"github.com/stagegate/stagegate/internal/registry"
)

// Options configure the dashboard.
type Options struct {
	NoMouse bool
	NoColor bool
	// Theme is auto, dark or light.
	Theme string
	// DemoCode, non-nil in `stagegate demo`, returns the demo registry's
	// current 2FA code for the status bar.
	DemoCode func() string
	// AutoRefresh is the queue refresh period: 0 means the default (one
	// minute), a negative value turns it off.
	AutoRefresh time.Duration
	// Now is the clock for "staged 5m ago"; nil means time.Now.
	Now func() time.Time
	// Posture, if set, checks the release posture for the `P` view (posture.go).
	Posture func(ctx context.Context) (posture.Report, error)
	// Memory, if set, keeps viewed files, notes and approved snapshots
	// across runs (memory.go).
	Memory *memory.Store
	// Notify, if set, announces newly staged versions outside the screen
	// (bell and terminal notification, notify.go); Run sets it unless
	// NoNotify.
	Notify   func(title, body string) error
	NoNotify bool
	// Desktop, if set, also shows each announcement as a desktop
	// notification (stagegate --notify desktop). It gets the same
	// sanitised text as the terminal notification.
	Desktop func(title, body string) error
}

const (
	minWidth, minHeight = 60, 16
	defaultRefresh      = time.Minute
	messageTTL          = 5 * time.Second
	debounceDelay       = 120 * time.Millisecond
)

type screen int

const (
	scrQueue screen = iota
	scrReview
)

type overlay int

const (
	ovNone overlay = iota
	ovHelp
	ovConfirmReject
	ovAction
	ovResults
	ovQuit
	ovPosture // the release-posture view (posture.go)
)

type msgKind int

const (
	msgInfo msgKind = iota
	msgOK
	msgErr
)

// Model is the root of the dashboard: a small state machine (queue or
// review screen, plus at most one overlay) that routes messages and lays out
// the screen.
type Model struct {
	seenIDs map[string]bool // stage ids listed so far; nil until the first list
	b       Backend
	opts    Options
	st      styles
	keys    keyMap
	ctx     context.Context
	cancel  context.CancelFunc
	now     func() time.Time

	width, height int
	screen        screen
	overlay       overlay

	// Queue.
	items       []registry.StageItem
	loaded      bool
	listReq     int
	listLoading bool
	listErr     *errInfo
	cursor      int // index into visible()
	qOff        int // first body line shown
	selected    map[string]bool
	filter      lineInput
	filtering   bool
	refreshGen  int
	debounceTag int

	// interrupts counts ctrl+c presses while a decision was in flight;
	// interruptMsg is what became of it, for Run to report.
	interrupts   int
	interruptMsg string

	// Reviews, prefetched in the background.
	reviews   map[string]*reviewEntry
	jobs      map[string]*reviewJob
	nextJobID int
	lruKeys   *lru
	viewed    map[string]map[string]bool // item key -> path -> viewed

	// Review screen, nil on the queue.
	rv *reviewView
	// hl colours the diff pane's lines, in background commands.
	hl *highlight.Highlighter

	// Approve/reject in progress or being set up.
	act            *action
	confirmTargets []target
	opSeq          int
	users          map[string]string // registry -> its user (whoami), absent until known
	registries     []string          // what the queue spans, the default first
	listFailed     []*RegistryError  // registries the last list could not read while others answered
	listErrReg     string            // the registry the failed list names, when known

	// after schedules a timed message; tests replace it to fire timers by hand.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	helpOff int // first line of the help screen shown

	pv *postureView // the release-posture view, nil until opened

	spin     spinner.Model
	spinning bool
	msg      string
	msgKind  msgKind
	msgID    int
}

// New returns the dashboard model. The caller runs it with tea.NewProgram
// (or uses Run).
func New(b Backend, opts Options) tea.Model {
	return newModel(context.Background(), b, opts, lipgloss.ColorProfile(), darkBackground(opts.Theme))
}

func darkBackground(theme string) bool {
	switch theme {
	case "dark":
		return true
	case "light":
		return false
	}
	return lipgloss.HasDarkBackground()
}

func newModel(ctx context.Context, b Backend, opts Options, p termenv.Profile, dark bool) *Model {
	if opts.NoColor {
		p = termenv.Ascii
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return &Model{
		b: b, opts: opts, st: newStyles(p, dark), keys: newKeyMap(),
		ctx: ctx, cancel: cancel, now: now,
		width: 80, height: 24,
		selected:   map[string]bool{},
		reviews:    map[string]*reviewEntry{},
		jobs:       map[string]*reviewJob{},
		lruKeys:    newLRU(keepReviewBytes),
		viewed:     map[string]map[string]bool{},
		filter:     lineInput{limit: 100},
		spin:       sp,
		after:      tea.Tick,
		users:      map[string]string{},
		registries: b.Registries(),
		hl:         highlight.New(),
	}
}

// Run shows the dashboard on out (alternate screen) until the user quits or
// ctx is cancelled.
func Run(ctx context.Context, b Backend, opts Options, in io.Reader, out io.Writer) error {
	o := termenv.NewOutput(out)
	p := o.EnvColorProfile()
	dark := true
	switch opts.Theme {
	case "light":
		dark = false
	case "dark":
	default:
		dark = o.HasDarkBackground()
	}
	w, sw := terminalWriter(out)
	if opts.Notify == nil && !opts.NoNotify {
		opts.Notify = withDesktop(sw.notify, opts.Desktop)
	}
	m := newModel(ctx, b, opts, p, dark)
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(w)}
	if !opts.NoMouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	_, err := tea.NewProgram(m, popts...).Run()
	m.cancel()
	if m.interrupts > 0 {
		return fmt.Errorf("%w: %s", ErrInterrupted, m.interruptMsg)
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil // cancelled from outside (signal): a normal way to leave
	}
	return err
}

// ErrInterrupted is returned by Run when ctrl+c cut off an approve or
// reject in flight; its text says what became of it (exit status 130).
var ErrInterrupted = errors.New("interrupted")

// interruptSend handles ctrl+c while an approve or reject is with the
// registry. The first stops the request; the Backend then checks, for a
// grace period, whether it took effect (never re-sending it), and the
// dashboard quits with that outcome. The second stops the checks: the
// outcome is audited as unknown, and the dashboard quits at once. A third
// quits without waiting for anything.
func (m *Model) interruptSend() tea.Cmd {
	a := m.act
	m.interrupts++
	t := a.targets[a.next].item
	name := safeText(t.PackageName) + "@" + safeText(t.Version)
	verb := strings.ToLower(a.kind.verb())
	switch m.interrupts {
	case 1:
		a.cancel()
		a.note = "Interrupted. The " + verb + " of " + name + " may have reached the registry: checking its outcome (up to 30 s). ctrl+c again quits and records it as unknown."
		m.interruptMsg = "the " + verb + " of " + name + " was interrupted while its outcome was checked"
		m.overlay = ovAction
		return m.setStatus(msgInfo, "checking the outcome of the interrupted "+verb+" of "+name)
	case 2:
		a.checks()
		a.note = "Stopping the checks; the outcome is recorded as unknown …"
		m.interruptMsg = "the " + verb + " of " + name + " was interrupted: its outcome is unknown (recorded in the audit log; run `stagegate " + verb + " " + safeText(t.ID) + "` later to resolve it)"
		done := a.done
		return func() tea.Msg {
			// Let the Backend write the unknown outcome, but not for long.
			timer := time.NewTimer(2 * time.Second)
			defer timer.Stop()
			select {
			case <-done:
			case <-timer.C:
			}
			return tea.QuitMsg{}
		}
	}
	m.cancel()
	return tea.Quit
}

// checkProgressMsg reports the checks of an outcome whose answer was lost.
type checkProgressMsg struct {
	op   int
	text string
	next tea.Cmd
}

// latest returns a progress callback that keeps only the newest message in ch.
func latest(ch chan string) func(string) {
	return func(s string) {
		select {
		case <-ch:
		default:
		}
		select {
		case ch <- s:
		default:
		}
	}
}

// waitChecks delivers the progress of op's checks until its request returns.
func waitChecks(op int, ch chan string, done chan struct{}) tea.Cmd {
	return func() tea.Msg {
		select {
		case s := <-ch:
			return checkProgressMsg{op: op, text: s, next: waitChecks(op, ch, done)}
		case <-done:
			return nil
		}
	}
}

func (m *Model) onCheckProgress(msg checkProgressMsg) tea.Cmd {
	a := m.act
	if a == nil || msg.op != a.op || a.phase != phaseSending {
		return nil
	}
	a.note = safeText(msg.text)
	if m.interrupts == 1 {
		a.note = "Interrupted; " + a.note + " · ctrl+c again quits and records it as unknown"
	}
	return msg.next
}

// interruptedResult reports the outcome of a request interrupted by
// ctrl+c, once the Backend has checked it, and quits.
func (m *Model) interruptedResult(msg actionResultMsg) tea.Cmd {
	a := m.act
	t := a.targets[msg.idx].item
	name := safeText(t.PackageName) + "@" + safeText(t.Version)
	if msg.err == nil {
		m.interruptMsg = name + " " + a.kind.past() + " (checked after ctrl+c)"
	} else {
		m.interruptMsg = strings.ToLower(a.kind.verb()) + " of " + name + " after ctrl+c: " + errText(classify(msg.err))
	}
	for i := msg.idx + 1; i < len(a.results); i++ {
		a.results[i] = targetResult{state: resSkipped, msg: "not attempted after ctrl+c"}
	}
	a.otp = ""
	m.cancel()
	return tea.Quit
}

// Init loads the queue.
func (m *Model) Init() tea.Cmd {
	b, ctx := m.b, m.ctx
	cmds := []tea.Cmd{m.refresh(), m.armAutoRefresh()}
	for _, reg := range m.registries {
		cmds = append(cmds, func() tea.Msg {
			u, err := b.Whoami(ctx, reg)
			return whoamiMsg{registry: reg, user: u, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// itemKey names an item in the queue. Two registries may hand out the same
// stage id, so the registry is part of the key.
func itemKey(it registry.StageItem) string {
	k := it.PackageName + "@" + it.Version
	if it.ID != "" {
		k = it.ID
	}
	if it.Registry != "" {
		return it.Registry + " " + k
	}
	return k
}

// regOf is the registry an item is staged on.
func (m *Model) regOf(it registry.StageItem) string {
	if it.Registry != "" {
		return it.Registry
	}
	return m.b.Registry()
}

// multiRegistry reports a queue that spans more than one registry: rows
// are grouped by registry and modals name it.
func (m *Model) multiRegistry() bool { return len(m.registries) > 1 }

func (m *Model) itemByKey(k string) (registry.StageItem, bool) {
	for _, it := range m.items {
		if itemKey(it) == k {
			return it, true
		}
	}
	return registry.StageItem{}, false
}

// busy reports whether an approve/reject is waiting for the registry.
func (m *Model) busy() bool { return m.act != nil && m.act.inFlight() }

func (m *Model) refresh() tea.Cmd {
	m.listReq++
	m.listLoading = true
	req, b, ctx := m.listReq, m.b, m.ctx
	return tea.Batch(func() tea.Msg {
		items, err := b.List(ctx)
		return listMsg{req: req, items: items, err: err}
	}, m.startSpinner())
}

func (m *Model) armAutoRefresh() tea.Cmd {
	d := m.opts.AutoRefresh
	if d < 0 {
		return nil
	}
	if d == 0 {
		d = defaultRefresh
	}
	m.refreshGen++
	gen := m.refreshGen
	return m.after(d, func(time.Time) tea.Msg { return autoRefreshMsg{gen: gen} })
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

// loading reports whether anything runs in the background (spinner on).
func (m *Model) loading() bool {
	return m.listLoading || len(m.jobs) > 0 || m.busy() || (m.pv != nil && m.pv.loading)
}

// setStatus shows a message in the status bar that expires on its own.
func (m *Model) setStatus(kind msgKind, text string) tea.Cmd {
	m.msgID++
	m.msg, m.msgKind = text, kind
	id := m.msgID
	return m.after(messageTTL, func(time.Time) tea.Msg { return statusExpireMsg{id: id} })
}

// Update routes a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	mm, cmd := m.update(msg)
	return mm, tea.Batch(cmd, m.paneWork())
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case prettyDoneMsg:
		return m, m.onPrettyDone(msg)
	case hlDoneMsg:
		if m.rv != nil {
			m.rv.pane.onHighlight(msg)
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.rv != nil {
			m.rv.resize(m)
		}
		return m, m.schedule() // a taller queue shows rows to review
	case spinner.TickMsg:
		if !m.loading() {
			m.spinning = false
			return m, nil // stop ticking while idle
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case statusExpireMsg:
		if msg.id == m.msgID {
			m.msg = ""
		}
		return m, nil
	case autoRefreshMsg:
		if msg.gen != m.refreshGen {
			return m, nil
		}
		var cmd tea.Cmd
		if !m.listLoading && m.act == nil && !m.filtering {
			cmd = m.refresh()
		}
		return m, tea.Batch(cmd, m.armAutoRefresh())
	case debounceMsg:
		if msg.tag != m.debounceTag {
			return m, nil
		}
		return m, m.schedule()
	case listMsg:
		return m, m.onList(msg)
	case postureMsg:
		return m, m.onPosture(msg)
	case reviewProgressMsg:
		return m, m.onReviewProgress(msg)
	case reviewDoneMsg:
		return m, m.onReviewDone(msg)
	case checkProgressMsg:
		return m, m.onCheckProgress(msg)
	case actionResultMsg:
		return m, m.onActionResult(msg)
	case webAuthMsg:
		return m, m.onWebAuth(msg)
	case currentMsg:
		return m, m.onCurrent(msg)
	case memLoadedMsg:
		return m, m.onMemLoaded(msg)
	case memSavedMsg:
		if msg.err != nil {
			return m, m.setStatus(msgErr, "review memory not saved: "+safeText(msg.err.Error()))
		}
		return m, nil
	case whoamiMsg:
		// Best effort: without it the modal only misses the "you staged
		// this" warning; a login problem shows on the queue anyway.
		if msg.err == nil && msg.user != "" {
			m.users[msg.registry] = msg.user
		}
		return m, nil
	case openURLMsg:
		if msg.err != nil {
			return m, m.setStatus(msgErr, "could not open the browser: "+safeText(msg.err.Error())+"; copy the URL instead")
		}
		return m, nil
	case tea.MouseMsg:
		return m, m.onMouse(msg)
	case tea.KeyMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

// textEntry reports whether typed runes go into a text field.
func (m *Model) textEntry() bool {
	return m.filtering || (m.rv != nil && (m.rv.searching || m.rv.noting)) || (m.overlay == ovAction && m.act.phase == phaseCode)
}

func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	if k.Type == tea.KeyRunes && len(k.Runes) > 1 {
		if k.Paste && !m.textEntry() {
			// Pasted text is never a command: a clipboard holding "ay"
			// must not approve anything.
			return nil
		}
		if !k.Paste {
			// Keys typed faster than the input loop reads arrive as one
			// message ("Gk"); handle them one by one.
			var cmds []tea.Cmd
			for _, r := range k.Runes {
				cmds = append(cmds, m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
			}
			return tea.Batch(cmds...)
		}
	}
	if k.Paste && !m.textEntry() {
		return nil
	}
	if key.Matches(k, m.keys.ForceQuit) {
		if m.act != nil && m.act.phase == phaseSending {
			return m.interruptSend()
		}
		// ctrl+c always works: cancel every request and leave.
		m.cancel()
		return tea.Quit
	}
	switch m.overlay {
	case ovHelp:
		switch {
		case key.Matches(k, m.keys.Down):
			m.helpOff++
		case key.Matches(k, m.keys.Up):
			m.helpOff = max(0, m.helpOff-1)
		case key.Matches(k, m.keys.PageDown), key.Matches(k, m.keys.HalfDown):
			m.helpOff += m.height / 2
		case key.Matches(k, m.keys.PageUp), key.Matches(k, m.keys.HalfUp):
			m.helpOff = max(0, m.helpOff-m.height/2)
		default:
			m.overlay = ovNone // any other key closes help
		}
		return nil
	case ovQuit:
		if key.Matches(k, m.keys.Yes) {
			m.cancel()
			return tea.Quit
		}
		m.overlay = ovNone
		if m.act != nil {
			m.overlay = ovAction
		}
		return nil
	case ovConfirmReject:
		return m.onConfirmKey(k)
	case ovAction:
		if key.Matches(k, m.keys.Quit) && m.act.phase != phaseCode {
			return m.askQuit()
		}
		return m.onActionKey(k)
	case ovResults:
		m.overlay = ovNone
		m.act = nil
		return nil
	case ovPosture:
		return m.onPostureKey(k)
	}
	if m.filtering {
		return m.onFilterKey(k)
	}
	if m.rv != nil && m.rv.searching {
		return m.rv.onSearchKey(m, k)
	}
	if m.rv != nil && m.rv.noting {
		return m.rv.onNoteKey(m, k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.askQuit()
	case key.Matches(k, m.keys.Help):
		m.overlay, m.helpOff = ovHelp, 0
		return nil
	case key.Matches(k, m.keys.Posture):
		return m.openPosture()
	}
	if m.screen == scrReview {
		return m.rv.onKey(m, k)
	}
	return m.onQueueKey(k)
}

// askQuit quits, or asks first when an approval is in flight.
func (m *Model) askQuit() tea.Cmd {
	if m.busy() {
		m.overlay = ovQuit
		return nil
	}
	m.cancel()
	return tea.Quit
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if m.overlay != ovNone {
		return nil
	}
	delta := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		delta = -3
	case tea.MouseButtonWheelDown:
		delta = 3
	default:
		return nil
	}
	if m.screen == scrReview && m.rv != nil {
		m.rv.wheel(m, msg.X, msg.Y, delta)
		return nil
	}
	return m.moveCursor(delta / 3)
}

// View draws the screen.
func (m *Model) View() string {
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	var body []string
	bodyH := m.height - 1
	if m.screen == scrReview && m.rv != nil {
		body = m.rv.view(m, m.width, bodyH)
	} else {
		body = m.queueView(m.width, bodyH)
	}
	body = fitLines(body, m.width, bodyH)
	switch m.overlay {
	case ovHelp:
		body = m.helpView(m.width, bodyH)
	case ovConfirmReject:
		body = overlayBox(body, m.confirmBox(), m.width)
	case ovAction:
		body = overlayBox(body, m.actionBox(), m.width)
	case ovResults:
		body = overlayBox(body, m.resultsBox(), m.width)
	case ovQuit:
		body = overlayBox(body, m.quitBox(), m.width)
	case ovPosture:
		body = m.postureBody(m.width, bodyH)
	}
	return strings.Join(append(body, m.statusBar()), "\n")
}

func (m *Model) tooSmall() string {
	lines := []string{
		"Terminal too small",
		fmt.Sprintf("%dx%d; stagegate needs at least %dx%d.", m.width, m.height, minWidth, minHeight),
		"Enlarge the window, or press q to quit.",
	}
	// Whatever the size, even 1x1: never more lines or columns than there are.
	lines = lines[:min(len(lines), max(1, m.height))]
	for i := range lines {
		lines[i] = cut(lines[i], max(1, m.width))
	}
	return strings.Join(lines, "\n")
}

// sortItems groups the queue by registry (in the order regs lists them),
// then by package (names sorted), and orders each package's versions by
// when they were staged.
func sortItems(items []registry.StageItem, regs []string) {
	rank := func(r string) int {
		for i, x := range regs {
			if x == r {
				return i
			}
		}
		if r == "" {
			return 0 // the default registry
		}
		return len(regs)
	}
	sort.SliceStable(items, func(i, j int) bool {
		if ri, rj := rank(items[i].Registry), rank(items[j].Registry); ri != rj {
			return ri < rj
		}
		if items[i].PackageName != items[j].PackageName {
			return items[i].PackageName < items[j].PackageName
		}
		return items[i].CreatedAt < items[j].CreatedAt
	})
}
