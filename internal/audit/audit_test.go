package audit

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestAppendAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "stagegate", "audit.jsonl")
	l := Open(path)
	when := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	entries := []Entry{
		{Time: when, Action: "approve", ID: "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f", Package: "@scope/pkg", Version: "1.0.0", Shasum: "abc", Registry: "http://127.0.0.1:1/", Result: "approved"},
		{Time: when, Action: "reject", ID: "2de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f", Package: "pkg", Version: "2.0.0", Shasum: "def", Registry: "http://127.0.0.1:1/", Result: "failed", Detail: "one-time password rejected"},
	}
	for _, e := range entries {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries) {
		t.Fatalf("read %d entries, want %d", len(got), len(entries))
	}
	for i := range entries {
		if got[i] != entries[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], entries[i])
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", st.Mode().Perm())
	}
}

func TestConcurrentAppendsKeepWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := Open(path)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Append(Entry{Action: "approve", ID: "x", Result: "approved"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("got %d entries, want 50", len(got))
	}
}

func TestReadMissingIsEmpty(t *testing.T) {
	got, err := Read(filepath.Join(t.TempDir(), "none.jsonl"))
	if err != nil || got != nil {
		t.Fatalf("Read(missing) = %v, %v", got, err)
	}
}

func TestDefaultPathHonoursXDG(t *testing.T) {
	t.Setenv("STAGEGATE_AUDIT_LOG", "")
	t.Setenv("XDG_STATE_HOME", "/tmp/xdg-state")
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if p != "/tmp/xdg-state/stagegate/audit.jsonl" {
		t.Errorf("DefaultPath = %q", p)
	}
}

func TestPending(t *testing.T) {
	const reg, other = "http://r/", "http://other/"
	e := func(id, action, result, r string) Entry {
		return Entry{Action: action, ID: id, Registry: r, Result: result}
	}
	log := []Entry{
		e("a", "approve", Intent, reg),
		e("a", "approve", "approved", reg), // closed
		e("b", "approve", Intent, reg),     // open: killed mid-request
		e("c", "reject", Intent, reg),
		e("c", "reject", Unknown, reg), // open: unknown
		e("d", "approve", "refused", reg),
		e("e", "approve", Intent, other), // another registry
		e("f", "approve", Unknown, reg),
		e("f", "approve", "approved", reg), // resolved later
	}
	got := Pending(log, reg)
	if len(got) != 2 || got[0].ID != "b" || got[0].Result != Intent || got[1].ID != "c" || got[1].Result != Unknown {
		t.Fatalf("Pending = %+v", got)
	}
	if all := Pending(log, ""); len(all) != 3 {
		t.Fatalf("Pending(all) = %+v", all)
	}

	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := Open(path)
	for _, x := range log {
		if err := l.Append(x); err != nil {
			t.Fatal(err)
		}
	}
	p, err := l.Pending(reg)
	if err != nil || len(p) != 2 {
		t.Fatalf("Log.Pending = %+v, %v", p, err)
	}
}

func TestAppendToUnwritablePathFails(t *testing.T) {
	l := Open("/dev/null/x/audit.jsonl")
	if err := l.Append(Entry{Action: "approve", Result: Intent}); err == nil {
		t.Fatal("appending under /dev/null must fail")
	}
}
