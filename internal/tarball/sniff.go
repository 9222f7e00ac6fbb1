package tarball

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// sniffLen is how much of a file the sniffers look at, as git does.
const sniffLen = 8 << 10

// IsBinary reports whether data should be shown as binary rather than as
// lines of text: a NUL byte in the first 8 KiB, or a known magic number
// at the start of data that is not clean text. The second condition keeps
// a text file that happens to begin like a signature ("MZ…", "GIF89a…")
// text; real binaries with such magics contain NULs or invalid UTF-8.
func IsBinary(data []byte) bool {
	head := data[:min(len(data), sniffLen)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	return Magic(data) != "" && !looksText(head)
}

// IsNative reports whether data is machine code or WebAssembly: an ELF,
// PE, Mach-O or wasm module (npm native addons are ELF, PE or Mach-O).
func IsNative(data []byte) bool {
	switch Magic(data) {
	case "elf", "pe", "mach-o", "mach-o-fat", "wasm":
		return true
	}
	return false
}

// Magic names the file format recognised from data's first bytes, or
// returns "". Names are stable lowercase ids: elf, pe, mach-o, mach-o-fat,
// java-class, wasm, zip, gzip, bzip2, xz, zstd, lz4, 7z, rar, tar, ar,
// png, jpeg, gif, webp, ico, pdf, sqlite, woff, woff2, ttf, otf.
func Magic(data []byte) string {
	has := func(off int, sig string) bool {
		return len(data) >= off+len(sig) && string(data[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\x7fELF"):
		return "elf"
	case has(0, "MZ") && isPE(data):
		return "pe"
	case has(0, "\xfe\xed\xfa\xce"), has(0, "\xfe\xed\xfa\xcf"), has(0, "\xce\xfa\xed\xfe"), has(0, "\xcf\xfa\xed\xfe"):
		return "mach-o"
	case has(0, "\xca\xfe\xba\xbe") && len(data) >= 8:
		// Universal Mach-O binaries and Java classes share this magic;
		// the next word is an arch count (small) or a class version (>= 45).
		if binary.BigEndian.Uint32(data[4:8]) < 45 {
			return "mach-o-fat"
		}
		return "java-class"
	case has(0, "\x00asm"):
		return "wasm"
	case has(0, "PK\x03\x04"), has(0, "PK\x05\x06"), has(0, "PK\x07\x08"):
		return "zip"
	case has(0, "\x1f\x8b"):
		return "gzip"
	case has(0, "BZh") && has(4, "1AY&SY"):
		return "bzip2"
	case has(0, "\xfd7zXZ\x00"):
		return "xz"
	case has(0, "\x28\xb5\x2f\xfd"):
		return "zstd"
	case has(0, "\x04\x22\x4d\x18"):
		return "lz4"
	case has(0, "7z\xbc\xaf\x27\x1c"):
		return "7z"
	case has(0, "Rar!\x1a\x07"):
		return "rar"
	case has(257, "ustar"):
		return "tar"
	case has(0, "!<arch>\n"):
		return "ar"
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "png"
	case has(0, "\xff\xd8\xff"):
		return "jpeg"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "gif"
	case has(0, "RIFF") && has(8, "WEBP"):
		return "webp"
	case has(0, "\x00\x00\x01\x00") && len(data) >= 6 && data[4]|data[5] != 0:
		return "ico"
	case has(0, "%PDF-"):
		return "pdf"
	case has(0, "SQLite format 3\x00"):
		return "sqlite"
	case has(0, "wOFF"):
		return "woff"
	case has(0, "wOF2"):
		return "woff2"
	case has(0, "\x00\x01\x00\x00\x00"):
		return "ttf"
	case has(0, "OTTO\x00"):
		return "otf"
	}
	return ""
}

// isPE checks the PE signature that the DOS header's e_lfanew points to,
// so a text file starting with "MZ" is not taken for an executable.
func isPE(data []byte) bool {
	if len(data) < 0x40 {
		return false
	}
	off := int64(binary.LittleEndian.Uint32(data[0x3c:0x40]))
	return off+4 <= int64(len(data)) && string(data[off:off+4]) == "PE\x00\x00"
}

// looksText reports whether head is valid UTF-8 (a rune cut by the 8 KiB
// window is fine) in which control bytes other than \t \n \r \f \v and ESC
// are rare. ESC and backspaces are allowed because hostile text files use
// them, and such files must be diffed and flagged as text.
func looksText(head []byte) bool {
	ctrl := 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b && c != '\b') || c == 0x7f {
				ctrl++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size == 1 {
			if len(head)-i < utf8.UTFMax && len(head) == sniffLen && !utf8.FullRune(head[i:]) {
				break // a rune cut by the window
			}
			return false
		}
		i += size
	}
	return ctrl*10 <= len(head)
}
