package signals

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stagegate/stagegate/internal/diff"
)

// The code-content detectors (runner-token-access, credential-access,
// dynamic-code, self-propagation, persistence, wallet-hook, new-endpoint,
// process-spawn) read what each changed text file adds: every line of a new
// file, the added lines of a modified one. One pass per file finds every
// rule's literal at once (litSet); a hit then passes a small context check
// on its own line. In a modified file a hit counts only when the staged
// file holds its literal more often than the base file did: for a literal
// that cannot span lines, count(new) - count(old) = count(added) -
// count(removed), so this is "the added lines have a match the removed
// lines did not", and it also holds for token diffs and for lines that only
// moved or were re-indented (typescript 5.5 re-indents almost all of
// typescript.js).

// kind is one content rule; several literals may share it.
type kind uint8

const (
	// runner-token-access
	kProcMem kind = iota
	kRunnerWorker
	kIsSecret
	kOIDCToken
	kRuntimeToken
	kPtrace
	kReadProcessMemory
	// credential-access
	kEnvDump
	kNamedSecret
	kAuthToken
	kKeyFile
	kCloudCreds
	kPasswd
	kWalletDir
	kNpmConfigAuth
	kTokenRegex
	// dynamic-code (only with a network read, a decode or a decryption nearby)
	kEval
	kFunction
	kVM
	kCompile
	kWasm
	kDownloadExec
	kProxyExec
	kDynRequire
	// self-propagation
	kNpmPublish
	kMaintainerSearch
	kRepoCreate
	kRunnerRegistration
	kWorkflowWrite
	kSecretsDump
	// persistence
	kShellRC
	kLaunchAgent
	kSystemdUser
	kCrontab
	kRunKey
	kAgentConfig
	kAgentBypass
	kWipe
	kGatedWrite
	kTamper
	kShutdown
	// wallet-hook
	kEthereum
	kEthSend
	kXHRHook
	kFetchHook
	kAddrRegex
	kProviderHook
	kClipboardSwap
	kEditDistance
	// process-spawn
	kChildProcess
	kSpawnCall
	kBareCall
	kBunSpawn
	kDetached
	kShellDownload
	// new-endpoint, from a rule rather than a host: a hard-coded hidden
	// mail recipient
	kHiddenRecipient
	// helpers: they qualify other hits and are never reported alone
	kNpmrc
	kNetRead
	kDecode
	kDecrypt
	kUnref
	kFsWrite
	kKeyMaterial
	kSecretEnv
	kKeyToNet     // key material written into a network call's arguments
	kNetImport    // an HTTP client module imported: pairs with dynamic code only
	kGate         // a date or country check: qualifies destructive writes
	kRemove       // a file or folder removal: what a gate or a walk destroys with
	kOtherPkgPath // a path into another installed package (node_modules/x, require.resolve('x'))
	kClipboard    // a clipboard write: qualifies wallet address matching
	kGeoIP        // an IP geolocation service
	kCountryCmp   // a country or time zone compared with a literal: a gate with a geolocation lookup
	// endpoints: parsed into hosts, not recorded as hits (URLs have
	// their own pass)
	kHostKey
	// download words: the lines that hold one get the download-and-execute
	// expression (scanDownloadExec); never recorded
	kDownloadWord
	numKinds
)

// kindID is the signal id a kind reports under ("" for helpers).
func kindID(k kind) string {
	switch {
	case k <= kReadProcessMemory:
		return RunnerTokenAccess
	case k <= kTokenRegex:
		return CredentialAccess
	case k <= kDynRequire:
		return DynamicCode
	case k <= kSecretsDump:
		return SelfPropagation
	case k <= kShutdown:
		return Persistence
	case k <= kEditDistance:
		return WalletHook
	case k <= kShellDownload:
		return ProcessSpawn
	case k == kHiddenRecipient:
		return NewEndpoint
	}
	return ""
}

// kindLabel says in a few words what a kind found.
func kindLabel(k kind) string {
	switch k {
	case kProcMem:
		return "reads /proc/<pid>/mem, maps or environ"
	case kRunnerWorker:
		return "targets the Runner.Worker process"
	case kIsSecret:
		return `scans for "isSecret":true runner secrets`
	case kOIDCToken:
		return "reads the Actions OIDC token request variables"
	case kRuntimeToken:
		return "reads ACTIONS_RUNTIME_TOKEN"
	case kPtrace:
		return "uses ptrace"
	case kReadProcessMemory:
		return "uses ReadProcessMemory"
	case kEnvDump:
		return "serialises process.env"
	case kNamedSecret:
		return "reads a named secret"
	case kAuthToken:
		return "reads the _authToken of an .npmrc"
	case kKeyFile:
		return "reads SSH keys"
	case kCloudCreds:
		return "reads cloud or container credentials"
	case kPasswd:
		return "reads /etc/passwd or /etc/shadow"
	case kWalletDir:
		return "reads wallet or browser profile data"
	case kNpmConfigAuth:
		return "reads the npm registry token from npm's config"
	case kTokenRegex:
		return "holds GitHub/npm token patterns"
	case kEval:
		return "eval"
	case kFunction:
		return "new Function"
	case kVM:
		return "vm script execution"
	case kCompile:
		return "module._compile"
	case kWasm:
		return "instantiates WebAssembly"
	case kDownloadExec:
		return "downloads and runs a program"
	case kProxyExec:
		return "runs a DLL or script through a Windows system binary (rundll32, regsvr32, mshta)"
	case kDynRequire:
		return "require/import of a computed name"
	case kNpmPublish:
		return "runs npm publish or npm version"
	case kMaintainerSearch:
		return "searches the registry by maintainer"
	case kRepoCreate:
		return "creates GitHub repositories"
	case kRunnerRegistration:
		return "registers a self-hosted runner"
	case kWorkflowWrite:
		return "writes .github/workflows"
	case kSecretsDump:
		return "dumps toJSON(secrets)"
	case kShellRC:
		return "touches shell startup files"
	case kLaunchAgent:
		return "installs a LaunchAgent"
	case kSystemdUser:
		return "installs a systemd user unit"
	case kCrontab:
		return "edits the crontab"
	case kRunKey:
		return "writes the Windows Run key"
	case kAgentConfig:
		return "writes AI agent or editor auto-run config"
	case kAgentBypass:
		return "runs an AI agent with its permission checks off"
	case kWipe:
		return "deletes the home folder, the working folder or the root"
	case kGatedWrite:
		return "writes or deletes files behind a date or country check"
	case kTamper:
		return "writes into another installed package"
	case kShutdown:
		return "shuts the machine down"
	case kEthereum:
		return "hooks window.ethereum"
	case kEthSend:
		return "intercepts eth_sendTransaction"
	case kXHRHook:
		return "overwrites XMLHttpRequest.prototype"
	case kFetchHook:
		return "overwrites window.fetch"
	case kAddrRegex:
		return "matches wallet addresses"
	case kClipboardSwap:
		return "replaces copied wallet addresses in the clipboard"
	case kProviderHook:
		return "overwrites the wallet provider's request method"
	case kEditDistance:
		return "edit-distance look-alike matching"
	case kChildProcess:
		return "uses child_process"
	case kSpawnCall:
		return "starts a process"
	case kBareCall:
		return "calls exec/spawn/fork from child_process"
	case kBunSpawn:
		return "uses Bun.spawn"
	case kDetached:
		return "starts a detached, unreferenced process"
	case kShellDownload:
		return "downloads or pipes into a shell"
	case kHiddenRecipient:
		return "hard-codes a hidden (Bcc) mail recipient"
	}
	return ""
}

// checkFn confirms a literal hit from the text around it.
type checkFn func(w *window) bool

// pattern is one literal of a rule. key is what is counted on both sides
// for the transition; variants of one call share it ("(eval(", " eval(").
type pattern struct {
	lit   string
	key   string
	kind  kind
	check checkFn
}

// callPrefixes are the bytes that can end the token before a call: a call
// name shorter than the scanner's window is searched with each of them in
// front, which also makes it a whole word. "\n" covers a line start (every
// line of the scan buffer follows one).
func callPrefixes() []string {
	return []string{"\n", " ", "\t", "(", "=", ";", ",", "{", "}", "!", "&", "|", "?", ":", "[", ">", "+"}
}

