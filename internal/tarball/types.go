package tarball

// File is one regular file of a package, its path relative to the package root.
type File struct {
	Path string
	Mode uint32 // permission bits, e.g. 0o644
	Data []byte
}

// Issue records a tar entry that was not kept as a regular file, or a path problem.
type Issue struct {
	Path   string // the entry's name as written in the archive (untrusted); "" for archive-level issues
	Kind   string // symlink, hardlink, device, fifo, escape, duplicate, collision, other (Kind* constants)
	Target string // link target for links, the other path for collisions (untrusted)
	Detail string // fixed text written by this package, never archive bytes
	Rel    string // the package-relative path npm would use, "" when refused or unknown (untrusted)
}

// Package is the content of one tarball.
type Package struct {
	Files     []File // sorted by Path, unique
	Issues    []Issue
	SHA1      string // hex of the compressed bytes
	Integrity string // "sha512-<base64>" of the compressed bytes
	Size      int64  // compressed bytes
	Unpacked  int64  // sum of regular file sizes
}

// Lookup returns the file at path, or nil.
func (p *Package) Lookup(path string) *File {
	if p == nil {
		return nil
	}
	lo, hi := 0, len(p.Files)
	for lo < hi {
		m := (lo + hi) / 2
		if p.Files[m].Path < path {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.Files) && p.Files[lo].Path == path {
		return &p.Files[lo]
	}
	return nil
}
