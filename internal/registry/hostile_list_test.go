package registry

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stagegate/stagegate/internal/heappeak"
)

// hostileList is a fault-injecting stage registry: every GET /-/stage
// page is produced by pageFn (page number from the query) and streamed
// without being held in memory, so a test can serve endless queues.
func hostileList(t testing.TB, pageFn func(page int, w *bufio.Writer)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 32<<10)
		pageFn(p, bw)
		_ = bw.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

// writeItems writes n stage items with ids start..start+n-1 and a total
// that always claims more.
func writeItems(b *bufio.Writer, start, n int) {
	b.WriteString(`{"total":1000000000,"items":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `{"id":"%08x-0000-4000-8000-000000000000","packageName":"p","version":"1.0.%d","tag":"latest","shasum":"%040d"}`, start+i, start+i, start+i)
	}
	b.WriteString(`]}`)
}

func TestListStagedHostilePages(t *testing.T) {
	tests := []struct {
		name     string
		pageFn   func(page int, b *bufio.Writer)
		maxItems int
		want     string // in the error message
		maxPages int64  // requests the client may send
	}{
		{
			name:     "10,000 items per page forever",
			pageFn:   func(p int, b *bufio.Writer) { writeItems(b, p*10000, 10000) },
			want:     "page 0 has 10000 items, more than the 100 asked for",
			maxPages: 1,
		},
		{
			name:     "the same page forever",
			pageFn:   func(p int, b *bufio.Writer) { writeItems(b, 0, 100) },
			want:     "page 1 repeats id 00000000-0000-4000-8000-000000000000 from page 0",
			maxPages: 2,
		},
		{
			name: "pages loop back to page 0",
			pageFn: func(p int, b *bufio.Writer) {
				writeItems(b, (p%3)*100, 100)
			},
			want:     "page 3 repeats id",
			maxPages: 4,
		},
		{
			name: "an id repeated within one page",
			pageFn: func(p int, b *bufio.Writer) {
				it := `{"id":"00000001-0000-4000-8000-000000000000","packageName":"p","version":"1.0.0"}`
				b.WriteString(`{"total":2,"items":[` + it + `,` + it + `]}`)
			},
			want:     "page 0 repeats id",
			maxPages: 1,
		},
		{
			name:     "new ids forever stop at the item cap",
			pageFn:   func(p int, b *bufio.Writer) { writeItems(b, p*100, 100) },
			maxItems: 1000,
			want:     "stopped after 1100 items on 11 pages: more than the limit of 1000 staged versions",
			maxPages: 11,
		},
		{
			name: "one page larger than the page cap",
			pageFn: func(p int, b *bufio.Writer) {
				b.WriteString(`{"items":[],"pad":"`)
				for i := 0; i < MaxListPageBytes/1024; i++ {
					b.WriteString(strings.Repeat("x", 1024))
				}
				b.WriteString(`x"}`)
			},
			want:     "exceeds the limit of 8388608 bytes",
			maxPages: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, served := hostileList(t, tc.pageFn)
			c := newClient(t, srv.URL, nil, func(o *Options) { o.MaxRetries = -1; o.MaxListItems = tc.maxItems })
			items, err := c.ListStaged(context.Background(), "")
			if err == nil {
				t.Fatalf("got %d items and no error", len(items))
			}
			if k := KindOf(err); k != ErrBadResponse && k != ErrTooLarge {
				t.Errorf("kind %v, want bad response or too large", k)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if n := served.Load(); n > tc.maxPages {
				t.Errorf("fetched %d pages, want at most %d", n, tc.maxPages)
			}
		})
	}
}

// TestListStagedEndlessQueueMemory: with the default limits, a registry
// that claims an endless queue of distinct ids costs a bounded amount of
// memory before ListStaged gives up (the item cap).
func TestListStagedEndlessQueueMemory(t *testing.T) {
	srv, served := hostileList(t, func(p int, b *bufio.Writer) { writeItems(b, p*100, 100) })
	c := newClient(t, srv.URL, nil, func(o *Options) { o.MaxRetries = -1 })
	peak := heappeak.Start()
	_, err := c.ListStaged(context.Background(), "")
	max := peak()
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 20000 staged versions") {
		t.Fatalf("err = %v, want the item cap", err)
	}
	if n := served.Load(); n != 201 {
		t.Errorf("fetched %d pages, want 201", n)
	}
	// The heap of the whole process (client and this test server).
	if max > 100<<20 {
		t.Errorf("heap peaked at %d MiB, want under 100 MiB", max>>20)
	}
	t.Logf("heap peak %.1f MiB", float64(max)/(1<<20))
}

