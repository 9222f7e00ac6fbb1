package signals

// secret-in-tarball: credential files (.npmrc with an auth value, .env,
// private keys, .git-credentials, .pypirc, .netrc, cloud and docker
// credentials, files named secrets/credentials/tokens holding values) and
// token literals (npm, GitHub, AWS, Slack, Stripe, private key blocks, GCP
// service-account keys) in added or changed files. A value is never
// quoted: titles and details show its kind and a short redacted prefix.

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
)

// tokenRule is one token literal: a literal every match contains (a cheap
// filter), the pattern, and the length of the fixed prefix shown redacted.
type tokenRule struct {
	kind   string
	lit    []string
	re     *regexp.Regexp
	prefix int
}

var tokenRules = []tokenRule{
	{"npm access token", []string{"npm_"}, regexp.MustCompile(`npm_[A-Za-z0-9]{36}`), 4},
	{"GitHub token", []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{36}`), 4},
	{"GitHub fine-grained token", []string{"github_pat_"}, regexp.MustCompile(`github_pat_[A-Za-z0-9_]{22,}`), 11},
	{"AWS access key id", []string{"AKIA", "ASIA"}, regexp.MustCompile(`(?:AKIA|ASIA)[A-Z0-9]{16}`), 4},
	{"Slack token", []string{"xox"}, regexp.MustCompile(`xox[baprs]-[A-Za-z0-9-]{10,}`), 5},
	{"Stripe live secret key", []string{"sk_live_"}, regexp.MustCompile(`sk_live_[A-Za-z0-9]{24,}`), 8},
}

var (
	privateKeyRe  = regexp.MustCompile(`-----BEGIN ((?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?)PRIVATE KEY-----`)
	base64RunRe   = regexp.MustCompile(`[A-Za-z0-9+/]{40,}`)
	serviceAcctRe = regexp.MustCompile(`"type"\s*:\s*"service_account"`)
	gcpKeyRe      = regexp.MustCompile(`"private_key"\s*:\s*"-----BEGIN`)
	npmrcAuthRe   = regexp.MustCompile(`(?m)^[^#;\n]*?(_authToken|_auth|_password)\s*=\s*([^\s#;]+)`)
	envAssignRe   = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*([^\r\n]*)`)
	secretKeyRe   = regexp.MustCompile(`(?i)(token|secret|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|auth|credential)`)
	keyValueRe    = regexp.MustCompile(`(?im)^[ \t]*["']?([A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|auth|credential)[A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*["']?([^\s"',;]{8,})`)
	urlCredRe     = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)
	netrcPassRe   = regexp.MustCompile(`(?m)\bpassword[ \t]+\S`)
	pypircPassRe  = regexp.MustCompile(`(?m)^[ \t]*password[ \t]*[:=][ \t]*\S`)
	awsSecretRe   = regexp.MustCompile(`(?im)^[ \t]*aws_secret_access_key[ \t]*=[ \t]*\S`)
	dockerAuthRe  = regexp.MustCompile(`"auth"\s*:\s*"[^"]{8,}"`)
)

// secretFinding is one credential seen in a file.
type secretFinding struct {
	line int
	what string // kind and redacted prefix, never the value
	sev  Severity
}

// redact shows the fixed prefix of a value and at most four more
// characters, then an ellipsis.
func redact(v string, prefix int) string {
	n := prefix + 4
	if len(v) < prefix+12 {
		n = min(prefix, len(v))
	}
	return clip(v[:min(n, len(v))], 40) + "…"
}

