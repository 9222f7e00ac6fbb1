package approval

import (
	"reflect"
	"testing"
)

func TestDependencyNames(t *testing.T) {
	for _, tt := range []struct {
		name, manifest string
		want           []string
	}{
		{"no dependencies", `{"name":"a","version":"1.0.0"}`, []string{}},
		{"installed sections, sorted and unique",
			`{"dependencies":{"b":"^1","a":"1.0.0"},"optionalDependencies":{"a":"*","c":"2"},"peerDependencies":{"react":">=18"}}`,
			[]string{"a", "b", "c", "react"}},
		{"devDependencies do not order a release", `{"devDependencies":{"@acme/core":"1.0.1"}}`, []string{}},
		{"npm: alias names what it installs",
			`{"dependencies":{"core":"npm:@acme/core@^1.0.1","lp":"npm:left-pad@1","bare":"npm:@acme/icons"}}`,
			[]string{"@acme/core", "@acme/icons", "left-pad"}},
		{"a section of the wrong shape is ignored", `{"dependencies":["a"],"peerDependencies":{"b":"1"}}`, []string{"b"}},
		{"a manifest that does not parse", `{"dependencies":`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DependencyNames([]byte(tt.manifest)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DependencyNames(%s) = %#v, want %#v", tt.manifest, got, tt.want)
			}
		})
	}
}
