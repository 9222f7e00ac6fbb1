package registry

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkListStaged1000 lists 1,000 staged items (10 pages) from a
// loopback registry: the client side of the `list --json` budget.
func BenchmarkListStaged1000(b *testing.B) {
	pages := make([]string, 10)
	for i := range pages {
		pages[i] = page(100, i*100, "1000")
	}
	f := newFake(b, func(w http.ResponseWriter, r *http.Request, n int) {
		p := r.URL.Query().Get("page")
		i := 0
		for _, c := range p {
			i = i*10 + int(c-'0')
		}
		writeJSON(w, 200, pages[i%10])
	})
	c, err := New(Options{Registry: f.URL})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		items, err := c.ListStaged(context.Background(), "")
		if err != nil || len(items) != 1000 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
}
