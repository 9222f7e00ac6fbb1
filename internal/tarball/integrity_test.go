package tarball

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestVerifyIntegrity(t *testing.T) {
	data := tgz(t, file("package/index.js", "module.exports = 1\n"))
	p, err := ReadBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	s1 := sha1.Sum(data)
	s256 := sha256.Sum256(data)
	s384 := sha512.Sum384(data)
	s512 := sha512.Sum512(data)
	sri1, sri256, sri384, sri512 := "sha1-"+b64(s1[:]), "sha256-"+b64(s256[:]), "sha384-"+b64(s384[:]), "sha512-"+b64(s512[:])
	bad512 := "sha512-" + b64(make([]byte, 64))
	hex1 := hex.EncodeToString(s1[:])
	tests := []struct {
		name              string
		integrity, shasum string
		pkgOK, bytesOK    bool
		detail            string
	}{
		{"sha512", sri512, "", true, true, "sha512 matches"},
		{"sha512 with options", sri512 + "?foo", "", true, true, "sha512 matches"},
		{"sha512 mismatch", bad512, hex1, false, false, "sha512 mismatch"},
		{"strongest wins: bad sha512 beats good sha1", sri1 + " " + bad512, "", false, false, "sha512 mismatch"},
		{"any hash of the strongest algorithm", bad512 + " " + sri512, "", true, true, "sha512 matches"},
		{"weaker bad hash ignored", "sha1-" + b64(make([]byte, 20)) + "\n" + sri512, "", true, true, "sha512 matches"},
		{"sha384 only", sri384, "", false, true, "sha384"},
		{"sha256 only", sri256, "", false, true, "sha256"},
		{"sha1 sri", sri1, "", true, true, "sha1 matches"},
		{"unknown algorithm falls back to shasum", "md5-AAAA", hex1, true, true, "shasum"},
		{"garbage digest ignored", "sha512-\x1b[2J", hex1, true, true, "shasum"},
		{"shasum upper case", "", strings.ToUpper(hex1), true, true, "sha1 matches"},
		{"shasum mismatch", "", strings.Repeat("0", 40), false, false, "sha1 mismatch"},
		{"shasum not hex", "", "\x1b]52;c;AAAA\x07", false, false, "not a hex sha1"},
		{"nothing recorded", "", "", false, false, "no integrity and no shasum"},
		{"integrity unusable, no shasum", "md5-AAAA", "", false, false, "no usable hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, detail := VerifyIntegrity(p, tc.integrity, tc.shasum)
			if ok != tc.pkgOK || !strings.Contains(detail, tc.detail) {
				t.Errorf("VerifyIntegrity = %v %q; want %v ~%q", ok, detail, tc.pkgOK, tc.detail)
			}
			ok, detail = VerifyBytes(data, tc.integrity, tc.shasum)
			if ok != tc.bytesOK {
				t.Errorf("VerifyBytes = %v %q; want %v", ok, detail, tc.bytesOK)
			}
			if strings.ContainsAny(detail, "\x1b\x07") {
				t.Errorf("detail echoes untrusted bytes: %q", detail)
			}
		})
	}
	if ok, _ := VerifyIntegrity(nil, sri512, ""); ok {
		t.Error("nil package verified")
	}
}