// contentPatterns is the rule table. Every literal is at least
// minPatternLen bytes: the scanner's window is the shortest literal, and a
// longer window skips more text.
func contentPatterns() []pattern {
	var ps []pattern
	add := func(k kind, check checkFn, lits ...string) {
		for _, l := range lits {
			ps = append(ps, pattern{lit: l, key: l, kind: k, check: check})
		}
	}
	call := func(k kind, check checkFn, name string) {
		for _, p := range callPrefixes() {
			ps = append(ps, pattern{lit: p + name, key: name, kind: k, check: check})
		}
	}

	// runner-token-access (review-signals A3)
	add(kProcMem, procMemCheck, "/proc/")
	add(kRunnerWorker, nil, "Runner.Worker")
	add(kIsSecret, nil, `isSecret"`, `isSecret\"`, `isSecret'`)
	add(kOIDCToken, nil, "ACTIONS_ID_TOKEN_REQUEST_")
	add(kRuntimeToken, nil, "ACTIONS_RUNTIME_TOKEN")
	add(kPtrace, wordCheck, "ptrace")
	add(kReadProcessMemory, nil, "ReadProcessMemory")

	// credential-access (A4)
	add(kEnvDump, nil, "stringify(process.env", "keys(process.env", "entries(process.env", "values(process.env",
		"stringify(process['env']", `stringify(process["env"]`)
	add(kNamedSecret, nameEndCheck, "NPM_TOKEN", "NODE_AUTH_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
		"AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS")
	add(kNamedSecret, azureCheck, "AZURE_")
	add(kAuthToken, nil, "_authToken")
	add(kNpmrc, nil, ".npmrc")
	add(kKeyFile, nil, ".ssh/id_", ".ssh\\id_", ".ssh\\\\id_")
	add(kKeyFile, wordCheck, "id_rsa", "id_ed25519", "id_ecdsa")
	add(kCloudCreds, nil, ".aws/credentials", ".docker/config.json", ".kube/config", ".git-credentials", ".config/gcloud")
	add(kPasswd, nil, "/etc/passwd", "/etc/shadow")
	// Discord, Slack and Chromium keep session tokens in Local Storage/leveldb.
	add(kWalletDir, leveldbCheck, "Local Storage")
	add(kTokenRegex, nil, `{24}\\.[\\w-]{6}`, `{24}\.[\w-]{6}`, `mfa\\.[`, `mfa\.[\w`)
	add(kWalletDir, nil, "Local Extension Settings", "Login Data", "exodus.wallet", "Electrum/wallets",
		"Ethereum/keystore", "nkbihfbeogaeaoehlefnkodbefgpgknn", ".config/solana", "wallet.dat")
	add(kNpmConfigAuth, nil, "npm_config__auth", "NPM_CONFIG__AUTH")
	add(kNpmConfigAuth, npmConfigGetCheck, "npm config get", "config', 'get'", `config", "get"`, "config','get'", `config","get"`)
	add(kTokenRegex, tokenRegexCheck, "[A-Za-z0-9]{36", "[a-zA-Z0-9]{36", "[0-9a-zA-Z]{36", "[A-Za-z0-9_]{36", "[a-zA-Z0-9_]{36")
	add(kTokenRegex, nil, "gh[pousr]_", "github_pat_")

	// dynamic-code (A5) and what makes it count
	call(kEval, nil, "eval(")
	add(kEval, evalObjectCheck, ".eval(")
	add(kFunction, identBeforeCheck, "Function(")
	add(kVM, nil, "vm.runIn", "runInNewContext(", "runInThisContext(", "vm.Script", "new Script(", "compileFunction(")
	add(kCompile, nil, "._compile(")
	add(kWasm, nil, "WebAssembly.instantiate", "WebAssembly.compile", "WebAssembly.Module(")
	add(kDynRequire, dynArgCheck, "require(", "import(")
	add(kProxyExec, proxyExecCheck, "rundll32", "Rundll32", "RUNDLL32", "regsvr32", "Regsvr32", "REGSVR32",
		"mshta ", "mshta.", "mshta'", `mshta"`, "mshta`")
	// HTTP client modules: a network read for pairing with dynamic code
	// (axios.get(u) then new Function(r.data)).
	add(kNetImport, nil, "'axios'", `"axios"`, "node-fetch", "('got')", `("got")`, " 'got'", ` "got"`, "undici",
		"superagent", "'needle'", `"needle"`, "'request'", `"request"`, "socket.io-client")
	add(kNetRead, nil, "http.get(", "https.get(", "http.request(", "https.request(", "XMLHttpRequest", "net.connect(",
		"net.createConnection(", "tls.connect(", "axios.", "axios(", "WebSocket(")
	add(kNetRead, identBeforeCheck, "fetch(", "request(")
	add(kNetRead, nil, "dgram.createSocket(", "http2.connect(", "sendBeacon(")
	call(kDecode, nil, "atob(")
	add(kDecode, decodeArgCheck, "Buffer.from(", "new Buffer(")
	add(kDecrypt, nil, "createDecipher")

	// self-propagation (A6)
	add(kNpmPublish, nil, "npm publish", "npm version")
	add(kNpmPublish, nil, "_attachments") // with the registry's address nearby: see onLiteral
	add(kMaintainerSearch, nil, "text=maintainer:", "text%3Dmaintainer")
	add(kRepoCreate, githubBeforeCheck, "/user/repos")
	add(kRunnerRegistration, nil, "runners/registration-token")
	add(kWorkflowWrite, nil, ".github/workflows", ".github\\\\workflows")
	add(kSecretsDump, nil, "toJSON(secrets)")

	// persistence, destruction, AI-agent abuse (A7)
	add(kShellRC, dotNameCheck, ".bashrc", ".zshrc", ".bash_profile", ".profile", ".zprofile")
	add(kLaunchAgent, nil, "LaunchAgents")
	add(kSystemdUser, nil, "systemctl --user", "systemd/user")
	add(kCrontab, wordCheck, "crontab")
	add(kRunKey, nil, `CurrentVersion\Run`, `CurrentVersion\\Run`)
	add(kAgentConfig, nil, ".claude/settings", "folderOpen")
	add(kAgentBypass, nil, "--dangerously-skip-permissions", "--trust-all-tools", "bypassPermissions",
		"--dangerously-bypass-approvals", "--allow-all-tools", "approval-mode yolo", "approval-mode=yolo")
	add(kAgentBypass, wordEndCheck, "--yolo")
	add(kWipe, rmTargetCheck, "rm -rf", "rm -fr", "rm -Rf")
	// Removals: of the home folder, the working folder or the root a wipe
	// (kWipe, see onLiteral); of anything else what a date or country gate
	// destroys with (the write calls are kFsWrite).
	add(kRemove, identBeforeCheck, "rmSync(", "rmSync'](", `rmSync"](`, "rimraf(", "rmdirSync(", "fs.rm(", "promises.rm(",
		"removeSync(", "emptyDirSync(", "rimrafSync(", "unlink(")
	// Gates: a comparison with a fixed date, or with a country or time
	// zone (protestware and time bombs: node-ipc's geolocation check).
	add(kGate, dateLiteralCheck, "Date.parse(", "new Date(", "Date.UTC(")
	add(kGate, yearCompareCheck, "getFullYear()", "getUTCFullYear()")
	add(kGate, epochCompareCheck, "Date.now()", "Date().getTime()")
	add(kCountryCmp, comparedCheck, "country", "Country", "COUNTRY", "timeZone", "timezone")
	add(kGate, targetCheck, "Europe/Moscow", "Europe/Minsk", "Europe/Kiev", "Europe/Kyiv", "Asia/Tehran", "Asia/Jerusalem",
		"russia", "Russia", "RUSSIA", "belarus", "Belarus", "BELARUS")
	// IP geolocation services: a lookup of where the machine is; with a
	// country comparison it gates.
	add(kGeoIP, nil, "ipgeolocation", "geoip-", "geoip.", "geoip/", "/geoip", "GeoIP-", "GeoIP.", "ip-api.com", "ipinfo.io", "ipapi.co", "ipwho.is", "geolocation-db", "freegeoip",
		"ipdata.co", "ip2location", "geojs.io", "ipregistry")
	// A path into another installed package, and what writes there.
	add(kOtherPkgPath, nil, "node_modules", "require.resolve(")
	add(kShutdown, nil, "shutdown -h", "shutdown /s", "shutdown -P")

	// wallet-hook (B9)
	add(kEthereum, nil, "window.ethereum", "window['ethereum']", `window["ethereum"]`, "globalThis.ethereum")
	add(kEthSend, nil, "eth_sendTransaction")
	add(kProviderHook, assignCheck, "ethereum.request", "ethereum.send", "ethereum.sendAsync", "ethereum['request']",
		`ethereum["request"]`, "solana.signTransaction", "solana.signAndSendTransaction")
	add(kXHRHook, xhrAssignCheck, "prototype.open", "prototype.send", "['prototype']['open']", "['prototype']['send']",
		`["prototype"]["open"]`, `["prototype"]["send"]`)
	add(kFetchHook, assignCheck, "window.fetch", "window['fetch']", `window["fetch"]`, "globalThis.fetch")
	add(kAddrRegex, addrRegexCheck, "0x[a-f", "0x[A-F", "0x[0-9")
	add(kAddrRegex, nil, "bc1[02", "bc1[a-", "bc1[qp", "(bc1|[", "T[1-9A-HJ", "[1-9A-HJ-NP-Za-km-z]{3")
	add(kClipboard, nil, "clipboardData.setData(", "clipboard.writeText(", "clipboard.write(", "clipboardy", "pbcopy",
		"clip.exe", "xclip ", "xsel -", "setClipboard", "writeClipboard", "writeToClipboard")
	add(kEditDistance, nil, "evenshtein")
	add(kEditDistance, editDistanceCheck, "Math.min(", "['min'](", `["min"](`)

	// process-spawn (C1)
	add(kChildProcess, nil, "child_process")
	for _, obj := range []string{"cp.", "child_process.", "childProcess.", "child."} {
		add(kSpawnCall, identBeforeCheck, obj+"exec(", obj+"execSync(", obj+"execFile(", obj+"execFileSync(",
			obj+"spawn(", obj+"spawnSync(", obj+"fork(")
	}
	add(kSpawnCall, nil, "subprocess.Popen", "subprocess.run(", "subprocess.call(", "os.system(", "os.popen(")
	call(kBareCall, nil, "exec(")
	call(kBareCall, nil, "fork(")
	add(kBareCall, bareCallCheck, "execSync(", "execFile(", "execFileSync(", "spawn(", "spawnSync(")
	add(kBunSpawn, nil, "Bun.spawn")
	add(kDetached, detachedCheck, "detached")
	add(kUnref, nil, ".unref()")
	add(kFsWrite, identBeforeCheck, "writeFileSync(", "writeFile(", "appendFileSync(", "appendFile(", "createWriteStream(",
		"copyFileSync(", "renameSync(", "unlinkSync(", "truncateSync(")
	add(kKeyMaterial, nil, "secretKey", "privateKey", "secret_key", "private_key", "mnemonic", "seedPhrase", "seed_phrase")
	add(kSecretEnv, secretEnvCheck, "process.env.", "process.env[")

	// a hard-coded hidden recipient added to outgoing mail (postmark-mcp
	// 1.0.16 copied every message to its author with one Bcc line)
	for _, n := range []string{"bcc", "Bcc", "BCC"} {
		add(kHiddenRecipient, recipientCheck, n+": '", n+`: "`, n+": `", "{"+n+":'", "{"+n+`:"`, ","+n+":'", ","+n+`:"`, "'"+n+"',", `"`+n+`",`,
			"."+n+" =", n+`": "`, n+"': '", n+`":"`, n+"':'")
	}

	// endpoints (B8)
	add(kDownloadWord, nil, downloadWords()...)
	add(kHostKey, nil, "dns.lookup(", "dns.resolve(", "dns.resolve4(", "dns.resolveTxt(", "createConnection(")
	add(kHostKey, nil, "hostname:", "hostname':", `hostname":`, "host: '", `host: "`, "host:'", `host:"`, "'host':", `"host":`)
	return ps
}

// minPatternLen is the shortest literal of contentPatterns.
const minPatternLen = 6

// window is the text around a literal hit: its line, clipped to ctxBytes
// either side so that a check on a megabyte-long minified line stays cheap.
type window struct {
	b         []byte
	at, n     int  // the literal is b[at:at+n]
	lineStart bool // b begins at the start of the line
}

const ctxBytes = 256

func (w *window) before() []byte { return w.b[:w.at] }
func (w *window) after() []byte  { return w.b[w.at+w.n:] }

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func identBeforeCheck(w *window) bool {
	b := w.before()
	return len(b) == 0 || !isIdent(b[len(b)-1])
}

func identAfterCheck(w *window) bool {
	a := w.after()
	return len(a) == 0 || !isIdent(a[0])
}

func wordCheck(w *window) bool { return identBeforeCheck(w) && identAfterCheck(w) }

func wordEndCheck(w *window) bool { return identAfterCheck(w) }

// nameEndCheck accepts a secret's name unless it runs on into a longer
// word (NPM_TOKENIZER); a prefix (INPUT_GITHUB_TOKEN) is still that secret.
func nameEndCheck(w *window) bool {
	a := w.after()
	return len(a) == 0 || !(a[0] >= 'a' && a[0] <= 'z' || a[0] >= 'A' && a[0] <= 'Z' || isDigit(a[0]))
}

func azureCheck(w *window) bool {
	a, b := w.after(), w.before()
	return len(a) > 0 && a[0] >= 'A' && a[0] <= 'Z' && (len(b) == 0 || !(b[len(b)-1] >= 'A' && b[len(b)-1] <= 'Z'))
}

// procMemCheck wants mem, maps or environ right after the /proc/ part,
// written as one path or pieced together ('/proc/'+pid+'/maps').
func procMemCheck(w *window) bool {
	a := w.after()
	a = a[:min(len(a), 48)]
	return bytes.Contains(a, []byte("/mem")) || bytes.Contains(a, []byte("/maps")) || bytes.Contains(a, []byte("/environ"))
}

func tokenRegexCheck(w *window) bool {
	b := w.before()
	b = b[max(0, len(b)-16):]
	return bytes.Contains(b, []byte("gh")) || bytes.Contains(b, []byte("npm"))
}

// evalObjectCheck accepts window.eval( and its global aliases, not a
// method that happens to be named eval.
func evalObjectCheck(w *window) bool {
	switch string(lastIdent(w.before())) {
	case "window", "global", "globalThis", "self":
		return true
	}
	return false
}

// lastIdent returns the identifier that ends b.
func lastIdent(b []byte) []byte {
	i := len(b)
	for i > 0 && isIdent(b[i-1]) {
		i--
	}
	return b[i:]
}

// dynArgCheck accepts require( or import( whose argument is not a plain
// string literal: require(name), require(`./${x}`).
func dynArgCheck(w *window) bool {
	if !identBeforeCheck(w) {
		return false
	}
	a := bytes.TrimLeft(w.after(), " \t")
	if len(a) == 0 {
		return false // the argument is on the next line: unknown, stay quiet
	}
	switch a[0] {
	case '\'', '"', ')':
		return false
	case '`':
		end := bytes.IndexByte(a[1:], '`')
		if end < 0 {
			end = len(a) - 1
		}
		return bytes.Contains(a[1:1+end], []byte("${"))
	}
	return true
}

// npmConfigGetCheck accepts `npm config get` of a credential key
// (//registry/:_authToken, _auth, _password), which prints the token.
func npmConfigGetCheck(w *window) bool {
	a := w.after()
	a = bytes.ToLower(a[:min(len(a), 160)])
	return bytes.Contains(a, []byte("_auth")) || bytes.Contains(a, []byte("token")) || bytes.Contains(a, []byte("_password")) ||
		bytes.Contains(a, []byte("//"))
}

// secretEnvCheck accepts a read of an environment variable whose name
// says it holds a secret (MY_API_TOKEN, process.env['SECRET_KEY']).
func secretEnvCheck(w *window) bool {
	a := bytes.TrimLeft(w.after(), "'\"`")
	i := 0
	for i < len(a) && i < 64 && isIdent(a[i]) {
		i++
	}
	return secretName(a[:i])
}

// secretName reports whether an environment variable's name says it
// holds a secret.
func secretName(name []byte) bool {
	u := bytes.ToUpper(name)
	if bytes.HasPrefix(u, []byte("NPM_PACKAGE_")) || bytes.HasPrefix(u, []byte("NPM_LIFECYCLE_")) {
		return false
	}
	for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "_AUTH"} {
		if bytes.Contains(u, []byte(w)) {
			return true
		}
	}
	return false
}

func decodeArgCheck(w *window) bool {
	a := w.after()
	a = a[:min(len(a), 160)]
	return bytes.Contains(a, []byte("base64")) || bytes.Contains(a, []byte("'hex'")) || bytes.Contains(a, []byte(`"hex"`))
}

func githubBeforeCheck(w *window) bool {
	b := w.before()
	return bytes.Contains(b[max(0, len(b)-120):], []byte("github"))
}

// dotNameCheck accepts a dot-file name (".profile") but not a property
// of the same name (user.profile).
func dotNameCheck(w *window) bool {
	return wordCheck(w)
}

// rmTargetCheck accepts rm -rf of the home folder or the root.
func rmTargetCheck(w *window) bool {
	a := bytes.TrimLeft(w.after(), " \t\"'")
	end := func(rest []byte) bool {
		return len(rest) == 0 || bytes.IndexByte([]byte(" \t\"'`;&|)*/"), rest[0]) >= 0
	}
	switch {
	case bytes.HasPrefix(a, []byte("~")):
		return end(a[1:])
	case bytes.HasPrefix(a, []byte("$HOME")), bytes.HasPrefix(a, []byte("${HOME}")), bytes.HasPrefix(a, []byte("%USERPROFILE%")),
		bytes.HasPrefix(a, []byte("--no-preserve-root")):
		return true
	case bytes.HasPrefix(a, []byte("/")):
		return len(a) == 1 || bytes.IndexByte([]byte(" \t\"'`;&|)*"), a[1]) >= 0
	}
	return false
}

// leveldbCheck accepts Local Storage followed by its leveldb folder.
func leveldbCheck(w *window) bool {
	a := w.after()
	return bytes.Contains(a[:min(len(a), 48)], []byte("leveldb"))
}

func homeArgCheck(w *window) bool {
	a := w.after()
	a = a[:min(len(a), 80)]
	if bytes.Contains(a, []byte("homedir")) || bytes.Contains(a, []byte("HOME")) || bytes.Contains(a, []byte("USERPROFILE")) {
		return true
	}
	// The working folder itself, the root or the parent: not a folder
	// inside them (rmSync(path.join(process.cwd(), 'dist')) cleans a build).
	t := bytes.TrimLeft(a, " \t")
	for _, root := range []string{"process.cwd()", "'/'", `"/"`, "`/`", "'..'", `".."`, "'../'", `"../"`, "'C:\\\\'", `"C:\\\\"`,
		"path.resolve('/')", `path.resolve("/")`, "path.resolve('..')", `path.resolve("..")`} {
		if bytes.HasPrefix(t, []byte(root)) {
			rest := bytes.TrimLeft(t[len(root):], " \t")
			return len(rest) == 0 || rest[0] == ')' || rest[0] == ','
		}
	}
	return false
}

