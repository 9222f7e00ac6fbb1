// Package assets_test checks the demo content that `stagegate demo` seeds,
// as embedded in the binary: seed.json agrees with the package folders, and
// the attack imitations stay inert (a throwing first line, no routable host,
// no token-shaped string).
package assets_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/assets"
)

// marker is the first line of every payload file.
const marker = `throw new Error("stagegate demo fixture: inert, never run");`

// payloads are the imitation attack files; each must start with marker.
var payloads = []string{
	"termhue/1.0.1/index.js",
	"scopewalk/2.1.2/lib/build.js",
	"scopewalk/2.1.2/preinstall.sh",
	"scopewalk/2.1.2/preinstall.bat",
	"acme-router/1.5.2/router_init.js",
	"qlimit/1.2.1/setup_bun.js",
	"qlimit/1.2.1/bun_environment.js",
	"qlimit/1.2.1/.github/workflows/shai-hulud-workflow.yml",
}

// docHosts may appear in benign files (schema URLs, licences, links in
// READMEs); payload files may name only .invalid hosts and TEST-NET IPs.
var docHosts = map[string]bool{
	"www.w3.org": true, // SVG and XHTML namespaces, in @acme/charts and the d3 bundle
	"d3js.org":   true, // d3's licence notice
	"github.com": true, // the ESTree spec link in scopewalk's README
}

type seedVersion struct {
	Version   string   `json:"version"`
	Dir       string   `json:"dir"`
	State     string   `json:"state"`
	Tags      []string `json:"tags"`
	Tag       string   `json:"tag"`
	Actor     string   `json:"actor"`
	ActorType string   `json:"actorType"`
	Ago       string   `json:"ago"`
	// Provenance: published by a trusted publisher with provenance.
	Provenance bool `json:"provenance"`
	// ValidateFor: the stage shows status validating this long after seeding.
	ValidateFor string `json:"validateFor"`
}

type seedFile struct {
	Packages []struct {
		Name     string        `json:"name"`
		Versions []seedVersion `json:"versions"`
	} `json:"packages"`
}

func readSeed(t *testing.T, fsys fs.FS) seedFile {
	t.Helper()
	raw, err := fs.ReadFile(fsys, "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var sf seedFile
	if err := dec.Decode(&sf); err != nil {
		t.Fatalf("seed.json: %v", err)
	}
	return sf
}

func TestSeedMatchesFolders(t *testing.T) {
	fsys := assets.Demo()
	sf := readSeed(t, fsys)
	agoRE := regexp.MustCompile(`^(\d+[wd])?((\d+h)?(\d+m)?)$`)
	referenced := map[string]bool{}
	staged, names := 0, map[string]bool{}
	for _, p := range sf.Packages {
		if names[p.Name] {
			t.Errorf("package %s listed twice", p.Name)
		}
		names[p.Name] = true
		for _, v := range p.Versions {
			referenced[v.Dir] = true
			if !agoRE.MatchString(v.Ago) || v.Ago == "" {
				t.Errorf("%s@%s: ago %q is not like 90d, 3h, 2h30m", p.Name, v.Version, v.Ago)
			}
			switch v.State {
			case "published":
				if v.Tag != "" {
					t.Errorf("%s@%s: published versions take tags, not tag", p.Name, v.Version)
				}
			case "staged":
				staged++
				if v.Tag == "" || len(v.Tags) != 0 {
					t.Errorf("%s@%s: staged versions take one tag", p.Name, v.Version)
				}
			default:
				t.Errorf("%s@%s: state %q", p.Name, v.Version, v.State)
			}
			if v.ActorType != "user" && v.ActorType != "ci" && !(v.ActorType == "oidc" && v.Provenance) {
				t.Errorf("%s@%s: actorType %q", p.Name, v.Version, v.ActorType)
			}
			raw, err := fs.ReadFile(fsys, path.Join(v.Dir, "package.json"))
			if err != nil {
				t.Errorf("%s@%s: %v", p.Name, v.Version, err)
				continue
			}
			var man struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			}
			if err := json.Unmarshal(raw, &man); err != nil {
				t.Errorf("%s: %v", v.Dir, err)
				continue
			}
			if man.Name != p.Name || man.Version != v.Version {
				t.Errorf("%s: package.json says %s@%s, seed says %s@%s", v.Dir, man.Name, man.Version, p.Name, v.Version)
			}
		}
	}
	if len(sf.Packages) < 6 || staged < 10 {
		t.Errorf("%d packages and %d staged versions; the demo promises at least 6 and 10", len(sf.Packages), staged)
	}
	// Every package folder is seeded: a forgotten folder would be embedded
	// in the binary for nothing.
	dirs, err := fs.Glob(fsys, "*/*/package.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !referenced[path.Dir(d)] {
			t.Errorf("%s is not in seed.json", path.Dir(d))
		}
	}
}

