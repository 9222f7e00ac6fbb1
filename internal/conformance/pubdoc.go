package conformance

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// PackTGZ builds an npm package tarball: every file under "package/", in
// name order, with a fixed mtime so the same files give the same bytes.
func PackTGZ(files map[string]string) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	// npm packs with this mtime (1985-10-26T08:15:00Z) for reproducibility.
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	for _, n := range names {
		body := files[n]
		hdr := &tar.Header{
			Name:     "package/" + n,
			Mode:     0o644,
			Size:     int64(len(body)),
			ModTime:  mtime,
			Typeflag: tar.TypeReg,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Digests are a tarball's sha1 (hex, npm's "shasum") and sha512 SRI.
type Digests struct {
	Shasum    string
	Integrity string
}

// Digest computes the digests npm records in dist.
func Digest(tgz []byte) Digests {
	s1 := sha1.Sum(tgz)
	s512 := sha512.Sum512(tgz)
	return Digests{
		Shasum:    hex.EncodeToString(s1[:]),
		Integrity: "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
	}
}

// EscapeName escapes a package name for a URL path as npm does: only the
// scope's slash is escaped, with a lowercase %2f.
func EscapeName(name string) string {
	return strings.Replace(url.PathEscape(name), "%2F", "%2f", 1)
}

// PackageJSON is the manifest of the tiny packages the suite publishes.
func PackageJSON(name, version string) string {
	b, _ := json.MarshalIndent(map[string]any{
		"name":        name,
		"version":     version,
		"description": "conformance fixture",
		"main":        "index.js",
		"license":     "MIT",
	}, "", "  ")
	return string(b) + "\n"
}

// FixturePackage returns the files of a tiny package at name@version.
func FixturePackage(name, version string) map[string]string {
	return map[string]string{
		"package.json": PackageJSON(name, version),
		"index.js":     fmt.Sprintf("module.exports = %q;\n", name+"@"+version),
	}
}

// PublishDocument builds the JSON body that `npm publish` PUTs to /{name}
// and `npm stage publish` POSTs to /-/stage/package/{name}
// (stage-protocol.md §1.2): one version, one dist-tag, the tarball as a
// base64 attachment. registry is the base URL used in dist.tarball.
func PublishDocument(registry, name, version, tag string, tgz []byte) ([]byte, error) {
	if tag == "" {
		tag = "latest"
	}
	d := Digest(tgz)
	file := name + "-" + version + ".tgz"
	base := strings.TrimRight(registry, "/")
	// npm's tarball URL keeps the scope slash unescaped and drops the scope
	// from the file name only in the last segment: /@s/p/-/@s/p-1.0.0.tgz.
	manifest := map[string]any{
		"name":         name,
		"version":      version,
		"description":  "conformance fixture",
		"main":         "index.js",
		"license":      "MIT",
		"readme":       "ERROR: No README data found!",
		"_id":          name + "@" + version,
		"_nodeVersion": "20.20.2",
		"_npmVersion":  "11.19.1",
		"dist": map[string]any{
			"integrity": d.Integrity,
			"shasum":    d.Shasum,
			"tarball":   base + "/" + name + "/-/" + file,
		},
	}
	doc := map[string]any{
		"_id":         name,
		"name":        name,
		"description": "conformance fixture",
		"dist-tags":   map[string]string{tag: version},
		"versions":    map[string]any{version: manifest},
		"access":      nil,
		"_attachments": map[string]any{
			file: map[string]any{
				"content_type": "application/octet-stream",
				"data":         base64.StdEncoding.EncodeToString(tgz),
				"length":       len(tgz),
			},
		},
	}
	return json.Marshal(doc)
}
