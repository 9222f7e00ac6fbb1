package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func page(n, start int, total string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"%08d-0000-4000-8000-000000000000","packageName":"p","version":"1.0.%d","extra":{"k":%d}}`, start+i, start+i, start+i)
	}
	s := `{"items":[` + strings.Join(items, ",") + `]`
	if total != "" {
		s += `,"total":` + total
	}
	return s + "}"
}

func TestListStagedPagination(t *testing.T) {
	tests := []struct {
		name      string
		filter    string
		pages     []string // page P's body
		wantItems int
		wantURIs  []string
	}{
		{
			name:      "empty queue",
			pages:     []string{`{"items":[],"total":0}`},
			wantItems: 0,
			wantURIs:  []string{"/-/stage?page=0&perPage=100"},
		},
		{
			name:      "total reached on a full page stops without an extra request",
			pages:     []string{page(100, 0, "200"), page(100, 100, "200"), page(5, 200, "200")},
			wantItems: 200,
			wantURIs:  []string{"/-/stage?page=0&perPage=100", "/-/stage?page=1&perPage=100"},
		},
		{
			name:      "short page stops even when total is larger",
			pages:     []string{page(100, 0, "1000"), page(100, 100, "1000"), page(7, 200, "1000"), page(100, 300, "1000")},
			wantItems: 207,
			wantURIs:  []string{"/-/stage?page=0&perPage=100", "/-/stage?page=1&perPage=100", "/-/stage?page=2&perPage=100"},
		},
		{
			name:      "missing total: only a short page stops",
			pages:     []string{page(100, 0, ""), page(0, 100, "")},
			wantItems: 100,
			wantURIs:  []string{"/-/stage?page=0&perPage=100", "/-/stage?page=1&perPage=100"},
		},
		{
			name:      "scoped filter is WHATWG-encoded after page and perPage",
			filter:    "@scope/pkg",
			pages:     []string{page(3, 0, "3")},
			wantItems: 3,
			wantURIs:  []string{"/-/stage?page=0&perPage=100&package=%40scope%2Fpkg"},
		},
		{
			name:      "name@* is a name",
			filter:    "@scope/pkg@*",
			pages:     []string{page(1, 0, "1")},
			wantItems: 1,
			wantURIs:  []string{"/-/stage?page=0&perPage=100&package=%40scope%2Fpkg"},
		},
		{
			name:      "form encoding of ~ ! ' ( ) *",
			filter:    "a~b!c'd(e)f*g",
			pages:     []string{page(1, 0, "1")},
			wantItems: 1,
			wantURIs:  []string{"/-/stage?page=0&perPage=100&package=a%7Eb%21c%27d%28e%29f*g"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n >= len(tc.pages) {
					writeJSON(w, 500, `{"error":"no such page"}`)
					return
				}
				writeJSON(w, 200, tc.pages[n])
			})
			c := newClient(t, f.URL, nil, func(o *Options) { o.MaxRetries = -1 })
			items, err := c.ListStaged(context.Background(), tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.wantItems {
				t.Errorf("got %d items, want %d", len(items), tc.wantItems)
			}
			var uris []string
			for _, r := range f.requests() {
				uris = append(uris, r.URI)
			}
			if strings.Join(uris, "\n") != strings.Join(tc.wantURIs, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(uris, "\n"), strings.Join(tc.wantURIs, "\n"))
			}
			for i, it := range items {
				if it.Version != fmt.Sprintf("1.0.%d", i) {
					t.Fatalf("item %d has version %q: order or parsing is wrong", i, it.Version)
				}
			}
		})
	}
}

func TestListStagedKeepsRawItems(t *testing.T) {
	body := `{"items":[{"id":"` + testID + `","packageName":"p","version":"1.0.0","tag":"latest","actor":"a","shasum":"abc","access":"public","unknownKey":[1,2]}],"total":1}`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, body) })
	c := newClient(t, f.URL, nil, nil)
	items, err := c.ListStaged(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Items json.RawMessage }
	json.Unmarshal([]byte(body), &want)
	if string(out) != string(want.Items) {
		t.Errorf("items re-encoded as %s, want the registry's %s", out, want.Items)
	}
	if items[0].Shasum != "abc" || items[0].Access != "public" || items[0].Tag != "latest" {
		t.Errorf("parsed fields wrong: %+v", items[0])
	}
}

func TestListStagedRefusals(t *testing.T) {
	tests := []struct {
		name   string
		filter string
		body   string
		max    int
		want   ErrorKind
		sent   int
	}{
		{name: "version spec", filter: "pkg@1.0.0", want: ErrInvalid, sent: 0},
		{name: "path in name", filter: "../pkg", want: ErrInvalid, sent: 0},
		{name: "query in name", filter: "pkg?x=1", want: ErrInvalid, sent: 0},
		{name: "no items array", body: `{"total":3}`, want: ErrBadResponse, sent: 1},
		{name: "not JSON", body: `<html>`, want: ErrBadResponse, sent: 1},
		{name: "items of wrong type", body: `{"items":[{"id":5}],"total":1}`, want: ErrBadResponse, sent: 1},
		{name: "page cap", body: page(100, 0, "1000000"), max: 3, want: ErrBadResponse, sent: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if tc.name == "page cap" {
					writeJSON(w, 200, page(100, 100*n, "1000000")) // new ids on every page
					return
				}
				writeJSON(w, 200, tc.body)
			})
			c := newClient(t, f.URL, nil, func(o *Options) { o.MaxPages = tc.max })
			_, err := c.ListStaged(context.Background(), tc.filter)
			if KindOf(err) != tc.want {
				t.Fatalf("err = %v (kind %v), want %v", err, KindOf(err), tc.want)
			}
			if n := len(f.requests()); n != tc.sent {
				t.Errorf("sent %d requests, want %d", n, tc.sent)
			}
		})
	}
}

func TestBasePathAndEscaping(t *testing.T) {
	for _, suffix := range []string{"/npm/", "/npm"} {
		t.Run(suffix, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/tarball"):
					w.Write([]byte("tgz"))
				case r.Method == "POST":
					writeJSON(w, 201, `{}`)
				case r.Method == "DELETE":
					w.WriteHeader(204)
				case strings.HasPrefix(r.URL.Path, "/npm/-/stage?"), r.URL.Path == "/npm/-/stage":
					writeJSON(w, 200, `{"items":[],"total":0}`)
				default:
					writeJSON(w, 200, `{"name":"@scope/pkg","id":"`+testID+`"}`)
				}
			})
			auth := &prefixAuth{prefix: f.URL + "/npm/", header: "Bearer t"}
			c := newClient(t, f.URL+suffix, auth, nil)
			ctx := context.Background()
			if c.Registry() != f.URL+"/npm/" {
				t.Errorf("Registry() = %q", c.Registry())
			}
			mustOK := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			_, err := c.ListStaged(ctx, "")
			mustOK(err)
			_, err = c.ViewStaged(ctx, testID)
			mustOK(err)
			_, err = c.StagedTarball(ctx, testID)
			mustOK(err)
			mustOK(c.Approve(ctx, testID, ""))
			mustOK(c.Reject(ctx, testID, ""))
			_, err = c.StagePublish(ctx, []byte(`{}`), "@scope/pkg")
			mustOK(err)
			_, err = c.Packument(ctx, "@scope/pkg")
			mustOK(err)
			_, err = c.Packument(ctx, "plain")
			mustOK(err)
			want := []string{
				"GET /npm/-/stage?page=0&perPage=100",
				"GET /npm/-/stage/" + testID,
				"GET /npm/-/stage/" + testID + "/tarball",
				"POST /npm/-/stage/" + testID + "/approve",
				"DELETE /npm/-/stage/" + testID,
				"POST /npm/-/stage/package/@scope%2fpkg",
				"GET /npm/@scope%2fpkg",
				"GET /npm/plain",
			}
			got := f.requests()
			if len(got) != len(want) {
				t.Fatalf("sent %d requests, want %d", len(got), len(want))
			}
			for i, r := range got {
				if r.Method+" "+r.URI != want[i] {
					t.Errorf("request %d: %s %s, want %s", i, r.Method, r.URI, want[i])
				}
				if r.Header.Get("Authorization") != "Bearer t" {
					t.Errorf("request %d: no credentials", i)
				}
				if r.Header.Get("Npm-Command") != "stage" {
					t.Errorf("request %d: npm-command %q", i, r.Header.Get("Npm-Command"))
				}
			}
			// The Authorizer is asked about the exact request URL.
			for _, u := range auth.asked {
				if !strings.HasPrefix(u, f.URL+"/npm/") || strings.Contains(u, "//-") {
					t.Errorf("Authorizer asked about %q", u)
				}
			}
		})
	}
}

func TestStageIDValidation(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{testID, true},
		{strings.ToUpper(testID), true},
		{"1de6f3db2ed94d72b3dd8f0e2b474a2f", false},
		{"1de6f3db-2ed9-4d72-b3dd-8f0e2b474a2g", false},
		{"../../-/whoami", false},
		{testID + "/x", false},
		{"", false},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, `{}`) })
	c := newClient(t, f.URL, nil, nil)
	for _, tc := range tests {
		if got := ValidStageID(tc.id); got != tc.ok {
			t.Errorf("ValidStageID(%q) = %v", tc.id, got)
		}
		if tc.ok {
			continue
		}
		ctx := context.Background()
		for name, err := range map[string]error{
			"approve": c.Approve(ctx, tc.id, ""),
			"reject":  c.Reject(ctx, tc.id, ""),
			"view":    func() error { _, err := c.ViewStaged(ctx, tc.id); return err }(),
			"tarball": func() error { _, err := c.StagedTarball(ctx, tc.id); return err }(),
		} {
			if KindOf(err) != ErrInvalid {
				t.Errorf("%s(%q) = %v, want ErrInvalid", name, tc.id, err)
			}
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
	// The id is sent as typed (npm does not lowercase it).
	if err := c.Approve(context.Background(), strings.ToUpper(testID), ""); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].URI; got != "/-/stage/"+strings.ToUpper(testID)+"/approve" {
		t.Errorf("sent %s", got)
	}
}

func TestEscapeName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"pkg", "pkg", true},
		{"@scope/pkg", "@scope%2fpkg", true},
		{"@Scope/Pkg.js", "@Scope%2fPkg.js", true},
		{"@scope/", "", false},
		{"@/pkg", "", false},
		{"@scope/a/b", "", false},
		{"..", "", false},
		{".hidden", "", false},
		{"a b", "", false},
		{"a%2fb", "", false},
		{"a#b", "", false},
		{"", "", false},
		{strings.Repeat("a", 215), "", false},
	}
	for _, tc := range tests {
		got, err := EscapeName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("EscapeName(%q) = %q, %v", tc.in, got, err)
		}
	}
}
