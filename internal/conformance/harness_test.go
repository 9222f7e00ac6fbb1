package conformance

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestNPMVersionOK(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"11.15.0", true},
		{"11.19.1\n", true},
		{"v11.15.0", true},
		{"12.0.0", true},
		{"11.14.9", false},
		{"10.99.0", false},
		{"9", false},
		{"", false},
		{"eleven.15", false},
	} {
		if got := NPMVersionOK(tc.v); got != tc.want {
			t.Errorf("NPMVersionOK(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestFindNPMExplicitIsFinal(t *testing.T) {
	env := map[string]string{"STAGEGATE_NPM": "/nonexistent/npm"}
	_, _, err := FindNPM("", func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "STAGEGATE_NPM") {
		t.Fatalf("FindNPM with a missing $STAGEGATE_NPM = %v, want an error naming STAGEGATE_NPM", err)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		in      string
		secrets []string
		want    string
	}{
		{"token abc123 here", []string{"abc123"}, "token [REDACTED] here"},
		{"a --otp 123456 b", nil, "a --otp [REDACTED] b"},
		{"a --otp=654321", nil, "a --otp=[REDACTED]"},
		{"nothing", []string{""}, "nothing"},
		{"s1 s2 s1", []string{"s1", "s2"}, "[REDACTED] [REDACTED] [REDACTED]"},
	} {
		if got := Redact(tc.in, tc.secrets...); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsolatedEnv(t *testing.T) {
	base := []string{
		"PATH=/bin", "HOME=/root", "npm_config_registry=http://evil/", "NPM_CONFIG_USERCONFIG=/x",
		"NODE_AUTH_TOKEN=secret", "LANG=C", "XDG_CONFIG_HOME=/c",
	}
	env := IsolatedEnv(base, "/tmp/h")
	got := map[string][]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = append(got[k], v)
	}
	for _, k := range []string{"npm_config_registry", "NPM_CONFIG_USERCONFIG", "NODE_AUTH_TOKEN"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s was inherited", k)
		}
	}
	if h := got["HOME"]; len(h) != 1 || h[0] != "/tmp/h" {
		t.Errorf("HOME = %v, want only /tmp/h", h)
	}
	if p := got["PATH"]; len(p) != 1 || p[0] != "/bin" {
		t.Errorf("PATH = %v, want /bin kept", p)
	}
	if x := got["XDG_CONFIG_HOME"]; len(x) != 1 || x[0] == "/c" {
		t.Errorf("XDG_CONFIG_HOME = %v, want one value under the temp home", x)
	}
	if v := got["npm_config_update_notifier"]; len(v) != 1 || v[0] != "false" {
		t.Errorf("npm_config_update_notifier = %v", v)
	}
}

func TestPublishDocument(t *testing.T) {
	tgz, err := PackTGZ(FixturePackage("@scope/pkg", "1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := PackTGZ(FixturePackage("@scope/pkg", "1.2.3"))
	if !bytes.Equal(tgz, again) {
		t.Error("PackTGZ is not reproducible")
	}
	// The tarball must be what npm would read: package/package.json with the name and version.
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var found bool
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "package/package.json" {
			var m struct{ Name, Version string }
			if err := json.NewDecoder(tr).Decode(&m); err != nil {
				t.Fatal(err)
			}
			found = m.Name == "@scope/pkg" && m.Version == "1.2.3"
		}
	}
	if !found {
		t.Error("package/package.json missing or wrong")
	}

	body, err := PublishDocument("http://127.0.0.1:1/", "@scope/pkg", "1.2.3", "next", tgz)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID       string            `json:"_id"`
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			ID   string `json:"_id"`
			Dist struct{ Shasum, Integrity, Tarball string }
		}
		Attachments map[string]struct {
			Data   string
			Length int
		} `json:"_attachments"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	d := Digest(tgz)
	v := doc.Versions["1.2.3"]
	if doc.ID != "@scope/pkg" || doc.DistTags["next"] != "1.2.3" || v.ID != "@scope/pkg@1.2.3" ||
		v.Dist.Shasum != d.Shasum || v.Dist.Integrity != d.Integrity ||
		v.Dist.Tarball != "http://127.0.0.1:1/@scope/pkg/-/@scope/pkg-1.2.3.tgz" {
		t.Errorf("document = %s", body)
	}
	att, ok := doc.Attachments["@scope/pkg-1.2.3.tgz"]
	raw, _ := base64.StdEncoding.DecodeString(att.Data)
	if !ok || att.Length != len(tgz) || !bytes.Equal(raw, tgz) {
		t.Errorf("attachment does not round-trip the tarball")
	}
	if got := EscapeName("@scope/pkg"); got != "@scope%2fpkg" {
		t.Errorf("EscapeName = %q", got)
	}
}

func TestParseStartLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{`{"url":"http://127.0.0.1:4873/","token":"t","totpSecret":"S"}`, true},
		{`{"url":"http://127.0.0.1:4873","token":"t","totpSecret":"S"}`, false},
		{`{"url":"http://0.0.0.0:4873/","token":"t","totpSecret":"S"}`, false},
		{`{"url":"http://127.0.0.1:4873/","token":"","totpSecret":"S"}`, false},
		{`{"url":"http://127.0.0.1:4873/","token":"t"}`, false},
		{`listening on 127.0.0.1 token=abc`, false},
	} {
		sl, err := ParseStartLine([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("ParseStartLine(%s): err %v, want ok=%v", tc.line, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "abc") {
			t.Errorf("error quotes the line: %v", err)
		}
		if tc.ok && sl.Token != "t" {
			t.Errorf("token = %q", sl.Token)
		}
	}
}
