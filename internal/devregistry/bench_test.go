package devregistry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
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

// BenchmarkDataDirMixed measures a mixed load over HTTP against a registry
// with --data (a folder on disk) holding 2,000 staged records: per round,
// two list pages, a view, a tarball, a packument, whoami, two stage
// publishes, an approve and a reject (4 of 10 requests write). It reports
// requests per second (issue 10 item 7: 52-166 req/s before the journal; see the
// commit that added the journal for this benchmark's before and after).
func BenchmarkDataDirMixed(b *testing.B) {
	dir := b.TempDir()
	e := newEnv(b, func(o *Options) { o.DataDir = dir })
	ids := fillStaged(b, e, 2000)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	send := func(method, path string, body []byte, hdr ...string) int {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, _ := http.NewRequest(method, e.url+path, rd)
		req.Header.Set("Authorization", "Bearer "+testToken)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	otp := e.code(0)
	n := 0
	var paused time.Duration
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		send("GET", fmt.Sprintf("/-/stage?page=%d&perPage=100", n%20), nil)
		send("GET", fmt.Sprintf("/-/stage?page=0&perPage=100&package=pkg-%d", n%100), nil)
		send("GET", "/-/stage/"+ids[len(ids)-1], nil)
		send("GET", "/-/stage/"+ids[len(ids)-1]+"/tarball", nil)
		send("GET", fmt.Sprintf("/pkg-%d", n%100), nil)
		send("GET", "/-/whoami", nil)
		// Packing the client's tarballs is not the server's work.
		b.StopTimer()
		p0 := time.Now()
		var bodies [2][]byte
		for k := range bodies {
			name, version := fmt.Sprintf("pkg-%d", n%100), fmt.Sprintf("2.%d.%d", n, k)
			bodies[k] = publishBody(name, version, "latest", tgzFor(b, name, version, `"`+version+`"`))
		}
		paused += time.Since(p0)
		b.StartTimer()
		for _, body := range bodies {
			name := fmt.Sprintf("pkg-%d", n%100)
			req, _ := http.NewRequest("POST", e.url+"/-/stage/package/"+name, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct{ StageID string }
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Fatalf("stage: %d", res.StatusCode)
			}
			ids = append(ids, out.StageID)
		}
		if st := send("POST", "/-/stage/"+ids[0]+"/approve", nil, "npm-otp", otp); st != 200 {
			b.Fatalf("approve: %d", st)
		}
		if st := send("DELETE", "/-/stage/"+ids[1], nil, "npm-otp", otp); st != 200 {
			b.Fatalf("reject: %d", st)
		}
		ids = ids[2:]
		n++
	}
	b.ReportMetric(float64(10*n)/(time.Since(start)-paused).Seconds(), "req/s")
}

// fillStaged puts n staged records (100 packages) into e's state and saves
// it once, as if they had been staged over time, and returns their ids.
func fillStaged(b testing.TB, e *env, n int) []string {
	b.Helper()
	ids := make([]string, 0, n)
	s := e.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		name, version := fmt.Sprintf("pkg-%d", i%100), fmt.Sprintf("1.0.%d", i)
		tgz := tgzFor(b, name, version, `"`+version+`"`)
		up, err := parseUpload(httptest.NewRequest("PUT", "/"+name, bytes.NewReader(publishBody(name, version, "latest", tgz))), name, DefaultMaxBodyBytes)
		if err != nil {
			b.Fatal(err)
		}
		key, err := s.store.put(up.tarball)
		if err != nil {
			b.Fatal(err)
		}
		rec := &stageRec{item: item{ID: uuid.NewString(), PackageName: name, Version: version, Tag: "latest",
			CreatedAt: e.clock.Now().UTC().Format(timeLayout), Actor: "ci", ActorType: "ci", Access: "public", Shasum: up.shasum},
			Blob: key, Manifest: up.manifest}
		s.insertStageLocked(rec)
		ids = append(ids, rec.ID)
	}
	if err := s.saveLocked(); err != nil {
		b.Fatal(err)
	}
	return ids
}
