package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// waitAsync runs `stagegate wait` in the background and returns its result
// when it ends.
func (f *fixture) waitAsync(args ...string) <-chan result {
	ch := make(chan result, 1)
	go func() { ch <- f.run(append([]string{"wait"}, args...)...) }()
	return ch
}

func waitOutcome(t *testing.T, r result) waitResult {
	t.Helper()
	var w waitResult
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil {
		t.Fatalf("wait --json printed no JSON (exit %d): %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return w
}

func TestWaitApproved(t *testing.T) {
	f := newFixture(t)
	it := f.find("slugkit", "1.2.1")
	done := f.waitAsync(it.ID, "--json", "--interval", "50ms", "--timeout", "30s")
	time.Sleep(200 * time.Millisecond) // the first polls see it staged
	if r := f.run("approve", it.ID, "--otp", f.code()); r.code != 0 {
		t.Fatalf("approve: exit %d: %s", r.code, r.stderr)
	}
	r := <-done
	w := waitOutcome(t, r)
	if r.code != 0 || w.Outcome != "approved" || w.Tag != "latest" || w.Time == "" || w.Version != "1.2.1" {
		t.Fatalf("exit %d, %+v", r.code, w)
	}
	// name@version of a version already live answers at once.
	again := f.run("wait", "slugkit@1.2.1")
	if again.code != 0 || !strings.Contains(again.stdout, "slugkit@1.2.1 approved, tag latest") {
		t.Errorf("wait on a live version: exit %d %q %q", again.code, again.stdout, again.stderr)
	}
}

func TestWaitRejected(t *testing.T) {
	f := newFixture(t)
	it := f.find("termhue", "1.0.1")
	done := f.waitAsync("termhue@1.0.1", "--json", "--interval", "50ms", "--timeout", "30s")
	time.Sleep(200 * time.Millisecond)
	if r := f.run("reject", it.ID, "--otp", f.code(), "--yes"); r.code != 0 {
		t.Fatalf("reject: exit %d: %s", r.code, r.stderr)
	}
	r := <-done
	if w := waitOutcome(t, r); r.code != 1 || w.Outcome != "rejected" {
		t.Fatalf("exit %d, %+v", r.code, w)
	}
}

func TestWaitTimeoutAndGone(t *testing.T) {
	f := newFixture(t)
	it := f.find("mdtoc", "0.5.0")
	r := f.run("wait", it.ID, "--timeout", "300ms", "--interval", "50ms")
	if r.code != 124 || !strings.Contains(r.stderr, "still staged") {
		t.Errorf("timeout: exit %d %q", r.code, r.stderr)
	}
	if ok, _ := f.published("mdtoc", "0.5.0"); ok {
		t.Fatal("wait published something")
	}
	r = f.run("wait", "00000000-0000-4000-8000-000000000000", "--json")
	if w := waitOutcome(t, r); r.code != 2 || w.Outcome != "gone" {
		t.Errorf("unknown id: exit %d %+v", r.code, w)
	}
	r = f.run("wait", "no-such-package-anywhere@1.0.0")
	if r.code != 2 || !strings.Contains(r.stderr, "not staged") {
		t.Errorf("unknown package: exit %d %q", r.code, r.stderr)
	}
	if r = f.run("wait", it.ID, "--interval", "0s"); r.code != 2 {
		t.Errorf("--interval 0: exit %d", r.code)
	}
}

func TestWaitBackoff(t *testing.T) {
	b := waitBackoff{next: 2 * time.Second, max: 5 * time.Second}
	var got []time.Duration
	for range 4 {
		got = append(got, b.step(0))
	}
	want := []time.Duration{2 * time.Second, 3 * time.Second, 4500 * time.Millisecond, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff %v, want %v", got, want)
		}
	}
	if d := b.step(20 * time.Second); d != 20*time.Second {
		t.Errorf("retry-after 20s gave %v", d)
	}
}
