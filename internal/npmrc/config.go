// Package npmrc reads npm's configuration the way npm 11 does: CLI flags,
// npm_config_* environment variables, the project, user and global .npmrc
// files, npm's builtin npmrc and the defaults, with npm's ini parser,
// ${VAR} expansion, type coercion and validation; and it picks the
// credentials npm would send to a URL (nerf-darted //host/path/:_authToken
// keys, walked upward as npm-registry-fetch does).
//
// Load is driven only by its Options (no hidden reads of the process
// environment or working directory), so it can be tested against the real
// npm CLI. FromEnvironment fills Options from the running process.
//
// Secret values (tokens, passwords, OTPs) never appear in a Config's
// String/GoString output, in Source, in warnings or in errors.
package npmrc

//go:generate node gen_types.js

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Options are the inputs npm reads its configuration from.
type Options struct {
	// Flags are CLI flags without dashes: "registry", "userconfig", "otp", …
	Flags map[string]string
	// Env is the environment in os.Environ() form; nil means none.
	Env []string
	// Cwd is the working directory; it must be absolute.
	Cwd string
	// Home is the home directory; "" uses HOME from Env.
	Home string
	// Prefix is npm's global prefix. "" derives it as npm does (PREFIX from
	// Env, else the directory above the node binary found on Env's PATH);
	// when that fails the global file is skipped unless globalconfig is set.
	Prefix string
	// Builtin is npm's builtin config file (<npm package>/npmrc); "" skips it.
	Builtin string
}

// Layer names, highest precedence first, as npm names them.
const (
	LayerCLI     = "cli"
	LayerEnv     = "env"
	LayerProject = "project"
	LayerUser    = "user"
	LayerGlobal  = "global"
	LayerBuiltin = "builtin"
	LayerDefault = "default"
)

var layerOrder = []string{LayerCLI, LayerEnv, LayerProject, LayerUser, LayerGlobal, LayerBuiltin, LayerDefault}

type layer struct {
	name   string
	file   string // config file path for file layers
	status string // why a file layer is empty, if it is
	data   *jsObject
}

// Config is a loaded npm configuration. It is immutable after Load.
type Config struct {
	layers      map[string]*layer
	env         map[string]string
	fe          fieldEnv
	localPrefix string
	warnings    []string
}

// Load reads the configuration npm would see for opts.
func Load(opts Options) (*Config, error) {
	if opts.Cwd == "" || !filepath.IsAbs(opts.Cwd) {
		return nil, errors.New("npmrc: Options.Cwd must be an absolute path")
	}
	env := map[string]string{}
	for _, kv := range opts.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if _, dup := env[k]; !dup {
			env[k] = v
		}
	}
	home := opts.Home
	if home == "" {
		home = env["HOME"]
	}
	c := &Config{
		layers: map[string]*layer{},
		env:    env,
		fe:     fieldEnv{env: env, home: home, cwd: filepath.Clean(opts.Cwd)},
	}
	for _, n := range layerOrder {
		c.layers[n] = &layer{name: n, data: newObject()}
	}

	// defaults, with the global prefix
	prefix := opts.Prefix
	if prefix == "" {
		prefix = derivePrefix(env)
	}
	defaults := newObject()
	for _, d := range defaultValues {
		defaults.set(d.key, d.val)
	}
	if prefix != "" {
		defaults.set("prefix", prefix)
	}
	if err := c.loadObject(defaults, LayerDefault); err != nil {
		return nil, err
	}

	if opts.Builtin != "" {
		if err := c.loadFile(opts.Builtin, LayerBuiltin); err != nil {
			return nil, err
		}
	}

	// CLI flags: nopt cleans them before @npmcli/config parses them
	cli := newObject()
	keys := make([]string, 0, len(opts.Flags))
	for k := range opts.Flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cli.set(k, opts.Flags[k])
	}
	if err := cleanLayer(cli, c.fe, func(k string) { c.warnInvalid(k, "command line options") }); err != nil {
		return nil, fmt.Errorf("npmrc: command line options: %w", err)
	}
	if err := c.loadObject(cli, LayerCLI); err != nil {
		return nil, err
	}

	if err := c.loadObject(envLayer(opts.Env), LayerEnv); err != nil {
		return nil, err
	}

	if err := c.loadProject(); err != nil {
		return nil, err
	}
	if uc, ok := c.get("userconfig").(string); ok {
		if err := c.loadFile(uc, LayerUser); err != nil {
			return nil, err
		}
	}
	if gc, ok := c.globalConfigPath(); ok {
		if err := c.loadFile(gc, LayerGlobal); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var npmConfigPrefix = regexp.MustCompile(`(?i)^npm_config_`)

// envLayer is loadEnv(): npm_config_* variables (prefix case-insensitive,
// empty values ignored), "_" → "-" except a leading one, lowercased;
// keys starting with "//" are kept as they are.
func envLayer(environ []string) *jsObject {
	conf := newObject()
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" || !npmConfigPrefix.MatchString(k) {
			continue
		}
		key := k[len("npm_config_"):]
		if !strings.HasPrefix(key, "//") {
			if key != "" {
				key = key[:1] + strings.ReplaceAll(key[1:], "_", "-")
			}
			key = jsLower(key)
		}
		conf.set(key, v)
	}
	return conf
}

