package approval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

func pk(tags map[string]string, versions ...string) *registry.Packument {
	p := &registry.Packument{Name: "p", DistTags: tags, Versions: map[string]registry.Version{}}
	for _, v := range versions {
		p.Versions[v] = registry.Version{Version: v}
	}
	return p
}

func TestTagMove(t *testing.T) {
	for _, c := range []struct {
		name      string
		p         *registry.Packument
		tag, ver  string
		backwards bool
		say       string
	}{
		{"back", pk(map[string]string{"latest": "1.0.4"}, "1.0.4"), "latest", "1.0.1", true, "moves latest back from 1.0.4 to 1.0.1"},
		{"forward", pk(map[string]string{"latest": "1.0.4"}, "1.0.4"), "latest", "1.0.5", false, "moves latest from 1.0.4 to 1.0.5"},
		{"prerelease below", pk(map[string]string{"next": "2.0.0-beta.2"}), "next", "2.0.0-beta.1", true, "moves next back from 2.0.0-beta.2 to 2.0.0-beta.1"},
		{"new tag", pk(map[string]string{"latest": "1.0.4"}, "1.0.4"), "legacy", "0.9.9", false, "creates legacy at 0.9.9"},
		{"first release", nil, "latest", "1.0.0", false, "creates latest at 1.0.0"},
		{"invalid current", pk(map[string]string{"latest": "garbage"}), "latest", "1.0.0", false, "moves latest from garbage to 1.0.0"},
	} {
		m := MoveFor(c.p, c.tag, c.ver)
		if m.Backwards() != c.backwards || m.String() != c.say {
			t.Errorf("%s: Backwards %v %q, want %v %q", c.name, m.Backwards(), m.String(), c.backwards, c.say)
		}
	}
}

type pkFunc func(ctx context.Context, name string) (*registry.Packument, error)

func (f pkFunc) Packument(ctx context.Context, name string) (*registry.Packument, error) {
	return f(ctx, name)
}

// TestCurrentForStaleBase is issue 10 item 1: lodash 4.17.21 and 4.17.22
// staged over 4.17.20; once 4.17.21 is approved, 4.17.22's base is 4.17.21
// and a review against 4.17.20 is stale.
func TestCurrentForStaleBase(t *testing.T) {
	item := registry.StageItem{PackageName: "lodash", Version: "4.17.22", Tag: "latest"}
	before := pk(map[string]string{"latest": "4.17.20"}, "4.17.19", "4.17.20")
	after := pk(map[string]string{"latest": "4.17.21"}, "4.17.19", "4.17.20", "4.17.21")
	cur0, err := CurrentFor(context.Background(), pkFunc(func(context.Context, string) (*registry.Packument, error) { return before, nil }), item)
	if err != nil || cur0.Base != "4.17.20" || cur0.Tag.From != "4.17.20" {
		t.Fatalf("before: %+v %v", cur0, err)
	}
	if err := CheckReviewed("lodash", cur0.Base, cur0.Tag.From, cur0); err != nil {
		t.Fatalf("unchanged package reported as changed: %v", err)
	}
	cur1, err := CurrentFor(context.Background(), pkFunc(func(context.Context, string) (*registry.Packument, error) { return after, nil }), item)
	if err != nil || cur1.Base != "4.17.21" {
		t.Fatalf("after: %+v %v", cur1, err)
	}
	err = CheckReviewed("lodash", cur0.Base, cur0.Tag.From, cur1)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "compared against 4.17.20, now it is 4.17.21") {
		t.Fatalf("stale base: %v", err)
	}
	// Only the tag moved (a higher version published under another path):
	// the base is the same but the move shown is not the one made.
	tagOnly := Current{Base: "4.17.20", Tag: TagMove{Tag: "latest", From: "4.17.30", To: "4.17.22"}}
	if err := CheckReviewed("lodash", "4.17.20", "4.17.20", tagOnly); !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "moved from 4.17.20 to 4.17.30") {
		t.Fatalf("tag moved: %v", err)
	}
}

func TestCurrentForNoPackument(t *testing.T) {
	notFound := &registry.Error{Kind: registry.ErrNotFound}
	cur, err := CurrentFor(context.Background(), pkFunc(func(context.Context, string) (*registry.Packument, error) { return nil, notFound }), registry.StageItem{PackageName: "new", Version: "1.0.0", Tag: "latest"})
	if err != nil || cur.Base != "" || cur.Tag.From != "" {
		t.Fatalf("first release: %+v %v", cur, err)
	}
	boom := errors.New("connection reset")
	if _, err := CurrentFor(context.Background(), pkFunc(func(context.Context, string) (*registry.Packument, error) { return nil, boom }), registry.StageItem{PackageName: "x", Version: "1.0.0"}); !errors.Is(err, boom) {
		t.Fatalf("error not passed on: %v", err)
	}
}
