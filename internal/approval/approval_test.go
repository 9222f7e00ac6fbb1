package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/registry"
)

const (
	id     = "1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2f"
	shasum = "9e726b84e96fc65c2545a91d4b8e9fef68063e99"
	otp    = "777999"
	token  = "npm_SecretAuthToken42"
)

// fakeRegistry holds one staged item and a packument; mode decides how
// approve and reject answer after (or instead of) taking effect.
type fakeRegistry struct {
	mu        sync.Mutex
	staged    bool
	itemJSON  string
	published bool
	mode      string
	posts     int
	deletes   int
	release   chan struct{}
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	path := r.URL.Path
	switch {
	case r.Method == "GET" && path == "/-/stage/"+id:
		staged, body := f.staged, f.itemJSON
		f.mu.Unlock()
		if !staged {
			http.Error(w, `{"error":"not found"}`, 404)
			return
		}
		w.Write([]byte(body))
		return
	case r.Method == "GET" && path == "/@scope%2fpkg" || r.Method == "GET" && r.URL.RawPath == "/@scope%2fpkg":
		pub := f.published
		f.mu.Unlock()
		versions := `{"0.9.0":{"name":"@scope/pkg","version":"0.9.0"}`
		if pub {
			versions += `,"1.0.0":{"name":"@scope/pkg","version":"1.0.0"}`
		}
		fmt.Fprintf(w, `{"name":"@scope/pkg","dist-tags":{"latest":"0.9.0"},"versions":%s}}`, versions)
		return
	case r.Method == "POST" && path == "/-/stage/"+id+"/approve":
		f.posts++
	case r.Method == "DELETE" && path == "/-/stage/"+id:
		f.deletes++
	default:
		f.mu.Unlock()
		http.Error(w, "unexpected "+r.Method+" "+r.URL.String(), 500)
		return
	}
	mode := f.mode
	if mode == "otp" && r.Header.Get("Npm-Otp") == "" {
		f.mu.Unlock()
		w.Header().Set("WWW-Authenticate", "OTP")
		http.Error(w, `{"error":"one-time password required"}`, http.StatusUnauthorized)
		return
	}
	applies := !strings.HasSuffix(mode, "-noapply") && mode != "late"
	if mode == "late" {
		// The registry applies the request after its answer was lost.
		post := r.Method == "POST"
		time.AfterFunc(450*time.Millisecond, func() {
			f.mu.Lock()
			f.staged = false
			f.published = f.published || post
			f.mu.Unlock()
		})
	}
	if applies && mode != "gone-unpublished" {
		f.staged = false
		f.published = f.published || r.Method == "POST"
	}
	if mode == "gone-unpublished" {
		f.staged = false
	}
	f.mu.Unlock()
	switch strings.TrimSuffix(mode, "-noapply") {
	case "hang", "gone-unpublished", "late":
		<-f.release
	case "drop":
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	case "empty":
		w.WriteHeader(204)
	case "notfound":
		http.Error(w, `{"error":"not found"}`, 404)
	default:
		w.Write([]byte(`{"ok":true}`))
	}
}

type auth struct{}

func (auth) AuthHeader(string) string { return "Bearer " + token }