// jsLower is String.prototype.toLowerCase for the ASCII-dominated names
// used here; Go's ToLower agrees with it outside a few special cases.
func jsLower(s string) string { return strings.ToLower(s) }

// derivePrefix is loadGlobalPrefix() on Unix: $PREFIX, else the directory
// two levels above the real path of the node binary, under $DESTDIR.
func derivePrefix(env map[string]string) string {
	if p := env["PREFIX"]; p != "" {
		return p
	}
	for _, dir := range filepath.SplitList(env["PATH"]) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		node := filepath.Join(dir, "node")
		st, err := os.Stat(node)
		if err != nil || st.IsDir() || st.Mode().Perm()&0o111 == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(node)
		if err != nil {
			continue
		}
		p := filepath.Dir(filepath.Dir(real))
		if d := env["DESTDIR"]; d != "" {
			p = filepath.Join(d, p)
		}
		return p
	}
	return ""
}

// loadProject is loadProjectConfig(): the .npmrc of the local prefix,
// skipped in global mode and when it is the user config file.
func (c *Config) loadProject() error {
	proj := c.layers[LayerProject]
	if p, ok := c.getIn("prefix", LayerCLI); ok && truthy(p) {
		c.localPrefix = jsString(p)
	} else {
		c.localPrefix = c.findLocalPrefix()
	}
	if c.get("global") == true || c.get("location") == "global" {
		proj.status = "(global mode enabled, ignored)"
		return nil
	}
	file := resolvePath(c.fe.cwd, c.localPrefix, ".npmrc")
	if uc, ok := c.get("userconfig").(string); ok && uc == file {
		proj.status = `(same as "user" config, ignored)`
		return nil
	}
	return c.loadFile(file, LayerProject)
}

// findLocalPrefix is loadLocalPrefix(): the nearest ancestor of cwd with a
// package.json file or a node_modules directory, moved up to a workspace
// root that lists it.
func (c *Config) findLocalPrefix() string {
	isGlobal := truthy(c.get("global")) || c.get("location") == "global"
	wsFlag, _ := c.getIn("workspaces", LayerCLI)
	local := ""
	for p := c.fe.cwd; ; p = filepath.Dir(p) {
		hasPkg := isFile(filepath.Join(p, "package.json"))
		if local == "" && (hasPkg || isDir(filepath.Join(p, "node_modules"))) {
			local = p
			if wsFlag == false || isGlobal {
				return local
			}
		} else if local != "" && hasPkg && workspaceRootOf(p, local) {
			c.warnings = append(c.warnings, "found workspace root at "+p)
			return p
		}
		if filepath.Dir(p) == p {
			break
		}
	}
	if local == "" {
		return c.fe.cwd
	}
	return local
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// globalConfigPath is the globalconfig setting; its default is computed
// from the effective prefix, as npm's getter on the defaults layer does.
func (c *Config) globalConfigPath() (string, bool) {
	for _, n := range layerOrder {
		if v, ok := c.layers[n].data.get("globalconfig"); ok {
			s, isStr := v.(string)
			return s, isStr
		}
	}
	p, ok := c.get("prefix").(string)
	if !ok || p == "" {
		return "", false
	}
	return resolvePath(c.fe.cwd, p, "etc/npmrc"), true
}

// loadFile reads one config file into a layer. Unreadable and missing
// files leave the layer empty, as npm does; a file npm's ini parser would
// throw on is an error naming the file.
func (c *Config) loadFile(file, where string) error {
	l := c.layers[where]
	l.file = file
	b, err := os.ReadFile(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.status = "unreadable, ignored"
			c.warnings = append(c.warnings, fmt.Sprintf("error loading %s config %s: %v", where, file, errors.Unwrap(err)))
		} else {
			l.status = "missing"
		}
		return nil
	}
	obj, err := parseINI(decodeUTF8(b))
	if err != nil {
		return fmt.Errorf("npmrc: %s config file %s: %w", where, file, err)
	}
	if where == LayerProject {
		if _, ok := obj.get("prefix"); ok {
			c.warnings = append(c.warnings, "prefix cannot be changed from project config: "+file)
		}
	}
	return c.loadObject(obj, where)
}

