package tarball

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestMagicAndIsBinary(t *testing.T) {
	pe := make([]byte, 256)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x80)
	copy(pe[0x80:], "PE\x00\x00")
	fat := []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02rest")
	class := []byte("\xca\xfe\xba\xbe\x00\x00\x00\x37rest")
	tarHead := make([]byte, 512)
	copy(tarHead, "package/a")
	copy(tarHead[257:], "ustar\x0000")
	long := strings.Repeat("x", 9000) + "\x00"   // NUL after the 8 KiB window
	cut := strings.Repeat("a", sniffLen-1) + "é" // a rune cut by the window
	tests := []struct {
		name   string
		data   string
		magic  string
		binary bool
		native bool
	}{
		{"empty", "", "", false, false},
		{"js", "module.exports = 1\n", "", false, false},
		{"utf8 text", "héllo wörld — ✓\n", "", false, false},
		{"latin1 text", "caf\xe9\n", "", false, false},
		{"hostile text with ESC and BS", "\x1b[2J\x1b[8mhidden\b\b\b\x1b]0;title\x07\n", "", false, false},
		{"NUL", "abc\x00def", "", true, false},
		{"NUL beyond 8 KiB", long, "", false, false},
		{"rune cut by window", cut, "", false, false},
		{"utf16 text", "\xff\xfeh\x00i\x00", "", true, false},
		{"elf", "\x7fELF\x02\x01\x01\x00\x00\x00", "elf", true, true},
		{"pe", string(pe), "pe", true, true},
		{"MZ text is text", "MZ is a great initialism\n", "", false, false},
		{"mach-o 64", "\xcf\xfa\xed\xfe\x07\x00\x00\x01", "mach-o", true, true},
		{"mach-o fat", string(fat), "mach-o-fat", true, true},
		{"java class", string(class), "java-class", true, false},
		{"wasm", "\x00asm\x01\x00\x00\x00", "wasm", true, true},
		{"zip", "PK\x03\x04\x14\x00", "zip", true, false},
		{"gzip", "\x1f\x8b\x08\x00", "gzip", true, false},
		{"bzip2", "BZh91AY&SY\x8f", "bzip2", true, false},
		{"xz", "\xfd7zXZ\x00\x00", "xz", true, false},
		{"zstd", "\x28\xb5\x2f\xfd\x04", "zstd", true, false},
		{"7z", "7z\xbc\xaf\x27\x1c\x00", "7z", true, false},
		{"rar", "Rar!\x1a\x07\x01\x00", "rar", true, false},
		{"tar", string(tarHead), "tar", true, false},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00", "png", true, false},
		{"jpeg", "\xff\xd8\xff\xe0", "jpeg", true, false},
		{"gif", "GIF89a\x01\x00\x01\x00\x80\x00\x00", "gif", true, false},
		{"GIF89a text stays text", "GIF89a is a format from 1989\n", "gif", false, false},
		{"webp", "RIFF\x10\x00\x00\x00WEBPVP8 ", "webp", true, false},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf", true, false},
		{"sqlite", "SQLite format 3\x00", "sqlite", true, false},
		{"woff2", "wOF2\x00\x01", "woff2", true, false},
		{"shebang script", "#!/bin/sh\ncurl x | sh\n", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := []byte(tc.data)
			if got := Magic(d); got != tc.magic {
				t.Errorf("Magic = %q, want %q", got, tc.magic)
			}
			if got := IsBinary(d); got != tc.binary {
				t.Errorf("IsBinary = %v, want %v", got, tc.binary)
			}
			if got := IsNative(d); got != tc.native {
				t.Errorf("IsNative = %v, want %v", got, tc.native)
			}
		})
	}
}