// proxyExecCheck accepts rundll32, regsvr32 or mshta as a command, unless
// what it runs is a Windows system library (rundll32 url.dll,… opens a
// URL): a package's own DLL, .dat or script run that way is how the
// eslint-config-prettier 2025 payload started.
func proxyExecCheck(w *window) bool {
	if !identBeforeCheck(w) {
		return false
	}
	l := bytes.ToLower(w.b)
	for _, sys := range []string{"url.dll", "shell32", "user32", "printui", "advpack", "ieframe", "zipfldr", "shdocvw",
		"inetcpl", ".cpl", "setupapi", "keymgr", "dfshim", "syssetup", "powrprof", "shimgvw", "mshtml"} {
		if bytes.Contains(l, []byte(sys)) {
			return false
		}
	}
	return true
}

// dateLiteralCheck accepts Date.parse, new Date or Date.UTC of a fixed
// date: a quoted year-first date or a year argument.
func dateLiteralCheck(w *window) bool {
	// A time bomb compares now with the date; a fixed date alone is a
	// constant (an epoch, a format cut-over for old files).
	if !bytes.Contains(w.b, []byte("Date.now()")) && !bytes.Contains(w.b, []byte("new Date()")) {
		return false
	}
	a := bytes.TrimLeft(w.after(), " \t")
	if len(a) > 0 && (a[0] == '\'' || a[0] == '"' || a[0] == '`') {
		a = a[1:]
	}
	return yearAt(a)
}

// yearAt reports a year from 2000 to 2099 at the start of b, not part of
// a longer number.
func yearAt(b []byte) bool {
	return len(b) >= 4 && b[0] == '2' && b[1] == '0' && isDigit(b[2]) && isDigit(b[3]) && (len(b) == 4 || !isDigit(b[4]))
}

// comparison returns what follows a comparison operator at the start of
// b, or nil.
func comparison(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t")
	for _, op := range []string{"===", "!==", "==", "!=", ">=", "<=", ">", "<"} {
		if bytes.HasPrefix(b, []byte(op)) {
			return bytes.TrimLeft(b[len(op):], " \t")
		}
	}
	return nil
}

// yearCompareCheck accepts getFullYear() compared with a year.
func yearCompareCheck(w *window) bool { return yearAt(comparison(w.after())) }

// epochCompareCheck accepts Date.now() or getTime() compared with a
// fixed epoch in milliseconds (1.7e12 is 2023), either way round.
func epochCompareCheck(w *window) bool {
	epoch := func(b []byte) bool {
		n := 0
		for n < len(b) && isDigit(b[n]) {
			n++
		}
		return n == 13 && b[0] == '1'
	}
	if epoch(comparison(w.after())) {
		return true
	}
	b := bytes.TrimRight(w.before(), " \t")
	for _, op := range []string{">=", "<=", ">", "<"} {
		if bytes.HasSuffix(b, []byte(op)) {
			b = bytes.TrimRight(b[:len(b)-len(op)], " \t")
			i := len(b)
			for i > 0 && isDigit(b[i-1]) {
				i--
			}
			return epoch(b[i:])
		}
	}
	return false
}

// comparedCheck accepts a country, time zone or language value compared
// with a literal on the same line: country === 'RU',
// country.includes('russia'), ['RU','BY'].includes(country).
func comparedCheck(w *window) bool {
	a := w.after()
	a = a[:min(len(a), 80)]
	for _, op := range []string{"==", "!=", "includes(", "indexOf(", "startsWith(", "match(", "test("} {
		if i := bytes.Index(a, []byte(op)); i >= 0 {
			rest := bytes.TrimLeft(a[i+len(op):], " \t=(")
			if len(rest) > 0 && (rest[0] == '\'' || rest[0] == '"' || rest[0] == '`' || rest[0] == '/') {
				return true
			}
		}
	}
	b := w.before()
	b = b[max(0, len(b)-80):]
	return bytes.Contains(b, []byte("].includes(")) || bytes.Contains(b, []byte("].indexOf("))
}

// targetCheck accepts a country or time zone name that a value is
// compared with (c.includes('russia'), tz === 'Europe/Moscow',
// ['russia', 'belarus'].includes(c)), not one in a table of names.
func targetCheck(w *window) bool {
	if !identAfterCheck(w) {
		return false // Russian, belarusian
	}
	if w.lineStart && len(bytes.TrimSpace(w.before())) == 0 && len(bytes.TrimSpace(w.after())) == 0 {
		return true // the whole of a decoded string: a name someone encoded to hide it
	}
	b := w.before()
	b = b[max(0, len(b)-24):]
	for _, op := range []string{"includes(", "indexOf(", "==", "!=", "match(", "test(", "case ", "startsWith("} {
		if bytes.Contains(b, []byte(op)) {
			return true
		}
	}
	a := w.after()
	a = a[:min(len(a), 48)]
	return bytes.Contains(a, []byte("].includes(")) || bytes.Contains(a, []byte("].indexOf(")) || bytes.Contains(a, []byte("].some("))
}

// recipientCheck accepts a bcc field whose value is a quoted email
// address written into the code: a copy of every message to a fixed
// outside address. Reserved example domains are left alone.
func recipientCheck(w *window) bool {
	lit := w.b[w.at : w.at+w.n]
	a := w.after()
	a = a[:min(len(a), 96)]
	if q := lit[len(lit)-1]; q == '\'' || q == '"' || q == '`' {
		return emailAt(a, q) // the literal ends with the value's opening quote
	}
	skip := func(i int, set string) int {
		for i < len(a) && strings.IndexByte(set, a[i]) >= 0 {
			i++
		}
		return i
	}
	i := skip(0, " \t:=,[{(")
	// SendGrid's shape: bcc: [{ email: 'x@y' }]
	for _, k := range []string{"email", "address", "Value", "value"} {
		if j := skip(i, `'"`); bytes.HasPrefix(a[j:], []byte(k)) {
			i = skip(j+len(k), ` \t:'"`)
			i-- // back onto the value's opening quote
			for i > j+len(k) && a[i] != '\'' && a[i] != '"' && a[i] != '`' {
				i--
			}
			break
		}
	}
	if i < 0 || i >= len(a) || a[i] != '\'' && a[i] != '"' && a[i] != '`' {
		return false
	}
	return emailAt(a[i+1:], a[i])
}

// emailAt reports whether b starts with an email address closed by q,
// at a domain that is not a reserved example.
func emailAt(b []byte, q byte) bool {
	end := bytes.IndexByte(b, q)
	if end < 3 {
		return false
	}
	addr := b[:end]
	at := bytes.IndexByte(addr, '@')
	if at < 1 || bytes.ContainsAny(addr, " \t$+{}<>") {
		return false
	}
	host, _, rest, ok := parseAuthority(addr[at+1:])
	if !ok || len(rest) > 0 || ignoredHost(host) {
		return false
	}
	for _, tld := range []string{".test", ".example", ".localhost", ".local", ".internal"} {
		if strings.HasSuffix(host, tld) {
			return false
		}
	}
	return true
}

// assignCheck accepts an assignment to the matched name (window.fetch =),
// not a read or a comparison.
func assignCheck(w *window) bool {
	a := bytes.TrimLeft(w.after(), " \t")
	return len(a) > 0 && a[0] == '=' && (len(a) == 1 || a[1] != '=')
}

func xhrAssignCheck(w *window) bool {
	b := w.before()
	return assignCheck(w) && bytes.Contains(b[max(0, len(b)-16):], []byte("XMLHttpRequest"))
}

func addrRegexCheck(w *window) bool {
	a := w.after()
	return bytes.Contains(a[:min(len(a), 24)], []byte("{40}"))
}

// editDistanceCheck accepts the Levenshtein recurrence:
// min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+(a[i-1]===b[j-1]?0:1)).
func editDistanceCheck(w *window) bool {
	a := w.after()
	a = a[:min(len(a), 240)]
	ones := bytes.Count(a, []byte("+1")) + bytes.Count(a, []byte("+0x1")) + bytes.Count(a, []byte("+ 1"))
	if ones < 2 {
		return false
	}
	for _, t := range []string{"?0:1", "?0x0:0x1", "? 0 : 1", "?1:0", "?0x1:0x0", "? 1 : 0"} {
		if bytes.Contains(a, []byte(t)) {
			return true
		}
	}
	return false
}

// bareCallCheck accepts a call with no object in front (a destructured
// child_process import); whether the file uses child_process is checked
// once per file.
func bareCallCheck(w *window) bool {
	b := w.before()
	return len(b) == 0 || !isIdent(b[len(b)-1]) && b[len(b)-1] != '.'
}

func detachedCheck(w *window) bool {
	a := bytes.TrimLeft(w.after(), `'" `)
	if len(a) == 0 || a[0] != ':' {
		return false
	}
	a = bytes.TrimLeft(a[1:], " \t")
	return bytes.HasPrefix(a, []byte("true")) || bytes.HasPrefix(a, []byte("!0")) || bytes.HasPrefix(a, []byte("!![]"))
}

// litSet finds many literals in one pass over a text (Wu-Manber): a
// window of m bytes, m the shortest literal, slides along the text, and
// its last three bytes, hashed, say how far it can move before a literal
// could end inside it; most windows move m-2 bytes after one load. Four
// windows walk four quarters of the text in one loop: a single walk is
// bound by the latency of its loads (the next position depends on the
// table entry), and independent walks overlap (measured on the 8.9 MB
// typescript.js with 140 literals: 11 ms for one walk, 6.8 ms for two,
// 5.3 ms for four).
type litSet struct {
	lits  []string
	m     int
	shift [litSlots]uint8
	// cand[first[h]:first[h+1]] are the literals whose first m bytes end
	// in a block that hashes to h; pre holds their first four bytes.
	first [litSlots + 1]uint16
	cand  []uint16
	pre   []uint32
	// seen has a bit set for each (block, first four bytes) of a literal:
	// most windows whose block matches one of a literal are turned away
	// by one lookup (the call variants "(eval(", " eval(" share the block
	// of "call(" and "equal(").
	seen [seenBits / 64]uint64
}

const seenBits = 1 << 16

func seenBit(pre, h uint32) uint32 {
	return uint32((uint64(pre)<<14 ^ uint64(h)) * 0x9E3779B97F4A7C15 >> 48)
}

const (
	litBits  = 14
	litSlots = 1 << litBits
	streams  = 4
)

// blockHash hashes the three bytes that end at the top of x, a
// little-endian load of the four bytes ending at the window's end.
func blockHash(x uint32) uint32 {
	return ((x >> 8) * 0x9E3779B1) >> (32 - litBits) & (litSlots - 1)
}

func blockHashOf(a, b, c byte) uint32 {
	return blockHash(uint32(a)<<8 | uint32(b)<<16 | uint32(c)<<24)
}

// newLitSet builds the tables; every literal must be at least 4 bytes and
// there must be fewer than 65536 of them.
func newLitSet(lits []string) *litSet {
	s := &litSet{lits: lits, m: 255}
	for _, l := range lits {
		s.m = min(s.m, len(l))
	}
	m := s.m
	for i := range s.shift {
		s.shift[i] = uint8(m - 2)
	}
	var count [litSlots]uint16
	for _, l := range lits {
		for j := 2; j < m; j++ {
			h := blockHashOf(l[j-2], l[j-1], l[j])
			s.shift[h] = min(s.shift[h], uint8(m-1-j))
		}
		count[blockHashOf(l[m-3], l[m-2], l[m-1])]++
	}
	for h := range litSlots {
		s.first[h+1] = s.first[h] + count[h]
	}
	s.cand = make([]uint16, len(lits))
	s.pre = make([]uint32, len(lits))
	next := s.first
	for i, l := range lits {
		h := blockHashOf(l[m-3], l[m-2], l[m-1])
		s.cand[next[h]] = uint16(i)
		pre := binary.LittleEndian.Uint32([]byte(l[:4]))
		s.pre[next[h]] = pre
		b := seenBit(pre, h)
		s.seen[b/64] |= 1 << (b % 64)
		next[h]++
	}
	return s
}

// scan calls hit with the literal's index and its offset for every
// occurrence of a literal in t, in no particular order.
func (s *litSet) scan(t []byte, hit func(lit, at int)) {
	n, m := len(t), s.m
	if n < m {
		return
	}
	if n < streams*256 {
		s.walk(t, m-1, n, hit)
		return
	}
	// Walk i takes the windows that start in the i-th quarter; the four
	// are written out so that their positions stay in registers.
	part := n / streams
	p0, p1, p2, p3 := m-1, part+m-1, 2*part+m-1, 3*part+m-1
	e0, e1, e2 := p1, p2, p3
	for p0 < e0 && p1 < e1 && p2 < e2 && p3 < n {
		h0 := blockHash(binary.LittleEndian.Uint32(t[p0-3:]))
		h1 := blockHash(binary.LittleEndian.Uint32(t[p1-3:]))
		h2 := blockHash(binary.LittleEndian.Uint32(t[p2-3:]))
		h3 := blockHash(binary.LittleEndian.Uint32(t[p3-3:]))
		s0, s1, s2, s3 := int(s.shift[h0]), int(s.shift[h1]), int(s.shift[h2]), int(s.shift[h3])
		if s0 == 0 {
			s.verify(t, p0, h0, hit)
			s0 = 1
		}
		if s1 == 0 {
			s.verify(t, p1, h1, hit)
			s1 = 1
		}
		if s2 == 0 {
			s.verify(t, p2, h2, hit)
			s2 = 1
		}
		if s3 == 0 {
			s.verify(t, p3, h3, hit)
			s3 = 1
		}
		p0, p1, p2, p3 = p0+s0, p1+s1, p2+s2, p3+s3
	}
	s.walk(t, p0, e0, hit)
	s.walk(t, p1, e1, hit)
	s.walk(t, p2, e2, hit)
	s.walk(t, p3, n, hit)
}

