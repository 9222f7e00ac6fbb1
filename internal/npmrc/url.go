package npmrc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// whatwgURL holds the parts of a WHATWG URL (Node's `new URL`) that npm's
// credential rules read.
type whatwgURL struct {
	scheme   string // lowercased, without ":"
	host     string // serialized host[:port], default port dropped
	hostname string
	pathname string
}

var errURL = errors.New("invalid URL")

var defaultPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

func isSpecial(scheme string) bool {
	_, ok := defaultPorts[scheme]
	return ok || scheme == "file"
}

// parseURL implements the subset of the WHATWG URL parser npm's auth code
// depends on: scheme and host case folding, default ports, IPv4/IPv6
// normalisation, backslashes in special URLs, dot segments and path
// percent-encoding. Non-ASCII host names (IDNA) are rejected rather than
// guessed, so a URL npm would map to punycode matches no credential.
func parseURL(raw string) (whatwgURL, error) {
	var u whatwgURL
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= 0x20 })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isAlpha(s[0]) {
		return u, errURL
	}
	for i := 1; i < colon; i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return u, errURL
		}
	}
	u.scheme = strings.ToLower(s[:colon])
	rest := s[colon+1:]
	special := isSpecial(u.scheme)
	isSlash := func(c byte) bool { return c == '/' || (special && c == '\\') }

	if special && u.scheme != "file" {
		rest = strings.TrimLeftFunc(rest, func(r rune) bool { return r == '/' || r == '\\' })
	} else {
		if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
			// opaque paths (mailto:x) cannot be nerf-darted
			return u, errURL
		}
		rest = rest[2:]
		if u.scheme == "file" && len(rest) > 0 && rest[0] == '\\' {
			rest = rest[1:]
		}
	}
	end := len(rest)
	for i := 0; i < len(rest); i++ {
		if isSlash(rest[i]) || rest[i] == '?' || rest[i] == '#' {
			end = i
			break
		}
	}
	authority, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	hostPart, port := authority, ""
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		hostPart, port = authority[:i], authority[i+1:]
		for j := 0; j < len(port); j++ {
			if port[j] < '0' || port[j] > '9' {
				return u, errURL
			}
		}
		if port != "" {
			n, err := strconv.Atoi(strings.TrimLeft(port, "0") + "0")
			if err != nil || n/10 > 65535 {
				return u, errURL
			}
			port = strconv.Itoa(n / 10)
		}
	}
	host, err := parseHost(hostPart, special)
	if err != nil {
		return u, err
	}
	if host == "" && special && u.scheme != "file" {
		return u, errURL
	}
	if u.scheme == "file" {
		if port != "" {
			return u, errURL
		}
		if host == "localhost" {
			host = ""
		}
	}
	u.hostname = host
	if port != "" && port != defaultPorts[u.scheme] {
		host += ":" + port
	}
	u.host = host

	if i := strings.IndexAny(tail, "?#"); i >= 0 {
		tail = tail[:i]
	}
	u.pathname = parsePath(tail, special)
	return u, nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parsePath splits, drops dot segments and percent-encodes a path.
func parsePath(p string, special bool) string {
	if p == "" {
		if special {
			return "/"
		}
		return ""
	}
	seps := "/"
	if special {
		seps = "/\\"
	}
	var segs []string
	start := 1
	for i := 1; i <= len(p); i++ {
		if i == len(p) || strings.IndexByte(seps, p[i]) >= 0 {
			segs = append(segs, p[start:i])
			start = i + 1
		}
	}
	var out []string
	for i, seg := range segs {
		last := i == len(segs)-1
		switch strings.ToLower(seg) {
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, percentEncodePath(seg))
		}
	}
	return "/" + strings.Join(out, "/")
}

// percentEncodePath applies the WHATWG path percent-encode set.
func percentEncodePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7F || strings.IndexByte("\"#<>?`{}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// parseHost is the host parser for special URLs (opaque hosts otherwise).
func parseHost(h string, special bool) (string, error) {
	if strings.HasPrefix(h, "[") {
		if !strings.HasSuffix(h, "]") {
			return "", errURL
		}
		a, ok := parseIPv6(h[1 : len(h)-1])
		if !ok {
			return "", errURL
		}
		return "[" + serializeIPv6(a) + "]", nil
	}
	if !special {
		for i := 0; i < len(h); i++ {
			if strings.IndexByte(" #/<>?@[\\]^|", h[i]) >= 0 {
				return "", errURL
			}
		}
		return percentEncodeC0(h), nil
	}
	d, err := percentDecode(h)
	if err != nil {
		return "", err
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c >= 0x80 {
			return "", errURL // IDNA not supported: fail closed
		}
		if c <= 0x20 || c == 0x7F || strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0 {
			return "", errURL
		}
	}
	d = strings.ToLower(d)
	if endsInNumber(d) {
		ip, ok := parseIPv4(d)
		if !ok {
			return "", errURL
		}
		return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&0xFF, ip>>8&0xFF, ip&0xFF), nil
	}
	return d, nil
}

