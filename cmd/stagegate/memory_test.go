package main

import (
	"math"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, tt := range []struct {
		unpacked int64
		env      string
		want     int64
	}{
		{unpacked: 40 << 20, want: 80 << 20},
		{unpacked: 1 << 20, want: minMemoryLimit}, // tiny packages: the floor
		{unpacked: 40 << 20, env: "1GiB", want: math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		t.Setenv("GOMEMLIMIT", tt.env)
		limitMemory(tt.unpacked)
		if got := debug.SetMemoryLimit(-1); got != tt.want {
			t.Errorf("limitMemory(%d) with GOMEMLIMIT=%q: limit %d, want %d", tt.unpacked, tt.env, got, tt.want)
		}
	}
}

// The dashboard's reviews size the soft memory limit as diff's do, for the
// review cache plus two reviews in flight, and the limit only grows.
func TestDashboardMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "")

	srv, u := startDemoRegistry(t, devregistry.Options{})
	client, err := registry.New(registry.Options{Registry: u, Auth: staticAuth{regURL: u, token: srv.Token()}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{reg: u, client: client, engine: &review.Engine{Registry: client}, mem: &dashboardMemory{}}
	items, err := client.ListStaged(t.Context(), "")
	if err != nil || len(items) == 0 {
		t.Fatalf("list: %v (%d items)", err, len(items))
	}
	if _, err := b.Review(t.Context(), items[0], func(review.Progress) {}); err != nil {
		t.Fatal(err)
	}
	got := debug.SetMemoryLimit(-1)
	if b.mem.largest <= 0 || got != cacheBudget+4*b.mem.largest {
		t.Fatalf("limit %d after a review of %d unpacked bytes; want %d", got, b.mem.largest, cacheBudget+4*b.mem.largest)
	}
	b.mem.loaded(1) // a smaller package later: the limit stays
	if again := debug.SetMemoryLimit(-1); again != got {
		t.Fatalf("limit shrank from %d to %d", got, again)
	}
}
