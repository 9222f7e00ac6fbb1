package review

import (
	"archive/tar"
	"bytes"

	"github.com/klauspost/compress/gzip"

	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/signals"
)

// FactsSource reads a package's facts from the registry; *registry.Client
// implements it.
type FactsSource interface {
	Facts(ctx context.Context, name string, maxBytes int64) (*registry.PackageFacts, error)
}

// Defaults of a Lookup.
const (
	DefaultLookupConcurrency = 8
	DefaultLookupTimeout     = 10 * time.Second
	DefaultLookupCacheSize   = 1024
	DefaultLookupTTL         = 10 * time.Minute
)

// Lookup reads dependency facts from the registry for reviews: at most
// Concurrency requests at once across every review that shares it, each
// bounded by Timeout, results cached by name (failures are not cached), and
// concurrent asks for one name share a request. It is safe for concurrent
// use; the dashboard keeps one for the whole process.
type Lookup struct {
	Source      FactsSource
	Concurrency int           // default DefaultLookupConcurrency
	Timeout     time.Duration // per lookup; default DefaultLookupTimeout
	MaxBytes    int64         // per packument; default registry.DefaultMaxFactsBytes
	CacheSize   int           // names kept; default DefaultLookupCacheSize
	TTL         time.Duration // how long a cached answer is reused; default DefaultLookupTTL
	Now         func() time.Time

	once  sync.Once
	sem   chan struct{}
	mu    sync.Mutex
	cache map[string]*factsEntry
}

type factsEntry struct {
	done  chan struct{}
	facts *signals.DependencyFacts
	err   error
	at    time.Time
}

// NewLookup returns a Lookup over src with the defaults.
func NewLookup(src FactsSource) *Lookup { return &Lookup{Source: src} }

func (l *Lookup) init() {
	l.once.Do(func() {
		n := l.Concurrency
		if n <= 0 {
			n = DefaultLookupConcurrency
		}
		l.sem = make(chan struct{}, n)
		l.cache = map[string]*factsEntry{}
	})
}

func (l *Lookup) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Run looks up every name concurrently and returns the facts found and, for
// the rest, why they are missing. It returns when all are done or ctx ends
// (what is unfinished then is reported missing).
func (l *Lookup) Run(ctx context.Context, names []string) (map[string]signals.DependencyFacts, map[string]string) {
	facts := map[string]signals.DependencyFacts{}
	missing := map[string]string{}
	if l == nil || l.Source == nil || len(names) == 0 {
		return facts, missing
	}
	l.init()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := l.get(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				missing[n] = missingReason(err)
				return
			}
			facts[n] = *f
		}()
	}
	wg.Wait()
	return facts, missing
}

// get returns one name's facts, from the cache or the registry.
func (l *Lookup) get(ctx context.Context, name string) (*signals.DependencyFacts, error) {
	for {
		l.mu.Lock()
		e := l.cache[name]
		if e != nil {
			select {
			case <-e.done:
				if e.err != nil || l.now().Sub(e.at) > l.ttl() {
					delete(l.cache, name) // failures and stale answers are asked again
					e = nil
				}
			default:
			}
		}
		if e == nil {
			e = &factsEntry{done: make(chan struct{})}
			l.evictLocked()
			l.cache[name] = e
			l.mu.Unlock()
			l.fetch(ctx, name, e)
			return e.facts, e.err
		}
		l.mu.Unlock()
		select {
		case <-e.done:
			if e.err != nil && ctx.Err() == nil && errors.Is(e.err, context.Canceled) {
				continue // the asker that fetched it gave up; ask again for us
			}
			return e.facts, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (l *Lookup) ttl() time.Duration {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultLookupTTL
}

// fetch fills e under the concurrency bound and the per-lookup timeout.
func (l *Lookup) fetch(ctx context.Context, name string, e *factsEntry) {
	defer close(e.done)
	select {
	case l.sem <- struct{}{}:
		defer func() { <-l.sem }()
	case <-ctx.Done():
		e.err = ctx.Err()
		return
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultLookupTimeout
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pf, err := l.Source.Facts(lctx, name, l.MaxBytes)
	e.at = l.now()
	if err != nil {
		e.err = err
		return
	}
	f := toFacts(pf)
	e.facts = &f
}

// evictLocked keeps the cache within CacheSize by dropping the oldest answers.
func (l *Lookup) evictLocked() {
	max := l.CacheSize
	if max <= 0 {
		max = DefaultLookupCacheSize
	}
	if len(l.cache) < max {
		return
	}
	type aged struct {
		name string
		at   time.Time
	}
	var done []aged
	for n, e := range l.cache {
		select {
		case <-e.done:
			done = append(done, aged{n, e.at})
		default:
		}
	}
	sort.Slice(done, func(i, j int) bool { return done[i].at.Before(done[j].at) })
	for _, d := range done[:min(len(done), len(l.cache)-max+1)] {
		delete(l.cache, d.name)
	}
}

// missingReason says in a few words why a lookup failed.
func missingReason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "lookup timed out"
	case errors.Is(err, context.Canceled):
		return "lookup cancelled"
	}
	switch registry.KindOf(err) {
	case registry.ErrNotFound:
		return "not found on the registry"
	case registry.ErrTooLarge:
		return "packument too large"
	case registry.ErrNotLoggedIn, registry.ErrForbidden:
		return "not allowed to read it"
	case registry.ErrTimeout:
		return "lookup timed out"
	case registry.ErrCanceled:
		return "lookup cancelled"
	case registry.ErrNetwork:
		return "registry unreachable"
	case registry.ErrBadResponse:
		return "unreadable packument"
	}
	var re *registry.Error
	if errors.As(err, &re) && re.Status != 0 {
		return "registry answered " + httpStatus(re.Status)
	}
	return "lookup failed"
}

func httpStatus(code int) string {
	s := []byte{byte('0' + code/100%10), byte('0' + code/10%10), byte('0' + code%10)}
	return string(s)
}

// toFacts converts the registry's text facts into the signals' typed ones.
func toFacts(pf *registry.PackageFacts) signals.DependencyFacts {
	f := signals.DependencyFacts{Created: parseTime(pf.Created), DistTags: pf.DistTags, Maintainers: pf.Maintainers,
		Versions: make(map[string]signals.VersionFacts, len(pf.Versions))}
	for v, vf := range pf.Versions {
		f.Versions[v] = signals.VersionFacts{Published: parseTime(vf.Time), InstallScripts: vf.InstallScripts, Deprecated: vf.Deprecated}
	}
	return f
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Early reading of the staged manifest, so lookups start while the base
// tarball is still downloading.
const (
	earlyManifestEntries = 64      // tar entries scanned for package.json
	earlyManifestBytes   = 8 << 20 // decompressed bytes scanned
	earlyManifestMax     = 1 << 20 // largest package.json read
)

// earlyManifest returns the package.json of a .tgz if it is among the first
// entries (npm pack writes it early), nil otherwise. The full, checked
// read happens later; this only starts the lookups sooner.
func earlyManifest(tgz []byte) map[string]any {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: earlyManifestBytes}
	tr := tar.NewReader(lr)
	for i := 0; i < earlyManifestEntries; i++ {
		h, err := tr.Next()
		if err != nil {
			return nil
		}
		name := strings.TrimPrefix(h.Name, "./")
		if _, rest, ok := strings.Cut(name, "/"); ok && rest == "package.json" && h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(io.LimitReader(tr, earlyManifestMax))
			if err != nil {
				return nil
			}
			return signals.ManifestOf(data)
		}
	}
	return nil
}