// walk is one window going from end position p to stop.
func (s *litSet) walk(t []byte, p, stop int, hit func(lit, at int)) {
	for p < stop {
		h := blockHash(binary.LittleEndian.Uint32(t[p-3:]))
		sh := int(s.shift[h])
		if sh == 0 {
			s.verify(t, p, h, hit)
			sh = 1
		}
		p += sh
	}
}

func (s *litSet) verify(t []byte, end int, h uint32, hit func(lit, at int)) {
	start := end - s.m + 1
	rest := t[start:]
	pre := binary.LittleEndian.Uint32(rest)
	if b := seenBit(pre, h); s.seen[b/64]&(1<<(b%64)) == 0 {
		return
	}
	for k := s.first[h]; k < s.first[h+1]; k++ {
		if s.pre[k] != pre {
			continue
		}
		l := s.lits[s.cand[k]]
		if len(rest) >= len(l) && string(rest[:len(l)]) == l {
			hit(int(s.cand[k]), start)
		}
	}
}

// countKeys returns how often each key occurs in text. A few keys are
// counted one by one with bytes.Index from their rarest byte (IndexByte
// skips to it, and ':' or 'W' are far rarer in code than 'e'): 0.2 to 0.8
// ms each on the 8.9 MB typescript.js, against 1.3 to 4.6 ms for a litSet
// of one short key. Many keys share one litSet pass.
func countKeys(keys []string, text []byte) []int {
	out := make([]int, len(keys))
	if len(keys) > 4 {
		var long []string
		var idx []int
		for i, k := range keys {
			if len(k) < 4 {
				out[i] = countFromRarest(text, k)
				continue
			}
			long = append(long, k)
			idx = append(idx, i)
		}
		if len(long) > 0 {
			newLitSet(long).scan(text, func(lit, _ int) { out[idx[lit]]++ })
		}
		return out
	}
	for i, k := range keys {
		out[i] = countFromRarest(text, k)
	}
	return out
}

// countFromRarest counts key in text by searching for its tail from its
// rarest byte and checking the head before each match.
func countFromRarest(text []byte, key string) int {
	n := 0
	for i := 0; ; n++ {
		j := indexFromRarest(text[i:], key)
		if j < 0 {
			return n
		}
		i += j + len(key)
	}
}

// indexFromRarest is bytes.Index, searching from key's rarest byte.
func indexFromRarest(text []byte, key string) int {
	r := 0
	for i := 1; i < len(key); i++ {
		if byteRank(key[i]) < byteRank(key[r]) {
			r = i
		}
	}
	head, tail := []byte(key[:r]), []byte(key[r:])
	for i := r; i <= len(text); {
		j := bytes.Index(text[i:], tail)
		if j < 0 {
			return -1
		}
		p := i + j
		if bytes.Equal(text[p-r:p], head) {
			return p - r
		}
		i = p + 1
	}
	return -1
}

// byteRank orders bytes by how common they are in JavaScript, rarest
// first, roughly as in typescript.js.
func byteRank(c byte) int {
	switch {
	case c >= 0x80, c < ' ', strings.IndexByte("#%^~\\@$`<>|&!?'+-:[]{}", c) >= 0:
		return 0
	case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return 1
	case strings.IndexByte("qzjkwvxbyg", c) >= 0:
		return 2
	case strings.IndexByte("_/*\",;=", c) >= 0:
		return 3
	case c >= 'a' && c <= 'z', c == '.':
		return 4
	}
	return 5 // space, ( and )
}

// fileClass says how a file's text is read.
type fileClass uint8

const (
	classCode   fileClass = iota
	classScript           // shell, batch, PowerShell: also checked for downloaders
	classDoc              // documentation, type declarations, source maps: endpoints only, low
)

type commentStyle uint8

const (
	commentNone commentStyle = iota
	commentSlash
	commentHash
	commentBatch
)

// buildInfraPath reports files that run on a build or CI machine, never on
// a consumer's install: Dockerfiles, CI workflows, Makefiles, dev
// containers.
func buildInfraPath(p string) bool {
	base := strings.ToLower(p[strings.LastIndexByte(p, '/')+1:])
	switch {
	case strings.HasPrefix(base, "dockerfile"), strings.HasSuffix(base, ".dockerfile"), strings.HasPrefix(base, "docker-compose"),
		base == "makefile", base == "gnumakefile", strings.HasSuffix(base, ".mk"), base == "jenkinsfile",
		base == ".gitlab-ci.yml", base == ".travis.yml", base == "azure-pipelines.yml", base == "vagrantfile":
		return true
	}
	for _, d := range []string{".github/", ".circleci/", ".devcontainer/", ".gitlab/", ".buildkite/"} {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return false
}

// settingsShaped reports whether every line is a comment, blank, or
// key=value (key value for .yarnrc).
func settingsShaped(data []byte) bool {
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || t[0] == ';' {
			continue
		}
		k := bytes.IndexAny(t, "= ")
		if k <= 0 || bytes.ContainsAny(t[:k], "()\"'`;{}") {
			return false
		}
	}
	return true
}

// classify sorts a path into documentation, script or code.
func classify(path string, data []byte) (fileClass, commentStyle) {
	base := path[strings.LastIndexByte(path, '/')+1:]
	lower := strings.ToLower(base)
	for _, p := range []string{"readme", "changelog", "history", "changes", "license", "licence", "copying", "notice",
		"authors", "contributing", "security", "code_of_conduct"} {
		if strings.HasPrefix(lower, p) {
			return classDoc, commentNone
		}
	}
	if (lower == ".env" || strings.HasPrefix(lower, ".env.") || lower == ".npmrc" || lower == ".yarnrc") && settingsShaped(data) {
		// Settings, not code: what they hold is secret-in-tarball's. A
		// "settings" file that is not key=value lines is read as code.
		return classDoc, commentHash
	}
	ext := ""
	if i := strings.LastIndexByte(lower, '.'); i > 0 {
		ext = lower[i:]
	}
	switch {
	case strings.HasSuffix(lower, ".d.ts"), strings.HasSuffix(lower, ".d.mts"), strings.HasSuffix(lower, ".d.cts"):
		return classDoc, commentSlash
	}
	switch ext {
	case ".md", ".markdown", ".mdx", ".txt", ".rst", ".adoc", ".map":
		return classDoc, commentNone
	case ".sh", ".bash", ".zsh", ".ksh", ".command", ".ps1", ".psm1":
		return classScript, commentHash
	case ".bat", ".cmd":
		return classScript, commentBatch
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue", ".svelte", ".java", ".go", ".c", ".h", ".cc", ".cpp", ".rs", ".css", ".scss":
		return classCode, commentSlash
	case ".py", ".rb", ".yml", ".yaml", ".toml", ".pl":
		return classCode, commentHash
	case "":
		if bytes.HasPrefix(data, []byte("#!")) {
			line := data[:min(len(data), 128)]
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			if bytes.Contains(line, []byte("sh")) {
				return classScript, commentHash
			}
			return classCode, commentHash
		}
	}
	return classCode, commentNone
}

// inComment reports whether the hit at w.at sits in a comment, judged from
// its own line only.
func inComment(w *window, style commentStyle) bool {
	if style == commentNone {
		return false
	}
	b := w.before()
	if w.lineStart && commentLine(b, style) {
		return true
	}
	if style == commentSlash {
		// A "//" after code starts a comment; the one of "http://" follows a ':'.
		for i := 0; i+1 < len(b); i++ {
			if b[i] == '/' && b[i+1] == '/' && (i == 0 || bytes.IndexByte([]byte(" \t;{}),"), b[i-1]) >= 0) {
				return true
			}
		}
	}
	return false
}

// commentLine reports whether a line (or its start) opens with a comment.
func commentLine(line []byte, style commentStyle) bool {
	t := bytes.TrimLeft(line, " \t")
	switch style {
	case commentSlash:
		return bytes.HasPrefix(t, []byte("//")) || bytes.HasPrefix(t, []byte("/*")) || bytes.HasPrefix(t, []byte("*"))
	case commentHash:
		return bytes.HasPrefix(t, []byte("#")) && !bytes.HasPrefix(t, []byte("#!"))
	case commentBatch:
		return bytes.HasPrefix(t, []byte("::")) || len(t) >= 4 && strings.EqualFold(string(t[:4]), "rem ")
	}
	return false
}

// entry is the first hit of one (kind, key) in a file, with how many hits
// it had and the lines of the first few.
type entry struct {
	kind  kind
	key   string
	line  int
	snip  string
	count int
	lines []int
	// folded is set for a hit only the folded or decoded text shows.
	folded bool
}

type entryKey struct {
	kind kind
	key  string
}

// endpoint is a host found in a file.
type endpoint struct {
	host   string
	port   string
	line   int
	snip   string
	ip     bool
	shady  string // why the host is a known exfiltration or paste host
	inCode bool   // seen at least once outside documentation and comments
	bare   bool   // seen at least once outside a URL
	called bool   // a URL that is the first argument of a call: post('https://…')
	// used is set when the host is seen at least once in code outside a
	// message printed with console (console.log('… https://…')).
	used   bool
	folded bool // only the folded or decoded text names it
}

// contentScanner runs the content rules over the files of one analysis.
// It is created per Analyze call and reuses its buffers across files.
type contentScanner struct {
	c        *context
	pats     []pattern
	set      *litSet
	lineLits []int // patterns that match at a line start ("\neval(")
	ownHosts map[string]bool
	first    bool // first release: no base at all
	textLib  bool // the package is about strings: edit distance is its job
	web3Lib  bool // the package is about wallets and chains: window.ethereum is its job
	selfName string

	// per file
	path    string
	class   fileClass
	comment commentStyle
	entries []entry
	index   map[entryKey]int
	hosts   []endpoint
	hostIdx map[string]int
	// pkgPathVars are the variables holding a path into another
	// installed package; "" for a path written inline into a write call.
	pkgPathVars []string
	writeArgs   []string // the path arguments of the file's added write calls, when a variable

	// text is what is being scanned; text[0] is a '\n' that ends the line
	// before (except in a run that starts the file), so a pattern can
	// match at a line start. In chunk mode the text is a copy of added
	// lines and starts[i] is where line nos[i] begins; otherwise it is a
	// run of consecutive lines of the staged file, in place, and line
	// numbers are counted from marks.
	text    []byte
	mode    readMode
	runs    []lineRun // modeRuns: the runs of added lines, in the staged file
	chunked bool
	buf     []byte
	starts  []int
	nos     []int
	marks   []lineMark
	gaps    [][2]int // text[g[0]:g[1]] lies between two runs: skipped

	scriptRE     *regexp.Regexp
	hostPort     *regexp.Regexp
	downloadRE   *regexp.Regexp
	downloadHits []int            // where the current text holds a download word
	evasion      []evasionTrigger // the shapes that make a file worth folding
	buildInfra   bool             // the file is build infrastructure (Dockerfile, CI workflow, Makefile)
	reported     map[string]bool  // hosts already reported in an earlier file
	folded       int              // bytes folded so far in this analysis
}

// readMode is how a file's added text was read.
type readMode uint8

const (
	modeWhole  readMode = iota // the whole staged file
	modeRuns                   // runs of added lines, in place
	modeChunks                 // added lines copied into chunks
)

// lineRun is a run of consecutive added lines: data[from:to] of the
// staged file, the first of them line no.
type lineRun struct{ from, to, no int }

// lineMark is a known line start in a run: line no begins at text[off].
type lineMark struct{ off, no int }

// chunkBytes bounds the copy buffer of chunk mode, so it stays in cache.
const chunkBytes = 128 << 10

// maxEntries bounds what one file records (a 10 MB payload could match
// thousands of times); maxLines bounds the lines kept per entry.
const (
	maxEntries = 512
	maxHosts   = 256
	maxLines   = 32
)

func newContentScanner(c *context) *contentScanner {
	s := &contentScanner{c: c, pats: contentPatterns(), first: c.in.Old == nil,
		index: map[entryKey]int{}, hostIdx: map[string]int{}, reported: map[string]bool{}}
	lits := make([]string, len(s.pats))
	for i, p := range s.pats {
		lits[i] = p.lit
		if p.lit[0] == '\n' {
			s.lineLits = append(s.lineLits, i)
		}
	}
	s.set = newLitSet(lits)
	s.ownHosts = manifestHosts(c.newManifest)
	s.textLib = isTextLibrary(c.newManifest)
	s.web3Lib = isWeb3Library(c.newManifest)
	s.selfName, _ = c.newManifest["name"].(string)
	return s
}

// contentSignals runs the code-content detectors: runner-token-access,
// credential-access, dynamic-code, self-propagation, persistence,
// wallet-hook, new-endpoint, process-spawn.
func contentSignals(c *context) {
	s := newContentScanner(c)
	for i := range c.in.Diff.Files {
		fd := &c.in.Diff.Files[i]
		if fd.Binary || fd.Path == "package.json" || (fd.Status != diff.Added && fd.Status != diff.Modified) {
			// The root manifest is the manifest detectors' (scripts, dependency specs).
			continue
		}
		s.scanFile(fd)
	}
}

