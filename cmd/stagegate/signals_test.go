package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestDemoSignals reviews every staged version of the demo over real HTTP
// (`stagegate diff --json`) and checks its signals against the demo's
// README (assets/demo/README.md): the ids each must raise, and the ones it
// must not. The attack imitations must be caught by more than a script
// check, and the benign releases must stay calm.
func TestDemoSignals(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		pkg, version string
		want         []string // must all fire
		quiet        []string // must not fire
		maxSeverity  string   // the most serious severity allowed ("" = anything)
	}{
		{pkg: "slugkit", version: "1.2.1", maxSeverity: "low"},
		{pkg: "termhue", version: "1.0.1",
			want:  []string{"obfuscated-code", "injected-long-line", "wallet-hook"},
			quiet: []string{"install-script", "publisher-changed"}},
		{pkg: "scopewalk", version: "2.1.2",
			want: []string{"install-script", "credential-access", "dynamic-code", "persistence", "new-endpoint", "unreferenced-file", "process-spawn"}},
		{pkg: "@acme/router", version: "1.5.2",
			want:  []string{"non-registry-dependency", "new-dependency", "large-file", "obfuscated-code", "unreferenced-file", "runner-token-access", "credential-access", "new-endpoint"},
			quiet: []string{"install-script", "publisher-changed"}},
		{pkg: "@acme/charts", version: "3.3.1",
			want:  []string{"binary-file"},
			quiet: []string{"obfuscated-code", "large-file"}, maxSeverity: "medium"},
		{pkg: "qlimit", version: "1.2.1",
			want: []string{"install-script", "self-propagation", "runner-token-access", "credential-access", "persistence", "ci-config", "large-file", "obfuscated-code", "unreferenced-file", "new-endpoint", "process-spawn", "publisher-changed"}},
		{pkg: "mdtoc", version: "0.5.0", want: []string{"new-dependency"}, maxSeverity: "medium"},
		{pkg: "@acme/forms", version: "1.9.1", maxSeverity: "low"},
		{pkg: "@acme/forms", version: "2.0.0-beta.1", want: []string{"entrypoint-changed"}, maxSeverity: "medium"},
		{pkg: "@acme/tokens", version: "0.1.0", maxSeverity: "low"}, // a first release: every file is new
	} {
		t.Run(tt.pkg+"@"+tt.version, func(t *testing.T) {
			it := f.find(tt.pkg, tt.version)
			r := f.run("diff", it.ID, "--json")
			if r.code != 0 {
				t.Fatalf("diff --json: exit %d: %s", r.code, r.stderr)
			}
			var rv struct {
				Signals []struct {
					ID, Severity, Path, Title string
					Line                      int
				} `json:"signals"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
				t.Fatal(err)
			}
			var got []string
			rank := map[string]int{"low": 1, "medium": 2, "high": 3}
			for _, s := range rv.Signals {
				got = append(got, s.ID)
				if tt.maxSeverity != "" && rank[s.Severity] > rank[tt.maxSeverity] {
					t.Errorf("%s is %s here (%s: %s); at most %s expected", s.ID, s.Severity, s.Path, s.Title, tt.maxSeverity)
				}
				if s.Title == "" {
					t.Errorf("signal %s has no title", s.ID)
				}
			}
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s does not fire; got %s", id, strings.Join(got, ", "))
				}
			}
			for _, id := range tt.quiet {
				if slices.Contains(got, id) {
					t.Errorf("%s fires but should stay quiet", id)
				}
			}
			for i := 1; i < len(rv.Signals); i++ {
				if rank[rv.Signals[i].Severity] > rank[rv.Signals[i-1].Severity] {
					t.Errorf("signals not sorted most serious first: %s after %s", rv.Signals[i].Severity, rv.Signals[i-1].Severity)
				}
			}
		})
	}
}