// loadObject is #loadObject: keys get ${VAR} expansion, values go through
// parseField, and mutually exclusive settings are refused.
func (c *Config) loadObject(obj *jsObject, where string) error {
	l := c.layers[where]
	for _, key := range obj.ordered() {
		raw, _ := obj.get(key)
		k := envReplace(key, c.env)
		v := parseField(raw, k, c.fe, false)
		if where != LayerDefault {
			skip := false
			for _, ex := range exclusiveKeys[key] {
				if c.isDefault(ex) {
					continue
				}
				if where == LayerEnv {
					if _, ok := c.layers[LayerCLI].data.get(ex); ok {
						skip = true
						break
					}
				}
				return fmt.Errorf("npmrc: --%s cannot be provided when using --%s (%s)", key, ex, c.describe(where))
			}
			if skip {
				continue
			}
		}
		l.data.set(k, v)
	}
	return nil
}

// isDefault reports whether key is a defined setting that no layer above
// the defaults sets.
func (c *Config) isDefault(key string) bool {
	if _, defined := keyTypes[key]; !defined {
		return false
	}
	for _, n := range layerOrder[:len(layerOrder)-1] {
		if _, ok := c.layers[n].data.get(key); ok {
			return false
		}
	}
	return true
}

// validate is config.validate() as every npm command runs it: nopt.clean on
// the global, user, project and env layers in that order; after each file
// layer, the registry must be a valid URL (npm nerf-darts it, and throws
// otherwise) and un-nerfed credentials are refused.
func (c *Config) validate() error {
	var problems []string
	for _, n := range []string{LayerGlobal, LayerUser, LayerProject, LayerEnv} {
		l := c.layers[n]
		if err := cleanLayer(l.data, c.fe, func(k string) { c.warnInvalid(k, c.describe(n)) }); err != nil {
			return fmt.Errorf("npmrc: %s: %w", c.describe(n), err)
		}
		if n == LayerEnv {
			continue
		}
		for _, k := range []string{"_authtoken", "-authtoken"} {
			if v, _ := l.data.get(k); truthy(v) {
				problems = append(problems, fmt.Sprintf("`%s` is not allowed in %s", k, c.describe(n)))
			}
		}
		reg, err := jsStringStrict(c.get("registry"))
		nerfed := NerfDart(reg)
		if err != nil || nerfed == "" {
			return fmt.Errorf("npmrc: invalid registry URL (set in %s)", c.Source("registry"))
		}
		for _, k := range []string{"_auth", "_authToken", "username", "_password"} {
			v, _ := l.data.get(k)
			if !truthy(v) {
				continue
			}
			user, _ := l.data.get("username")
			pass, _ := l.data.get("_password")
			switch {
			case k == "username" && !truthy(pass), k == "_password" && !truthy(user):
				problems = append(problems, fmt.Sprintf("`%s` is not allowed in %s", k, c.describe(n)))
			default:
				problems = append(problems, fmt.Sprintf("`%s` must be renamed to `%s:%s` in %s", k, nerfed, k, c.describe(n)))
			}
		}
	}
	if len(problems) > 0 {
		return &InvalidAuthError{Problems: problems}
	}
	return nil
}

// InvalidAuthError is npm's ERR_INVALID_AUTH: a config file holds a
// credential that is not scoped to a registry. Problems name keys and
// files, never values.
type InvalidAuthError struct {
	Problems []string
}

func (e *InvalidAuthError) Error() string {
	return "npmrc: invalid auth configuration found: " + strings.Join(e.Problems, ", ") +
		"; run `npm config fix` to repair it"
}

func (c *Config) warnInvalid(key, where string) {
	c.warnings = append(c.warnings, fmt.Sprintf("invalid config %s set in %s, ignored", key, where))
}

// describe names a layer for messages: "user config /home/u/.npmrc".
func (c *Config) describe(where string) string {
	l := c.layers[where]
	switch where {
	case LayerCLI:
		return "command line options"
	case LayerEnv:
		return "environment"
	case LayerDefault:
		return "default values"
	}
	if l.file != "" {
		return where + " config " + l.file
	}
	return where + " config"
}

