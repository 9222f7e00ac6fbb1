package devregistry

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzPublishBody: publish documents are untrusted. Whatever the body, the
// handler must answer with a JSON status, never panic, and accept only
// documents whose tarball matches their claimed digests.
func FuzzPublishBody(f *testing.F) {
	f.Add([]byte(publishBody("pkg", "1.0.0", "latest", tgzFor(f, "pkg", "1.0.0", "1"))))
	f.Add([]byte(`{"name":"pkg","versions":{"1.0.0":{"name":"pkg","version":"1.0.0"}},"dist-tags":{"latest":"1.0.0"},"_attachments":{"x.tgz":{"data":"AAAA","length":3}}}`))
	f.Add([]byte(`{"name":"pkg","versions":null}`))
	f.Add([]byte(`[]`))
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := New(Options{Token: testToken, CIToken: testCI, TOTPSecret: testSecret, Now: c.Now})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range []string{"/-/stage/package/pkg", "/pkg"} {
			method := http.MethodPost
			if target == "/pkg" {
				method = http.MethodPut
			}
			req := httptest.NewRequest(method, target, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 201 && rec.Code != 400 && rec.Code != 409 && rec.Code != 413 {
				t.Fatalf("%s: status %d: %s", target, rec.Code, rec.Body)
			}
			if rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("content-type %q", rec.Header().Get("Content-Type"))
			}
		}
	})
}