func (s *contentScanner) scanFile(fd *diff.FileDiff) {
	newData := s.c.newFile(fd.Path)
	s.path = fd.Path
	s.class, s.comment = classify(fd.Path, newData)
	s.buildInfra = buildInfraPath(fd.Path)
	s.entries = s.entries[:0]
	clear(s.index)
	s.hosts = s.hosts[:0]
	clear(s.hostIdx)
	s.pkgPathVars = s.pkgPathVars[:0]
	s.writeArgs = s.writeArgs[:0]

	// A new file, or a modified one whose diff stopped at a work limit,
	// is read whole: the hunks would miss part of it. So is a file most of
	// whose lines are added (typescript 5.5 re-indents typescript.js):
	// walking its hunks costs more than reading the few unchanged lines,
	// whose hits the transition counts drop anyway.
	whole := fd.Status == diff.Added || fd.Capped != "" ||
		!fd.TokenDiff && fd.LinesAdded > 1000 && fd.LinesAdded*2 > bytes.Count(newData, []byte{'\n'})
	s.runs = s.runs[:0]
	switch {
	case whole:
		s.mode = modeWhole
		s.scanRun(newData, 0, len(newData), 1)
	case !fd.TokenDiff && s.scanRuns(fd, newData):
		s.mode = modeRuns
	default:
		s.mode = modeChunks
		s.scanChunks(fd)
	}
	if s.class == classScript {
		s.scanScript(fd, whole, newData)
	}
	var oldData []byte
	if fd.Status == diff.Modified {
		oldData = s.c.oldFile(fd.Path)
	}
	if s.foldable(fd, newData, oldData) {
		s.scanFolded(fd, newData, oldData)
	}
	if len(s.entries) == 0 && len(s.hosts) == 0 {
		return
	}
	s.report(fd, oldData, newData)
}

// scanRuns scans the added lines of a line diff where they lie in the
// staged file: a run of consecutive added lines is one span of it, so
// nothing is copied. It follows the staged file's lines along the hunks
// and gives up (false, before scanning anything) if a line's text does
// not end where the file's line does.
func (s *contentScanner) scanRuns(fd *diff.FileDiff, data []byte) bool {
	runs := s.runs[:0]
	no, off := 1, 0 // the cursor: line no of the staged file starts at data[off]
	for hi := range fd.Hunks {
		for li := range fd.Hunks[hi].Lines {
			l := &fd.Hunks[hi].Lines[li]
			if l.Kind == diff.Del {
				continue
			}
			if no < l.NewNo {
				var ok bool
				if off, ok = skipLines(data, off, l.NewNo-no); !ok {
					return false
				}
				no = l.NewNo
			}
			end := off + len(l.Text)
			if no != l.NewNo || end > len(data) || end < len(data) && data[end] != '\n' {
				return false
			}
			if l.Kind == diff.Add {
				if n := len(runs); n > 0 && runs[n-1].to+1 == off {
					runs[n-1].to = end
				} else {
					runs = append(runs, lineRun{off, end, no})
				}
			}
			off, no = min(end+1, len(data)), no+1
		}
	}
	s.runs = runs
	// Runs a few lines apart are scanned as one span, skipping the hits
	// in the lines between: one scan per run costs more than the bytes
	// between runs (typescript.js has thousands of runs).
	for i := 0; i < len(runs); {
		j := i + 1
		s.gaps = s.gaps[:0]
		// Offsets in the span's text, which starts one byte early (at the
		// '\n' before) unless the span starts the file.
		base := runs[i].from - min(runs[i].from, 1)
		for j < len(runs) && runs[j].from-runs[j-1].to <= maxGap {
			s.gaps = append(s.gaps, [2]int{runs[j-1].to - base, runs[j].from - base})
			j++
		}
		s.scanRun(data, runs[i].from, runs[j-1].to, runs[i].no)
		i = j
	}
	s.gaps = s.gaps[:0]
	return true
}

// skipLines returns the offset n lines after off. Whole blocks are
// skipped by counting their newlines (bytes.Count is vectorised), so
// the unchanged stretch between two hunks costs a few calls, not one per
// line (react-dom.development.js: 28,000 unchanged lines).
func skipLines(data []byte, off, n int) (int, bool) {
	for _, block := range [...]int{4096, 512, 64} {
		for n > 0 && len(data)-off > block {
			c := bytes.Count(data[off:off+block], []byte{'\n'})
			if c >= n {
				break
			}
			off += block
			n -= c
		}
	}
	for ; n > 0; n-- {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return off, false
		}
		off += i + 1
	}
	return off, true
}

// maxGap is how far apart two runs of added lines may be and still be
// scanned as one span.
const maxGap = 2048

// inGap reports whether text[off] lies between two runs of a span: an
// unchanged line, whose hits are not news.
func (s *contentScanner) inGap(off int) bool {
	i, _ := slices.BinarySearchFunc(s.gaps, off, func(g [2]int, off int) int {
		switch {
		case g[1] <= off:
			return -1
		case g[0] > off:
			return 1
		}
		return 0
	})
	return i < len(s.gaps) && s.gaps[i][0] <= off && off < s.gaps[i][1]
}

// scanRun scans data[from:to], whole lines, the first of them line no.
func (s *contentScanner) scanRun(data []byte, from, to, no int) {
	if from >= to {
		return
	}
	s.chunked = false
	if from > 0 {
		s.text = data[from-1 : to] // data[from-1] is the previous line's '\n'
		s.marks = append(s.marks[:0], lineMark{1, no})
		s.scanText()
		return
	}
	// The file's first line has no '\n' before it: its line-start
	// patterns are checked here, the rest by the scan.
	s.text = data[:to]
	s.marks = append(s.marks[:0], lineMark{0, no})
	for _, pi := range s.lineLits {
		if lit := s.pats[pi].lit; bytes.HasPrefix(s.text, []byte(lit[1:])) {
			s.onLiteral(pi, -1)
		}
	}
	s.scanText()
}

// scanChunks copies the added lines into chunks and scans those: for
// token diffs (whose added runs are pieces of lines) and for diffs whose
// lines do not map onto the file.
func (s *contentScanner) scanChunks(fd *diff.FileDiff) {
	s.chunked = true
	s.resetChunk()
	for hi := range fd.Hunks {
		h := &fd.Hunks[hi]
		for li := range h.Lines {
			if l := &h.Lines[li]; l.Kind == diff.Add {
				s.addLine(l.NewNo, []byte(l.Text))
			}
		}
	}
	s.flush()
}

func (s *contentScanner) resetChunk() {
	s.buf = append(s.buf[:0], '\n')
	s.starts = s.starts[:0]
	s.nos = s.nos[:0]
}

func (s *contentScanner) addLine(no int, text []byte) {
	if len(s.starts) > 0 && len(s.buf)+len(text) >= chunkBytes {
		s.flush()
		s.resetChunk()
	}
	s.starts = append(s.starts, len(s.buf))
	s.nos = append(s.nos, no)
	s.buf = append(s.buf, text...)
	s.buf = append(s.buf, '\n')
}

// flush scans the current chunk.
func (s *contentScanner) flush() {
	if len(s.starts) == 0 {
		return
	}
	s.text = s.buf
	s.scanText()
}

// scanText runs every rule over s.text.
func (s *contentScanner) scanText() {
	s.downloadHits = s.downloadHits[:0]
	s.set.scan(s.text, s.onLiteral)
	s.scanURLs()
	s.scanIPs()
	s.scanDownloadExec()
}

// downloadExecRE finds a download piped or chained into an interpreter,
// in any language's strings or in scripts: curl|sh, wget -O- | bash,
// wget x && chmod +x x, iwr|iex, certutil -urlcache, bitsadmin /transfer,
// powershell -enc. The text is only scanned when one of downloadWords is
// in it, so most files never run it.
const downloadExecRE = `(?i)(?:\b(curl|wget)\b[^\n|;&]{0,300}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b` +
	`|\b(curl|wget)\b[^\n]{0,300}(?:&&|;)\s*(?:chmod\s+(?:\+|[0-7]{3})|(?:ba|z)?sh\s+\S|\./\w|node\s+\S|python3?\s+\S)` +
	`|\b(iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring|downloadfile)\b[^\n]{0,300}\b(?:iex|invoke-expression|start-process)\b` +
	`|\b(iex|invoke-expression)\b[^\n]{0,200}\b(?:downloadstring|iwr|invoke-webrequest|irm|net\.webclient)\b` +
	`|\b(certutil)(?:\.exe)?\b[^\n]{0,100}-urlcache` +
	`|\b(bitsadmin)(?:\.exe)?\b[^\n]{0,100}/transfer` +
	`|\b(powershell|pwsh)(?:\.exe)?\b[^\n]{0,100}\s-(?:e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{8})`

// downloadWords are words downloadExecRE cannot match without, as
// written in the cases seen in the wild, at least minPatternLen bytes so
// that they ride along the content scan's one pass: a text with none of
// them is never given to the expression.
func downloadWords() []string {
	return []string{"curl -", "curl h", "curl '", `curl "`, "curl $", "curl `", "CURL -", "wget -", "wget h", "wget '",
		`wget "`, "wget $", "WGET -", " | iex", "| iex ", ")|iex(", "'|iex(", "iex(New", "iex (New", "IEX(New", "IEX (New", "iwr ht",
		"iwr -U", "iwr -u", "IWR ht", "Invoke-", "invoke-", "ownloadString", "ownloadFile", "ownloadstring", "ownloadfile",
		"certutil", "Certutil", "CertUtil", "CERTUTIL", "bitsadmin", "Bitsadmin", "BITSADMIN", "powershell", "PowerShell",
		"Powershell", "POWERSHELL", "pwsh -", "pwsh.e", "PWSH -"}
}

// scanDownloadExec records download-and-execute commands in s.text. The
// regular expression runs only on the lines that hold one of
// downloadWords, each line once: on typescript.js a whole-text run costs
// seconds.
func (s *contentScanner) scanDownloadExec() {
	if s.class == classDoc {
		return
	}
	t := s.text
	var lines [][2]int
	for _, at := range s.downloadHits {
		lo := bytes.LastIndexByte(t[max(0, at-(64<<10)):at], '\n') + 1 + max(0, at-(64<<10))
		hi := bytes.IndexByte(t[at:], '\n')
		if hi < 0 {
			hi = len(t)
		} else {
			hi += at
		}
		lines = append(lines, [2]int{lo, hi})
	}
	if len(lines) == 0 {
		return
	}
	if s.downloadRE == nil {
		s.downloadRE = regexp.MustCompile(downloadExecRE)
	}
	slices.SortFunc(lines, func(a, b [2]int) int { return a[0] - b[0] })
	lines = slices.Compact(lines)
	for _, l := range lines {
		line := t[l[0]:l[1]]
		if len(line) > 64<<10 {
			line = line[:64<<10] // the pattern spans at most a few hundred bytes
		}
		for _, m := range s.downloadRE.FindAllSubmatchIndex(line, 8) {
			at := l[0] + m[0]
			if len(s.gaps) > 0 && s.inGap(at) {
				continue
			}
			w := s.windowAt(at, m[1]-m[0])
			if inComment(&w, s.comment) {
				continue
			}
			// The key is the command word as written, so that the transition
			// counts of a modified file can count it on both sides.
			key := ""
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 {
					key = string(line[m[g]:m[g+1]])
					break
				}
			}
			k := kDownloadExec
			if s.buildInfra {
				// A Dockerfile RUN or a workflow step runs on a build machine,
				// never on a consumer's install: the installers of nodesource,
				// rustup or uv are documented this way.
				k = kShellDownload
			}
			s.record(k, key, s.lineNo(at), &w)
		}
	}
}

