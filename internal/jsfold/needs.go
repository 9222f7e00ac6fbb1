package jsfold

import "bytes"

// foldTriggers are byte sequences without which Fold can change nothing
// but comments and quoting. Each is found with a vectorised bytes.Index.
var foldTriggers = [...][]byte{
	[]byte("'+"), []byte("' +"), []byte("\"+"), []byte("\" +"), []byte("+'"), []byte("+ '"), []byte("+\""), []byte("+ \""),
	[]byte("`+"), []byte("` +"), []byte("+`"), []byte("+ `"),
	[]byte(".join("), []byte("fromCharCode"), []byte("atob"), []byte("base64"), []byte("'hex'"), []byte("\"hex\""),
	[]byte(`\x`), []byte(`\u`), []byte("_0x"), []byte("['"), []byte("[\""), []byte("[`"),
	[]byte("unescape"), []byte("decodeURI"), []byte(".split("),
	{0xEF, 0xB8}, {0xF3, 0xA0, 0x84},
}

// NeedsFold reports cheaply whether src contains anything Fold would fold.
// When it returns false, StripJSComments gives the same text detectors need.
func NeedsFold(src []byte) bool {
	for _, t := range foldTriggers {
		if bytes.Contains(src, t) {
			return true
		}
	}
	return false
}
