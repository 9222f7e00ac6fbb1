package npmrc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestAuthHeader(t *testing.T) {
	tests := []struct {
		name string
		rc   string
		url  string
		want string
	}{
		{"token at host", "//r.example/:_authToken=T", "https://r.example/-/stage", "Bearer T"},
		{"host lowercased", "//r.example/:_authToken=T", "https://R.EXAMPLE/-/stage", "Bearer T"},
		{"default port dropped", "//r.example/:_authToken=T", "https://r.example:443/x", "Bearer T"},
		{"other port is distinct", "//r.example/:_authToken=T", "https://r.example:8443/x", ""},
		{"port kept in key", "//r.example:8443/:_authToken=T", "https://r.example:8443/x", "Bearer T"},
		{"query ignored", "//r.example/npm/:_authToken=T", "https://r.example/npm/?q=//x", "Bearer T"},
		{"path prefix with slash", "//r.example/npm/:_authToken=T", "https://r.example/npm/-/stage", "Bearer T"},
		{"path prefix without slash", "//r.example/npm:_authToken=T", "https://r.example/npm/-/stage", "Bearer T"},
		{"deepest level wins", "//r.example/:_authToken=HOST\n//r.example/npm/:_authToken=PATH", "https://r.example/npm/x", "Bearer PATH"},
		{"sibling path not matched", "//r.example/npm/:_authToken=T\nregistry=https://other.example/", "https://r.example/npmx/y", ""},
		{"token before _auth", "//r.example/:_auth=" + b64("u:p") + "\n//r.example/:_authToken=T", "https://r.example/x", "Bearer T"},
		{"_auth", "//r.example/:_auth=" + b64("u:p"), "https://r.example/x", "Basic " + b64("u:p")},
		{"_auth before username", "//r.example/:_auth=AAA\n//r.example/:username=u\n//r.example/:_password=" + b64("p"), "https://r.example/x", "Basic AAA"},
		{"username and _password", "//r.example/:username=alice\n//r.example/:_password=" + b64("s3cret"), "https://r.example/x", "Basic " + b64("alice:s3cret")},
		{"username alone", "//r.example/:username=alice", "https://r.example/x", ""},
		{"lower level shadows nothing", "//r.example/npm/:username=alice\n//r.example/:_authToken=T", "https://r.example/npm/x", "Bearer T"},
		{"certfile stops the walk", "//r.example/npm/:certfile=/c\n//r.example/npm/:keyfile=/k\n//r.example/:_authToken=T", "https://r.example/npm/x", ""},
		{"false is no token", "//r.example/:_authToken=false", "https://r.example/x", ""},
		{"no credential", "", "https://r.example/x", ""},
		{"registry fallback on same host", "registry=https://r.example/npm/\n//r.example/npm/:_authToken=T", "https://r.example/tarballs/x.tgz", "Bearer T"},
		{"no fallback to another host", "registry=https://r.example/npm/\n//r.example/npm/:_authToken=T", "https://cdn.example/x.tgz", ""},
		{"no fallback across ports", "registry=https://r.example/npm/\n//r.example/npm/:_authToken=T", "https://r.example:8443/x", ""},
		{"default registry token", "//registry.npmjs.org/:_authToken=T", "https://registry.npmjs.org/-/stage", "Bearer T"},
		{"http and https share the key", "//r.example/:_authToken=T", "http://r.example/x", "Bearer T"},
		{"ipv6 host", "//[::1]:8080/:_authToken=T", "http://[0:0::1]:8080/x", "Bearer T"},
		{"dot segments", "//r.example/npm/:_authToken=T", "https://r.example/a/../npm/./x", "Bearer T"},
		{"numeric token from quotes", "//r.example/:_authToken='123'", "https://r.example/x", "Bearer 123"},
		{"section object token throws", "[//r.example/:_authToken]\nx=1", "https://r.example/x", ""},
		{"invalid URL", "//r.example/:_authToken=T", "not a url", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			l.write(t, "home/.npmrc", tt.rc)
			c := l.load(t, nil)
			if got := c.AuthHeader(tt.url); got != tt.want {
				t.Errorf("AuthHeader(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestAuthHeaderEnvAndFlags(t *testing.T) {
	l := newLayout(t)
	l.write(t, "home/.npmrc", "//r.example/:_authToken=${NPM_TOKEN}")
	c := l.load(t, nil, "NPM_TOKEN=fromenv")
	if got := c.AuthHeader("https://r.example/x"); got != "Bearer fromenv" {
		t.Errorf("expanded token: %q", got)
	}
	c = l.load(t, nil, "npm_config_//r.example/:_authToken=envtok")
	if got := c.AuthHeader("https://r.example/x"); got != "Bearer envtok" {
		t.Errorf("env nerf-dart key: %q", got)
	}
	c = l.load(t, map[string]string{"//r.example/:_authToken": "flagtok"}, "npm_config_//r.example/:_authToken=envtok")
	if got := c.AuthHeader("https://r.example/x"); got != "Bearer flagtok" {
		t.Errorf("flag nerf-dart key: %q", got)
	}
}

func TestAuthHeaderForPackage(t *testing.T) {
	l := newLayout(t)
	l.write(t, "home/.npmrc", strings.Join([]string{
		"registry=https://r.example/",
		"//r.example/:_authToken=MAIN",
		"@corp:registry=https://corp.example/npm/",
		"//corp.example/npm/:_authToken=CORP",
	}, "\n"))
	c := l.load(t, nil)
	tests := []struct{ url, pkg, want string }{
		{"https://corp.example/other/x.tgz", "@corp/p", "Bearer CORP"}, // same host as the scope registry
		{"https://corp.example/other/x.tgz", "plain", ""},              // no scope: main registry is elsewhere
		{"https://cdn.example/x.tgz", "@corp/p", ""},
		{"https://r.example/x", "@corp/p", "Bearer MAIN"},
	}
	for _, tt := range tests {
		if got := c.AuthHeaderForPackage(tt.url, tt.pkg); got != tt.want {
			t.Errorf("AuthHeaderForPackage(%q, %q) = %q, want %q", tt.url, tt.pkg, got, tt.want)
		}
	}
}

func TestHasAuth(t *testing.T) {
	tests := []struct {
		name, rc, registry string
		want               bool
	}{
		{"token at nerf-dart", "//r.example/npm/:_authToken=T", "https://r.example/npm/", true},
		{"no slash nerfs to parent", "//r.example/npm/:_authToken=T", "https://r.example/npm", false},
		{"no slash, host key", "//r.example/:_authToken=T", "https://r.example/npm", true},
		{"no walk upward", "//r.example/:_authToken=T", "https://r.example/npm/", false},
		{"username+password", "//r.example/:username=u\n//r.example/:_password=" + b64("p"), "https://r.example/", true},
		{"_auth with user", "//r.example/:_auth=" + b64("u:p"), "https://r.example/", true},
		{"_auth with empty user", "//r.example/:_auth=" + b64(":p"), "https://r.example/", false},
		{"cert and key", "//r.example/:certfile=/c\n//r.example/:keyfile=/k", "https://r.example/", true},
		{"nothing", "", "https://r.example/", false},
		{"configured registry", "registry=https://r.example/\n//r.example/:_authToken=T", "", true},
		{"invalid registry", "", "::", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			l.write(t, "home/.npmrc", tt.rc)
			if got := l.load(t, nil).HasAuth(tt.registry); got != tt.want {
				t.Errorf("HasAuth(%q) = %v, want %v", tt.registry, got, tt.want)
			}
		})
	}
}

func TestNerfDart(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://registry.npmjs.org/", "//registry.npmjs.org/"},
		{"https://registry.npmjs.org", "//registry.npmjs.org/"},
		{"https://h/npm", "//h/"},
		{"https://h/npm/", "//h/npm/"},
		{"https://h/npm/-/stage?x=1#f", "//h/npm/-/"},
		{"HTTPS://User:Pw@H.Example:443/a/b", "//h.example/a/"},
		{"http://h:80/", "//h/"},
		{"http://h:8080/", "//h:8080/"},
		{"http://0x7f.1/", "//127.0.0.1/"},
		{"http://[0:0::1]:443/", "//[::1]:443/"},
		{"https:\\\\h\\a\\b", "//h/a/"},
		{"https://h/a b/c", "//h/a%20b/"},
		{"https://h/%2e%2E/x", "//h/"},
		{"not a url", ""},
		{"https://bücher.example/", ""}, // IDNA is not supported: fail closed
	}
	for _, tt := range tests {
		if got := NerfDart(tt.in); got != tt.want {
			t.Errorf("NerfDart(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoSecretsInOutput checks that no printing path of Config, Credential
// or the load errors shows a credential value.
func TestNoSecretsInOutput(t *testing.T) {
	const (
		token = "npm_SECRETTOKEN123"
		pass  = "hunter2pass"
		otp   = "987654"
	)
	l := newLayout(t)
	l.write(t, "proj/package.json", "{}")
	l.write(t, "proj/.npmrc", "//r.example/:_authToken="+token+"\n")
	l.write(t, "home/.npmrc", "registry=https://user:"+pass+"@r.example/\n//other.example/:username=u\n//other.example/:_password="+b64(pass)+"\nbad-url-thing=1\n")
	c := l.load(t, map[string]string{"otp": otp}, "npm_config_//env.example/:_authToken="+token)

	secrets := []string{token, pass, b64(pass), otp}
	var outputs []string
	outputs = append(outputs, c.String(), c.GoString(), fmt.Sprintf("%v %+v %#v %s", c, c, c, c))
	outputs = append(outputs, c.Files()...)
	outputs = append(outputs, c.Warnings()...)
	for _, k := range []string{"//r.example/:_authToken", "registry", "otp", "//other.example/:_password"} {
		outputs = append(outputs, c.Source(k))
	}
	cred, err := c.CredentialFor("https://r.example/x", "")
	if err != nil || cred.Header() != "Bearer "+token {
		t.Fatalf("CredentialFor: %v %v", cred.Kind, err)
	}
	js, _ := json.Marshal(cred)
	outputs = append(outputs, cred.String(), cred.GoString(), fmt.Sprintf("%v %+v %#v", cred, cred, cred), string(js))

	// errors
	l.write(t, "home/.npmrc", "_authToken="+token+"\n_password="+b64(pass)+"\n")
	if _, err := Load(l.opts(nil)); err == nil {
		t.Fatal("bare credentials accepted")
	} else {
		outputs = append(outputs, err.Error())
	}
	l.write(t, "home/.npmrc", "registry="+token+"\n")
	if _, err := Load(l.opts(nil)); err == nil {
		t.Fatal("invalid registry accepted")
	} else {
		outputs = append(outputs, err.Error())
	}

	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output %q contains a secret", out)
			}
		}
	}
}
