// Package assets embeds the demo packages: the source folders of several
// versions of a few packages (benign and malicious-looking) and seed.json,
// which says which versions are published and which are staged. The
// embedded registry (internal/devregistry) packs and seeds them for
// `stagegate demo` and `stagegate registry --seed demo`.
package assets

import (
	"embed"
	"io/fs"
)

// all: keeps dotfiles (.npmignore, .gitignore) that the demo packages need.
//
//go:embed all:demo
var demo embed.FS

// Demo returns the demo folder: seed.json at its root, package folders below.
func Demo() fs.FS {
	sub, err := fs.Sub(demo, "demo")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "demo" is a constant.
		panic(err)
	}
	return sub
}
