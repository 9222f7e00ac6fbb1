package review

import (
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

func packument(tags map[string]string, versions ...string) *registry.Packument {
	p := &registry.Packument{Name: "pkg", DistTags: tags, Versions: map[string]registry.Version{}}
	for _, v := range versions {
		p.Versions[v] = registry.Version{Name: "pkg", Version: v}
	}
	return p
}

func TestPickBase(t *testing.T) {
	tests := []struct {
		name     string
		p        *registry.Packument
		staged   string
		tag      string
		override string
		want     string
		reason   string
		wantErr  bool
	}{
		{name: "tag lower than staged", p: packument(map[string]string{"latest": "1.0.0"}, "0.9.0", "1.0.0"), staged: "1.0.1", tag: "latest", want: "1.0.0", reason: "dist-tag latest"},
		{name: "backport below latest uses highest below", p: packument(map[string]string{"latest": "2.0.0"}, "1.0.0", "1.1.0", "2.0.0"), staged: "1.1.1", tag: "latest", want: "1.1.0", reason: "highest published version below 1.1.1 (dist-tag latest is 2.0.0, not lower)"},
		{name: "new tag falls back to highest below", p: packument(map[string]string{"latest": "1.2.0"}, "1.2.0"), staged: "2.0.0-beta.1", tag: "next", want: "1.2.0", reason: "highest published version below 2.0.0-beta.1"},
		{name: "prerelease candidates only for prerelease", p: packument(map[string]string{"latest": "1.0.0", "next": "2.0.0-alpha.1"}, "1.0.0", "2.0.0-alpha.1"), staged: "2.0.0", tag: "beta", want: "1.0.0"},
		{name: "prerelease staged sees prereleases", p: packument(map[string]string{"latest": "1.0.0", "next": "2.0.0-alpha.1"}, "1.0.0", "2.0.0-alpha.1"), staged: "2.0.0-alpha.2", tag: "next", want: "2.0.0-alpha.1", reason: "dist-tag next"},
		{name: "prerelease precedence numeric", p: packument(map[string]string{}, "2.0.0-alpha.2", "2.0.0-alpha.10"), staged: "2.0.0-alpha.11", want: "2.0.0-alpha.10"},
		{name: "first release nil packument", p: nil, staged: "1.0.0", tag: "latest", want: ""},
		{name: "first release nothing below", p: packument(map[string]string{"latest": "3.0.0"}, "3.0.0"), staged: "1.0.0", tag: "latest", want: ""},
		{name: "override", p: packument(map[string]string{"latest": "1.0.0"}, "0.9.0", "1.0.0"), staged: "1.0.1", tag: "latest", override: "0.9.0", want: "0.9.0", reason: "--base 0.9.0"},
		{name: "override unknown", p: packument(map[string]string{"latest": "1.0.0"}, "1.0.0"), staged: "1.0.1", override: "0.1.0", wantErr: true},
		{name: "semver not string order", p: packument(map[string]string{}, "1.9.0", "1.10.0"), staged: "1.11.0", want: "1.10.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PickBase(tt.p, tt.staged, tt.tag, tt.override)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.want {
				t.Errorf("base = %q, want %q (reason %q)", got.Version, tt.want, got.Reason)
			}
			if tt.reason != "" && got.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", got.Reason, tt.reason)
			}
		})
	}
}

func TestValidVersion(t *testing.T) {
	for v, want := range map[string]bool{"1.0.0": true, "1.0.0-beta.1": true, "1.0.0+build.5": true, "1.0": false, "latest": false, "v1.0.0": true} {
		if got := ValidVersion(v); got != want {
			t.Errorf("ValidVersion(%q) = %v, want %v", v, got, want)
		}
	}
}
