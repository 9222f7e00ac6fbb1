package devregistry

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// list returns the ids of the stage queue, in order.
func (e *env) list() []string {
	e.t.Helper()
	var l struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.Unmarshal(e.do("GET", "/-/stage", testToken, nil).body, &l); err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, it := range l.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func journalLines(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// TestDataDirAppendsInsteadOfRewriting: a write with --data appends one
// journal line; state.json, which holds every record, is not rewritten.
// A restart replays the journal to the same state.
func TestDataDirAppendsInsteadOfRewriting(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	e.publish("keep", "1.0.0", "latest")
	snap, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	a := e.stage(testToken, "keep", "1.1.0", "latest")
	b := e.stage(testCI, "keep", "1.2.0", "next")
	c := e.stage(testCI, "other", "0.1.0", "latest")
	if r := e.do("POST", "/-/stage/"+a+"/approve", testToken, nil, "npm-otp", e.code(0)); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/-/stage/"+b, testToken, nil, "npm-otp", e.code(0)); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if !bytes.Equal(snap, after) {
		t.Error("state.json was rewritten by a write")
	}
	if n := journalLines(t, dir); n != 6 {
		t.Errorf("journal has %d lines, want 6 (one per write)", n)
	}

	e2 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if got := e2.list(); strings.Join(got, ",") != c {
		t.Errorf("queue after restart %v, want [%s]", got, c)
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]any    `json:"versions"`
	}
	_ = json.Unmarshal(e2.do("GET", "/keep", "", nil).body, &doc)
	if doc.DistTags["latest"] != "1.1.0" || len(doc.Versions) != 2 {
		t.Errorf("packument after restart: %+v", doc)
	}
	// The restart folded the journal into the snapshot.
	if n := journalLines(t, dir); n != 0 {
		t.Errorf("journal has %d lines after restart, want 0", n)
	}
}

// TestJournalTornTailAndStaleLines: a crash mid-append leaves a partial
// last line, which is ignored; a crash after a snapshot but before the
// journal was emptied leaves lines the snapshot holds, which are skipped
// (replaying "stage X" after X was rejected would bring X back).
func TestJournalTornTailAndStaleLines(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	x := e.stage(testCI, "p", "1.0.0", "latest")
	y := e.stage(testCI, "p", "1.1.0", "latest")
	jpath := filepath.Join(dir, "journal.jsonl")
	j, _ := os.ReadFile(jpath)
	firstLine := j[:bytes.IndexByte(j, '\n')+1] // stages x
	if r := e.do("DELETE", "/-/stage/"+x, testToken, nil, "npm-otp", e.code(0)); r.status != 200 {
		t.Fatal(r.status)
	}
	// Torn tail.
	f, err := os.OpenFile(jpath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"seq":99,"delStage":"` + y[:10])
	f.Close()
	e2 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if got := e2.list(); strings.Join(got, ",") != y {
		t.Fatalf("after a torn tail: %v, want [%s]", got, y)
	}
	// Stale lines: the snapshot now holds seq 3; put "stage x" (seq 1) back.
	if err := os.WriteFile(jpath, firstLine, 0o600); err != nil {
		t.Fatal(err)
	}
	e3 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if got := e3.list(); strings.Join(got, ",") != y {
		t.Errorf("a stale journal line was replayed: %v, want [%s]", got, y)
	}
	// New writes after a restart continue the sequence.
	z := e3.stage(testCI, "p", "1.2.0", "latest")
	e4 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if got := e4.list(); strings.Join(got, ",") != y+","+z {
		t.Errorf("after restart: %v", got)
	}
}

// TestJournalCompacts: a journal longer than the snapshot is folded into
// it, and the state survives.
func TestJournalCompacts(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	e.s.mu.Lock()
	e.s.store.compactAt = 0
	e.s.mu.Unlock()
	var ids []string
	for i := range 20 {
		ids = append(ids, e.stage(testCI, "p", "1.0."+itoa(i), "latest"))
	}
	if n := journalLines(t, dir); n >= 20 {
		t.Errorf("journal has %d lines: never folded", n)
	}
	e2 := newEnv(t, func(o *Options) { o.DataDir = dir })
	if got := e2.list(); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("after compaction and restart: %d items, want %d", len(got), len(ids))
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestStartCleansTempFilesAndOrphans: temp files of interrupted writes and
// tarballs no record refers to are removed on start; others are kept.
func TestStartCleansTempFilesAndOrphans(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(o *Options) { o.DataDir = dir })
	e.publish("keep", "1.0.0", "latest")
	e.stage(testCI, "keep", "1.1.0", "latest")
	kept, _ := filepath.Glob(filepath.Join(dir, "tarballs", "*.tgz"))
	if len(kept) != 2 {
		t.Fatalf("%d tarballs, want 2", len(kept))
	}
	junk := []string{
		filepath.Join(dir, ".tmp-123"),
		filepath.Join(dir, "tarballs", ".tmp-456"),
		filepath.Join(dir, "tarballs", strings.Repeat("ab", 64)+".tgz"), // orphan
	}
	for _, p := range junk {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "tarballs", "README")
	_ = os.WriteFile(other, []byte("not ours"), 0o600)
	e2 := newEnv(t, func(o *Options) { o.DataDir = dir })
	for _, p := range junk {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left after start", p)
		}
	}
	for _, p := range append(kept, other) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	if r := e2.do("GET", "/keep/-/keep-1.0.0.tgz", "", nil); r.status != 200 {
		t.Errorf("published tarball after cleanup: %d", r.status)
	}
}
