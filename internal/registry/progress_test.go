package registry

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestDownloadProgress(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 300<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	defer srv.Close()
	c, err := New(Options{Registry: srv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	var lastDone, lastTotal int64
	got, err := c.TarballProgress(context.Background(), srv.URL+"/p/-/p-1.0.0.tgz", 0, func(done, total int64) {
		if done < lastDone {
			t.Errorf("progress went backwards: %d after %d", done, lastDone)
		}
		calls++
		lastDone, lastTotal = done, total
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatal("body differs")
	}
	if calls < 2 || lastDone != int64(len(body)) || lastTotal != int64(len(body)) {
		t.Errorf("progress: %d calls, last %d/%d, want several ending at %d/%d", calls, lastDone, lastTotal, len(body), len(body))
	}
	// Without a callback nothing changes.
	if _, err := c.Tarball(context.Background(), srv.URL+"/p/-/p-1.0.0.tgz", 0); err != nil {
		t.Fatal(err)
	}
}
