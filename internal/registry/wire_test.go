package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
)

// wireCapture is testdata/wire-capture.json: requests sent by the real
// npm 11.19.1 (a copy of shared/docs/wire-capture.json).
type wireCapture struct {
	Requests []struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	} `json:"requests"`
}

func loadWire(t *testing.T) wireCapture {
	t.Helper()
	b, err := os.ReadFile("testdata/wire-capture.json")
	if err != nil {
		t.Fatal(err)
	}
	var w wireCapture
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// notCompared are headers that legitimately differ: our own user agent,
// transport-level headers, and pacote's cache hints that only npm's
// packument cache uses.
var notCompared = map[string]bool{
	"user-agent": true, "host": true, "connection": true,
	"pacote-version": true, "pacote-req-type": true, "pacote-pkg-id": true,
}

func headerMap(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		k = strings.ToLower(k)
		if !notCompared[k] {
			m[k] = strings.Join(v, ", ")
		}
	}
	return m
}

func sameHeaders(t *testing.T, label string, npm map[string]string, got http.Header) {
	t.Helper()
	want := map[string]string{}
	for k, v := range npm {
		if !notCompared[strings.ToLower(k)] {
			want[strings.ToLower(k)] = v
		}
	}
	have := headerMap(got)
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if want[k] != have[k] {
			t.Errorf("%s: header %s = %q, npm sends %q", label, k, have[k], want[k])
		}
	}
}

func TestWireListMatchesNpm(t *testing.T) {
	w := loadWire(t)
	var npm []int
	for i, r := range w.Requests {
		if strings.HasPrefix(r.URL, "/-/stage?") {
			npm = append(npm, i)
		}
	}
	if len(npm) != 2 {
		t.Fatalf("capture has %d list requests, want 2", len(npm))
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			items := make([]string, PerPage)
			for i := range items {
				items[i] = fmt.Sprintf(`{"id":"%08d-0000-4000-8000-000000000000","packageName":"@scope/pkg","version":"1.0.%d"}`, i, i)
			}
			writeJSON(w, 200, `{"items":[`+strings.Join(items, ",")+`],"total":101}`)
			return
		}
		writeJSON(w, 200, `{"items":[{"id":"x","packageName":"@scope/pkg","version":"2.0.0"}],"total":101}`)
	})
	c := newClient(t, f.URL, &prefixAuth{prefix: f.URL, header: "Bearer tok123"}, nil)
	items, err := c.ListStaged(context.Background(), "@scope/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 101 {
		t.Fatalf("got %d items, want 101", len(items))
	}
	got := f.requests()
	if len(got) != 2 {
		t.Fatalf("sent %d requests, want 2", len(got))
	}
	for i, idx := range npm {
		want := w.Requests[idx]
		if got[i].Method != want.Method || got[i].URI != want.URL {
			t.Errorf("request %d: %s %s, npm sends %s %s", i, got[i].Method, got[i].URI, want.Method, want.URL)
		}
		sameHeaders(t, fmt.Sprintf("list page %d", i), want.Headers, got[i].Header)
	}
}

func TestWireApproveMatchesNpm(t *testing.T) {
	w := loadWire(t)
	var npm []int
	for i, r := range w.Requests {
		if strings.HasSuffix(r.URL, "/approve") {
			npm = append(npm, i)
		}
	}
	if len(npm) != 2 {
		t.Fatalf("capture has %d approve requests, want 2", len(npm))
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Npm-Otp") != "222222" {
			w.Header().Set("WWW-Authenticate", "OTP")
			writeJSON(w, 401, `{"error":"This operation requires a one-time password."}`)
			return
		}
		writeJSON(w, 200, `{"ok":true}`)
	})
	c := newClient(t, f.URL, &prefixAuth{prefix: f.URL, header: "Bearer tok"}, nil)
	err := c.Approve(context.Background(), testID, "")
	if KindOf(err) != ErrOTPRequired {
		t.Fatalf("first approve: %v, want ErrOTPRequired", err)
	}
	if err := c.Approve(context.Background(), testID, "222222"); err != nil {
		t.Fatalf("approve with OTP: %v", err)
	}
	got := f.requests()
	for i, idx := range npm {
		want := w.Requests[idx]
		if got[i].Method != want.Method || got[i].URI != want.URL {
			t.Errorf("request %d: %s %s, npm sends %s %s", i, got[i].Method, got[i].URI, want.Method, want.URL)
		}
		if len(got[i].Body) != 0 {
			t.Errorf("approve sent a body of %d bytes", len(got[i].Body))
		}
		sameHeaders(t, fmt.Sprintf("approve %d", i), want.Headers, got[i].Header)
	}
}

func TestWireStagePublishAndPackumentMatchNpm(t *testing.T) {
	w := loadWire(t)
	var pub, pack = -1, -1
	for i, r := range w.Requests {
		switch {
		case r.Method == "POST" && strings.HasPrefix(r.URL, "/-/stage/package/"):
			pub = i
		case r.Method == "GET" && r.Headers["accept"] == "application/json":
			pack = i
		}
	}
	if pub < 0 || pack < 0 {
		t.Fatal("capture lacks the stage publish or full packument request")
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == "GET" {
			writeJSON(w, 404, `{"error":"Not found"}`)
			return
		}
		writeJSON(w, 201, `{"ok":true,"stageId":"`+testID+`"}`)
	})
	c := newClient(t, f.URL, &prefixAuth{prefix: f.URL, header: "Bearer scopetok"}, nil)
	if _, err := c.Packument(context.Background(), "@scope/pkg"); KindOf(err) != ErrNotFound {
		t.Fatalf("packument: %v, want ErrNotFound", err)
	}
	id, err := c.StagePublish(context.Background(), []byte(w.Requests[pub].Body), "@scope/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if id != testID {
		t.Errorf("stage id %q, want %q", id, testID)
	}
	got := f.requests()
	if got[0].URI != w.Requests[pack].URL {
		t.Errorf("packument URI %q, npm sends %q", got[0].URI, w.Requests[pack].URL)
	}
	sameHeaders(t, "packument", w.Requests[pack].Headers, got[0].Header)
	if got[1].URI != w.Requests[pub].URL {
		t.Errorf("stage publish URI %q, npm sends %q", got[1].URI, w.Requests[pub].URL)
	}
	if string(got[1].Body) != w.Requests[pub].Body {
		t.Error("stage publish body differs from the document given")
	}
	sameHeaders(t, "stage publish", w.Requests[pub].Headers, got[1].Header)
}

func TestAuthTypeLegacyWithUpFrontOTP(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, `{}`) })
	c := newClient(t, f.URL, nil, nil)
	if err := c.WithAuthType("legacy").Approve(context.Background(), testID, "123456"); err != nil {
		t.Fatal(err)
	}
	if err := c.Approve(context.Background(), testID, ""); err != nil {
		t.Fatal(err)
	}
	got := f.requests()
	if v := got[0].Header.Get("Npm-Auth-Type"); v != "legacy" {
		t.Errorf("with --otp: npm-auth-type %q, want legacy", v)
	}
	if v := got[1].Header.Get("Npm-Auth-Type"); v != "web" {
		t.Errorf("default: npm-auth-type %q, want web", v)
	}
	if _, ok := got[1].Header["Npm-Otp"]; ok {
		t.Error("npm-otp sent without an OTP")
	}
	if _, ok := got[1].Header["Authorization"]; ok {
		t.Error("authorization sent without credentials")
	}
}
