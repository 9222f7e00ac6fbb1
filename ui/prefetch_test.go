package ui

import (
	"reflect"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

// The batch order reads the names a staged version installs: scoped
// names keep their "@", an npm: alias names its target.
func TestSummarizeDependencyNames(t *testing.T) {
	r := smallReview(registry.StageItem{ID: "x", PackageName: "@mono/ui", Version: "1.0.0"})
	r.Deps = []string{
		"dependencies:@mono/core@^1.0.0",
		"dependencies:core-alias@npm:@mono/core2@^2",
		"peerDependencies:react@>=18",
		"optionalDependencies:plain-alias@npm:left-pad@1",
		"dependencies:weird",
	}
	got := summarize(r).deps
	want := []string{"@mono/core", "@mono/core2", "react", "left-pad"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("deps = %q, want %q", got, want)
	}
}
