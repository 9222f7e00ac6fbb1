package diff

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/tarball"
)

// TestInFlightBudgetResults: whatever the budget and the workers, Compare
// gives the result of one worker with no bound.
func TestInFlightBudgetResults(t *testing.T) {
	files, edited := map[string]string{}, map[string]string{}
	for i := 0; i < 10; i++ {
		o, n := bigEdited(2000+i*700, uint64(100+i))
		files["f"+itoa(i)], edited["f"+itoa(i)] = o, n
	}
	files["m.min.js"], edited["m.min.js"] = minifiedBundle(40<<10, ""), minifiedBundle(40<<10, "q")
	files["gone.js"], edited["new.js"] = "a\nb\n", "c\n"
	oldP, newP := pkgOf(files, nil), pkgOf(edited, nil)
	want, err := Compare(context.Background(), oldP, newP, Options{Workers: 1, MaxInFlightBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		workers int
		budget  int64
	}{
		{"one byte: one file at a time", 4, 1},
		{"tiny", 3, 10 << 10},
		{"the default", 4, 0},
		{"unbounded", 4, -1},
		{"more workers than files", 32, 100 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(context.Background(), oldP, newP, Options{Workers: tc.workers, MaxInFlightBytes: tc.budget})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatal("the result depends on the budget")
			}
		})
	}
}

// fakePairs returns pairs of the given sizes (old and new half each).
func fakePairs(sizes ...int) []pair {
	ps := make([]pair, len(sizes))
	for k, s := range sizes {
		ps[k] = pair{
			old: &tarball.File{Path: "p" + itoa(k), Data: make([]byte, s/2)},
			new: &tarball.File{Path: "p" + itoa(k), Data: make([]byte, s-s/2)},
		}
	}
	return ps
}

// TestInFlightBudgetBound runs diffAll with a stand-in diff that records
// the bytes in flight: they never exceed max(budget, largest pair), every
// pair is done exactly once, and results land at their own index.
func TestInFlightBudgetBound(t *testing.T) {
	sizes := []int{300, 50, 900, 120, 120, 40, 700, 10, 260, 80, 500, 5}
	for _, tc := range []struct {
		name    string
		workers int
		budget  int64
		limit   int64 // the bound to check
	}{
		{"budget below the largest pair", 4, 100, 900},
		{"budget between", 4, 1000, 1000},
		{"budget above the total", 4, 1 << 40, 1 << 40},
		{"one worker", 1, 100, 900},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inFlight, peak atomic.Int64
			var calls sync.Map
			diff := func(_ context.Context, p pair, _ Options) (FileDiff, error) {
				if _, dup := calls.LoadOrStore(p.new.Path, true); dup {
					t.Errorf("%s diffed twice", p.new.Path)
				}
				n := inFlight.Add(int64(p.size()))
				for {
					old := peak.Load()
					if n <= old || peak.CompareAndSwap(old, n) {
						break
					}
				}
				time.Sleep(time.Millisecond) // let others overlap, if admitted
				inFlight.Add(-int64(p.size()))
				return FileDiff{Path: p.new.Path, NewSize: int64(p.size())}, nil
			}
			pairs := fakePairs(sizes...)
			out := make([]FileDiff, len(pairs))
			opts := Options{Workers: tc.workers, MaxInFlightBytes: tc.budget}.withDefaults()
			if err := diffAll(context.Background(), pairs, out, opts, diff); err != nil {
				t.Fatal(err)
			}
			if p := peak.Load(); p > tc.limit {
				t.Fatalf("%d bytes in flight, over %d", p, tc.limit)
			}
			for k, fd := range out {
				if fd.Path != "p"+itoa(k) || fd.NewSize != int64(sizes[k]) {
					t.Fatalf("out[%d] = %s %d", k, fd.Path, fd.NewSize)
				}
			}
		})
	}
}

// TestInFlightBudgetAdmits: a budget that fits several pairs lets that
// many run together (each stand-in waits until all four are running), so
// the bound does not serialise the work it need not.
func TestInFlightBudgetAdmits(t *testing.T) {
	pairs := fakePairs(100, 100, 100, 100)
	var started sync.WaitGroup
	started.Add(len(pairs))
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	diff := func(ctx context.Context, p pair, _ Options) (FileDiff, error) {
		started.Done()
		select {
		case <-all:
			return FileDiff{Path: p.new.Path}, nil
		case <-ctx.Done():
			return FileDiff{}, ctx.Err()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := Options{Workers: 4, MaxInFlightBytes: 400}.withDefaults()
	if err := diffAll(ctx, pairs, make([]FileDiff, len(pairs)), opts, diff); err != nil {
		t.Fatalf("four pairs within the budget did not run together: %v", err)
	}
}

// TestInFlightBudgetCancel: a context ended while the feeder waits for
// room ends diffAll with its error.
func TestInFlightBudgetCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	diff := func(ctx context.Context, p pair, _ Options) (FileDiff, error) {
		cancel()
		<-ctx.Done()
		return FileDiff{}, ctx.Err()
	}
	opts := Options{Workers: 3, MaxInFlightBytes: 1}.withDefaults()
	pairs := fakePairs(30, 20, 10)
	if err := diffAll(ctx, pairs, make([]FileDiff, len(pairs)), opts, diff); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