func percentEncodeC0(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7F {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func percentDecode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// endsInNumber is the WHATWG "ends in a number" checker.
func endsInNumber(d string) bool {
	parts := strings.Split(d, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, base = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		// overflow still "parses" for the checker; treat as too large
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 1 << 40, true
		}
		return 0, false
	}
	return n, true
}

func parseIPv4(d string) (uint32, bool) {
	parts := strings.Split(d, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return 0, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return 0, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return 0, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return 0, false
	}
	ip := last
	for i, n := range nums[:len(nums)-1] {
		ip += n << (8 * (3 - i))
	}
	return uint32(ip), true
}

func parseIPv6(s string) ([8]uint16, bool) {
	var a [8]uint16
	if s == "" {
		return a, false
	}
	piece, compress := 0, -1
	i := 0
	if strings.HasPrefix(s, ":") {
		if !strings.HasPrefix(s, "::") {
			return a, false
		}
		i = 2
		piece++
		compress = piece
	}
	for i < len(s) {
		if piece == 8 {
			return a, false
		}
		if s[i] == ':' {
			if compress != -1 {
				return a, false
			}
			i++
			piece++
			compress = piece
			continue
		}
		v, n := 0, 0
		for n < 4 && i < len(s) && isHex(s[i]) {
			d, _ := strconv.ParseUint(s[i:i+1], 16, 8)
			v = v*16 + int(d)
			i++
			n++
		}
		if i < len(s) && s[i] == '.' {
			if n == 0 || piece > 6 {
				return a, false
			}
			i -= n
			seen := 0
			for i < len(s) {
				if seen > 0 {
					if s[i] != '.' || seen >= 4 {
						return a, false
					}
					i++
				}
				if i >= len(s) || s[i] < '0' || s[i] > '9' {
					return a, false
				}
				val := -1
				for i < len(s) && s[i] >= '0' && s[i] <= '9' {
					if val == 0 {
						return a, false
					}
					if val == -1 {
						val = int(s[i] - '0')
					} else {
						val = val*10 + int(s[i]-'0')
					}
					if val > 255 {
						return a, false
					}
					i++
				}
				a[piece] = a[piece]*0x100 + uint16(val)
				seen++
				if seen == 2 || seen == 4 {
					piece++
				}
			}
			if seen != 4 {
				return a, false
			}
			break
		}
		if i < len(s) {
			if s[i] != ':' {
				return a, false
			}
			i++
			if i >= len(s) {
				return a, false
			}
		}
		a[piece] = uint16(v)
		piece++
	}
	if compress != -1 {
		swaps := piece - compress
		piece = 7
		for piece != 0 && swaps > 0 {
			a[piece], a[compress+swaps-1] = a[compress+swaps-1], a[piece]
			piece--
			swaps--
		}
	} else if piece != 8 {
		return a, false
	}
	return a, true
}

// serializeIPv6 compresses the first longest run (length > 1) of zeros.
func serializeIPv6(a [8]uint16) string {
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if a[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && a[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if i == best {
			if i == 0 {
				b.WriteString("::")
			} else {
				b.WriteString(":")
			}
			i += bestLen - 1
			continue
		}
		b.WriteString(strconv.FormatUint(uint64(a[i]), 16))
		if i != 7 {
			b.WriteByte(':')
		}
	}
	return b.String()
}

// NerfDart is @npmcli/config's nerf-dart.js: the URL reduced to
// "//host[:port]/dir/", its last path segment, query, fragment and
// credentials dropped. It returns "" for a URL that `new URL` rejects (or
// one with a non-ASCII host, see parseURL).
func NerfDart(rawURL string) string {
	u, err := parseURL(rawURL)
	if err != nil {
		return ""
	}
	dir := u.pathname[:strings.LastIndexByte(u.pathname, '/')+1]
	if dir == "" {
		dir = "/"
	}
	return "//" + u.host + dir
}

// legacyURLHref is what nopt's url validator keeps: Node's deprecated
// url.parse(value).href, or ok=false when that has no host. It follows
// url.parse's rules for where a host is read, and lowercases protocol and
// host as it does.
func legacyURLHref(v string) (string, bool) {
	s := strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	colon := strings.IndexByte(s, ':')
	proto := ""
	if colon > 0 {
		ok := true
		for i := 0; i < colon; i++ {
			c := s[i]
			if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
				ok = false
				break
			}
		}
		if ok {
			proto = strings.ToLower(s[:colon+1])
		}
	}
	rest := s[len(proto):]
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = strings.ReplaceAll(rest[:i], "\\", "/") + rest[i:]
	} else {
		rest = strings.ReplaceAll(rest, "\\", "/")
	}
	hostless := proto == "javascript:"
	slashed := map[string]bool{"http:": true, "https:": true, "ftp:": true, "gopher:": true, "file:": true, "ws:": true, "wss:": true}[proto]
	slashes := strings.HasPrefix(rest, "//")
	if proto == "" || hostless || (!slashes && slashed) {
		return "", false
	}
	if slashes {
		rest = rest[2:]
	}
	end := len(rest)
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte("/?#\t\n\r \"'<>\\^`{|}", rest[i]) >= 0 {
			end = i
			break
		}
	}
	authority, tail := rest[:end], rest[end:]
	auth := ""
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		auth, authority = authority[:at+1], authority[at+1:]
	}
	host := strings.ToLower(authority)
	if host == "" || strings.HasPrefix(host, ":") {
		return "", false
	}
	if slashed && (tail == "" || tail[0] == '?' || tail[0] == '#') {
		tail = "/" + tail
	}
	var b strings.Builder
	b.WriteString(proto)
	if slashes {
		b.WriteString("//")
	}
	b.WriteString(auth)
	b.WriteString(host)
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		if strings.IndexByte("\t\n\r \"'<>\\^`{|}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}