// hugeBody streams n bytes of a JSON string, chunked (no content-length),
// from a small reused buffer.
func hugeBody(n int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		buf := []byte(strings.Repeat("x", 64<<10))
		_, _ = w.Write([]byte(`{"id":"`))
		for sent := int64(0); sent < n; sent += int64(len(buf)) {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}`))
	}
}

// hugeGzipBody is hugeBody gzip-compressed: a small download that
// decodes to n bytes.
func hugeGzipBody(n int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		hugeBody(n)(gzipResponse{w, zw}, r)
		_ = zw.Close()
	}
}

type gzipResponse struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g gzipResponse) Write(b []byte) (int, error) { return g.zw.Write(b) }

// TestOversizedJSONBodies: a 300 MiB answer on a JSON route stops at the
// route's cap (1 MiB for a stage item and an approve; MaxJSONBytes for a
// packument) with the live heap staying near that cap.
func TestOversizedJSONBodies(t *testing.T) {
	const body = 300 << 20
	const jsonCap = 32 << 20
	srv := httptest.NewServer(hugeBody(body))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, nil, func(o *Options) { o.MaxRetries = -1; o.MaxJSONBytes = jsonCap })
	gz := httptest.NewServer(hugeGzipBody(body))
	t.Cleanup(gz.Close)
	cz := newClient(t, gz.URL, nil, func(o *Options) { o.MaxRetries = -1; o.MaxJSONBytes = jsonCap })
	ctx := context.Background()
	tests := []struct {
		name string
		cap  int64
		call func() error
	}{
		{"view", MaxStageItemBytes, func() error { _, err := c.ViewStaged(ctx, testID); return err }},
		{"approve", MaxStageItemBytes, func() error { return c.Approve(ctx, testID, "123456") }},
		{"packument", jsonCap, func() error { _, err := c.Packument(ctx, "p"); return err }},
		{"gzip view", MaxStageItemBytes, func() error { _, err := cz.ViewStaged(ctx, testID); return err }},
		{"gzip packument", jsonCap, func() error { _, err := cz.Packument(ctx, "p"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			peak := heappeak.Start()
			err := tc.call()
			max := peak()
			if KindOf(err) != ErrTooLarge || !strings.Contains(err.Error(), fmt.Sprintf("limit of %d bytes", tc.cap)) {
				t.Fatalf("err = %v, want too large at %d bytes", err, tc.cap)
			}
			t.Logf("cap %d MiB: heap peak %.1f MiB", tc.cap>>20, float64(max)/(1<<20))
			if limit := uint64(tc.cap) + uint64(tc.cap)/4 + 8<<20; max > limit {
				t.Errorf("heap peaked at %.1f MiB, want at most %.1f MiB (cap %d MiB)", float64(max)/(1<<20), float64(limit)/(1<<20), tc.cap>>20)
			}
		})
	}
}

// TestReadCapped: bodies up to the cap arrive whole whether or not their
// length is known; one byte more is too large; a short body is an error.
func TestReadCapped(t *testing.T) {
	const max = 3*readChunk + 7
	body := func(n int) []byte { return bytes.Repeat([]byte("ab"), n)[:n] }
	for _, tc := range []struct {
		name    string
		n, hint int64
		tooBig  bool
		short   bool
	}{
		{name: "empty, unknown length", n: 0, hint: -1},
		{name: "empty, known length", n: 0, hint: 0},
		{name: "one chunk", n: readChunk, hint: -1},
		{name: "at the cap, unknown length", n: max, hint: -1},
		{name: "at the cap, known length", n: max, hint: max},
		{name: "cap+1, unknown length", n: max + 1, hint: -1, tooBig: true},
		{name: "longer than its length", n: 100, hint: 50, tooBig: true},
		{name: "shorter than its length", n: 50, hint: 100, short: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := body(int(tc.n))
			got, err := readCapped(bytes.NewReader(want), max, tc.hint)
			switch {
			case tc.tooBig:
				if !errors.Is(err, errTooLarge) || got != nil {
					t.Fatalf("got %d bytes, err %v; want errTooLarge", len(got), err)
				}
			case tc.short:
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("err %v, want unexpected EOF", err)
				}
			default:
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("got %d bytes (err %v), want %d", len(got), err, len(want))
				}
			}
		})
	}
}