// lineNo returns the number of the line holding text[off].
func (s *contentScanner) lineNo(off int) int {
	if s.chunked {
		lo, hi := 0, len(s.starts)
		for lo < hi {
			m := (lo + hi) / 2
			if s.starts[m] <= off {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return s.nos[max(lo-1, 0)]
	}
	// Count newlines from the nearest mark before off. The scan's four
	// walks each move forward, and each keeps a mark of its own moving
	// along, so the counting stays linear in the text.
	best := 0
	for i, m := range s.marks {
		if m.off <= off && m.off > s.marks[best].off {
			best = i
		}
	}
	m := s.marks[best]
	if off < m.off {
		return m.no // the first line's prefix check (off -1)
	}
	no := m.no + bytes.Count(s.text[m.off:off], []byte{'\n'})
	switch {
	case best > 0:
		s.marks[best] = lineMark{off, no}
	case len(s.marks) < 8:
		s.marks = append(s.marks, lineMark{off, no})
	}
	return no
}

// windowAt clips the line around text[at:at+n] to ctxBytes either side.
func (s *contentScanner) windowAt(at, n int) window {
	t := s.text
	lo := max(0, at-ctxBytes)
	lineStart := false
	if i := bytes.LastIndexByte(t[lo:at], '\n'); i >= 0 {
		lo, lineStart = lo+i+1, true
	} else if lo == 0 && (len(t) == 0 || t[0] != '\n') {
		lineStart = true // a run that starts the file
	}
	hi := min(len(t), at+n+ctxBytes)
	if i := bytes.IndexByte(t[at+n:hi], '\n'); i >= 0 {
		hi = at + n + i
	}
	return window{b: t[lo:hi], at: at - lo, n: n, lineStart: lineStart}
}

// onLiteral handles one literal hit of the scan; at is -1 for a
// line-start pattern on the file's first line.
func (s *contentScanner) onLiteral(pi, at int) {
	p := &s.pats[pi]
	// A call variant that starts with "\n" matches at a line start; the
	// hit itself is the name after it.
	lit, key := p.lit, p.key
	if lit[0] == '\n' {
		at++
		lit = lit[1:]
	}
	if len(s.gaps) > 0 && s.inGap(at) {
		return
	}
	if p.kind == kDownloadWord {
		if len(s.downloadHits) < 4096 {
			s.downloadHits = append(s.downloadHits, at)
		}
		return
	}
	w := s.windowAt(at, len(lit))
	if p.check != nil && !p.check(&w) {
		return
	}
	no := s.lineNo(at)
	if p.kind == kHostKey {
		s.onHostKey(&w, no)
		return
	}
	if s.class == classDoc {
		return // documentation and declarations never run
	}
	switch p.kind {
	case kNpmPublish:
		if lit == "_attachments" {
			// A package document's tarball next to the public registry's
			// address: a publish through the registry API, without the CLI.
			near := s.text[max(0, at-600):min(len(s.text), at+600)]
			if !bytes.Contains(near, []byte("registry.npmjs.")) && !bytes.Contains(near, []byte("npm_config_registry")) {
				return
			}
		}
	case kRemove:
		if homeArgCheck(&w) {
			s.record(kWipe, key, no, &w)
			return
		}
	case kOtherPkgPath:
		s.onPackagePath(&w, no)
		return
	case kFsWrite:
		if v := firstIdent(w.after()); v != "" && len(s.writeArgs) < 64 && !slices.Contains(s.writeArgs, v) {
			s.writeArgs = append(s.writeArgs, v)
		}
	case kNetRead:
		// Key material in the call's own arguments, on its line or the
		// next few (fetch(u, { headers: { 'ad-referral': seed } })).
		// The arguments, and the few lines before that build them.
		word := keyWordIn(s.text[at:min(len(s.text), at+320)], true)
		if word == "" {
			word = keyWordIn(s.text[max(0, at-200):at], false)
		}
		if word != "" && !stIsTest(s.path) {
			s.record(kKeyToNet, word, no, &w)
		}
	}
	s.record(p.kind, key, no, &w)
}

// firstIdent returns the identifier b starts with, after blanks.
func firstIdent(b []byte) string {
	b = bytes.TrimLeft(b, " \t")
	i := 0
	for i < len(b) && i < 64 && isIdent(b[i]) {
		i++
	}
	if i == 0 || isDigit(b[0]) {
		return ""
	}
	return string(b[:i])
}

// keyWordIn returns the wallet key material b names: a seed, a mnemonic,
// a private or secret key; "" when none. A seed counts only in a call's
// own arguments (args), as walletSeed or as the word seed used as a value,
// not a call of seed(); the lines before the call count for the others.
func keyWordIn(b []byte, args bool) string {
	for _, k := range []string{"privateKey", "PrivateKey", "private_key", "secretKey", "SecretKey", "secret_key",
		"mnemonic", "Mnemonic", "seedPhrase"} {
		if bytes.Contains(b, []byte(k)) {
			return k
		}
	}
	if !args {
		return "" // a seed before the call may feed anything (a random generator)
	}
	if bytes.Contains(b, []byte("Seed")) {
		return "Seed"
	}
	// seed as a word of its own (seed, opts.seed), not seeded or reseed.
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("seed"))
		if j < 0 {
			return ""
		}
		at := i + j
		i = at + 4
		if (at == 0 || !isIdent(b[at-1]) || b[at-1] == '.') && (i == len(b) || !isIdent(b[i]) && b[i] != '(') {
			return "seed"
		}
	}
}

// onPackagePath records a path into another installed package
// (node_modules/<name>, require.resolve('<name>…')) that the file writes
// to: the variable it is assigned to is remembered, and a write call
// around it on the same line counts at once.
func (s *contentScanner) onPackagePath(w *window, no int) {
	lit := w.b[w.at : w.at+w.n]
	a := w.after()
	var name []byte
	if lit[0] == 'n' { // node_modules
		i := 0
		for i < len(a) && i < 8 && bytes.IndexByte([]byte("'\"`,/\\ \t"), a[i]) >= 0 {
			i++
		}
		if i == 0 || bytes.IndexByte([]byte("'\"`/\\"), a[i-1]) < 0 {
			return // node_modules as a word, or followed by a variable: not a named package
		}
		j := i
		for j < len(a) && j-i < 214 && (isIdent(a[j]) || a[j] == '-' || a[j] == '.' || a[j] == '@') && a[j] != '$' {
			j++
		}
		name = a[i:j]
	} else { // require.resolve(
		t := bytes.TrimLeft(a, " \t")
		if len(t) == 0 || t[0] != '\'' && t[0] != '"' && t[0] != '`' {
			return
		}
		end := bytes.IndexByte(t[1:], t[0])
		if end < 0 {
			return
		}
		name = t[1 : 1+end]
		if k := bytes.IndexByte(name, '/'); k > 0 && name[0] != '@' {
			name = name[:k]
		}
	}
	// node_modules/.cache, .bin, .vite are tool caches, not a package; the
	// package's own folder (or scope) is its own to write.
	if len(name) == 0 || name[0] == '.' || bytes.Equal(name, []byte(s.selfName)) ||
		s.selfName != "" && strings.HasPrefix(s.selfName, string(name)+"/") {
		return
	}
	// The variable the path is assigned to, or a write call it is the
	// argument of on this line.
	b := w.before()
	if writeCallIn(b) {
		s.pkgPathVars = append(s.pkgPathVars, "")
	} else if eq := bytes.LastIndexByte(b, '='); eq > 0 && b[eq-1] != '=' && b[eq-1] != '!' && b[eq-1] != '<' && b[eq-1] != '>' {
		if v := lastIdent(bytes.TrimRight(b[:eq], " \t")); len(v) > 0 && len(s.pkgPathVars) < 16 {
			s.pkgPathVars = append(s.pkgPathVars, string(v))
		}
	}
	s.record(kOtherPkgPath, string(lit), no, w)
}

// fileWrites are the calls that write a file's content, by the name
// that precedes their path argument.
func fileWrites() []string {
	return []string{"writeFileSync(", "writeFile(", "appendFileSync(", "appendFile(", "createWriteStream(", "outputFileSync(",
		"outputFile(", "writeJsonSync(", "writeJSONSync("}
}

// writeCallIn reports whether b holds a write call still open at its end.
func writeCallIn(b []byte) bool {
	for _, c := range fileWrites() {
		if i := bytes.LastIndex(b, []byte(c)); i >= 0 && !bytes.Contains(b[i:], []byte(")")) {
			return true
		}
	}
	return false
}

func (s *contentScanner) record(k kind, key string, no int, w *window) {
	id := entryKey{k, key}
	if i, ok := s.index[id]; ok {
		e := &s.entries[i]
		e.count++
		if no < e.line {
			e.line, e.snip = no, snippet(w)
		}
		if len(e.lines) < maxLines {
			e.lines = append(e.lines, no)
		}
		return
	}
	if len(s.entries) >= maxEntries {
		return
	}
	s.index[id] = len(s.entries)
	s.entries = append(s.entries, entry{kind: k, key: key, line: no, snip: snippet(w), count: 1, lines: []int{no}})
}

// snippet quotes the hit with a little context, at most about 120 bytes,
// cut on UTF-8 boundaries.
func snippet(w *window) string {
	lo := max(0, w.at-24)
	hi := min(len(w.b), w.at+w.n+72)
	for lo < w.at && !utf8.RuneStart(w.b[lo]) {
		lo++
	}
	return clip(strings.TrimSpace(string(w.b[lo:hi])), 120)
}

// scanURLs finds "scheme://host" in the text: one pass of bytes.Index,
// fast because ':' is rare in code.
func (s *contentScanner) scanURLs() {
	t := s.text
	for i := 0; ; {
		j := bytes.Index(t[i:], []byte("://"))
		if j < 0 {
			return
		}
		p := i + j
		i = p + 3
		// The scheme: letters (http, https, ws, wss, ftp, git+https...).
		k := p
		for k > 0 && (t[k-1] >= 'a' && t[k-1] <= 'z' || t[k-1] >= 'A' && t[k-1] <= 'Z' || t[k-1] == '+') {
			k--
		}
		if k == p || len(s.gaps) > 0 && s.inGap(k) {
			continue
		}
		host, port, path, ok := parseAuthority(t[p+3 : min(len(t), p+3+300)])
		if !ok {
			continue
		}
		w := s.windowAt(k, p+3-k)
		s.addHost(&w, s.lineNo(k), host, port, path, true)
	}
}

// onHostKey reads the quoted value after a host or hostname key, or the
// quoted host argument of a connect or DNS call (net.connect(443, 'h')).
func (s *contentScanner) onHostKey(w *window, no int) {
	a := bytes.TrimLeft(w.after(), " \t:")
	if lit := w.b[w.at : w.at+w.n]; lit[len(lit)-1] == '(' {
		if s.class != classDoc {
			s.record(kNetRead, string(lit), no, w) // a DNS query or a connection is a network read
		}
		// The first quoted argument within the call's first 80 bytes.
		a = a[:min(len(a), 80)]
		if end := bytes.IndexByte(a, ')'); end >= 0 {
			a = a[:end]
		}
		i := bytes.IndexAny(a, "'\"`")
		if i < 0 {
			return
		}
		a = a[i:]
	}
	if len(a) == 0 || (a[0] != '\'' && a[0] != '"' && a[0] != '`') {
		return
	}
	q := a[0]
	a = a[1:]
	end := bytes.IndexByte(a, q)
	if end < 0 {
		return
	}
	host, port, _, ok := parseAuthority(a[:end])
	if !ok || len(host) != end-len(port)-boolInt(port != "") {
		return // not a bare host[:port]
	}
	s.addHost(w, no, host, port, nil, false)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseAuthority reads "[user@]host[:port]" at the start of b and returns
// the lowercased host, the port and what follows. It refuses templates and
// names without a dot.
func parseAuthority(b []byte) (host, port string, rest []byte, ok bool) {
	end := 0
	for end < len(b) && end < 300 {
		c := b[end]
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte("/?#\"'`\\<>(){}[],;|^"), c) >= 0 {
			break
		}
		end++
	}
	auth, rest := b[:end], b[end:]
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	if c := bytes.LastIndexByte(auth, ':'); c >= 0 {
		p := auth[c+1:]
		if len(p) == 0 || len(p) > 5 {
			return "", "", nil, false
		}
		for _, d := range p {
			if !isDigit(d) {
				return "", "", nil, false
			}
		}
		port, auth = string(p), auth[:c]
	}
	auth = bytes.TrimSuffix(auth, []byte("."))
	if len(auth) < 3 || bytes.IndexByte(auth, '.') < 0 {
		return "", "", nil, false
	}
	for _, c := range auth {
		if !(c == '.' || c == '-' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", "", nil, false
		}
	}
	h := strings.ToLower(string(auth))
	if _, isIP := parseIPv4([]byte(h)); !isIP {
		// A host name ends in a letter TLD; "a.b1" or "x.0" is not one.
		tld := h[strings.LastIndexByte(h, '.')+1:]
		if len(tld) < 2 {
			return "", "", nil, false
		}
		for i := 0; i < len(tld); i++ {
			if tld[i] < 'a' || tld[i] > 'z' {
				return "", "", nil, false
			}
		}
		if strings.Contains(h, "..") || strings.HasPrefix(h, ".") || strings.HasPrefix(h, "-") {
			return "", "", nil, false
		}
	}
	return h, port, rest, true
}

// parseIPv4 reads a dotted quad at the start of b and returns its length.
func parseIPv4(b []byte) (int, bool) {
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(b) || b[i] != '.' {
				return 0, false
			}
			i++
		}
		j := i
		v := 0
		for j < len(b) && j-i < 4 && isDigit(b[j]) {
			v = v*10 + int(b[j]-'0')
			j++
		}
		if j == i || j-i > 3 || v > 255 || (j-i > 1 && b[i] == '0') {
			return 0, false
		}
		i = j
	}
	return i, true
}

// scanIPs finds dotted-quad IPv4 literals in the chunk: one IndexByte walk
// over the dots, a parse only where a digit sits on both sides.
func (s *contentScanner) scanIPs() {
	t := s.text
	for i := 0; ; {
		j := bytes.IndexByte(t[i:], '.')
		if j < 0 {
			return
		}
		p := i + j
		i = p + 1
		if p == 0 || p+1 >= len(t) || !isDigit(t[p-1]) || !isDigit(t[p+1]) {
			continue
		}
		start := p - 1
		for start > 0 && isDigit(t[start-1]) {
			start--
		}
		n, ok := parseIPv4(t[start:])
		end := start + n
		if !ok {
			continue
		}
		i = end
		if len(s.gaps) > 0 && s.inGap(start) {
			continue
		}
		// Part of a longer dotted number or word (a version, "v1.2.3.4")?
		if b := t[start-1]; isIdent(b) || b == '.' || b == '-' {
			continue
		}
		if end < len(t) {
			if a := t[end]; isIdent(a) || a == '-' || a == '.' && end+1 < len(t) && isDigit(t[end+1]) {
				continue
			}
		}
		w := s.windowAt(start, n)
		no := s.lineNo(start)
		port := ""
		if a := w.after(); len(a) > 1 && a[0] == ':' {
			k := 1
			for k < len(a) && k < 6 && isDigit(a[k]) {
				k++
			}
			port = string(a[1:k])
		}
		s.addHost(&w, no, string(t[start:end]), port, nil, false)
	}
}

