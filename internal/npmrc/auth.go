package npmrc

import (
	"encoding/base64"
	"errors"
	"strings"
)

// Credential is what npm-registry-fetch's getAuth() finds for a URL.
// The secret itself is unexported and only leaves through Header; String
// and GoString never include it.
type Credential struct {
	// Kind is "token" (Bearer), "basic" (Basic), or "" (no authorization).
	Kind string
	// RegKey is the nerf-dart that matched, e.g. "//registry.npmjs.org/".
	RegKey string
	// AuthKey is the key found there: "_authToken", "_auth", "username"
	// or "certfile".
	AuthKey string
	// CertFile and KeyFile are the client certificate paths set at RegKey.
	CertFile, KeyFile string

	header string
}

// Header returns the authorization header value ("" for none).
func (c Credential) Header() string { return c.header }

func (c Credential) String() string {
	if c.Kind == "" {
		return "npmrc.Credential{none}"
	}
	return "npmrc.Credential{" + c.Kind + " from " + c.RegKey + ":" + c.AuthKey + "}"
}

// GoString is String, so %#v cannot print the secret.
func (c Credential) GoString() string { return c.String() }

// AuthHeader returns the exact authorization header value npm would send
// for requestURL, or "" when it would send none.
func (c *Config) AuthHeader(requestURL string) string {
	cred, err := c.CredentialFor(requestURL, "")
	if err != nil {
		return ""
	}
	return cred.header
}

// AuthHeaderForPackage is AuthHeader for a request made on behalf of a
// package (npm's opts.spec), whose scope may select a scoped registry.
func (c *Config) AuthHeaderForPackage(requestURL, pkgName string) string {
	cred, err := c.CredentialFor(requestURL, pkgName)
	if err != nil {
		return ""
	}
	return cred.header
}

var errAuthURL = errors.New("npmrc: invalid URL for credential lookup")

// CredentialFor is npm-registry-fetch's getAuth(uri, {...config, spec}):
// walk the nerf-dart of requestURL upward looking for credentials; if none
// is found and the URL is on the registry's host, use the registry's. An
// error means npm itself would throw (an unparsable URL or a credential of
// a type Buffer.from rejects); the caller should send no authorization.
func (c *Config) CredentialFor(requestURL, pkgName string) (Credential, error) {
	return c.getAuth(requestURL, pkgName, 0)
}

func (c *Config) getAuth(uri, pkgName string, depth int) (Credential, error) {
	regKey, authKey, err := c.regFromURI(uri)
	if err != nil {
		return Credential{}, err
	}
	if regKey == "" {
		registry := c.getRegistry(pkgName)
		if truthy(registry) && !jsStrictEqual(uri, registry) {
			same, err := sameHost(uri, registry)
			if err != nil {
				return Credential{}, err
			}
			if same && depth == 0 {
				return c.getAuth(jsString(registry), pkgName, depth+1)
			}
		}
		if !jsStrictEqual(registry, c.rawRegistry()) {
			// a scoped registry without credentials: npm sends none
			return Credential{}, nil
		}
		// npm interpolates the `false` regKey into the key names
		regKey = "false"
	}
	get := func(k string) any { return c.get(regKey + ":" + k) }
	cred := Credential{RegKey: regKey, AuthKey: authKey}
	if regKey == "false" {
		cred.RegKey, cred.AuthKey = "", ""
	}
	if cf, kf := get("certfile"), get("keyfile"); truthy(cf) && truthy(kf) {
		cred.CertFile, cred.KeyFile = jsString(cf), jsString(kf)
	}
	token, auth, user, pass := get("_authToken"), get("_auth"), get("username"), get("_password")
	switch {
	case truthy(token):
		s, err := jsStringStrict(token)
		if err != nil {
			return Credential{}, err
		}
		cred.Kind, cred.header = "token", "Bearer "+s
	case truthy(auth):
		s, err := jsStringStrict(auth)
		if err != nil {
			return Credential{}, err
		}
		cred.Kind, cred.header = "basic", "Basic "+s
	case truthy(user) && truthy(pass):
		ps, ok := pass.(string)
		if !ok {
			// Buffer.from(non-string, 'base64') throws
			return Credential{}, errors.New("npmrc: _password is not a string at " + regKey)
		}
		us, err := jsStringStrict(user)
		if err != nil {
			return Credential{}, err
		}
		p := decodeUTF8(nodeBase64Decode(ps))
		cred.Kind = "basic"
		cred.header = "Basic " + base64.StdEncoding.EncodeToString([]byte(us+":"+p))
	}
	return cred, nil
}

