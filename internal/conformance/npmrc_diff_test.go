package conformance

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
)

// hit is one request a server saw.
type hit struct {
	server string // "A", "B", "P" (under /npm/), "P-root" (outside /npm/)
	method string
	path   string
	auth   string
}

// recorder collects the requests of every server of one differential run.
type recorder struct {
	mu   sync.Mutex
	hits []hit
}

func (r *recorder) add(h hit) {
	r.mu.Lock()
	r.hits = append(r.hits, h)
	r.mu.Unlock()
}

// take returns the stage-list requests seen since the last take, and forgets all.
func (r *recorder) take() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hit
	for _, h := range r.hits {
		if h.method == http.MethodGet && h.path == "/-/stage" {
			out = append(out, h)
		}
	}
	r.hits = nil
	return out
}

// diffServers are the registries of the differential test: A and B at
// the root of their origins, P under the path prefix /npm/.
type diffServers struct {
	rec    *recorder
	urls   map[string]string // label -> base URL with trailing slash
	tokens map[string]string // label -> maintainer token
}

func startDiffServers(t *testing.T) *diffServers {
	t.Helper()
	ds := &diffServers{rec: &recorder{}, urls: map[string]string{}, tokens: map[string]string{}}
	for _, label := range []string{"A", "B"} {
		label := label
		srv, u := startRegistry(t, devregistry.Options{
			RecordAuth: func(method, path, auth string) {
				ds.rec.add(hit{server: label, method: method, path: path, auth: auth})
			},
		})
		ds.urls[label], ds.tokens[label] = u, srv.Token()
	}

	// P: the same registry behind a path prefix, as on a corporate proxy
	// (https://host/npm/). The prefix is stripped in front of the handler;
	// anything outside it is recorded as P-root and refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	srv, err := devregistry.New(devregistry.Options{
		PublicURL: origin + "/npm",
		RecordAuth: func(method, path, auth string) {
			ds.rec.add(hit{server: "P", method: method, path: path, auth: auth})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/npm/", http.StripPrefix("/npm", srv.Handler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ds.rec.add(hit{server: "P-root", method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization")})
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"outside the /npm/ prefix"}`))
	})
	hs := &http.Server{Handler: mux}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	ds.urls["P"], ds.tokens["P"] = origin+"/npm/", srv.Token()
	return ds
}

// layout is one arrangement of npm configuration. Strings may use the
// placeholders expanded by diffServers.expand.
type layout struct {
	name  string
	files map[string]string // path under the layout root -> contents
	env   map[string]string
	flags []string
	args  []string // extra arguments to `stage list` (a package filter)
	cwd   string   // under the root; default "project"
	// want is the server npm is expected to hit ("" for none): a sanity
	// check of the layout itself, so a typo cannot make both tools agree
	// on hitting nothing.
	want string
}

// expand replaces {A} {B} {P} (base URLs), {A_NERF} {B_NERF} {P_NERF}
// {P_HOST} (nerf-darts), {TA} {TB} {TP} (tokens) and {ROOT}.
func (ds *diffServers) expand(s, root string) string {
	pairs := []string{"{ROOT}", root}
	for _, l := range []string{"A", "B", "P"} {
		u := ds.urls[l]
		pairs = append(pairs, "{"+l+"}", u, "{"+l+"_NERF}", nerf(u), "{T"+l+"}", ds.tokens[l])
		if l == "P" {
			pairs = append(pairs, "{P_HOST}", nerf(strings.TrimSuffix(u, "npm/")),
				"{P_NOSLASH}", strings.TrimSuffix(u, "/"))
		}
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// label names a credential for messages without revealing it.
func (ds *diffServers) label(auth string, extra map[string]string) string {
	if auth == "" {
		return "(none)"
	}
	for _, l := range []string{"A", "B", "P"} {
		if auth == "Bearer "+ds.tokens[l] {
			return "Bearer <T" + l + ">"
		}
	}
	for v, name := range extra {
		if auth == v {
			return name
		}
	}
	return "<other credential>"
}

func basic(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// diffLayouts are the generated layouts: every config source npm reads,
// their precedence, ${VAR} forms, scoped and path-prefixed registries,
// nerf-dart spellings, and every credential kind.
func diffLayouts() []layout {
	pkgJSON := `{"name":"@conf/diff","version":"1.0.0"}`
	reg := func(r, nerfKey, tok string) string {
		return "registry=" + r + "\n" + nerfKey + ":_authToken=" + tok + "\n"
	}
	ls := []layout{
		{name: "userconfig-flag", flags: []string{"--userconfig", "{ROOT}/user.npmrc"},
			files: map[string]string{"user.npmrc": reg("{A}", "{A_NERF}", "{TA}")}, want: "A"},
		{name: "userconfig-env", env: map[string]string{"npm_config_userconfig": "{ROOT}/user.npmrc"},
			files: map[string]string{"user.npmrc": reg("{A}", "{A_NERF}", "{TA}")}, want: "A"},
		{name: "userconfig-env-uppercase", env: map[string]string{"NPM_CONFIG_USERCONFIG": "{ROOT}/user.npmrc"},
			files: map[string]string{"user.npmrc": reg("{B}", "{B_NERF}", "{TB}")}, want: "B"},
		{name: "home-npmrc", files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "{TA}")}, want: "A"},
		{name: "flag-beats-env-userconfig",
			env:   map[string]string{"npm_config_userconfig": "{ROOT}/other.npmrc"},
			flags: []string{"--userconfig", "{ROOT}/user.npmrc"},
			files: map[string]string{"user.npmrc": reg("{A}", "{A_NERF}", "{TA}"), "other.npmrc": reg("{B}", "{B_NERF}", "{TB}")},
			want:  "A"},
		{name: "project-npmrc", files: map[string]string{"project/.npmrc": reg("{B}", "{B_NERF}", "{TB}")}, want: "B"},
		{name: "project-beats-user",
			files: map[string]string{
				"home/.npmrc":    reg("{A}", "{A_NERF}", "{TA}") + "{B_NERF}:_authToken={TB}\n",
				"project/.npmrc": "registry={B}\n",
			}, want: "B"},
		{name: "project-found-from-subdir", cwd: "project/src/lib",
			files: map[string]string{"project/.npmrc": reg("{A}", "{A_NERF}", "{TA}"), "project/src/lib/x.js": ""}, want: "A"},
		{name: "env-registry-beats-files",
			env:   map[string]string{"npm_config_registry": "{B}"},
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "{TA}") + "{B_NERF}:_authToken={TB}\n"}, want: "B"},
		{name: "flag-registry-beats-env",
			env:   map[string]string{"npm_config_registry": "{B}"},
			flags: []string{"--registry", "{A}"},
			files: map[string]string{"home/.npmrc": "{A_NERF}:_authToken={TA}\n{B_NERF}:_authToken={TB}\n"}, want: "A"},
		{name: "empty-env-registry-ignored",
			env:   map[string]string{"npm_config_registry": ""},
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "{TA}")}, want: "A"},
		{name: "globalconfig-env",
			env:   map[string]string{"npm_config_globalconfig": "{ROOT}/global/npmrc"},
			files: map[string]string{"global/npmrc": reg("{B}", "{B_NERF}", "{TB}")}, want: "B"},
		{name: "prefix-etc-npmrc",
			env:   map[string]string{"npm_config_prefix": "{ROOT}/prefix"},
			files: map[string]string{"prefix/etc/npmrc": reg("{A}", "{A_NERF}", "{TA}")}, want: "A"},
		{name: "user-beats-global",
			env: map[string]string{"npm_config_globalconfig": "{ROOT}/global/npmrc"},
			files: map[string]string{
				"global/npmrc": reg("{A}", "{A_NERF}", "{TA}") + "{B_NERF}:_authToken={TB}\n",
				"home/.npmrc":  "registry={B}\n",
			}, want: "B"},
		{name: "var-token",
			env:   map[string]string{"SG_TEST_TOKEN": "{TA}"},
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "${SG_TEST_TOKEN}")}, want: "A"},
		{name: "var-token-unset-stays-literal",
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "${SG_TEST_UNSET}")}, want: "A"},
		{name: "var-token-optional-unset-empty",
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "${SG_TEST_UNSET?}")}, want: "A"},
		{name: "var-token-escaped",
			env:   map[string]string{"SG_TEST_TOKEN": "{TA}"},
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", `\${SG_TEST_TOKEN}`)}, want: "A"},
		{name: "node-auth-token-unreferenced",
			env:   map[string]string{"NODE_AUTH_TOKEN": "{TA}"},
			files: map[string]string{"home/.npmrc": "registry={A}\n"}, want: "A"},
		{name: "var-registry-and-key",
			env:   map[string]string{"SG_TEST_REG": "{B}", "SG_TEST_NERF": "{B_NERF}", "SG_TEST_TOKEN": "{TB}"},
			files: map[string]string{"home/.npmrc": "registry=${SG_TEST_REG}\n${SG_TEST_NERF}:_authToken=${SG_TEST_TOKEN}\n"}, want: "B"},
		{name: "env-nerf-dart-token",
			env:   map[string]string{"npm_config_{A_NERF}:_authToken": "{TA}"},
			files: map[string]string{"home/.npmrc": "registry={A}\n"}, want: "A"},
		{name: "scoped-registry-not-used-by-list",
			args: []string{"@conf/diff"},
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "{TA}") +
				"@conf:registry={B}\n{B_NERF}:_authToken={TB}\n"}, want: "A"},
		{name: "scope-config-not-used-by-list",
			files: map[string]string{"home/.npmrc": reg("{A}", "{A_NERF}", "{TA}") +
				"scope=@conf\n@conf:registry={B}\n{B_NERF}:_authToken={TB}\n"}, want: "A"},
		{name: "path-prefix-nerf-slash", files: map[string]string{"home/.npmrc": reg("{P}", "{P_NERF}", "{TP}")}, want: "P"},
		{name: "path-prefix-nerf-no-slash",
			files: map[string]string{"home/.npmrc": "registry={P}\n{P_NOSLASH_NERF}:_authToken={TP}\n"}, want: "P"},
		{name: "path-prefix-token-at-host",
			files: map[string]string{"home/.npmrc": "registry={P}\n{P_HOST}:_authToken={TP}\n"}, want: "P"},
		{name: "path-prefix-registry-no-slash",
			files: map[string]string{"home/.npmrc": "registry={P_NOSLASH}\n{P_NERF}:_authToken={TP}\n"}, want: "P"},
		{name: "path-prefix-deeper-key-ignored",
			files: map[string]string{"home/.npmrc": "registry={P}\n{P_NERF}deeper/:_authToken={TA}\n{P_HOST}:_authToken={TP}\n"}, want: "P"},
		{name: "basic-auth",
			files: map[string]string{"home/.npmrc": "registry={A}\n{A_NERF}:_auth=" + basic("alice:s3cret-pw") + "\n"}, want: "A"},
		{name: "username-password",
			files: map[string]string{"home/.npmrc": "registry={A}\n{A_NERF}:username=bob\n{A_NERF}:_password=" + basic("hunter2-pw") + "\n"}, want: "A"},
		{name: "username-without-password",
			files: map[string]string{"home/.npmrc": "registry={A}\n{A_NERF}:username=bob\n"}, want: "A"},
		{name: "token-beats-basic",
			files: map[string]string{"home/.npmrc": "registry={A}\n{A_NERF}:_auth=" + basic("alice:s3cret-pw") + "\n{A_NERF}:_authToken={TA}\n"}, want: "A"},
		{name: "token-for-other-host-only",
			files: map[string]string{"home/.npmrc": "registry={A}\n{B_NERF}:_authToken={TB}\n"}, want: "A"},
		{name: "two-registries-project-and-user",
			files: map[string]string{
				"home/.npmrc":    reg("{A}", "{A_NERF}", "{TA}"),
				"project/.npmrc": reg("{B}", "{B_NERF}", "{TB}"),
			}, want: "B"},
		{name: "same-key-project-beats-user",
			files: map[string]string{
				"home/.npmrc":    reg("{A}", "{A_NERF}", "{TB}"),
				"project/.npmrc": "{A_NERF}:_authToken={TA}\n",
			}, want: "A"},
		{name: "ini-quotes-comments-crlf",
			files: map[string]string{"home/.npmrc": "; comment\r\n# another\r\nregistry = \"{A}\"\r\n{A_NERF}:_authToken = {TA}\r\n"}, want: "A"},
		{name: "bare-token-key-is-invalid",
			files: map[string]string{"home/.npmrc": "registry={A}\n_authToken={TA}\n"}, want: ""},
	}
	for i := range ls {
		if ls[i].files == nil {
			ls[i].files = map[string]string{}
		}
		// Every layout has a package folder, so npm's project lookup stops there.
		if _, ok := ls[i].files["project/package.json"]; !ok {
			ls[i].files["project/package.json"] = pkgJSON
		}
	}
	return ls
}

// TestNPMRCDifferential runs `npm stage list --json` and `stagegate list
// --json` in each generated layout and requires both to send the same
// credential to the same registry, as the servers recorded it.
func TestNPMRCDifferential(t *testing.T) {
	skipShort(t)
	npmBin := needNPM(t)
	sgBin := stagegateBinary(t)
	ds := startDiffServers(t)
	layouts := diffLayouts()
	if len(layouts) < 20 {
		t.Fatalf("only %d layouts", len(layouts))
	}
	extra := map[string]string{
		"Basic " + basic("alice:s3cret-pw"): "Basic <alice>",
		"Basic " + basic("bob:hunter2-pw"):  "Basic <bob>",
	}
	secrets := []string{ds.tokens["A"], ds.tokens["B"], ds.tokens["P"], "s3cret-pw", "hunter2-pw",
		basic("alice:s3cret-pw"), basic("hunter2-pw"), basic("bob:hunter2-pw")}

	for _, lo := range layouts {
		t.Run(lo.name, func(t *testing.T) {
			root := t.TempDir()
			exp := func(s string) string {
				s = strings.ReplaceAll(s, "{P_NOSLASH_NERF}", strings.TrimSuffix(nerf(ds.urls["P"]), "/"))
				return ds.expand(s, root)
			}
			for _, d := range []string{"home", "cache", "project"} {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for p, body := range lo.files {
				full := filepath.Join(root, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(exp(body)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := append(IsolatedEnv(os.Environ(), filepath.Join(root, "home")),
				"npm_config_cache="+filepath.Join(root, "cache"))
			if _, ok := lo.env["npm_config_globalconfig"]; !ok {
				if _, ok := lo.env["npm_config_prefix"]; !ok {
					// Keep the machine's $PREFIX/etc/npmrc out unless the layout is about it.
					env = append(env, "npm_config_globalconfig="+filepath.Join(root, "no-global-npmrc"))
				}
			}
			keys := make([]string, 0, len(lo.env))
			for k := range lo.env {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				env = append(env, exp(k)+"="+exp(lo.env[k]))
			}
			cwd := lo.cwd
			if cwd == "" {
				cwd = "project"
			}
			dir := filepath.Join(root, filepath.FromSlash(cwd))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, a := range append(append([]string{}, lo.args...), lo.flags...) {
				args = append(args, exp(a))
			}

			ds.rec.take() // forget anything left over
			npm := &Runner{Bin: npmBin, Dir: dir, Env: env, Secrets: secrets}
			nr := npm.Run(context.Background(), append([]string{"stage", "list", "--json"}, args...)...)
			npmHits := ds.rec.take()
			sg := &Runner{Bin: sgBin, Dir: dir, Env: env, Secrets: secrets}
			sr := sg.Run(context.Background(), append([]string{"list", "--json"}, args...)...)
			sgHits := ds.rec.take()

			show := func(hs []hit) string {
				var parts []string
				for _, h := range hs {
					parts = append(parts, h.server+" "+ds.label(h.auth, extra))
				}
				if len(parts) == 0 {
					return "(no request)"
				}
				return strings.Join(parts, ", ")
			}
			gotServer := ""
			if len(npmHits) > 0 {
				gotServer = npmHits[0].server
			}
			if gotServer != lo.want {
				t.Errorf("layout check: npm hit %q, the layout expects %q\nnpm: %s\n%s",
					gotServer, lo.want, show(npmHits), npm.Describe(nr))
			}
			if show(npmHits) != show(sgHits) || !sameAuth(npmHits, sgHits) {
				t.Errorf("npm and stagegate differ\nnpm:       %s\nstagegate: %s\n%s\n%s",
					show(npmHits), show(sgHits), npm.Describe(nr), sg.Describe(sr))
			}
			if nr.OK() != sr.OK() {
				t.Errorf("npm ok=%v, stagegate ok=%v\n%s\n%s", nr.OK(), sr.OK(), npm.Describe(nr), sg.Describe(sr))
			}
			t.Logf("%s -> %s (npm ok=%v)", lo.name, show(npmHits), nr.OK())
		})
	}
}

// sameAuth compares the exact credentials, not just their labels (two
// unknown credentials share the label "<other credential>").
func sameAuth(a, b []hit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].server != b[i].server || a[i].auth != b[i].auth {
			return false
		}
	}
	return true
}
