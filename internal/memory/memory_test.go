package memory

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reviews")
	k := Key{Registry: "http://r/", Package: "@acme/x", Version: "1.0.1", Shasum: "abc"}
	if _, ok, err := Open(dir).Load(k); ok || err != nil {
		t.Fatalf("empty store: ok %v err %v", ok, err)
	}
	rec := Record{Key: k, Viewed: []string{"b.js", "a.js"}, Notes: map[string]string{"": "checked the build", "a.js": "fine"}}
	if err := Open(dir).Save(rec); err != nil {
		t.Fatal(err)
	}
	// A new Store, as after a restart.
	got, ok, err := Open(dir).Load(k)
	if err != nil || !ok {
		t.Fatalf("load: ok %v err %v", ok, err)
	}
	if !reflect.DeepEqual(got.Viewed, []string{"a.js", "b.js"}) || got.Notes["a.js"] != "fine" || got.Notes[""] != "checked the build" {
		t.Errorf("got %+v", got)
	}
	// Another tarball of the same version (a re-stage) is another review.
	other := k
	other.Shasum = "def"
	if _, ok, _ := Open(dir).Load(other); ok {
		t.Error("a different shasum loaded the same record")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("records %v", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v", f, st.Mode(), err)
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", st.Mode())
	}
}

func TestLastApprovedAndCompare(t *testing.T) {
	s := Open(t.TempDir())
	reg := "http://r/"
	old := Record{Key: Key{reg, "x", "1.0.0", "s0"}, Decision: "approved", DecidedAt: time.Now().Add(-2 * time.Hour),
		Findings: []Finding{{ID: "process-spawn", Path: "cli.js", Content: "h1"}},
		Deps:     []string{"a@^1.0.0"}, Files: map[string]string{"cli.js": "h1", "index.js": "h2"}}
	newer := Record{Key: Key{reg, "x", "1.0.1", "s1"}, Decision: "approved", DecidedAt: time.Now().Add(-time.Hour),
		Findings: []Finding{{ID: "process-spawn", Path: "cli.js", Content: "h1"}},
		Deps:     []string{"a@^1.0.0"}, Files: map[string]string{"cli.js": "h1", "index.js": "h3"}}
	rejected := Record{Key: Key{reg, "x", "1.0.2", "s2"}, Decision: "rejected", DecidedAt: time.Now()}
	otherPkg := Record{Key: Key{reg, "y", "9.0.0", "s9"}, Decision: "approved", DecidedAt: time.Now()}
	for _, r := range []Record{old, newer, rejected, otherPkg} {
		if err := s.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	cur := Key{reg, "x", "1.0.3", "s3"}
	prev, ok, err := s.LastApproved(reg, "x", cur)
	if err != nil || !ok || prev.Version != "1.0.1" {
		t.Fatalf("last approved: %+v ok %v err %v", prev.Key, ok, err)
	}
	d := Compare(prev,
		[]Finding{{ID: "process-spawn", Path: "cli.js", Content: "h1"}, {ID: "process-spawn", Path: "cli.js", Content: "h9"}, {ID: "new-endpoint", Path: "index.js", Content: "h4"}},
		[]string{"a@^1.0.0", "b@2.0.0"}, map[string]string{"cli.js": "h9", "index.js": "h4", "new.js": "h5"})
	if len(d.NewSignals) != 2 || d.NewSignals[0].Content != "h9" || d.NewSignals[1].ID != "new-endpoint" {
		t.Errorf("new signals %+v (the same finding in changed content is new)", d.NewSignals)
	}
	if !reflect.DeepEqual(d.NewDeps, []string{"b@2.0.0"}) || strings.Join(d.Changed, ",") != "cli.js,index.js,new.js" {
		t.Errorf("delta %+v", d)
	}
	if !prev.Accepted(Finding{ID: "process-spawn", Path: "cli.js", Content: "h1"}) {
		t.Error("identical finding not seen before")
	}
	if _, ok, _ := Open(filepath.Join(t.TempDir(), "none")).LastApproved(reg, "x", cur); ok {
		t.Error("approved record in an empty store")
	}
}

func TestCorruptRecordIsAnErrorNotAPanic(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	k := Key{"r", "x", "1", "s"}
	if err := os.MkdirAll(filepath.Dir(s.file(k)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.file(k), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Load(k); ok || err == nil {
		t.Errorf("corrupt record: ok %v err %v", ok, err)
	}
	if _, _, err := s.LastApproved("r", "x", Key{}); err != nil {
		t.Errorf("a corrupt record must not stop the search: %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"registry":"r","package":"x","version":"1","shasum":"s","viewed":["a"]}`))
	f.Add([]byte(`{"notes":{"":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		s := Open(dir)
		k := Key{"r", "x", "1", "s"}
		if err := os.MkdirAll(filepath.Dir(s.file(k)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.file(k), data, 0o600); err != nil {
			t.Fatal(err)
		}
		rec, ok, err := s.Load(k)
		if ok && (err != nil || rec.Key != k) {
			t.Fatalf("ok with %v %+v", err, rec.Key)
		}
		_, _, _ = s.LastApproved("r", "x", Key{})
	})
}
