// Package heappeak measures the peak live heap of a piece of work, for
// tests that bound what hostile input (endless pages, huge bodies, many
// connections) can make the process hold.
package heappeak

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Start collects garbage, then samples the live heap every millisecond
// until the returned function is called; that function returns the
// largest sample, including one taken as it stops.
func Start() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(stopped)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		read()
		return peak.Load()
	}
}
