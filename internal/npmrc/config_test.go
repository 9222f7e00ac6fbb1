package npmrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layout is a temporary machine: home, a project with a nested cwd, and a
// global prefix. Files are written relative to root.
type layout struct {
	root, home, proj, cwd, prefix string
}

func newLayout(t *testing.T) layout {
	t.Helper()
	root := t.TempDir()
	l := layout{
		root:   root,
		home:   filepath.Join(root, "home"),
		proj:   filepath.Join(root, "proj"),
		cwd:    filepath.Join(root, "proj", "sub"),
		prefix: filepath.Join(root, "prefix"),
	}
	for _, d := range []string{l.home, l.cwd, filepath.Join(l.prefix, "etc")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func (l layout) write(t *testing.T, path, content string) {
	t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.root, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (l layout) load(t *testing.T, flags map[string]string, env ...string) *Config {
	t.Helper()
	c, err := Load(l.opts(flags, env...))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func (l layout) opts(flags map[string]string, env ...string) Options {
	return Options{Flags: flags, Env: append([]string{"HOME=" + l.home}, env...), Cwd: l.cwd, Home: l.home, Prefix: l.prefix}
}

func TestPrecedence(t *testing.T) {
	l := newLayout(t)
	l.write(t, "proj/package.json", "{}")
	l.write(t, "proj/.npmrc", "tag=project\nscope=@project\n")
	l.write(t, "home/.npmrc", "tag=user\nscope=@user\nauth-type=legacy\n")
	l.write(t, "prefix/etc/npmrc", "tag=global\nscope=@global\nauth-type=web\notp=111111\n")

	tests := []struct {
		name  string
		flags map[string]string
		env   []string
		key   string
		want  string
		src   string
	}{
		{"flag beats all", map[string]string{"tag": "cli"}, []string{"npm_config_tag=env"}, "tag", "cli", "command line options"},
		{"env beats files", nil, []string{"npm_config_tag=env"}, "tag", "env", "environment"},
		{"project beats user", nil, nil, "tag", "project", "project config " + filepath.Join(l.proj, ".npmrc")},
		{"user beats global", nil, nil, "auth-type", "legacy", "user config " + filepath.Join(l.home, ".npmrc")},
		{"global beats default", nil, nil, "otp", "111111", "global config " + filepath.Join(l.prefix, "etc", "npmrc")},
		{"default", nil, nil, "registry", "https://registry.npmjs.org/", "default values"},
		{"empty env value ignored", nil, []string{"npm_config_tag="}, "tag", "project", "project config " + filepath.Join(l.proj, ".npmrc")},
		{"unset key", nil, nil, "no-such-key", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := l.load(t, tt.flags, tt.env...)
			if got := c.Get(tt.key); got != tt.want {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
			}
			if got := c.Source(tt.key); got != tt.src {
				t.Errorf("Source(%q) = %q, want %q", tt.key, got, tt.src)
			}
		})
	}
}

func TestEnvMapping(t *testing.T) {
	l := newLayout(t)
	tests := []struct {
		env       string
		key, want string
	}{
		{"npm_config_auth_type=legacy", "auth-type", "legacy"},
		{"NPM_CONFIG_AUTH_TYPE=legacy", "auth-type", "legacy"},
		{"Npm_Config_Tag=next", "tag", "next"},
		{"npm_config__auth_x=v", "_auth-x", "v"},
		{"npm_config_//Reg.example.com/:_authToken=t", "//Reg.example.com/:_authToken", "t"},
		{"npm_config_FOO_BAR=1", "foo-bar", "1"},
		{"npm_config_json=  true ", "json", "true"},
		{"npm_config_registry=  https://r.example/  ", "registry", "https://r.example/"},
	}
	for _, tt := range tests {
		c := l.load(t, nil, tt.env)
		if got := c.Get(tt.key); got != tt.want {
			t.Errorf("%s: Get(%q) = %q, want %q", tt.env, tt.key, got, tt.want)
		}
		if got := c.Source(tt.key); got != "environment" {
			t.Errorf("%s: Source(%q) = %q", tt.env, tt.key, got)
		}
	}
}

func TestProjectRoot(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		dirs  []string
		want  string // expected tag, from the project file that applies
		root  string // expected LocalPrefix, relative to root
	}{
		{"package.json in parent", map[string]string{"proj/package.json": "{}", "proj/.npmrc": "tag=proj"}, nil, "proj", "proj"},
		{"node_modules in parent", map[string]string{"proj/.npmrc": "tag=proj"}, []string{"proj/node_modules"}, "proj", "proj"},
		{"nearest wins", map[string]string{"proj/package.json": "{}", "proj/.npmrc": "tag=proj", "proj/sub/package.json": "{}", "proj/sub/.npmrc": "tag=sub"}, nil, "sub", "proj/sub"},
		{"no root: cwd", map[string]string{"proj/.npmrc": "tag=proj", "proj/sub/.npmrc": "tag=sub"}, nil, "sub", "proj/sub"},
		{"node_modules file is not a root", map[string]string{"proj/package.json": "{}", "proj/.npmrc": "tag=proj", "proj/sub/node_modules": "x"}, nil, "proj", "proj"},
		{"workspace root", map[string]string{"proj/package.json": `{"workspaces":["sub"]}`, "proj/.npmrc": "tag=root", "proj/sub/package.json": "{}", "proj/sub/.npmrc": "tag=ws"}, nil, "root", "proj"},
		{"workspace glob", map[string]string{"proj/package.json": `{"workspaces":{"packages":["*"]}}`, "proj/.npmrc": "tag=root", "proj/sub/package.json": "{}"}, nil, "root", "proj"},
		{"not a workspace", map[string]string{"proj/package.json": `{"workspaces":["other"]}`, "proj/.npmrc": "tag=root", "proj/sub/package.json": "{}", "proj/sub/.npmrc": "tag=ws"}, nil, "ws", "proj/sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			for p, c := range tt.files {
				l.write(t, p, c)
			}
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(l.root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			c := l.load(t, nil)
			if got := c.Get("tag"); got != tt.want {
				t.Errorf("tag = %q, want %q", got, tt.want)
			}
			if got, want := c.LocalPrefix(), filepath.Join(l.root, tt.root); got != want {
				t.Errorf("LocalPrefix = %q, want %q", got, want)
			}
		})
	}
}

func TestProjectSkipped(t *testing.T) {
	t.Run("same as user file", func(t *testing.T) {
		l := newLayout(t)
		l.write(t, "home/package.json", "{}")
		l.write(t, "home/.npmrc", "tag=home")
		c, err := Load(Options{Env: []string{"HOME=" + l.home}, Cwd: l.home, Home: l.home, Prefix: l.prefix})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Source("tag"); got != "user config "+filepath.Join(l.home, ".npmrc") {
			t.Errorf("Source(tag) = %q, want the user file", got)
		}
	})
	t.Run("global mode", func(t *testing.T) {
		l := newLayout(t)
		l.write(t, "proj/package.json", "{}")
		l.write(t, "proj/.npmrc", "tag=proj")
		for _, env := range []string{"npm_config_global=true", "npm_config_location=global"} {
			if got := l.load(t, nil, env).Get("tag"); got != "latest" {
				t.Errorf("%s: tag = %q, project file should be ignored", env, got)
			}
		}
		if got := l.load(t, map[string]string{"global": "true"}).Get("tag"); got != "latest" {
			t.Errorf("--global: tag = %q, project file should be ignored", got)
		}
	})
	t.Run("--prefix sets the project", func(t *testing.T) {
		l := newLayout(t)
		l.write(t, "elsewhere/.npmrc", "tag=elsewhere")
		c := l.load(t, map[string]string{"prefix": filepath.Join(l.root, "elsewhere")})
		if got := c.Get("tag"); got != "elsewhere" {
			t.Errorf("tag = %q", got)
		}
	})
}

func TestUserconfigOverride(t *testing.T) {
	l := newLayout(t)
	l.write(t, "home/.npmrc", "tag=default-user")
	l.write(t, "home/alt.npmrc", "tag=alt")
	l.write(t, "other.npmrc", "tag=other")
	tests := []struct {
		name  string
		flags map[string]string
		env   []string
		want  string
	}{
		{"default ~/.npmrc", nil, nil, "default-user"},
		{"flag", map[string]string{"userconfig": filepath.Join(l.root, "other.npmrc")}, nil, "other"},
		{"env with ~", nil, []string{"npm_config_userconfig=~/alt.npmrc"}, "alt"},
		{"env with ${HOME}", nil, []string{"npm_config_userconfig=${HOME}/alt.npmrc"}, "alt"},
		{"flag beats env", map[string]string{"userconfig": filepath.Join(l.root, "other.npmrc")}, []string{"npm_config_userconfig=~/alt.npmrc"}, "other"},
		{"missing file is skipped", map[string]string{"userconfig": filepath.Join(l.root, "nope")}, nil, "latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.load(t, tt.flags, tt.env...).Get("tag"); got != tt.want {
				t.Errorf("tag = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGlobalConfig(t *testing.T) {
	l := newLayout(t)
	l.write(t, "prefix/etc/npmrc", "tag=global")
	l.write(t, "p2/etc/npmrc", "tag=p2")
	l.write(t, "g.npmrc", "tag=g")
	if got := l.load(t, nil).Get("tag"); got != "global" {
		t.Errorf("tag = %q, want global", got)
	}
	if got := l.load(t, map[string]string{"prefix": filepath.Join(l.root, "p2")}).Get("tag"); got != "p2" {
		t.Errorf("--prefix: tag = %q, want p2 (globalconfig follows prefix)", got)
	}
	if got := l.load(t, nil, "npm_config_globalconfig="+filepath.Join(l.root, "g.npmrc")).Get("tag"); got != "g" {
		t.Errorf("globalconfig env: tag = %q, want g", got)
	}
	// PREFIX in the environment is npm's global prefix when none is given
	c, err := Load(Options{Env: []string{"HOME=" + l.home, "PREFIX=" + filepath.Join(l.root, "p2")}, Cwd: l.cwd, Home: l.home})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Get("tag"); got != "p2" {
		t.Errorf("PREFIX env: tag = %q, want p2", got)
	}
	// without a prefix (no PREFIX, no node on PATH) the global file is skipped
	c, err = Load(Options{Env: []string{"HOME=" + l.home, "PATH="}, Cwd: l.cwd, Home: l.home})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Get("tag"); got != "latest" {
		t.Errorf("no prefix: tag = %q, want latest", got)
	}
}

func TestExpansionInFiles(t *testing.T) {
	l := newLayout(t)
	l.write(t, "home/.npmrc", strings.Join([]string{
		"${KEY}:_authToken=${TOKEN}",
		"//opt.example/:_authToken=${MISSING?}",
		"//lit.example/:_authToken=${MISSING}",
		`//esc.example/:_authToken=\${TOKEN}`,
		"tag=${TAG}-x",
	}, "\n"))
	c := l.load(t, nil, "KEY=//k.example/", "TOKEN=s3cret", "TAG=beta")
	tests := []struct{ key, want string }{
		{"//k.example/:_authToken", "s3cret"},
		{"//opt.example/:_authToken", ""},
		{"//lit.example/:_authToken", "${MISSING}"},
		{"//esc.example/:_authToken", "${TOKEN}"},
		{"tag", "beta-x"},
	}
	for _, tt := range tests {
		if got := c.Get(tt.key); got != tt.want {
			t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	l := newLayout(t)
	tests := []struct {
		name  string
		file  string
		flags map[string]string
		want  string
		pkg   string
		wantP string
	}{
		{"default", "", nil, "https://registry.npmjs.org/", "x", "https://registry.npmjs.org/"},
		{"slash added, host lowercased", "registry=HTTPS://Reg.Example.com/npm", nil, "https://reg.example.com/npm/", "x", "https://reg.example.com/npm/"},
		{"invalid registry falls through", "registry=foo", map[string]string{"registry": "not a url"}, "https://registry.npmjs.org/", "x", "https://registry.npmjs.org/"},
		{"scoped", "registry=https://r.example/\n@corp:registry=https://corp.example/npm", nil, "https://r.example/", "@corp/pkg", "https://corp.example/npm/"},
		{"other scope", "registry=https://r.example/\n@corp:registry=https://corp.example/", nil, "https://r.example/", "@other/pkg", "https://r.example/"},
		{"configured scope", "@corp:registry=https://corp.example/\nscope=corp", nil, "https://registry.npmjs.org/", "plain", "https://corp.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.write(t, "home/.npmrc", tt.file)
			c, err := Load(l.opts(tt.flags))
			if tt.name == "invalid registry falls through" {
				// npm refuses an invalid registry in a file outright
				if err == nil {
					t.Fatal("want an error for registry=foo in the user file")
				}
				l.write(t, "home/.npmrc", "")
				c = l.load(t, tt.flags)
			} else if err != nil {
				t.Fatal(err)
			}
			if got := c.Registry(); got != tt.want {
				t.Errorf("Registry() = %q, want %q", got, tt.want)
			}
			if got := c.RegistryFor(tt.pkg); got != tt.wantP {
				t.Errorf("RegistryFor(%q) = %q, want %q", tt.pkg, got, tt.wantP)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	l := newLayout(t)
	if _, err := Load(Options{Cwd: "relative"}); err == nil {
		t.Error("relative Cwd accepted")
	}

	l.write(t, "home/.npmrc", "a=null\n[a.b]\nx=1\n")
	_, err := Load(l.opts(nil))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(l.home, ".npmrc")) {
		t.Errorf("malformed file: err = %v, want one naming the file", err)
	}

	l.write(t, "home/.npmrc", "_authToken=SECRETVALUE\n")
	_, err = Load(l.opts(nil))
	var iae *InvalidAuthError
	if !errors.As(err, &iae) {
		t.Fatalf("bare _authToken: err = %v, want InvalidAuthError", err)
	}
	if !strings.Contains(err.Error(), "//registry.npmjs.org/:_authToken") || !strings.Contains(err.Error(), filepath.Join(l.home, ".npmrc")) {
		t.Errorf("error %q should name the nerfed key and the file", err)
	}
	if strings.Contains(err.Error(), "SECRETVALUE") {
		t.Error("error contains the secret")
	}

	l.write(t, "home/.npmrc", "save-dev=true\nsave-prod=true\n")
	if _, err := Load(l.opts(nil)); err == nil {
		t.Error("exclusive settings accepted")
	}

	// unreadable files are skipped
	l.write(t, "home/.npmrc", "")
	if err := os.Remove(filepath.Join(l.home, ".npmrc")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(l.home, ".npmrc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(l.opts(nil)); err != nil {
		t.Errorf("a directory as user config: %v, npm skips it", err)
	}
}

func TestNoHiddenEnvironment(t *testing.T) {
	// Load must not read the process environment.
	t.Setenv("npm_config_tag", "from-process")
	l := newLayout(t)
	if got := l.load(t, nil).Get("tag"); got != "latest" {
		t.Errorf("tag = %q: Load read os.Environ", got)
	}
}
