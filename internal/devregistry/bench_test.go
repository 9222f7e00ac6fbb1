package devregistry

import (
	"fmt"
	"io"
	"net/http"
	"testing"
)

// BenchmarkList1000 measures one full `stage list` (10 pages of 100) over
// HTTP against 1,000 staged items: the server side of architecture.md §6's
// list budget.
func BenchmarkList1000(b *testing.B) {
	e := newEnv(b, nil)
	for i := range 1000 {
		e.stage(testCI, fmt.Sprintf("pkg-%d", i%50), fmt.Sprintf("1.0.%d", i), "latest")
	}
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		for page := range 10 {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/-/stage?page=%d&perPage=100", e.url, page), nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
}
