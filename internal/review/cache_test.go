package review

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/tarball"
)

func TestCacheVerifiesAndEvicts(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(dir, 250)
	a, b, d := bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("b"), 100), bytes.Repeat([]byte("d"), 100)
	ia, ib, id := tarball.SRI(a), tarball.SRI(b), tarball.SRI(d)

	if got := c.Get(ia); got != nil {
		t.Fatal("empty cache returned data")
	}
	if err := c.Put(ia, b); err == nil {
		t.Fatal("Put accepted data that does not match its integrity")
	}
	for _, kv := range []struct {
		i string
		v []byte
	}{{ia, a}, {ib, b}} {
		if err := c.Put(kv.i, kv.v); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Get(ia); !bytes.Equal(got, a) {
		t.Fatalf("Get(a) = %q", got)
	}
	// b is now the least recently used; a third entry goes over 250 bytes.
	old := time.Now().Add(-time.Hour)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if p := filepath.Join(dir, e.Name()); !bytes.Equal(mustRead(t, p), a) {
			os.Chtimes(p, old, old)
		}
	}
	if err := c.Put(id, d); err != nil {
		t.Fatal(err)
	}
	if c.Get(ib) != nil {
		t.Error("least recently used entry was not evicted")
	}
	if c.Get(ia) == nil || c.Get(id) == nil {
		t.Error("recent entries were evicted")
	}

	// A tampered file is a miss, and is removed.
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		os.WriteFile(filepath.Join(dir, e.Name()), []byte("tampered"), 0o600)
	}
	if c.Get(ia) != nil {
		t.Fatal("a tampered cache entry was returned")
	}
	if c.Get("sha1-abc") != nil || c.Put("sha1-abc", a) != nil {
		t.Error("non-sha512 integrity should be a silent miss")
	}
	var nilCache *Cache
	if nilCache.Get(ia) != nil || nilCache.Put(ia, a) != nil {
		t.Error("a nil cache must be a no-op")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSplitSpec(t *testing.T) {
	for spec, want := range map[string][2]string{
		"lodash@4.17.21":         {"lodash", "4.17.21"},
		"@tanstack/router@1.2.3": {"@tanstack/router", "1.2.3"},
		"@scope/x@next":          {"@scope/x", "next"},
		"lodash":                 {"", ""},
		"@scope/x":               {"", ""},
		"lodash@":                {"", ""},
	} {
		n, v, _ := SplitSpec(spec)
		if n != want[0] || v != want[1] {
			t.Errorf("SplitSpec(%q) = %q, %q; want %q", spec, n, v, want)
		}
	}
}
