package review

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/stagegate/stagegate/internal/registry"
)

// canonical turns an npm version ("1.2.3-beta.1") into x/mod/semver's form ("v1.2.3-beta.1").
// npm's precedence rules are SemVer 2.0.0's, which x/mod/semver implements.
func canonical(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "=")
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v
}

// ValidVersion reports whether v is a full SemVer version (major.minor.patch).
func ValidVersion(v string) bool {
	c := canonical(v)
	return semver.IsValid(c) && strings.Count(strings.SplitN(strings.SplitN(c, "-", 2)[0], "+", 2)[0], ".") == 2
}

// CompareVersions orders two npm versions by SemVer precedence.
func CompareVersions(a, b string) int { return semver.Compare(canonical(a), canonical(b)) }

func isPrerelease(v string) bool { return semver.Prerelease(canonical(v)) != "" }

// BaseChoice is the live version a staged version is compared against.
type BaseChoice struct {
	Version string // "" for a first release
	Reason  string
}

// PickBase chooses the base version for a staged version, as a maintainer
// would: the version the staged tag points to today, if it is lower than the
// staged one; otherwise the highest published version below the staged one
// (prereleases only count when the staged version is a prerelease). override
// (--base) wins when it names a published version. A nil packument, or no
// candidate, means a first release.
func PickBase(p *registry.Packument, staged, tag, override string) (BaseChoice, error) {
	if override != "" {
		if p == nil {
			return BaseChoice{}, fmt.Errorf("--base %s: the package has no published versions", override)
		}
		if _, ok := p.Versions[override]; !ok {
			return BaseChoice{}, fmt.Errorf("--base %s: no such published version of %s (see `npm view %s versions`)", override, p.Name, p.Name)
		}
		return BaseChoice{Version: override, Reason: "--base " + override}, nil
	}
	if p == nil || len(p.Versions) == 0 {
		return BaseChoice{Reason: "first release: no published version"}, nil
	}
	if tag != "" {
		if tv, ok := p.DistTags[tag]; ok {
			if _, published := p.Versions[tv]; published && CompareVersions(tv, staged) < 0 {
				return BaseChoice{Version: tv, Reason: "dist-tag " + tag}, nil
			}
		}
	}
	pre := isPrerelease(staged)
	var candidates []string
	for v := range p.Versions {
		if !semver.IsValid(canonical(v)) {
			continue
		}
		if isPrerelease(v) && !pre {
			continue
		}
		if CompareVersions(v, staged) < 0 {
			candidates = append(candidates, v)
		}
	}
	if len(candidates) == 0 {
		return BaseChoice{Reason: "first release: no published version below " + staged}, nil
	}
	sort.Slice(candidates, func(i, j int) bool { return CompareVersions(candidates[i], candidates[j]) < 0 })
	best := candidates[len(candidates)-1]
	reason := "highest published version below " + staged
	if tag != "" {
		if tv, ok := p.DistTags[tag]; ok {
			reason += fmt.Sprintf(" (dist-tag %s is %s, not lower)", tag, tv)
		}
	}
	return BaseChoice{Version: best, Reason: reason}, nil
}