func setup(t *testing.T, mode, itemShasum string) (*fakeRegistry, *Decider, *[]Entry) {
	t.Helper()
	f := &fakeRegistry{staged: true, mode: mode, release: make(chan struct{}),
		itemJSON: `{"id":"` + id + `","packageName":"@scope/pkg","version":"1.0.0","tag":"latest","shasum":"` + itemShasum + `"}`}
	srv := httptest.NewServer(f)
	t.Cleanup(func() { close(f.release); srv.Close() })
	c, err := registry.New(registry.Options{Registry: srv.URL, Auth: auth{}, Timeout: 200 * time.Millisecond, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	d := &Decider{
		Client: c,
		Audit:  func(e Entry) error { entries = append(entries, e); return nil },
		Now:    func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
		Via:    "cli",
		// A short grace period keeps the tests quick.
		VerifyTimeout:  1500 * time.Millisecond,
		VerifyInterval: 50 * time.Millisecond,
	}
	return f, d, &entries
}

var item = registry.StageItem{ID: id, PackageName: "@scope/pkg", Version: "1.0.0", Tag: "latest", Shasum: shasum}

func TestApprove(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		itemShasum string
		reviewed   string
		otp        string
		want       Result
		verified   bool
		wantErr    error
		wantKind   registry.ErrorKind
		posts      int
	}{
		{name: "approved", mode: "ok", want: Approved, posts: 1},
		{name: "shasum compared case-insensitively", mode: "ok", itemShasum: strings.ToUpper(shasum), want: Approved, posts: 1},
		{name: "shasum changed since review", mode: "ok", itemShasum: "0000000000000000000000000000000000000000", want: Refused, wantErr: ErrShasumMismatch},
		{name: "record has no shasum", mode: "ok", itemShasum: "-", want: Refused, wantErr: ErrShasumMismatch},
		{name: "nothing reviewed", mode: "ok", reviewed: "-", want: Refused},
		{name: "otp required", mode: "otp", want: Failed, wantKind: registry.ErrOTPRequired, posts: 1},
		{name: "otp given", mode: "otp", otp: otp, want: Approved, posts: 1},
		{name: "timeout after it took effect", mode: "hang", want: Approved, verified: true, posts: 1},
		{name: "timeout, never took effect within the grace period", mode: "hang-noapply", want: Unknown, wantKind: registry.ErrTimeout, posts: 1},
		{name: "timeout, took effect late within the grace period", mode: "late", want: Approved, verified: true, posts: 1},
		{name: "204 after it took effect", mode: "empty", want: Approved, verified: true, posts: 1},
		{name: "dropped connection after it took effect", mode: "drop", want: Approved, verified: true, posts: 1},
		{name: "record gone but version not published", mode: "gone-unpublished", want: Unknown, wantKind: registry.ErrTimeout, posts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			itemSha := shasum
			if tc.itemShasum == "-" {
				itemSha = ""
			} else if tc.itemShasum != "" {
				itemSha = tc.itemShasum
			}
			reviewed := shasum
			if tc.reviewed == "-" {
				reviewed = ""
			}
			f, d, entries := setup(t, tc.mode, itemSha)
			out, err := d.Approve(context.Background(), item, reviewed, tc.otp)
			if out.Result != tc.want || out.Verified != tc.verified || out.Action != "approve" {
				t.Fatalf("outcome %+v (err %v), want %s verified=%v", out, err, tc.want, tc.verified)
			}
			if (err == nil) != (tc.want == Approved) {
				t.Errorf("err = %v with result %s", err, out.Result)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantKind != registry.KindNone && registry.KindOf(err) != tc.wantKind {
				t.Errorf("err kind %v, want %v (%v)", registry.KindOf(err), tc.wantKind, err)
			}
			if f.posts != tc.posts {
				t.Errorf("approve sent %d times, want %d", f.posts, tc.posts)
			}
			if len(*entries) != 1+tc.posts {
				t.Errorf("%d audit entries for %d requests: want an intent before each", len(*entries), tc.posts)
			}
			checkAudit(t, *entries, "approve", out.Result, reviewed)
		})
	}
}

func TestApproveGoneBeforeSending(t *testing.T) {
	f, d, entries := setup(t, "ok", shasum)
	f.staged = false
	out, err := d.Approve(context.Background(), item, shasum, "")
	if out.Result != Refused || registry.KindOf(err) != registry.ErrNotFound || f.posts != 0 {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
	checkAudit(t, *entries, "approve", Refused, shasum)
}

func TestApproveOtherVersionRefused(t *testing.T) {
	f, d, _ := setup(t, "ok", shasum)
	other := item
	other.Version = "2.0.0"
	out, err := d.Approve(context.Background(), other, shasum, "")
	if out.Result != Refused || err == nil || f.posts != 0 {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
}

func TestApproveVerifiesAfterCallerDeadline(t *testing.T) {
	f, d, entries := setup(t, "hang", shasum)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// The per-request timeout is longer than the caller's deadline here.
	c, _ := registry.New(registry.Options{Registry: d.Client.Registry(), Auth: auth{}, Timeout: time.Minute})
	d.Client = c
	out, err := d.Approve(ctx, item, shasum, "")
	if out.Result != Approved || !out.Verified || err != nil || f.posts != 1 {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
	checkAudit(t, *entries, "approve", Approved, shasum)
}

func TestReject(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		want     Result
		verified bool
	}{
		{name: "rejected", mode: "ok", want: Rejected},
		{name: "204", mode: "empty", want: Rejected},
		{name: "timeout after it took effect", mode: "hang", want: Rejected, verified: true},
		{name: "timeout, never took effect within the grace period", mode: "hang-noapply", want: Unknown},
		{name: "timeout, took effect late within the grace period", mode: "late", want: Rejected, verified: true},
		{name: "already gone", mode: "notfound", want: Failed},
		{name: "otp required", mode: "otp", want: Failed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, d, entries := setup(t, tc.mode, shasum)
			out, err := d.Reject(context.Background(), item, "", "")
			if out.Result != tc.want || out.Verified != tc.verified || out.Action != "reject" {
				t.Fatalf("outcome %+v (err %v), want %s verified=%v", out, err, tc.want, tc.verified)
			}
			if (err == nil) != (tc.want == Rejected) {
				t.Errorf("err = %v with result %s", err, out.Result)
			}
			if f.deletes != 1 {
				t.Errorf("reject sent %d times", f.deletes)
			}
			if len(*entries) != 2 || (*entries)[0].Result != "intent" {
				t.Errorf("audit entries %+v: want the intent, then the outcome", *entries)
			}
			checkAudit(t, *entries, "reject", out.Result, shasum)
		})
	}
}

func TestAuditFailureIsReported(t *testing.T) {
	// The intent cannot be written: nothing is sent.
	f, d, _ := setup(t, "ok", shasum)
	d.Audit = func(Entry) error { return errors.New("disk full") }
	out, err := d.Approve(context.Background(), item, shasum, otp)
	if out.Result != Failed || !errors.Is(err, ErrAuditWrite) || f.posts != 0 {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
	out, err = d.Reject(context.Background(), item, shasum, otp)
	if out.Result != Failed || !errors.Is(err, ErrAuditWrite) || f.deletes != 0 {
		t.Fatalf("reject: outcome %+v, err %v, deletes %d", out, err, f.deletes)
	}

	// The intent is written but the outcome is not: the approval happened
	// and the error says so.
	f, d, _ = setup(t, "ok", shasum)
	d.Audit = func(e Entry) error {
		if e.Result == "intent" {
			return nil
		}
		return errors.New("disk full")
	}
	out, err = d.Approve(context.Background(), item, shasum, otp)
	if out.Result != Approved || !errors.Is(err, ErrAuditWrite) || f.posts != 1 || !strings.Contains(err.Error(), "approve approved, but the audit log could not be written") {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
}

func TestVerifyReportsProgress(t *testing.T) {
	_, d, _ := setup(t, "late", shasum)
	var msgs []string
	d.Progress = func(m string) { msgs = append(msgs, m) }
	out, err := d.Approve(context.Background(), item, shasum, otp)
	if out.Result != Approved || err != nil {
		t.Fatalf("outcome %+v, err %v", out, err)
	}
	if len(msgs) == 0 || !strings.Contains(msgs[0], "checking whether it took effect: the version is still staged") {
		t.Fatalf("progress %q", msgs)
	}
}

func TestWithProgressOverridesProgress(t *testing.T) {
	_, d, _ := setup(t, "late", shasum)
	d.Progress = func(string) { t.Error("Decider.Progress called despite WithProgress") }
	var got []string
	ctx := WithProgress(context.Background(), func(m string) { got = append(got, m) })
	if out, err := d.Approve(ctx, item, shasum, otp); out.Result != Approved || err != nil || len(got) == 0 {
		t.Fatalf("outcome %+v, err %v, progress %q", out, err, got)
	}
}

func TestWithChecksStopsTheChecks(t *testing.T) {
	_, d, entries := setup(t, "hang-noapply", shasum)
	d.VerifyTimeout = time.Minute
	checks, stop := context.WithCancel(context.Background())
	d.Progress = func(string) { stop() } // the user presses ctrl+c again
	start := time.Now()
	out, err := d.Approve(WithChecks(context.Background(), checks), item, shasum, otp)
	if out.Result != Unknown || err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("outcome %+v, err %v after %v", out, err, time.Since(start))
	}
	if !strings.Contains(out.Detail, "checks were stopped") {
		t.Errorf("detail %q", out.Detail)
	}
	checkAudit(t, *entries, "approve", Unknown, shasum)
}

func TestResolve(t *testing.T) {
	open := Entry{Action: "approve", ID: id, Package: "@scope/pkg", Version: "1.0.0", Shasum: shasum, Result: "intent"}
	for _, tc := range []struct {
		name              string
		staged, published bool
		action            string
		want              Result
	}{
		{"approve took effect", false, true, "approve", Approved},
		{"approve: still staged", true, false, "approve", Unknown},
		{"approve: gone, not published", false, false, "approve", Unknown},
		{"reject took effect", false, false, "reject", Rejected},
		{"reject: published instead", false, true, "reject", Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, d, entries := setup(t, "ok", shasum)
			f.staged, f.published = tc.staged, tc.published
			o := open
			o.Action = tc.action
			out, err := d.Resolve(context.Background(), o)
			if out.Result != tc.want || !out.Resolved || (err == nil) != (tc.want == Approved || tc.want == Rejected) {
				t.Fatalf("outcome %+v, err %v", out, err)
			}
			if f.posts+f.deletes != 0 {
				t.Fatal("Resolve must never send")
			}
			checkAudit(t, *entries, tc.action, tc.want, shasum)
			if !(*entries)[0].Resolved {
				t.Error("the entry is not marked resolved")
			}
		})
	}
}

func TestRefuseIsAudited(t *testing.T) {
	_, d, entries := setup(t, "ok", shasum)
	out, err := d.Refuse("approve", item, shasum, "integrity mismatch")
	if out.Result != Refused || err == nil {
		t.Fatalf("outcome %+v, err %v", out, err)
	}
	checkAudit(t, *entries, "approve", Refused, shasum)
}

// checkAudit checks the one entry written and that it holds no secret.
func checkAudit(t *testing.T, entries []Entry, action string, result Result, sha string) {
	t.Helper()
	if len(entries) == 2 {
		if in := entries[0]; in.Result != "intent" || in.Action != action || in.ID != id || in.Shasum != sha {
			t.Errorf("first of two entries %+v: want the intent", in)
		}
		entries = entries[1:]
	}
	if len(entries) != 1 {
		t.Fatalf("%d audit entries, want 1 (after any intent)", len(entries))
	}
	e := entries[0]
	if e.Action != action || e.Result != string(result) || e.ID != id || e.Package != "@scope/pkg" || e.Version != "1.0.0" ||
		e.Shasum != sha || !strings.HasPrefix(e.Registry, "http://127.0.0.1:") || e.Time.IsZero() || e.Via != "cli" {
		t.Errorf("audit entry %+v", e)
	}
	b, _ := json.Marshal(e)
	if strings.Contains(string(b), otp) || strings.Contains(string(b), token) {
		t.Errorf("audit entry holds a secret: %s", b)
	}
}

func TestRejectRecordsReviewedShasumAndRegistry(t *testing.T) {
	_, d, entries := setup(t, "ok", shasum)
	d.Registry = "https://registry.example/"
	const reviewed = "1111111111111111111111111111111111111111"
	out, err := d.Reject(context.Background(), item, reviewed, otp)
	if out.Result != Rejected || err != nil {
		t.Fatalf("outcome %+v, err %v", out, err)
	}
	if e := (*entries)[0]; e.Shasum != reviewed || e.Registry != "https://registry.example/" {
		t.Errorf("audit entry %+v", e)
	}
}

func TestApproveValidatingRefused(t *testing.T) {
	f, d, entries := setup(t, "ok", shasum)
	f.itemJSON = `{"id":"` + id + `","packageName":"@scope/pkg","version":"1.0.0","tag":"latest","shasum":"` + shasum + `","status":"validating"}`
	out, err := d.Approve(context.Background(), item, shasum, otp)
	if out.Result != Refused || !errors.Is(err, ErrValidating) || f.posts != 0 {
		t.Fatalf("outcome %+v, err %v, posts %d", out, err, f.posts)
	}
	if !strings.Contains(err.Error(), "still validating on the registry; try again in a moment") {
		t.Errorf("message %q", err)
	}
	checkAudit(t, *entries, "approve", Refused, shasum)
	// Once the registry says staged, the same approval goes through.
	f.itemJSON = strings.Replace(f.itemJSON, `"validating"`, `"staged"`, 1)
	if out, err := d.Approve(context.Background(), item, shasum, otp); out.Result != Approved || err != nil {
		t.Fatalf("after validation: %+v, %v", out, err)
	}
}

func TestSettleWritesOnlyProvenOutcomes(t *testing.T) {
	open := Entry{Action: "approve", ID: id, Package: "@scope/pkg", Version: "1.0.0", Shasum: shasum, Result: "intent"}
	f, d, entries := setup(t, "ok", shasum) // still staged: proves nothing
	outs, _, err := d.SettlePending(context.Background(), []Entry{open}, 5, nil)
	if err != nil || len(outs) != 0 || len(*entries) != 0 {
		t.Fatalf("outs %+v, err %v, entries %+v", outs, err, *entries)
	}
	f.staged, f.published = false, true
	outs, which, err := d.SettlePending(context.Background(), []Entry{open}, 5, nil)
	if err != nil || len(outs) != 1 || outs[0].Result != Approved || which[0].ID != id || f.posts != 0 {
		t.Fatalf("outs %+v, err %v", outs, err)
	}
	checkAudit(t, *entries, "approve", Approved, shasum)
	if outs, _, _ := d.SettlePending(context.Background(), []Entry{open}, 5, func(Entry) bool { return true }); len(outs) != 0 {
		t.Fatal("skip ignored")
	}
}
