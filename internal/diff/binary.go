package diff

import (
	"bytes"
	"strings"
)

// sniffLen is how much of a file git looks at for a NUL byte.
const sniffLen = 8000

// isBinary reports whether data should be treated as binary: a NUL byte in
// the first 8000 bytes (git's rule) or a known binary signature.
func isBinary(data []byte) bool {
	if bytes.IndexByte(data[:min(len(data), sniffLen)], 0) >= 0 {
		return true
	}
	// Signatures of binary formats whose first 8000 bytes may hold no NUL
	// byte (compressed streams, archives, images), so that content, not the
	// name, decides.
	magics := [...]string{
		"\x7fELF",
		"\x1f\x8b",             // gzip
		"PK\x03\x04",           // zip, jar, docx
		"PK\x05\x06",           // empty zip
		"\x89PNG\r\n\x1a\n",    // png
		"\xff\xd8\xff",         // jpeg
		"GIF87a",               // gif
		"GIF89a",               // gif
		"\xfd7zXZ\x00",         // xz
		"7z\xbc\xaf\x27\x1c",   // 7z
		"Rar!\x1a\x07",         // rar
		"\x28\xb5\x2f\xfd",     // zstd
		"\x00asm",              // wasm
		"\xca\xfe\xba\xbe",     // mach-o fat, java class
		"\xcf\xfa\xed\xfe",     // mach-o 64
		"\xce\xfa\xed\xfe",     // mach-o 32
		"\x00\x01\x00\x00\x00", // truetype
		"%PDF-",                // pdf
		"SQLite format 3\x00",  // sqlite
	}
	s := bstr(data)
	for _, m := range magics {
		if strings.HasPrefix(s, m) {
			return true
		}
	}
	return false
}
