package devregistry

import (
	"io/fs"
	"testing/fstest"
)

// overlayFS serves seed as seed.json and everything else from base.
type overlayFS struct {
	base fs.FS
	seed []byte
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if name == "seed.json" {
		return fstest.MapFS{"seed.json": {Data: o.seed}}.Open(name)
	}
	return o.base.Open(name)
}
