// Package pack builds npm package tarballs the way `npm pack` does: the file
// selection of npm-packlist (Dir, FS) and a deterministic .tgz (Tgz) with
// entries under package/, portable headers, modes 0644/0755 and npm's fixed
// mtime, so the same files always give the same bytes and digests.
package pack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/stagegate/stagegate/internal/tarball"
)

// npmMtime is the date pacote stamps on every entry (zip tools choke on 0).
var npmMtime = time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)

// Tgz writes files into a gzip-compressed tar with every entry under
// "package/". Entries are written in npm-packlist's order (extension, then
// base name, then path) so the output compresses like npm's; the order, the
// headers and the compression level are fixed, so the bytes are deterministic.
// Paths must be relative, clean and unique.
func Tgz(files []tarball.File) ([]byte, error) {
	sorted := make([]tarball.File, len(files))
	copy(sorted, files)
	seen := make(map[string]bool, len(files))
	for _, f := range sorted {
		if f.Path == "" || path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || strings.HasPrefix(f.Path, "../") || f.Path == ".." {
			return nil, fmt.Errorf("pack: bad path %q", f.Path)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("pack: duplicate path %q", f.Path)
		}
		seen[f.Path] = true
	}
	sort.SliceStable(sorted, func(i, j int) bool { return npmLess(sorted[i].Path, sorted[j].Path) })

	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	gz.OS = 3 // unix, as zlib writes it
	tw := tar.NewWriter(gz)
	for _, f := range sorted {
		mode := int64(0o644)
		if f.Mode&0o111 != 0 {
			mode = 0o755
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     "package/" + f.Path,
			Mode:     mode,
			Size:     int64(len(f.Data)),
			ModTime:  npmMtime,
			Format:   tar.FormatUnknown, // USTAR when it fits, PAX for long names
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("pack: %s: %w", f.Path, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// npmLess approximates npm-packlist's sort: extension, then base name, then
// path, each compared as String.localeCompare(…, "en") would at first
// approximation (case and punctuation ignored first); byte order breaks the
// remaining ties so the order is total.
func npmLess(a, b string) bool {
	if c := collate(nodeExt(a), nodeExt(b)); c != 0 {
		return c < 0
	}
	if c := collate(path.Base(a), path.Base(b)); c != 0 {
		return c < 0
	}
	if c := collate(a, b); c != 0 {
		return c < 0
	}
	return a < b
}

// nodeExt is Node's path.extname: a leading dot does not start an extension.
func nodeExt(p string) string {
	base := path.Base(p)
	rest := strings.TrimLeft(base, ".")
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return ""
	}
	return rest[i:]
}

// collate compares letters and digits case-insensitively first, as ICU's
// primary strength does, then the case-folded strings.
func collate(a, b string) int {
	if c := strings.Compare(alnum(a), alnum(b)); c != 0 {
		return c
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r < 0x80:
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
