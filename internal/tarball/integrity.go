package tarball

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// SRI returns the sha512 Subresource Integrity string of data, as npm
// records it in dist.integrity.
func SRI(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

// algoRank is an algorithm's strength as ssri's pickAlgorithm ranks them
// (0: unsupported); ssri verifies only the hashes of the strongest
// algorithm present and ignores the rest.
func algoRank(algo string) int {
	switch algo {
	case "sha1":
		return 1
	case "sha256":
		return 2
	case "sha384":
		return 3
	case "sha512":
		return 4
	}
	return 0
}

type sriHash struct{ algo, digest string }

// parseSRI parses an SRI string the way ssri does in non-strict mode:
// whitespace-separated "algo-base64[?options]" tokens, unknown or
// malformed tokens ignored. Digests must be base64, so they are safe to
// echo in messages.
func parseSRI(s string) []sriHash {
	var out []sriHash
	for _, tok := range strings.Fields(s) {
		algo, rest, ok := strings.Cut(tok, "-")
		if !ok {
			continue
		}
		if algoRank(algo) == 0 {
			continue
		}
		digest, _, _ := strings.Cut(rest, "?")
		if digest == "" || strings.Trim(digest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
			continue
		}
		out = append(out, sriHash{algo, digest})
	}
	return out
}

// VerifyIntegrity checks a package read by Read against the registry's
// dist.integrity and dist.shasum. As npm does, the integrity string wins
// when it holds any usable hash, and only its strongest algorithm counts;
// shasum (hex sha1) is the fallback. Read computes sha512 and sha1 only:
// for an integrity whose strongest hash is sha256 or sha384 use
// VerifyBytes on the raw tarball. detail is a one-line explanation made
// only of fixed text and hex/base64 digests.
func VerifyIntegrity(pkg *Package, integrity, shasum string) (ok bool, detail string) {
	if pkg == nil {
		return false, "no package"
	}
	sha512b64 := strings.TrimPrefix(pkg.Integrity, "sha512-")
	return verify(func(algo string) (string, bool) {
		switch algo {
		case "sha512":
			return sha512b64, true
		case "sha1":
			raw, err := hex.DecodeString(pkg.SHA1)
			if err != nil {
				return "", false
			}
			return base64.StdEncoding.EncodeToString(raw), true
		}
		return "", false
	}, pkg.SHA1, integrity, shasum)
}

// VerifyBytes is VerifyIntegrity over the raw tarball bytes; it supports
// every algorithm of parseSRI.
func VerifyBytes(data []byte, integrity, shasum string) (ok bool, detail string) {
	s1 := sha1.Sum(data)
	return verify(func(algo string) (string, bool) {
		var sum []byte
		switch algo {
		case "sha1":
			sum = s1[:]
		case "sha256":
			s := sha256.Sum256(data)
			sum = s[:]
		case "sha384":
			s := sha512.Sum384(data)
			sum = s[:]
		case "sha512":
			s := sha512.Sum512(data)
			sum = s[:]
		default:
			return "", false
		}
		return base64.StdEncoding.EncodeToString(sum), true
	}, hex.EncodeToString(s1[:]), integrity, shasum)
}

func verify(digest func(algo string) (string, bool), sha1hex, integrity, shasum string) (bool, string) {
	hashes := parseSRI(integrity)
	if len(hashes) > 0 {
		best := ""
		for _, h := range hashes {
			if algoRank(h.algo) > algoRank(best) {
				best = h.algo
			}
		}
		got, ok := digest(best)
		if !ok {
			return false, fmt.Sprintf("integrity uses %s, which was not computed for this tarball", best)
		}
		var want []string
		for _, h := range hashes {
			if h.algo != best {
				continue
			}
			if subtle.ConstantTimeCompare([]byte(h.digest), []byte(got)) == 1 {
				return true, best + " matches the registry's integrity"
			}
			want = append(want, best+"-"+h.digest)
		}
		return false, fmt.Sprintf("%s mismatch: registry has %s, tarball is %s-%s", best, strings.Join(want, " "), best, got)
	}
	if strings.TrimSpace(integrity) != "" && shasum == "" {
		return false, "integrity has no usable hash and there is no shasum"
	}
	shasum = strings.ToLower(strings.TrimSpace(shasum))
	if shasum == "" {
		return false, "the registry recorded no integrity and no shasum"
	}
	if len(shasum) != 40 || strings.Trim(shasum, "0123456789abcdef") != "" {
		return false, "the registry's shasum is not a hex sha1"
	}
	if shasum == sha1hex {
		return true, "sha1 matches the registry's shasum"
	}
	return false, fmt.Sprintf("sha1 mismatch: registry has %s, tarball is %s", shasum, sha1hex)
}
