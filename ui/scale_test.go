package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagegate/stagegate/assets"
	"github.com/stagegate/stagegate/internal/conformance"
	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

// engineBackend is the real review path (registry client and review
// engine over loopback HTTP) behind the dashboard; decisions are not part
// of these tests.
type engineBackend struct {
	fakeBackend // Approve, Reject and the rest: unused here
	reg         string
	client      *registry.Client
	engine      *review.Engine
}

func (b *engineBackend) Registry() string     { return b.reg }
func (b *engineBackend) Registries() []string { return []string{b.reg} }
func (b *engineBackend) List(ctx context.Context) ([]registry.StageItem, error) {
	return b.client.ListStaged(ctx, "")
}
func (b *engineBackend) Review(ctx context.Context, it registry.StageItem, progress func(review.Progress)) (*review.Review, error) {
	return b.engine.ReviewStaged(ctx, it, review.Options{Progress: progress})
}

type bearerAuth struct{ origin, token string }

func (a bearerAuth) AuthHeader(u string) string {
	if strings.HasPrefix(u, a.origin) {
		return "Bearer " + a.token
	}
	return ""
}

// stageMany stages n versions spread over the demo packages (each has a
// live version, so every review has a base) on the embedded registry.
func stageMany(t *testing.T, n int) *engineBackend {
	t.Helper()
	srv, err := devregistry.New(devregistry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(assets.Demo()); err != nil {
		t.Fatal(err)
	}
	u, err := srv.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	names := []string{"acme-charts", "acme-forms", "acme-icons", "acme-router", "acme-tokens", "casekit-core", "envcase", "mdtoc", "qlimit", "scopewalk"}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := names[i%len(names)]
			if _, err := conformance.StageViaAPI(t.Context(), http.DefaultClient, u, srv.Token(), name, fmt.Sprintf("9.%d.0", i), ""); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(conformance.Redact(err.Error(), srv.Token()))
	}
	client, err := registry.New(registry.Options{Registry: u, Auth: bearerAuth{origin: u, token: srv.Token()}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &engineBackend{reg: u, client: client, engine: &review.Engine{Registry: client}}
}

// TestScaleBottomOfBigQueueReviewedFast: a queue of 200 staged versions on
// a loopback registry, reviewed for real; after G every row on screen is
// reviewed within 3 s (architecture.md §6), counting the prefetch debounce.
func TestScaleBottomOfBigQueueReviewedFast(t *testing.T) {
	if testing.Short() {
		t.Skip("stages 200 versions on a registry")
	}
	b := stageMany(t, 200)
	h := newHarnessOn(t, b, 160, 60, nil)
	if len(h.m.items) < 200 { // the demo seed stages a dozen more
		t.Fatalf("queue has %d items", len(h.m.items))
	}
	start := time.Now()
	h.deliver(keyMsg("G"))
	time.Sleep(debounceDelay) // the debounce the real timer waits
	ts := h.timers
	h.timers = nil
	for _, fn := range ts {
		h.deliver(fn(fixedNow))
	}
	vis := h.m.visible()
	lo, hi := h.m.queueOnScreen(vis)
	allDone := func() bool {
		for vi := lo; vi < hi; vi++ {
			if e := h.m.reviews[itemKey(h.m.items[vis[vi]])]; e == nil || e.state != revDone {
				return false
			}
		}
		return true
	}
	deadline := time.After(10 * time.Second)
	for !allDone() {
		select {
		case msg := <-h.msgs:
			h.active--
			h.deliver(msg)
		case <-deadline:
			t.Fatalf("rows %d..%d not all reviewed after 10 s:\n%s", lo, hi, h.screen())
		}
	}
	took := time.Since(start)
	t.Logf("200-version queue: %d rows on screen (%d..%d) reviewed %v after G", hi-lo, lo, hi, took.Round(time.Millisecond))
	// The queue body (the status bar counts background jobs beyond the screen).
	body := strings.Join(strings.Split(h.screen(), "\n")[:59], "\n")
	if strings.Contains(body, "not reviewed yet") || strings.Contains(body, "reviewing") {
		t.Fatalf("screen still shows unreviewed rows:\n%s", h.screen())
	}
	if took > 3*time.Second {
		t.Fatalf("rows on screen reviewed %v after G; the budget is 3 s", took)
	}
}
