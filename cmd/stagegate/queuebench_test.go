package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/stagegate/stagegate/internal/conformance"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/tarball"
	"github.com/stagegate/stagegate/ui"
)

// TestQueueBench is the queue budget of architecture.md §6: a queue of 21
// real staged versions (bench/queue-pairs.txt: 20 popular packages' patch
// releases plus typescript 5.4.5→5.5.4) on a loopback registry, every row
// reviewed in the dashboard within 3 s, RSS at most 300 MiB once all are
// reviewed.
//
// The test process is the registry: it starts the embedded registry
// (internal/devregistry, real HTTP on 127.0.0.1), publishes each pair's base
// version with its real package.json as the manifest and stages the new
// version the way `npm stage publish` does. It then runs the dashboard in a
// child process (this test binary again), so the memory figures are the
// dashboard's alone, not the registry's copies of the tarballs.
//
// The child builds the dashboard exactly as `stagegate` does (npm
// configuration → newEnv → newBackend: env.engine() with the on-disk tarball
// cache, empty at start, and dependency lookups on), wraps ui.New's model
// in a watcher and runs it in a real bubbletea Program (input off, frames
// drawn at 160x100 in true colour to a discarding writer). The clock starts
// when the Program starts (Init lists the queue) and stops in the Update
// where the rendered queue first shows every row reviewed (files, lines and
// the integrity verdict in each row's review column); prefetch runs with the
// dashboard's own concurrency bound (ui/prefetch.go). RSS is read from
// /proc/self/status at that moment: VmRSS (resident now) and VmHWM (peak).
//
// It skips when the tarballs are absent ($STAGEGATE_BENCH_CACHE, default
// bench/.cache; bench/signals-eval.sh fetches them) and in -short mode. It
// fails when a row is not reviewed within 60 s or a review fails; the
// budgets themselves are checked only with STAGEGATE_QUEUE_BUDGET=1 (and by
// bench/queue.sh with CHECK=1, on the median of its runs), since a loaded
// machine running the whole suite in parallel says nothing about them.
//
// With STAGEGATE_QUEUEBENCH_BYHAND=1 it then does the same 21 reviews by
// hand against the same registry and reports that time (see byHand).
func TestQueueBench(t *testing.T) {
	if os.Getenv(queueChildEnv) != "" {
		queueBenchChild(t)
		return
	}
	if testing.Short() {
		t.Skip("the 21-version queue benchmark is not run with -short")
	}
	pairs, cache := queuePairs(t)
	srv, u, ids, lookups := startQueueRegistry(t, pairs, cache)

	dir := t.TempDir()
	npmrc := filepath.Join(dir, "npmrc")
	nerf := strings.TrimPrefix(u, "http:")
	if err := os.WriteFile(npmrc, []byte("registry="+u+"/\n"+nerf+"/:_authToken="+srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runQueueChild(t, npmrc, len(pairs))
	t.Logf("rows %d, all reviewed in %.3f s (%.3f s of CPU), RSS %.1f MiB (%.1f MiB anonymous; peak %.1f MiB), Go heap in use %.1f MiB, %d GCs, %d packument reads of names not in the queue (dependency lookups)",
		res.Rows, res.Seconds, res.CPU, mib(res.RSSKiB), mib(res.AnonKiB), mib(res.HWMKiB), float64(res.HeapInuse)/(1<<20), res.NumGC, lookups.Load())
	// One machine-readable line for bench/queue.sh.
	fmt.Printf("queuebench rows=%d seconds=%.3f cpu_s=%.3f rss_kib=%d rss_anon_kib=%d hwm_kib=%d heap_inuse=%d gcs=%d dep_lookups=%d\n",
		res.Rows, res.Seconds, res.CPU, res.RSSKiB, res.AnonKiB, res.HWMKiB, res.HeapInuse, res.NumGC, lookups.Load())
	if res.Rows != len(pairs) {
		t.Fatalf("%d rows reviewed, want %d", res.Rows, len(pairs))
	}
	budget := os.Getenv("STAGEGATE_QUEUE_BUDGET") == "1"
	if os.Getenv("STAGEGATE_QUEUEBENCH_BYHAND") == "1" {
		h := byHand(t, u, srv.Token(), npmrc, pairs, ids)
		if budget && res.Seconds > 0.1*h.total() {
			t.Errorf("the dashboard took %.3fx of the by-hand time, budget 0.1x", res.Seconds/h.total())
		}
		t.Logf("by hand: %.3f s (npm stage download %.3f s, npm pack of the base %.3f s, tar xzf %.3f s, diff -ruN %.3f s; %d diff lines); the dashboard took %.3fx of it",
			h.total(), h.download, h.pack, h.tar, h.diff, h.lines, res.Seconds/h.total())
		fmt.Printf("queuebench-byhand seconds=%.3f download=%.3f pack=%.3f tar=%.3f diff=%.3f diff_lines=%d npm=%s npm_download_failed=%d\n",
			h.total(), h.download, h.pack, h.tar, h.diff, h.lines, h.npmVersion, len(h.npmFailed))
		if len(h.npmFailed) > 0 {
			t.Logf("npm %s stage download failed (%q) on %d of %d: %s; npm's time until it failed and a registry-client fetch of the tarball are counted for those",
				h.npmVersion, npmDownloadBug, len(h.npmFailed), len(pairs), strings.Join(h.npmFailed, ", "))
		}
	}
	if budget {
		if res.Seconds > 3 {
			t.Errorf("every row reviewed after %.3f s, budget 3 s", res.Seconds)
		}
		if res.RSSKiB > 300<<10 {
			t.Errorf("RSS %.1f MiB once all are reviewed, budget 300 MiB", mib(res.RSSKiB))
		}
	}
}

const (
	queueChildEnv  = "STAGEGATE_QUEUEBENCH_NPMRC"
	queueRowsEnv   = "STAGEGATE_QUEUEBENCH_ROWS"
	queueResultTag = "queuebench-result "
	queueWidth     = 160
	queueHeight    = 100
)

type queueResult struct {
	Rows      int     `json:"rows"`
	Seconds   float64 `json:"seconds"`
	RSSKiB    int64   `json:"rss_kib"`
	HWMKiB    int64   `json:"hwm_kib"`
	AnonKiB   int64   `json:"rss_anon_kib"` // the private part of VmRSS
	HeapInuse uint64  `json:"heap_inuse"`
	NumGC     uint32  `json:"num_gc"`
	CPU       float64 `json:"cpu_s"` // user+system CPU seconds of the process so far
	Failed    string  `json:"failed,omitempty"`
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

type queuePair struct{ name, base, staged string }

// queuePairs reads bench/queue-pairs.txt and checks every tarball is in the
// cache; it skips the test, naming what is missing, when one is not.
func queuePairs(t *testing.T) ([]queuePair, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "bench", "queue-pairs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var pairs []queuePair
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			t.Fatalf("bench/queue-pairs.txt: %q is not \"name base staged\"", line)
		}
		pairs = append(pairs, queuePair{f[0], f[1], f[2]})
	}
	cache := os.Getenv("STAGEGATE_BENCH_CACHE")
	if cache == "" {
		cache = filepath.Join("..", "..", "bench", ".cache")
	}
	var missing []string
	for _, p := range pairs {
		for _, v := range []string{p.base, p.staged} {
			if _, err := os.Stat(queueTarball(cache, p.name, v)); err != nil {
				missing = append(missing, p.name+"@"+v)
			}
		}
	}
	if len(missing) > 0 {
		t.Skipf("the queue benchmark needs the real tarballs of bench/queue-pairs.txt in %s/benign (bench/signals-eval.sh --benign-only fetches them, or set STAGEGATE_BENCH_CACHE); missing: %s",
			cache, strings.Join(missing, ", "))
	}
	return pairs, cache
}

// queueTarball is where bench/signals-eval.sh keeps name@version's npm pack.
func queueTarball(cache, name, version string) string {
	return filepath.Join(cache, "benign", strings.ReplaceAll(name, "/", "__")+"@"+version+".tgz")
}

// startQueueRegistry starts the embedded registry on loopback, publishes
// every base version and stages every new one. It counts the packument reads
// of names outside the queue: the review engine's dependency lookups.
func startQueueRegistry(t *testing.T, pairs []queuePair, cache string) (*devregistry.Server, string, []string, *atomic.Int64) {
	t.Helper()
	queued := map[string]bool{}
	for _, p := range pairs {
		queued[registryPath(p.name)] = true
	}
	lookups := &atomic.Int64{}
	counter := slog.New(&countHandler{fn: func(method, path string) {
		if method == http.MethodGet && !strings.HasPrefix(path, "/-/") && !strings.Contains(path, "/-/") && !queued[path] {
			lookups.Add(1)
		}
	}})
	srv, err := devregistry.New(devregistry.Options{Logger: counter})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	u, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u = strings.TrimSuffix(u, "/")
	t.Cleanup(func() { srv.Close() })
	client, err := registry.New(registry.Options{Registry: u, Auth: staticAuth{regURL: u, token: srv.Token()}, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range pairs {
		doc := realPublishDoc(t, u, p.name, p.base, queueTarball(cache, p.name, p.base))
		req, err := http.NewRequest(http.MethodPut, u+"/"+conformance.EscapeName(p.name), bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("publish %s@%s: %s %s", p.name, p.base, resp.Status, body)
		}
		doc = realPublishDoc(t, u, p.name, p.staged, queueTarball(cache, p.name, p.staged))
		id, err := client.StagePublish(context.Background(), doc, p.name)
		if err != nil {
			t.Fatalf("stage %s@%s: %v", p.name, p.staged, err)
		}
		ids = append(ids, id)
	}
	lookups.Store(0) // the set-up reads nothing, but count only the dashboard
	return srv, u, ids, lookups
}

// registryPath is the decoded URL path of name's packument, as the registry logs it.
func registryPath(name string) string { return "/" + name }

// countHandler passes each request line the registry logs (method and path,
// never headers) to fn.
type countHandler struct {
	fn func(method, path string)
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	var method, path string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			method = a.Value.String()
		case "path":
			path = a.Value.String()
		}
		return true
	})
	h.fn(method, path)
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }

// realPublishDoc is the document npm sends for a real tarball: its own
// package.json as the manifest (dependencies, scripts, bin: what the review
// compares), plus _id and dist.
func realPublishDoc(t *testing.T, reg, name, version, path string) []byte {
	t.Helper()
	tgz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := tarball.ReadBytes(tgz, tarball.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var man map[string]any
	for _, f := range pkg.Files {
		if f.Path == "package.json" {
			if err := json.Unmarshal(f.Data, &man); err != nil {
				t.Fatalf("%s: package.json: %v", path, err)
			}
		}
	}
	if man == nil || man["name"] != name || man["version"] != version {
		t.Fatalf("%s: package.json is not %s@%s", path, name, version)
	}
	d := conformance.Digest(tgz)
	file := name[strings.LastIndex(name, "/")+1:] + "-" + version + ".tgz"
	man["_id"] = name + "@" + version
	man["dist"] = map[string]any{"integrity": d.Integrity, "shasum": d.Shasum, "tarball": reg + "/" + name + "/-/" + file}
	doc := map[string]any{
		"_id": name, "name": name,
		"dist-tags": map[string]string{"latest": version},
		"versions":  map[string]any{version: man},
		"access":    "public",
		"_attachments": map[string]any{file: map[string]any{
			"content_type": "application/octet-stream",
			"data":         base64.StdEncoding.EncodeToString(tgz),
			"length":       len(tgz),
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runQueueChild runs the dashboard half in a fresh process and returns what it measured.
func runQueueChild(t *testing.T, npmrc string, rows int) queueResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestQueueBench$", "-test.count=1")
	// The child sees neither the caller's npm configuration nor its tokens.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToLower(k), "npm_config_") || k == "NPM_TOKEN" || k == "NODE_AUTH_TOKEN" ||
			k == "GOMEMLIMIT" || k == "GOGC" {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, queueChildEnv+"="+npmrc, queueRowsEnv+"="+strconv.Itoa(rows))
	for _, k := range []string{"GOMEMLIMIT", "GOGC"} {
		if v := os.Getenv("STAGEGATE_QUEUEBENCH_" + k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if prof := os.Getenv("STAGEGATE_QUEUEBENCH_CPUPROFILE"); prof != "" {
		cmd.Args = append(cmd.Args, "-test.cpuprofile="+prof)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var res *queueResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), queueResultTag); ok {
			res = &queueResult{}
			if jerr := json.Unmarshal([]byte(s), res); jerr != nil {
				t.Fatalf("child result %q: %v", s, jerr)
			}
		}
	}
	if res == nil || err != nil {
		t.Fatalf("the dashboard child failed (%v):\n%s\n%s", err, out, stderr.Bytes())
	}
	if res.Failed != "" {
		t.Fatalf("the dashboard did not review every row: %s", res.Failed)
	}
	return *res
}

// queueBenchChild is the dashboard process: the real configuration, backend
// and model, driven until every row is reviewed.
func queueBenchChild(t *testing.T) {
	rows, err := strconv.Atoi(os.Getenv(queueRowsEnv))
	if err != nil || rows <= 0 {
		t.Fatalf("%s: %v", queueRowsEnv, err)
	}
	home := t.TempDir()
	// An empty tarball cache and audit log of the child's own.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	g := &globals{userconfig: os.Getenv(queueChildEnv), theme: "dark"}
	e, err := g.newEnv()
	if err != nil {
		t.Fatal(err)
	}
	b, err := newQueue(e)
	if err != nil {
		t.Fatal(err)
	}
	if b.regs[0].engine.Facts == nil {
		t.Fatal("env.engine() has no dependency lookups: the benchmark must run with them")
	}
	// A real terminal draws in colour: the styles cost what they cost there.
	lipgloss.SetColorProfile(termenv.TrueColor)
	opts, err := g.uiOptions()
	if err != nil {
		t.Fatal(err)
	}
	cb := &countingBackend{Backend: b}
	w := &queueWatch{inner: ui.New(cb, opts), reviewed: &cb.done, want: rows, result: make(chan queueResult, 1)}
	p := tea.NewProgram(w, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	w.start = time.Now()
	var res queueResult
	runErr := make(chan error, 1)
	go func() {
		_, err := p.Run()
		runErr <- err
	}()
	select {
	case res = <-w.result:
	case <-time.After(60 * time.Second):
		p.Kill()
		res = queueResult{Failed: "not every row was reviewed within 60 s; last screen:\n" + w.lastScreen()}
	case err := <-runErr:
		res = queueResult{Failed: fmt.Sprintf("the program ended before every row was reviewed: %v", err)}
	}
	j, _ := json.Marshal(res)
	fmt.Println(queueResultTag + string(j))
}

// countingBackend counts finished reviews, so the watcher renders the queue
// to look for unreviewed rows only once every row may be done.
type countingBackend struct {
	ui.Backend
	done atomic.Int64
}

func (c *countingBackend) Review(ctx context.Context, item registry.StageItem, progress func(review.Progress)) (*review.Review, error) {
	r, err := c.Backend.Review(ctx, item, progress)
	c.done.Add(1)
	return r, err
}

// queueWatch wraps the dashboard model: every message goes to it unchanged;
// after the Update that leaves every row reviewed on screen, it records the
// time and memory and quits.
type queueWatch struct {
	inner    tea.Model
	reviewed *atomic.Int64
	want     int
	start    time.Time
	result   chan queueResult
	finished bool

	mu     sync.Mutex
	screen string
}

func (w *queueWatch) Init() tea.Cmd {
	return tea.Batch(w.inner.Init(), func() tea.Msg { return tea.WindowSizeMsg{Width: queueWidth, Height: queueHeight} })
}

func (w *queueWatch) View() string { return w.inner.View() }

func (w *queueWatch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := w.inner.Update(msg)
	w.inner = m
	if w.finished || w.reviewed.Load() < int64(w.want) {
		return w, cmd
	}
	screen := ansi.Strip(w.inner.View())
	w.mu.Lock()
	w.screen = screen
	w.mu.Unlock()
	done, failed, pending := reviewedRows(screen)
	if failed > 0 {
		w.finished = true
		w.result <- queueResult{Rows: done, Failed: fmt.Sprintf("%d reviews failed:\n%s", failed, screen)}
		return w, tea.Batch(cmd, tea.Quit)
	}
	if pending > 0 || done < w.want {
		return w, cmd
	}
	elapsed := time.Since(w.start)
	res := queueResult{Rows: done, Seconds: elapsed.Seconds()}
	res.RSSKiB, res.HWMKiB, res.AnonKiB = procStatus("VmRSS"), procStatus("VmHWM"), procStatus("RssAnon")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapInuse, res.NumGC = ms.HeapInuse, ms.NumGC
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	w.finished = true
	if f := os.Getenv("STAGEGATE_QUEUEBENCH_HEAPPROFILE"); f != "" {
		// After the figures: what the heap holds once every row is reviewed.
		if out, err := os.Create(f); err == nil {
			_ = pprof.Lookup("heap").WriteTo(out, 0)
			out.Close()
		}
	}
	if f := os.Getenv("STAGEGATE_QUEUEBENCH_SCREEN"); f != "" {
		_ = os.WriteFile(f, []byte(screen), 0o644) // a look at what was measured; best effort
	}
	w.result <- res
	return w, tea.Batch(cmd, tea.Quit)
}

func (w *queueWatch) lastScreen() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.screen
}

// reviewedRows counts the queue rows whose review column shows a finished
// review (the integrity verdict), a failure, or not yet.
func reviewedRows(screen string) (done, failed, pending int) {
	for _, line := range strings.Split(screen, "\n") {
		switch {
		case strings.Contains(line, "review failed"):
			failed++
		case strings.Contains(line, "not reviewed yet") || strings.Contains(line, " reviewing "):
			pending++
		case strings.Contains(line, "✓ verified") || strings.Contains(line, "✗ UNVERIFIED"):
			done++
		}
	}
	return done, failed, pending
}

// procStatus reads one "Key: N kB" field of /proc/self/status in KiB (-1 if absent).
func procStatus(key string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// byHandTimes is the same 21 reviews done by hand, one after another, as
// architecture.md §6 counts them: `npm stage download <id>`, `npm pack
// <name>@<base>` (both from the same loopback registry), `tar xzf` of both
// into their own folders and `diff -ruN` of the two trees. Reading the
// diff is not counted.
type byHandTimes struct {
	download, pack, tar, diff float64 // seconds, summed over the pairs
	lines                     int     // lines diff printed
	npmVersion                string
	npmFailed                 []string // staged versions npm stage download could not read
}

// npmDownloadBug is how npm 11.19's `stage download` fails on some real
// tarballs: it looks for package/package.json only (the @types packages'
// tarballs use their own top folder, node/ or react/), and it reads the
// gzipped tar synchronously, so it can also miss package/package.json
// (seen once on react 18.3.1).
const npmDownloadBug = "Could not read package.json from tarball"

func (h byHandTimes) total() float64 { return h.download + h.pack + h.tar + h.diff }

func byHand(t *testing.T, u, token, npmrc string, pairs []queuePair, ids []string) byHandTimes {
	t.Helper()
	npm, version, err := conformance.FindNPM(filepath.Join("..", ".."), os.Getenv)
	if err != nil {
		t.Fatalf("the by-hand baseline needs npm: %v", err)
	}
	for _, tool := range []string{"tar", "diff"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the by-hand baseline needs %s: %v", tool, err)
		}
	}
	home := t.TempDir()
	env := conformance.IsolatedEnv(os.Environ(), home)
	h := byHandTimes{npmVersion: version}
	client, err := registry.New(registry.Options{Registry: u, Auth: staticAuth{regURL: u, token: token}, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// run times one command; npm's known failure on real tarballs is
	// returned, anything else unexpected fails the test.
	run := func(dir string, sum *float64, okCodes []int, name string, args ...string) ([]byte, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		out, err := cmd.Output()
		*sum += time.Since(start).Seconds()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		if !slices.Contains(okCodes, code) {
			if bytes.Contains(stderr.Bytes(), []byte(npmDownloadBug)) {
				return nil, errors.New(npmDownloadBug)
			}
			t.Fatalf("%s %v: exit %d\n%s", name, args, code, stderr.Bytes())
		}
		return out, nil
	}
	withConfig := func(args ...string) []string { return append(args, "--registry", u+"/", "--userconfig", npmrc) }
	for i, p := range pairs {
		dir := filepath.Join(t.TempDir(), "review")
		for _, d := range []string{"base", "staged"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := run(dir, &h.download, []int{0}, npm, withConfig("stage", "download", ids[i])...); err != nil {
			// npm fetched the tarball and then failed to read it: its time
			// is counted, and the tarball is fetched for it (also counted).
			h.npmFailed = append(h.npmFailed, p.name+"@"+p.staged)
			start := time.Now()
			tgz, err := client.StagedTarball(context.Background(), ids[i])
			if err != nil {
				t.Fatal(err)
			}
			safe := strings.Replace(strings.TrimPrefix(p.name, "@"), "/", "-", 1)
			if err := os.WriteFile(filepath.Join(dir, safe+"-"+p.staged+"-"+ids[i]+".tgz"), tgz, 0o644); err != nil {
				t.Fatal(err)
			}
			h.download += time.Since(start).Seconds()
		}
		if _, err := run(dir, &h.pack, []int{0}, npm, withConfig("pack", p.name+"@"+p.base)...); err != nil {
			t.Fatalf("npm pack %s@%s: %v", p.name, p.base, err)
		}
		staged, _ := filepath.Glob(filepath.Join(dir, "*-"+p.staged+"-*.tgz"))
		base, _ := filepath.Glob(filepath.Join(dir, "*-"+p.base+".tgz"))
		if len(staged) != 1 || len(base) != 1 {
			t.Fatalf("%s: npm left staged %v and base %v", p.name, staged, base)
		}
		for _, x := range [][2]string{{base[0], "base"}, {staged[0], "staged"}} {
			if _, err := run(dir, &h.tar, []int{0}, "tar", "xzf", x[0], "-C", x[1]); err != nil {
				t.Fatal(err)
			}
		}
		out, err := run(dir, &h.diff, []int{0, 1}, "diff", "-ruN", "base", "staged")
		if err != nil {
			t.Fatal(err)
		}
		h.lines += bytes.Count(out, []byte("\n"))
	}
	return h
}