// addHost records a host unless it is one of the ignored ones.
func (s *contentScanner) addHost(w *window, no int, host, port string, path []byte, viaURL bool) {
	if ignoredHost(host) || s.ownHost(host) {
		return
	}
	doc := s.class == classDoc || inComment(w, s.comment)
	if i, ok := s.hostIdx[host]; ok {
		// Keep the first line, preferring one in code.
		e := &s.hosts[i]
		if !doc && !e.inCode || doc != e.inCode && no < e.line {
			e.inCode, e.line, e.snip = !doc, no, snippet(w)
		}
		if e.shady == "" {
			e.shady = shadyHost(host, path)
		}
		if e.port == "" {
			e.port = port
		}
		e.bare = e.bare || !viaURL
		e.called = e.called || viaURL && urlIsCallArg(w)
		e.used = e.used || !doc && !(viaURL && inConsoleMessage(w))
		return
	}
	if len(s.hosts) >= maxHosts {
		return
	}
	_, ip := parseIPv4([]byte(host))
	s.hostIdx[host] = len(s.hosts)
	s.hosts = append(s.hosts, endpoint{host: host, port: port, line: no, snip: snippet(w), ip: ip,
		shady: shadyHost(host, path), inCode: !doc, bare: !viaURL, called: viaURL && urlIsCallArg(w),
		used: !doc && !(viaURL && inConsoleMessage(w))})
}

// inConsoleMessage reports whether the URL at w.at sits in a string
// printed with console.log, warn, info or error on its own line: a link
// for the reader, not an address the code talks to.
func inConsoleMessage(w *window) bool {
	b := w.before()
	i := bytes.LastIndex(b, []byte("console."))
	if i < 0 {
		return false
	}
	rest := b[i+len("console."):]
	for _, m := range []string{"log(", "warn(", "info(", "error("} {
		if bytes.HasPrefix(rest, []byte(m)) {
			rest = rest[len(m):]
			// Still inside the call and inside a literal: no statement
			// end, no closing parenthesis, an odd number of quotes.
			if bytes.ContainsAny(rest, ";)") {
				return false
			}
			q := bytes.Count(rest, []byte("'")) + bytes.Count(rest, []byte(`"`)) + bytes.Count(rest, []byte("`"))
			return q%2 == 1
		}
	}
	return false
}

// messageOnly ends the detail of a new-endpoint signal whose host only
// appears in printed messages: finish does not raise it in an install
// script (postinstall notices print links).
const messageOnly = " Only in printed messages."

// urlIsCallArg reports whether the URL at w.at opens a string that is the
// first argument of a call: fetch('https://…'), post("http://…").
func urlIsCallArg(w *window) bool {
	b := bytes.TrimRight(w.before(), " \t")
	if len(b) < 2 || (b[len(b)-1] != '\'' && b[len(b)-1] != '"' && b[len(b)-1] != '`') {
		return false
	}
	b = bytes.TrimRight(b[:len(b)-1], " \t")
	if bytes.HasSuffix(b, []byte("src=")) || bytes.HasSuffix(b, []byte("src =")) {
		return true // a script or frame loaded from the URL
	}
	if len(b) < 2 || b[len(b)-1] != '(' {
		return false
	}
	switch string(lastIdent(bytes.TrimRight(b[:len(b)-1], " \t"))) {
	case "", "log", "warn", "error", "info", "debug", "trace", "Error", "TypeError", "deprecate", "require":
		return false // a message, not a request
	}
	return true
}

// ownHost reports the package's own hosts and their subdomains
// (on.cypress.io for a homepage on cypress.io); a shared host such as
// github.com stays exact, or every repository would be "own".
func (s *contentScanner) ownHost(host string) bool {
	if s.ownHosts[host] || s.ownHosts[strings.TrimPrefix(host, "www.")] {
		return true
	}
	for own := range s.ownHosts {
		switch own {
		case "github.com", "gitlab.com", "bitbucket.org", "github.io", "npmjs.com", "npmjs.org":
			continue
		}
		if strings.Count(own, ".") >= 1 && strings.HasSuffix(host, "."+own) {
			return true
		}
	}
	return false
}

// ignoredHost: documentation and schema hosts, loopback and unspecified
// addresses. TEST-NET addresses and .invalid names are not ignored: the
// fixtures stand them in for real attacker hosts.
func ignoredHost(h string) bool {
	if strings.HasPrefix(h, "127.") || h == "0.0.0.0" || h == "255.255.255.255" {
		return true
	}
	for _, d := range []string{"example.com", "example.org", "example.net", "localhost", "json-schema.org", "w3.org",
		"xmlsoap.org", "openxmlformats.org", "purl.org", "schemas.microsoft.com", "ns.adobe.com", "xmlns.com",
		"relaxng.org", "schema.org"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// shadyHost says why a host is a known exfiltration, tunnel or paste
// host (GuardDog's shady-links and the incidents), or "". Names match as
// whole labels, so webhook.example.invalid counts like webhook.site.
func shadyHost(h string, path []byte) string {
	for _, l := range strings.Split(h, ".") {
		switch l {
		case "webhook", "webhooks", "ngrok", "oast", "rentry", "pastebin", "interactsh", "requestbin", "pipedream",
			"burpcollaborator", "canarytokens", "trycloudflare", "hookbin", "beeceptor", "requestcatcher", "dnslog",
			"ghostbin", "hastebin", "termbin", "localtunnel", "serveo", "pipedream-net":
			return l + " host"
		}
	}
	for _, d := range []string{"workers.dev", "api.telegram.org", "transfer.sh", "bit.ly", "paste.ee", "hooks.slack.com",
		"discordapp.com/api/webhooks", "0x0.st", "file.io", "loca.lt", "ceye.io", "interact.sh", "oastify.com", "tinyurl.com",
		"pastebin.com", "ix.io", "sprunge.us", "dpaste.com", "glitch.me", "repl.co", "ipinfo.io", "ip-api.com", "ifconfig.me",
		"raw.githubusercontent.com", "ngrok.io", "ngrok-free.app", "ngrok.app", "oast.fun", "oast.pro", "oast.live",
		"oast.site", "oast.online", "oast.me"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return d
		}
	}
	if (h == "discord.com" || h == "discordapp.com" || strings.HasSuffix(h, ".discord.com")) &&
		bytes.HasPrefix(path, []byte("/api/webhooks")) {
		return "Discord webhook"
	}
	switch h[strings.LastIndexByte(h, '.')+1:] {
	case "xyz", "top", "tk", "ml", "ga", "cf", "gq", "icu", "buzz", "monster", "cyou", "sbs", "rest", "click", "cfd":
		return "." + h[strings.LastIndexByte(h, '.')+1:] + " domain"
	}
	return ""
}

// manifestHosts are the package's own repository, homepage and bugs hosts.
func manifestHosts(m map[string]any) map[string]bool {
	out := map[string]bool{}
	addURL := func(v any) {
		if o, ok := v.(map[string]any); ok {
			v = o["url"]
		}
		u, ok := v.(string)
		if !ok || u == "" {
			return
		}
		switch {
		case strings.HasPrefix(u, "github:"), !strings.Contains(u, ":") && strings.Count(u, "/") == 1:
			out["github.com"] = true
			return
		case strings.HasPrefix(u, "gitlab:"):
			out["gitlab.com"] = true
			return
		case strings.HasPrefix(u, "bitbucket:"):
			out["bitbucket.org"] = true
			return
		}
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
		} else if i := strings.IndexByte(u, '@'); i >= 0 { // git@host:owner/repo
			u = strings.Replace(u[i+1:], ":", "/", 1)
		}
		if h, _, _, ok := parseAuthority([]byte(u)); ok {
			out[h] = true
			out[strings.TrimPrefix(h, "www.")] = true
		}
	}
	addURL(m["repository"])
	addURL(m["homepage"])
	addURL(m["bugs"])
	return out
}

// isWeb3Library reports a package whose purpose is wallets or chains:
// provider detection and address matching are expected there.
func isWeb3Library(m map[string]any) bool {
	all := strings.ToLower(manifestWords(m))
	for _, w := range []string{"web3", "ethereum", "wallet", "blockchain", "crypto", "dapp", "solana", "evm", "eip-1193",
		"eip1193", "metamask", "bitcoin", "defi", "nft", "chain", "token", "ether"} {
		if strings.Contains(all, w) {
			return true
		}
	}
	return false
}

// manifestWords is the name, description and keywords of a manifest.
func manifestWords(m map[string]any) string {
	var words []string
	if s, ok := m["name"].(string); ok {
		words = append(words, s)
	}
	if s, ok := m["description"].(string); ok {
		words = append(words, s)
	}
	if ks, ok := m["keywords"].([]any); ok {
		for _, k := range ks {
			if s, ok := k.(string); ok {
				words = append(words, s)
			}
		}
	}
	return strings.Join(words, " ")
}

// isTextLibrary reports a package whose purpose is strings, search or
// diffs: edit distance is expected there.
func isTextLibrary(m map[string]any) bool {
	all := strings.ToLower(manifestWords(m))
	for _, w := range []string{"levenshtein", "distance", "similar", "fuzzy", "spell", "diff", "string", "text", "search",
		"match", "suggest", "typo", "compiler"} {
		if strings.Contains(all, w) {
			return true
		}
	}
	return false
}

// scanScript looks for downloaders and host:port in a shell, batch or
// PowerShell file: the places where the ua-parser payload lived.
func (s *contentScanner) scanScript(fd *diff.FileDiff, whole bool, data []byte) {
	if s.scriptRE == nil {
		s.scriptRE = regexp.MustCompile(`(?i)(?:^|[^a-z0-9_.-])(curl|wget|certutil|bitsadmin|iwr|irm|iex|invoke-webrequest|invoke-restmethod|invoke-expression|start-bitstransfer)(?:\.exe)?(?:[^a-z0-9_-]|$)|\bstart\s+/b\b|\|\s*(?:ba|z|da|k)?sh\b`)
		s.hostPort = regexp.MustCompile(`(?i)(?:^|[^a-z0-9_.@/-])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+):(\d{2,5})\b`)
	}
	each := func(no int, line []byte) {
		if commentLine(line, s.comment) {
			return
		}
		w := window{b: line, lineStart: true}
		if m := s.scriptRE.FindIndex(line); m != nil {
			w.at, w.n = m[0], m[1]-m[0]
			key := strings.TrimFunc(string(line[m[0]:m[1]]), func(r rune) bool { return r != '|' && !unicode.IsLetter(r) })
			s.record(kShellDownload, key, no, &w)
		}
		if m := s.hostPort.FindSubmatchIndex(line); m != nil {
			host := strings.ToLower(string(line[m[2]:m[3]]))
			if _, _, _, ok := parseAuthority([]byte(host)); ok {
				w.at, w.n = m[2], m[5]-m[2]
				s.addHost(&w, no, host, string(line[m[4]:m[5]]), nil, false)
			}
		}
	}
	if whole {
		no := 1
		for rest := data; len(rest) > 0; no++ {
			line := rest
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			each(no, bytes.TrimSuffix(line, []byte("\r")))
		}
		return
	}
	for hi := range fd.Hunks {
		for _, l := range fd.Hunks[hi].Lines {
			if l.Kind == diff.Add {
				each(l.NewNo, bytes.TrimSuffix([]byte(l.Text), []byte("\r")))
			}
		}
	}
}

// found is an entry that qualified, with what it was paired with.
type found struct {
	e     *entry
	extra string
	high  bool // the rule is high whatever its id's default
}

// report turns the file's entries and hosts into signals: in a modified
// file only the keys the staged file holds more often than the base, and
// only the hosts the base file never mentions. Entries are qualified
// first (pairing, child_process in use...), so that only the survivors are
// counted.
func (s *contentScanner) report(fd *diff.FileDiff, oldData, newData []byte) {
	modified := fd.Status == diff.Modified
	cands := s.qualified(newData)
	// Capability helpers (a network read, a decode, a file write, key
	// material) are never reported alone but corroborate each other.
	var helpers []*entry
	for i := range s.entries {
		if e := &s.entries[i]; kindID(e.kind) == "" && e.kind != kHostKey {
			if _, ok := capOfKind(e.kind); ok {
				helpers = append(helpers, e)
			}
		}
	}
	if modified && len(cands)+len(helpers) > 0 {
		// Folded hits were already compared with the folded base.
		var keys []string
		for _, f := range cands {
			if !f.e.folded && !slices.Contains(keys, f.e.key) {
				keys = append(keys, f.e.key)
			}
		}
		for _, e := range helpers {
			if !e.folded && !slices.Contains(keys, e.key) {
				keys = append(keys, e.key)
			}
		}
		more := s.grown(fd, keys, oldData, newData)
		cands = slices.DeleteFunc(cands, func(f found) bool { return !f.e.folded && !more[slices.Index(keys, f.e.key)] })
		helpers = slices.DeleteFunc(helpers, func(e *entry) bool { return !e.folded && !more[slices.Index(keys, e.key)] })
	}
	var hosts []*endpoint
	for i := range s.hosts {
		h := &s.hosts[i]
		if s.reported[h.host] {
			continue // one finding per host per release: bundles repeat their messages
		}
		// Documentation and comments, and a first release, only count
		// for the hosts that are notable in themselves.
		if h.ip || h.shady != "" || h.inCode && !s.first {
			hosts = append(hosts, h)
		}
	}
	if modified {
		// A host is new when the base file never names it: in a URL for a
		// host seen only in URLs, anywhere for the others.
		hosts = slices.DeleteFunc(hosts, func(h *endpoint) bool {
			if h.folded {
				return false // compared with the folded base already
			}
			key := "://" + h.host
			if h.bare {
				key = h.host
			}
			return indexFromRarest(oldData, key) >= 0
		})
	}
	s.emit(cands)
	s.reportHosts(modified, hosts)
	if s.class != classDoc {
		s.noteCaps(cands, helpers, hosts)
	}
}