// placeholderValue reports a token body that is a placeholder: one
// repeated character, or example/xxxx/your-token wording.
func placeholderValue(body string) bool {
	if body == "" {
		return true
	}
	same := true
	for i := 1; i < len(body); i++ {
		if body[i] != body[0] {
			same = false
			break
		}
	}
	if same {
		return true
	}
	l := strings.ToLower(body)
	for _, w := range []string{"example", "xxxx", "your_token", "yourtoken", "your-token", "placeholder", "<", "${"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func wordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func lineAt(data []byte, off int) int { return 1 + bytes.Count(data[:off], []byte{'\n'}) }

// testPath reports a path inside a test or fixture folder, where sample
// keys are common.
func testPath(p string) bool {
	for _, seg := range strings.Split(strings.ToLower(p), "/") {
		switch seg {
		case "test", "tests", "__tests__", "spec", "specs", "fixture", "fixtures", "__fixtures__", "testdata", "example", "examples":
			return true
		}
	}
	return false
}

// tokenLiterals finds the token literals of data that old does not hold;
// a private key in a test folder is medium (sample keys are common there).
func tokenLiterals(p string, data, old []byte) []secretFinding {
	var out []secretFinding
	// Each rule's regular expression runs only where one of its literal
	// prefixes occurs, on a short window. The prefixes are found by their
	// rarest byte: most end in '_' (npm_, ghp_, github_pat_, sk_live_),
	// the others start AKIA, ASIA or xox; a multi-literal scan with
	// 4-byte windows cost 25 ms on typescript's 20 MB of changed text.
	var lits []string
	var ruleOf []int
	for ri, r := range tokenRules {
		for _, l := range r.lit {
			lits = append(lits, l)
			ruleOf = append(ruleOf, ri)
		}
	}
	hits := 0
	scanTokenPrefixes(data, lits, func(li, s int) {
		if hits >= 1000 || len(out) >= 50 {
			return
		}
		hits++
		r := &tokenRules[ruleOf[li]]
		m := r.re.FindIndex(data[s:min(len(data), s+256)])
		if m == nil || m[0] != 0 {
			return
		}
		e := s + m[1]
		if s > 0 && wordByte(data[s-1]) || e < len(data) && (wordByte(data[e]) && r.kind != "GitHub fine-grained token" || data[e] == '-' && r.kind == "Slack token") {
			return
		}
		v := string(data[s:e])
		if placeholderValue(v[r.prefix:]) || old != nil && bytes.Contains(old, data[s:e]) {
			return
		}
		out = append(out, secretFinding{line: lineAt(data, s), what: r.kind + " " + redact(v, r.prefix), sev: High})
	})
	// The scan's four walks report out of order: keep findings by line.
	sort.SliceStable(out, func(a, b int) bool { return out[a].line < out[b].line })
	if !bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return out
	}
	sa := serviceAcctRe.Match(data) && gcpKeyRe.Match(data)
	for _, m := range privateKeyRe.FindAllSubmatchIndex(data, 20) {
		end := min(len(data), m[1]+400)
		body := base64RunRe.Find(data[m[1]:end])
		if body == nil || placeholderValue(string(body)) {
			continue
		}
		if old != nil && bytes.Contains(old, body) {
			continue
		}
		kind := strings.TrimSpace(string(data[m[2]:m[3]]))
		what := "private key block"
		if kind != "" {
			what = kind + " private key block"
		}
		sev := High
		if testPath(p) {
			sev = Medium
		}
		if sa {
			what = "GCP service-account key (private_key)"
		}
		out = append(out, secretFinding{line: lineAt(data, m[0]), what: what, sev: sev})
	}
	return out
}

// credentialFile reports what makes an added or changed file a credential
// file, by its name and content.
func credentialFile(p string, data []byte) []secretFinding {
	base := strings.ToLower(path.Base(p))
	lp := strings.ToLower(p)
	var out []secretFinding
	add := func(off int, what string) {
		out = append(out, secretFinding{line: lineAt(data, off), what: what, sev: High})
	}
	switch {
	case base == ".npmrc" || base == "npmrc" || strings.HasSuffix(base, ".npmrc"):
		for _, m := range npmrcAuthRe.FindAllSubmatchIndex(data, 20) {
			v := strings.Trim(string(data[m[4]:m[5]]), `"'`)
			if v == "" || strings.HasPrefix(v, "${") {
				continue // an environment reference, not a value
			}
			add(m[0], ".npmrc "+string(data[m[2]:m[3]])+" value "+redact(v, npmPrefix(v)))
		}
	case base == ".env" || strings.HasPrefix(base, ".env.") && !envTemplate(base):
		var keys []string
		first, secret := -1, false
		for _, m := range envAssignRe.FindAllSubmatchIndex(data, 200) {
			v := strings.Trim(strings.TrimSpace(string(data[m[4]:m[5]])), `"'`)
			if v == "" || strings.HasPrefix(v, "${") || placeholderValue(v) {
				continue
			}
			k := string(data[m[2]:m[3]])
			if first < 0 {
				first = m[0]
			}
			keys = append(keys, clip(k, 40))
			if secretKeyRe.MatchString(k) || urlCredRe.MatchString(v) {
				secret = true
			}
		}
		if first >= 0 {
			sev := Medium
			if secret {
				sev = High
			}
			out = append(out, secretFinding{line: lineAt(data, first), sev: sev,
				what: "environment file assigning " + listDetail(keys, 5) + " (values not shown)"})
		}
	case base == "id_rsa" || base == "id_dsa" || base == "id_ecdsa" || base == "id_ed25519" ||
		strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key"):
		if loc := privateKeyRe.FindIndex(data); loc != nil {
			sev := High
			if testPath(p) {
				sev = Medium
			}
			out = append(out, secretFinding{line: lineAt(data, loc[0]), what: "private key file", sev: sev})
		}
	case strings.HasSuffix(base, ".p12") || strings.HasSuffix(base, ".pfx"):
		sev := High
		if testPath(p) {
			sev = Medium
		}
		out = append(out, secretFinding{line: 0, what: "PKCS#12 key store (holds a private key)", sev: sev})
	case base == ".git-credentials":
		if loc := urlCredRe.FindIndex(data); loc != nil {
			add(loc[0], "git credentials (URL with user and password)")
		}
	case base == ".pypirc":
		if loc := pypircPassRe.FindIndex(data); loc != nil {
			add(loc[0], ".pypirc password")
		}
	case base == ".netrc" || base == "_netrc":
		if loc := netrcPassRe.FindIndex(data); loc != nil {
			add(loc[0], ".netrc password")
		}
	case base == "credentials" && (strings.HasSuffix(lp, ".aws/credentials") || awsSecretRe.Match(data)):
		if loc := awsSecretRe.FindIndex(data); loc != nil {
			add(loc[0], "AWS credentials file (aws_secret_access_key)")
		}
	case base == "config.json" && strings.HasSuffix(lp, ".docker/config.json"):
		if bytes.Contains(data, []byte(`"auths"`)) {
			if loc := dockerAuthRe.FindIndex(data); loc != nil {
				add(loc[0], "docker registry credentials (auths)")
			}
		}
	case secretsName(base):
		for _, m := range keyValueRe.FindAllSubmatchIndex(data, 20) {
			v := string(data[m[4]:m[5]])
			if placeholderValue(v) || strings.Contains(v, "process.env") || strings.HasPrefix(v, "$") {
				continue
			}
			add(m[0], "secret value for "+clip(string(data[m[2]:m[3]]), 40)+" "+redact(v, 0))
		}
	}
	return out
}

func npmPrefix(v string) int {
	if strings.HasPrefix(v, "npm_") {
		return 4
	}
	return 0
}

// envTemplate reports .env files meant to be copied, not secrets.
func envTemplate(base string) bool {
	for _, s := range []string{"example", "sample", "template", "dist", "defaults", "schema", "tpl"} {
		if strings.HasSuffix(base, "."+s) {
			return true
		}
	}
	return false
}

// secretsName reports a data file named for secrets: secrets.txt,
// credentials.json, tokens.env, .secret.
func secretsName(base string) bool {
	ext := path.Ext(base)
	if codeExts[ext] || ext == ".md" || ext == ".html" {
		return false
	}
	stem := strings.TrimPrefix(strings.TrimSuffix(base, ext), ".")
	for _, w := range []string{"secret", "credential", "token", "password", "apikey", "api_key", "api-key"} {
		if stem == w || stem == w+"s" || strings.HasSuffix(stem, "_"+w) || strings.HasSuffix(stem, "-"+w) ||
			strings.HasSuffix(stem, "_"+w+"s") || strings.HasSuffix(stem, "-"+w+"s") {
			return true
		}
	}
	return false
}

// secretsInTarball reports, per added or changed file, the credentials it
// ships: high, except sample keys in test folders and .env files that
// assign nothing secret-looking (medium).
func secretsInTarball(c *context) {
	for i := range c.in.Diff.Files {
		fd := &c.in.Diff.Files[i]
		if fd.Status != diff.Added && fd.Status != diff.Modified {
			continue
		}
		data := c.newFile(fd.Path)
		if data == nil {
			continue
		}
		var old []byte
		if fd.Status == diff.Modified {
			old = c.oldFile(fd.Path)
		}
		found := credentialFile(fd.Path, data)
		if old != nil && len(found) > 0 && len(credentialFile(fd.Path, old)) >= len(found) {
			found = nil // the base shipped the same credentials: not news
		}
		if !fd.Binary {
			found = append(found, tokenLiterals(fd.Path, data, old)...)
		}
		if len(found) == 0 {
			continue
		}
		sev, line := found[0].sev, found[0].line
		whats := make([]string, 0, len(found))
		seen := map[string]bool{}
		for _, f := range found {
			if f.sev.rank() < sev.rank() {
				sev, line = f.sev, f.line
			}
			w := f.what
			if f.line > 0 {
				w += " (line " + strconv.Itoa(f.line) + ")"
			}
			if !seen[w] {
				seen[w] = true
				whats = append(whats, w)
			}
		}
		verb := "added"
		if fd.Status == diff.Modified {
			verb = "changed"
		}
		title := "credential in " + verb + " file " + strconv.Quote(clip(fd.Path, 80)) + ": " + clip(found[0].what, 80)
		c.addSeverity(SecretInTarball, sev, fd.Path, line, title,
			listDetail(whats, 5)+". Anyone who installs the package gets it: treat it as leaked, revoke it, and keep the file out of the tarball")
	}
}

// scanTokenPrefixes calls hit for every occurrence of a literal of lits
// in data, in order. Literals holding '_' are found from their first
// '_'; the others with bytes.Index.
func scanTokenPrefixes(data []byte, lits []string, hit func(lit, at int)) {
	var under, plain []int
	for i, l := range lits {
		if strings.IndexByte(l, '_') >= 0 {
			under = append(under, i)
		} else {
			plain = append(plain, i)
		}
	}
	for _, li := range plain {
		l := []byte(lits[li])
		for i := 0; ; {
			k := bytes.Index(data[i:], l)
			if k < 0 {
				break
			}
			hit(li, i+k)
			i += k + len(l)
		}
	}
	// The byte before each literal's first '_' ('m' of npm_, 'k' of
	// sk_live_): most underscores in code fail this one test.
	var before [256]bool
	for _, li := range under {
		if u := strings.IndexByte(lits[li], '_'); u > 0 {
			before[lits[li][u-1]] = true
		}
	}
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], '_')
		if k < 0 {
			return
		}
		at := i + k
		i = at + 1
		if at == 0 || !before[data[at-1]] {
			continue
		}
		for _, li := range under {
			l := lits[li]
			u := strings.IndexByte(l, '_') // where the literal's first '_' sits
			if at >= u && at-u+len(l) <= len(data) && string(data[at-u:at-u+len(l)]) == l {
				hit(li, at-u)
			}
		}
	}
}