// get is config.get(key): the value from the highest layer that has the
// key as its own property (even when that value is undefined).
func (c *Config) get(key string) any {
	for _, n := range layerOrder {
		if v, ok := c.layers[n].data.get(key); ok {
			return v
		}
	}
	if key == "globalconfig" {
		if p, ok := c.globalConfigPath(); ok {
			return p
		}
	}
	return jsUndefined{}
}

func (c *Config) getIn(key, where string) (any, bool) {
	return c.layers[where].data.get(key)
}

// Get returns the effective value of key as text: strings as they are,
// booleans and numbers as JavaScript prints them, lists joined with ",",
// and "" for unset, null and undefined.
func (c *Config) Get(key string) string {
	switch v := c.get(key).(type) {
	case jsNull, jsUndefined:
		return ""
	default:
		return jsString(v)
	}
}

// Lookup is Get that also reports whether any layer sets the key.
func (c *Config) Lookup(key string) (string, bool) {
	if c.Source(key) == "" {
		return "", false
	}
	return c.Get(key), true
}

// Source names the layer (and file) the effective value of key comes
// from, e.g. "user config /home/u/.npmrc", or "" when no layer sets it.
// It never includes the value.
func (c *Config) Source(key string) string {
	for _, n := range layerOrder {
		if _, ok := c.layers[n].data.get(key); ok {
			return c.describe(n)
		}
	}
	if key == "globalconfig" {
		if _, ok := c.globalConfigPath(); ok {
			return c.describe(LayerDefault)
		}
	}
	return ""
}

// Files lists each config file layer with the file it read (or would have
// read) and its status, for --debug output.
func (c *Config) Files() []string {
	var out []string
	for _, n := range []string{LayerProject, LayerUser, LayerGlobal, LayerBuiltin} {
		l := c.layers[n]
		switch {
		case l.status != "" && l.file != "":
			out = append(out, fmt.Sprintf("%s: %s %s", n, l.file, l.status))
		case l.status != "":
			out = append(out, fmt.Sprintf("%s: %s", n, l.status))
		case l.file != "":
			out = append(out, fmt.Sprintf("%s: %s", n, l.file))
		}
	}
	return out
}

// Warnings returns what npm would have warned about while loading
// (invalid values dropped, unreadable files); never values.
func (c *Config) Warnings() []string { return append([]string(nil), c.warnings...) }

// LocalPrefix is the project root npm uses (where the project .npmrc is).
func (c *Config) LocalPrefix() string { return c.localPrefix }

// rawRegistry is flatOptions.registry: the validated registry setting.
func (c *Config) rawRegistry() any { return c.get("registry") }

// Registry returns the registry URL with a trailing slash.
func (c *Config) Registry() string {
	return withSlash(c.Get("registry"))
}

func withSlash(s string) string {
	if s == "" || strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// RegistryFor returns the registry npm's pickRegistry chooses for a
// package: "@scope:registry" for the name's scope, else the one for the
// configured "scope", else "registry"; with a trailing slash.
func (c *Config) RegistryFor(pkgName string) string {
	return withSlash(jsString(c.pickRegistry(pkgName)))
}

func (c *Config) pickRegistry(pkgName string) any {
	if scope := specScope(pkgName); scope != "" {
		if v := c.get(scope + ":registry"); truthy(v) {
			return v
		}
	}
	if s := c.get("scope"); truthy(s) {
		if v := c.get("@" + strings.TrimPrefix(jsString(s), "@") + ":registry"); truthy(v) {
			return v
		}
	}
	if r := c.rawRegistry(); truthy(r) {
		return r
	}
	return "https://registry.npmjs.org/"
}

// specScope is the scope npm-package-arg finds in a package name or spec.
func specScope(spec string) string {
	if !strings.HasPrefix(spec, "@") {
		return ""
	}
	i := strings.IndexByte(spec, '/')
	if i < 2 {
		return ""
	}
	return spec[:i]
}

// String describes the configuration without any value: the registry
// (without userinfo) and the files read.
func (c *Config) String() string {
	reg := c.Registry()
	if u, err := parseURL(reg); err == nil {
		reg = u.scheme + "://" + u.host + u.pathname
	} else {
		reg = "(invalid)"
	}
	return fmt.Sprintf("npmrc.Config{registry: %s, files: [%s]}", reg, strings.Join(c.Files(), "; "))
}

// GoString is String, so %#v cannot print values either.
func (c *Config) GoString() string { return c.String() }
