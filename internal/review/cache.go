package review

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Cache keeps live tarballs, which are immutable, keyed by their sha512
// integrity, under a size bound. A cached file is re-verified on read, so a
// corrupted or tampered cache entry is a miss, never a wrong review.
type Cache struct {
	dir      string
	maxBytes int64
	mu       sync.Mutex
}

// DefaultCacheDir is os.UserCacheDir()/stagegate/tarballs.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "stagegate", "tarballs"), nil
}

// NewCache returns a cache in dir bounded to maxBytes (0 means 2 GiB).
func NewCache(dir string, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = 2 << 30
	}
	return &Cache{dir: dir, maxBytes: maxBytes}
}

// key maps a sha512 SRI string to a file name; other algorithms are not cached.
func cacheKey(integrity string) (string, bool) {
	for _, part := range strings.Fields(integrity) {
		if !strings.HasPrefix(part, "sha512-") {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(strings.SplitN(strings.TrimPrefix(part, "sha512-"), "?", 2)[0])
		if err != nil || len(raw) != sha512.Size {
			continue
		}
		return hex.EncodeToString(raw), true
	}
	return "", false
}

// Get returns the cached tarball for integrity, verified, or nil.
func (c *Cache) Get(integrity string) []byte {
	if c == nil {
		return nil
	}
	key, ok := cacheKey(integrity)
	if !ok {
		return nil
	}
	path := filepath.Join(c.dir, key+".tgz")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	sum := sha512.Sum512(b)
	if hex.EncodeToString(sum[:]) != key {
		os.Remove(path)
		return nil
	}
	now := time.Now()
	os.Chtimes(path, now, now) // recency for eviction
	return b
}

// Put stores data under integrity if data matches it; it evicts the least
// recently used entries beyond the size bound.
func (c *Cache) Put(integrity string, data []byte) error {
	if c == nil {
		return nil
	}
	key, ok := cacheKey(integrity)
	if !ok {
		return nil
	}
	sum := sha512.Sum512(data)
	if hex.EncodeToString(sum[:]) != key {
		return errors.New("cache: data does not match its integrity")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	tmp, err := os.CreateTemp(c.dir, ".put-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(c.dir, key+".tgz")); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	c.evict()
	return nil
}

func (c *Cache) evict() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type item struct {
		path string
		size int64
		mod  int64
	}
	var items []item
	var total int64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".tgz") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		items = append(items, item{filepath.Join(c.dir, e.Name()), info.Size(), info.ModTime().UnixNano()})
		total += info.Size()
	}
	if total <= c.maxBytes {
		return
	}
	sort.Slice(items, func(i, j int) bool { return items[i].mod < items[j].mod })
	for _, it := range items {
		if total <= c.maxBytes {
			break
		}
		if os.Remove(it.path) == nil {
			total -= it.size
		}
	}
}
