package registry

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzDecodeListPage(f *testing.F) {
	f.Add([]byte(`{"items":[{"id":"` + testID + `","packageName":"@s/p","version":"1.0.0","extra":[1]}],"total":1}`))
	f.Add([]byte(`{"items":[null,{}],"total":"x"}`))
	f.Add([]byte(`{"items":[],"total":1e400}`))
	f.Add([]byte(`{"total":3}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _, err := decodeListPage(data)
		if err != nil {
			return
		}
		// Items round-trip to the registry's own bytes, as `list --json` needs.
		for _, it := range items {
			out, err := json.Marshal(it)
			if err != nil {
				t.Fatalf("re-encoding %s: %v", it.Raw, err)
			}
			var a, b any
			if json.Unmarshal(out, &a) != nil || json.Unmarshal(it.Raw, &b) != nil {
				t.Fatalf("round trip produced invalid JSON: %s", out)
			}
		}
	})
}

func FuzzStageItem(f *testing.F) {
	f.Add([]byte(`{"id":"` + testID + `","packageName":"p","version":"1","tag":"latest","createdAt":"2026","actor":"a","actorType":"user","shasum":"ab"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"id":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var it StageItem
		if err := json.Unmarshal(data, &it); err != nil {
			return
		}
		out, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		var again StageItem
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if again.ID != it.ID || again.Version != it.Version || again.Shasum != it.Shasum {
			t.Fatalf("fields changed in a round trip: %+v vs %+v", it, again)
		}
	})
}

func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(`{"error":"one-time pass required","authUrl":"https://r/a","doneUrl":"https://r/d"}`), "OTP")
	f.Add([]byte("plain \x1b[2J text"), "")
	f.Add([]byte(`<html>`), "Basic, ipaddress")
	f.Add([]byte(`{"message":["x"],"reason":"\u202e"}`), "otp")
	f.Fuzz(func(t *testing.T, body []byte, wwwAuth string) {
		msg, authURL, doneURL := parseErrorBody(body)
		if utf8.RuneCountInString(msg) > maxMessage+1 || !utf8.ValidString(msg) {
			t.Fatalf("message not capped or not UTF-8: %q", msg)
		}
		for _, s := range []string{msg, authURL, doneURL} {
			for _, r := range s {
				if unicode.IsControl(r) || isInvisible(r) {
					t.Fatalf("control or invisible rune %U in %q", r, s)
				}
			}
		}
		for _, u := range []string{authURL, doneURL} {
			if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Fatalf("non-http URL kept: %q", u)
			}
		}
		h := http.Header{}
		if wwwAuth != "" {
			h.Set("Www-Authenticate", wwwAuth)
		}
		otp, ip := isOTPChallenge(h, body, authURL, doneURL)
		if otp && ip {
			t.Fatal("both OTP and IP-address challenge")
		}
		if wwwAuth == "" && bytes.Contains(body, []byte("one-time pass")) && !otp {
			t.Fatal("npm's body heuristic missed")
		}
	})
}

func FuzzParsePackageFacts(f *testing.F) {
	f.Add([]byte(`{"name":"x","dist-tags":{"latest":"1.0.0"},"time":{"created":"2026-01-01T00:00:00.000Z","1.0.0":"2026-01-01T00:00:00.000Z"},"maintainers":[{"name":"a"},"b <b@x>"],"versions":{"1.0.0":{"scripts":{"postinstall":"node x"},"deprecated":"use y"}}}`))
	f.Add([]byte(`{"versions":{"1.0.0":{"scripts":[1],"hasInstallScript":"yes","deprecated":true}},"time":{"created":5}}`))
	f.Add([]byte(`{"maintainers":{"name":"a"},"versions":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := ParsePackageFacts(data)
		if err != nil {
			return
		}
		if pf == nil || pf.Versions == nil || pf.DistTags == nil {
			t.Fatal("nil facts without an error")
		}
		if len(pf.Maintainers) > maxFactsMaintainers {
			t.Fatalf("%d maintainers kept", len(pf.Maintainers))
		}
		for _, v := range pf.Versions {
			if len(v.Deprecated) > maxFactsText+len("…") || !utf8.ValidString(v.Deprecated) && utf8.ValidString(string(data)) {
				t.Fatalf("deprecation not clipped: %q", v.Deprecated)
			}
		}
	})
}