// regFromURI walks //host/path upward: at each level it tries
// _authToken, _auth, username+_password, certfile+keyfile, removing either
// the last segment or the trailing slash between levels, so //h/npm/:
// and //h/npm: both match.
func (c *Config) regFromURI(uri string) (regKey, authKey string, err error) {
	u, err := parseURL(uri)
	if err != nil {
		return "", "", errAuthURL
	}
	key := "//" + u.host + u.pathname
	for len(key) > 2 {
		if ak := c.hasAuthAt(key); ak != "" {
			return key, ak, nil
		}
		if strings.HasSuffix(key, "/") {
			key = key[:len(key)-1]
		} else {
			key = key[:strings.LastIndexByte(key, '/')+1]
		}
	}
	return "", "", nil
}

func (c *Config) hasAuthAt(regKey string) string {
	t := func(k string) bool { return truthy(c.get(regKey + ":" + k)) }
	switch {
	case t("_authToken"):
		return "_authToken"
	case t("_auth"):
		return "_auth"
	case t("username") && t("_password"):
		return "username"
	case t("certfile") && t("keyfile"):
		return "certfile"
	}
	return ""
}

// getRegistry is auth.js getRegistry(): the scoped registry of the spec's
// scope, else opts.registry (the configured "scope" plays no part here).
func (c *Config) getRegistry(pkgName string) any {
	if scope := specScope(pkgName); scope != "" {
		if v := c.get(scope + ":registry"); truthy(v) {
			return v
		}
	}
	return c.rawRegistry()
}

func sameHost(a string, b any) (bool, error) {
	ua, err := parseURL(a)
	if err != nil {
		return false, errAuthURL
	}
	ub, err := parseURL(jsString(b))
	if err != nil {
		return false, errAuthURL
	}
	return ua.host == ub.host, nil
}

// jsStrictEqual is === between config values (strings compare by value).
func jsStrictEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case jsNull:
		_, ok := b.(jsNull)
		return ok
	case jsUndefined:
		_, ok := b.(jsUndefined)
		return ok
	}
	return a == b
}

// HasAuth is npm publish's pre-flight ENEEDAUTH check for registry ("" means
// the configured registry): getCredentialsByURI looks only at the exact
// nerf-dart of `new URL('.', registry)`, so "https://h/npm" checks "//h/".
func (c *Config) HasAuth(registry string) bool {
	if registry == "" {
		registry = jsString(c.rawRegistry())
	}
	nerfed := NerfDart(registry)
	if nerfed == "" {
		return false
	}
	get := func(k string) any { return c.get(nerfed + ":" + k) }
	if truthy(get("certfile")) && truthy(get("keyfile")) {
		return true
	}
	if truthy(get("_authToken")) {
		return true
	}
	if truthy(get("username")) && truthy(get("_password")) {
		return true
	}
	if a := get("_auth"); truthy(a) {
		s, ok := a.(string)
		if !ok {
			return false // npm throws on Buffer.from(non-string)
		}
		user, _, _ := strings.Cut(decodeUTF8(nodeBase64Decode(s)), ":")
		return user != ""
	}
	return false
}

// nodeBase64Decode is Buffer.from(s, 'base64'): both alphabets, other
// characters skipped, decoding stops at the first '='.
func nodeBase64Decode(s string) []byte {
	var out []byte
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '-':
			v = 62
		case c == '/' || c == '_':
			v = 63
		case c == '=':
			i = len(s)
			continue
		default:
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}
