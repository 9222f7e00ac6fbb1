package npmrc

import (
	"path/filepath"
	"testing"
)

func TestFromEnvironment(t *testing.T) {
	l := newLayout(t)
	l.write(t, "home/.npmrc", "//r.example/:_authToken=${MY_TOKEN}\ntag=user\n")
	l.write(t, "proj/package.json", "{}")
	l.write(t, "proj/.npmrc", "tag=project\n")
	t.Setenv("HOME", l.home)
	t.Setenv("PATH", "")
	t.Setenv("PREFIX", l.prefix)
	t.Setenv("MY_TOKEN", "tok")
	t.Setenv("npm_config_auth_type", "legacy")
	t.Chdir(l.cwd)

	c, err := FromEnvironment(map[string]string{"registry": "https://r.example/"})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ got, want string }{
		{c.Get("tag"), "project"},
		{c.Get("auth-type"), "legacy"},
		{c.Registry(), "https://r.example/"},
		{c.AuthHeader("https://r.example/-/stage"), "Bearer tok"},
		{c.LocalPrefix(), l.proj},
		{c.Get("userconfig"), filepath.Join(l.home, ".npmrc")},
		{c.Get("globalconfig"), filepath.Join(l.prefix, "etc", "npmrc")},
	}
	for i, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("check %d: got %q, want %q", i, ch.got, ch.want)
		}
	}
}