// noteCaps records what the file's new code can do, for corroboration.
func (s *contentScanner) noteCaps(cands []found, helpers []*entry, hosts []*endpoint) {
	var f *fileCaps
	note := func(k capability, line int, why string) {
		if f == nil {
			f = s.c.noteCaps(s.path)
		}
		f.add(k, line, why)
	}
	for _, c := range cands {
		if k, ok := capOfKind(c.e.kind); ok {
			if k == capWallet && s.web3Lib {
				continue // wallets are what the package is about
			}
			note(k, c.e.line, kindLabel(c.e.kind))
			f.folded = f.folded || c.e.folded
		}
	}
	for _, e := range helpers {
		if k, ok := capOfKind(e.kind); ok {
			note(k, e.line, helperLabel(e))
			f.folded = f.folded || e.folded && k != capEncoding
		}
	}
	for _, h := range hosts {
		if h.inCode && (h.ip || h.shady != "") {
			note(capNetwork, h.line, h.host)
		}
	}
}

// helperLabel names what a capability helper found.
func helperLabel(e *entry) string {
	switch e.kind {
	case kNetRead:
		return strings.TrimSuffix(e.key, "(")
	case kDecode:
		return "decodes " + strings.TrimSuffix(e.key, "(")
	case kDecrypt:
		return "decrypts"
	case kFsWrite:
		return strings.TrimSuffix(e.key, "(")
	case kKeyMaterial:
		return "reads " + e.key
	case kKeyToNet:
		return "sends " + e.key + " in a request"
	case kSecretEnv:
		return "reads a secret from the environment"
	}
	return e.key
}

// qualified returns the entries that count on their own: not helpers, and
// with what their rule requires elsewhere in the file.
func (s *contentScanner) qualified(newData []byte) []found {
	has := func(k kind) bool {
		return slices.ContainsFunc(s.entries, func(e entry) bool { return e.kind == k })
	}
	fileHas := func(k kind, lit string) func() bool {
		known, v := false, false
		return func() bool {
			if !known {
				known, v = true, has(k) || bytes.Contains(newData, []byte(lit))
			}
			return v
		}
	}
	usesChildProcess := fileHas(kChildProcess, "child_process")
	npmrc := fileHas(kNpmrc, ".npmrc")
	unref := has(kUnref)
	var pairLines []int
	var pairKinds [numKinds]bool
	for i := range s.entries {
		switch e := &s.entries[i]; e.kind {
		case kNetRead, kDecode, kDecrypt:
			pairLines = append(pairLines, e.lines...)
			pairKinds[e.kind] = true
		case kNetImport:
			pairLines = append(pairLines, e.lines...)
			pairKinds[kNetRead] = true
		}
	}
	var out []found
	for i := range s.entries {
		e := &s.entries[i]
		id := kindID(e.kind)
		if id == "" || s.first && id == ProcessSpawn {
			continue // helpers; and a first release's CLI spawning processes is not news
		}
		extra := ""
		switch e.kind {
		case kAuthToken:
			if !npmrc() {
				continue
			}
		case kBareCall:
			if !usesChildProcess() {
				continue
			}
		case kDetached:
			if !unref {
				continue
			}
		case kEditDistance:
			if s.textLib {
				continue
			}
		case kEval, kFunction, kVM, kCompile, kDynRequire, kWasm:
			// A lone eval is a template engine; one near a network read,
			// a decode or a decryption is the eslint-scope pattern.
			if !near(e.lines, pairLines, 30) {
				continue
			}
			extra = pairing(pairKinds)
		case kHiddenRecipient:
			if stIsTest(s.path) {
				continue // a fixture's address
			}
			out = append(out, found{e: e, high: true})
			continue
		case kProviderHook:
			// Wrapping the provider is a wallet library's job; in any other
			// package it is a drainer between the page and the wallet.
			out = append(out, found{e: e, high: !s.web3Lib})
			continue
		}
		out = append(out, found{e: e, extra: extra})
	}
	return append(out, s.combined(newData)...)
}

// combined are the findings that need two rules to meet in the added
// code: a write or delete near a date or country check, a write into
// another installed package, a clipboard write near wallet address
// matching.
func (s *contentScanner) combined(newData []byte) []found {
	var out []found
	synth := func(k kind, key string, at *entry, extra string) {
		e := &entry{kind: k, key: key, line: at.line, snip: at.snip, count: 1, lines: at.lines, folded: at.folded}
		out = append(out, found{e: e, extra: extra, high: true})
	}
	var gates, destroys, clips, addrs, paths, cmps []*entry
	geo := false
	for i := range s.entries {
		switch e := &s.entries[i]; e.kind {
		case kGate:
			gates = append(gates, e)
		case kGeoIP:
			geo = true
		case kCountryCmp:
			cmps = append(cmps, e)
		case kRemove, kWipe:
			destroys = append(destroys, e)
		case kFsWrite:
			if e.key != "copyFileSync(" {
				destroys = append(destroys, e)
			}
		case kClipboard:
			clips = append(clips, e)
		case kAddrRegex:
			addrs = append(addrs, e)
		case kOtherPkgPath:
			paths = append(paths, e)
		}
	}
	if geo {
		// Filtering rows by country is data work; comparing the country a
		// geolocation service reports is targeting.
		gates = append(gates, cmps...)
	}
gate:
	for _, g := range gates {
		for _, d := range destroys {
			if near(g.lines, d.lines, 30) {
				synth(kGatedWrite, g.key, d, "a date or country check ("+clip(g.snip, 80)+")")
				break gate
			}
		}
	}
	if len(paths) > 0 && len(s.pkgPathVars) > 0 {
		hit := false
		for _, v := range s.pkgPathVars {
			hit = hit || v == "" || slices.Contains(s.writeArgs, v)
		}
		if hit {
			synth(kTamper, paths[0].key, paths[0], "")
		}
	}
clip:
	for _, c := range clips {
		for _, a := range addrs {
			if near(c.lines, a.lines, 20) {
				synth(kClipboardSwap, c.key, a, "a clipboard write ("+clip(c.snip, 80)+")")
				break clip
			}
		}
	}
	return out
}

// emit adds one signal per id for the file: the first line any of its
// rules fired on, the other rules in the detail.
func (s *contentScanner) emit(cands []found) {
	for _, id := range []string{RunnerTokenAccess, CredentialAccess, DynamicCode, SelfPropagation, Persistence, WalletHook, ProcessSpawn, NewEndpoint} {
		var best *found
		total, high := 0, false
		for i := range cands {
			f := &cands[i]
			if kindID(f.e.kind) != id {
				continue
			}
			high = high || f.high
			total += f.e.count
			// The first line; on one line, the rule listed first (the
			// catalogue's order: the specific before the generic).
			if best == nil || f.e.line < best.e.line || f.e.line == best.e.line && f.e.kind < best.e.kind {
				best = f
			}
		}
		if best == nil {
			continue
		}
		var labels []string
		for _, f := range cands {
			if l := kindLabel(f.e.kind); kindID(f.e.kind) == id && f.e.kind != best.e.kind && !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		detail := "Found: " + best.e.snip
		if best.e.folded {
			detail = "Found in folded text (after undoing string assembly, encoding or a string table): " + best.e.snip
		}
		if best.extra != "" {
			detail += " Paired with " + best.extra + "."
		}
		if len(labels) > 0 {
			detail += " Also " + strings.Join(labels, "; ") + "."
		}
		if total > 1 {
			detail += " " + strconv.Itoa(total) + " matches."
		}
		if high {
			s.c.addSeverity(id, High, s.path, best.e.line, contentTitle(id, best.e), clip(detail, 400))
		} else {
			s.c.add(id, s.path, best.e.line, contentTitle(id, best.e), clip(detail, 400))
		}
	}
}

// grown reports, for each key, whether the staged file holds it more
// often than the base. For a key that cannot span lines, count(new) -
// count(old) = count(added) - count(removed), so the smaller side is
// counted: the added runs and removed lines of a diff, or the two whole
// files when the file was read whole (then most of it is added anyway).
func (s *contentScanner) grown(fd *diff.FileDiff, keys []string, oldData, newData []byte) []bool {
	out := make([]bool, len(keys))
	if s.mode == modeWhole {
		inOld := countKeys(keys, oldData)
		var again []string
		for i, k := range keys {
			switch {
			case inOld[i] == 0:
				out[i] = true // the staged file has it, the base never had
			case s.exact(k):
				out[i] = s.foundCount(k) > inOld[i] // the scan read the whole staged file
			default:
				again = append(again, k)
			}
		}
		if len(again) > 0 {
			inNew := countKeys(again, newData)
			for i, k := range again {
				j := slices.Index(keys, k)
				out[j] = inNew[i] > inOld[j]
			}
		}
		return out
	}
	diffCount := make([]int, len(keys))
	for _, r := range s.runs {
		for i, n := range countKeys(keys, newData[r.from:r.to]) {
			diffCount[i] += n
		}
	}
	for hi := range fd.Hunks {
		for li := range fd.Hunks[hi].Lines {
			l := &fd.Hunks[hi].Lines[li]
			sign := 0
			switch {
			case l.Kind == diff.Del:
				sign = -1
			case l.Kind == diff.Add && s.mode == modeChunks:
				sign = 1
			default:
				continue
			}
			for i, k := range keys {
				diffCount[i] += sign * strings.Count(l.Text, k)
			}
		}
	}
	for i, n := range diffCount {
		out[i] = n > 0
	}
	return out
}

// exact reports whether every hit of key is counted as found (its
// literals are the key itself, with no check): in a file read whole, its
// entries' count is then its count in the staged file.
func (s *contentScanner) exact(key string) bool {
	for i := range s.pats {
		if p := &s.pats[i]; p.key == key && (p.lit != key || p.check != nil) {
			return false
		}
	}
	return true
}

// foundCount is how many hits the file's entries have for key.
func (s *contentScanner) foundCount(key string) int {
	n := 0
	for i := range s.entries {
		if s.entries[i].key == key {
			n += s.entries[i].count
		}
	}
	return n
}

// reportHosts reports the file's new hosts as one new-endpoint signal,
// named after the most notable one.
func (s *contentScanner) reportHosts(modified bool, list []*endpoint) {
	if len(list) == 0 {
		return
	}
	rank := func(h *endpoint) int {
		r := 3
		switch {
		case h.shady != "":
			r = 0
		case h.ip:
			r = 1
		case h.port != "" && h.port != "80" && h.port != "443":
			r = 2
		}
		if !h.inCode {
			r += 4
		}
		return r
	}
	for _, h := range list {
		s.reported[h.host] = true
	}
	best := list[0]
	for _, h := range list[1:] {
		if rank(h) < rank(best) || rank(h) == rank(best) && h.line < best.line {
			best = h
		}
	}
	name := best.host
	if best.port != "" {
		name += ":" + best.port
	}
	title := "New endpoint: " + name
	switch {
	case best.shady != "":
		title += " (" + best.shady + ")"
	case best.ip:
		title += " (raw IP)"
	case best.port != "" && best.port != "80" && best.port != "443":
		title += " (non-default port)"
	}
	var others []string
	for _, h := range list {
		if h != best {
			others = append(others, h.host)
		}
	}
	detail := "Found: " + best.snip
	if best.folded {
		detail = "Found in folded text (after undoing string assembly or encoding): " + best.snip
	}
	if len(others) > 0 {
		detail += " Other new hosts: " + strings.Join(others, ", ") + "."
	}
	if modified {
		detail += " Not in the base version of this file."
	}
	detail = clip(detail, 400)
	title = clip(title, 160)
	switch {
	case !best.inCode:
		s.c.addSeverity(NewEndpoint, Low, s.path, best.line, title, detail+" In documentation or a comment.")
	case best.shady != "" || best.ip:
		s.c.addSeverity(NewEndpoint, High, s.path, best.line, title, detail)
	case best.bare || best.port != "" && best.port != "80" && best.port != "443" || best.called || s.netReadNear(best.line):
		s.c.add(NewEndpoint, s.path, best.line, title, detail)
	default:
		// A URL in a message, a help text or a docs link: a new host, but
		// nothing here sends to it.
		note := " No network call next to it."
		if !best.used {
			note += messageOnly
		}
		s.c.addSeverity(NewEndpoint, Low, s.path, best.line, title, detail+note)
	}
}

// netReadNear reports whether a network call sits within a few lines of
// line in the current file.
func (s *contentScanner) netReadNear(line int) bool {
	for i := range s.entries {
		if e := &s.entries[i]; e.kind == kNetRead || e.kind == kWasm || e.kind == kDownloadExec {
			if near(e.lines, []int{line}, 3) {
				return true
			}
		}
	}
	return false
}

// near reports whether some line of a is within d lines of some line of b.
func near(a, b []int, d int) bool {
	for _, x := range a {
		for _, y := range b {
			if x-y <= d && y-x <= d {
				return true
			}
		}
	}
	return false
}

func pairing(k [numKinds]bool) string {
	var parts []string
	if k[kNetRead] {
		parts = append(parts, "a network read")
	}
	if k[kDecode] {
		parts = append(parts, "a base64/hex decode")
	}
	if k[kDecrypt] {
		parts = append(parts, "a decryption")
	}
	return strings.Join(parts, " and ")
}

func contentTitle(id string, e *entry) string {
	var t string
	switch id {
	case RunnerTokenAccess:
		t = "CI runner secrets: "
	case CredentialAccess:
		t = "Credential access: "
	case DynamicCode:
		t = "Runs fetched or decoded code: "
	case SelfPropagation:
		t = "Worm behaviour: "
	case Persistence:
		t = "Persistence or destruction: "
	case WalletHook:
		t = "Wallet or browser hook: "
	case NewEndpoint:
		t = "Data sent out: "
	case ProcessSpawn:
		t = "Process spawn: "
	}
	return t + kindLabel(e.kind) + " (" + clip(e.key, 40) + ")"
}