func TestPayloadsAreInert(t *testing.T) {
	fsys := assets.Demo()
	for _, p := range payloads {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			t.Errorf("payload %s: %v", p, err)
			continue
		}
		if !bytes.HasPrefix(b, []byte(marker)) {
			t.Errorf("%s: first line must start with %s", p, marker)
		}
	}
	// Any other file that carries the marker must be listed above, so that
	// the strict host rules below apply to it.
	listed := map[string]bool{}
	for _, p := range payloads {
		listed[p] = true
	}
	walkFiles(t, fsys, func(name string, b []byte) {
		if bytes.Contains(b, []byte("stagegate demo fixture")) && !listed[name] && name != "README.md" && name != "demo_test.go" {
			t.Errorf("%s carries the payload marker but is not in payloads", name)
		}
	})
}

var (
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?|wss?|ftp)://([a-z0-9.\-\[\]:]+)`)
	ipRE    = regexp.MustCompile(`\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b`)
	tokenRE = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36}|npm_[A-Za-z0-9]{36}|AKIA[0-9A-Z]{16})\b`)
)

func safeHost(h string) bool {
	h = strings.ToLower(strings.Trim(h, "[]."))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	if ip := net.ParseIP(h); ip != nil {
		return testNet(ip)
	}
	return h == "example.invalid" || strings.HasSuffix(h, ".invalid")
}

// testNet reports whether ip is in TEST-NET-1 or TEST-NET-3 (RFC 5737).
func testNet(ip net.IP) bool {
	for _, cidr := range []string{"192.0.2.0/24", "203.0.113.0/24"} {
		_, n, _ := net.ParseCIDR(cidr)
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func TestHostsAndTokens(t *testing.T) {
	fsys := assets.Demo()
	strict := map[string]bool{}
	for _, p := range payloads {
		strict[p] = true
	}
	walkFiles(t, fsys, func(name string, b []byte) {
		if name == "demo_test.go" {
			return
		}
		if m := tokenRE.Find(b); m != nil {
			t.Errorf("%s: a token-shaped string (%.8s…); only regex literals are allowed", name, m)
		}
		for _, m := range urlRE.FindAllSubmatch(b, -1) {
			h := string(m[1])
			if safeHost(h) {
				continue
			}
			if strict[name] || !docHosts[strings.ToLower(h)] {
				t.Errorf("%s: host %q is neither .invalid nor TEST-NET", name, h)
			}
		}
		if !strict[name] {
			return
		}
		for _, m := range ipRE.FindAllSubmatch(b, -1) {
			if ip := net.ParseIP(string(m[1])); ip != nil && !testNet(ip) {
				t.Errorf("%s: IP %s is outside TEST-NET", name, m[1])
			}
		}
	})
}

func TestSize(t *testing.T) {
	var total int64
	var big []string
	walkFiles(t, assets.Demo(), func(name string, b []byte) {
		total += int64(len(b))
		if len(b) > 200<<10 {
			big = append(big, name)
		}
	})
	sort.Strings(big)
	t.Logf("demo content: %d bytes; files over 200 KB: %v", total, big)
	// The folder is embedded in every stagegate binary.
	if total > 3<<20 {
		t.Errorf("demo content is %d bytes, over the 3 MB budget", total)
	}
}

func walkFiles(t *testing.T, fsys fs.FS, fn func(name string, b []byte)) {
	t.Helper()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		fn(name, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
