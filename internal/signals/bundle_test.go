package signals

import (
	"strings"
	"testing"
)

func TestBundleDivergence(t *testing.T) {
	src := "'use strict';\nfunction flat(a) {\n  return [].concat.apply([], a);\n}\nmodule.exports = flat;\n"
	min := "'use strict';function flat(a){return[].concat.apply([],a)}module.exports=flat;\n"
	payload := "!function(){try{var r=require,t=process.env.npm_package_description,e=require('./test/data');" +
		"var n=require('crypto').createDecipher('aes256',t)}catch(e){}}();\n"
	mapOf := func(sources ...string) string {
		return `{"version":3,"sources":["` + strings.Join(sources, `","`) + `"],"mappings":"AAAA"}`
	}
	for _, tt := range []struct {
		name     string
		old, new map[string]string
		fire     bool
	}{
		{name: "payload appended to x.min.js, x.js unchanged", fire: true,
			old: map[string]string{"index.js": src, "index.min.js": min},
			new: map[string]string{"index.js": src, "index.min.js": min + payload}},
		{name: "rebuilt from a changed source",
			old: map[string]string{"index.js": src, "index.min.js": min},
			new: map[string]string{"index.js": src + "flat.deep = 1;\n", "index.min.js": min + "flat.deep=1;\n"}},
		{name: "toolchain reformat adds no string",
			old: map[string]string{"index.js": src, "index.min.js": min},
			new: map[string]string{"index.js": src, "index.min.js": strings.ReplaceAll(min, "a)", "n)")}},
		{name: "bundle and its source map's sources unchanged", fire: true,
			old: map[string]string{"src/a.js": src, "dist/a.js": min + "//# sourceMappingURL=a.js.map\n", "dist/a.js.map": mapOf("../src/a.js")},
			new: map[string]string{"src/a.js": src, "dist/a.js": min + payload + "//# sourceMappingURL=a.js.map\n", "dist/a.js.map": mapOf("../src/a.js")}},
		{name: "webpack source paths", fire: true,
			old: map[string]string{"src/a.js": src, "dist/a.js": min, "dist/a.js.map": mapOf("webpack://pkg/../src/a.js")},
			new: map[string]string{"src/a.js": src, "dist/a.js": min + payload, "dist/a.js.map": mapOf("webpack://pkg/../src/a.js")}},
		{name: "no source shipped: nothing to compare",
			old: map[string]string{"dist/a.js": min}, new: map[string]string{"dist/a.js": min + payload}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := assess(t, tt.old, tt.new)
			var got *Signal
			for i := range r.Signals {
				if r.Signals[i].ID == BundleDivergence {
					got = &r.Signals[i]
				}
			}
			if (got != nil) != tt.fire {
				t.Fatalf("fired %v, want %v: %+v", got != nil, tt.fire, r.Signals)
			}
			if got != nil && (got.Severity != High || !strings.Contains(got.Detail, "crypto")) {
				t.Errorf("%+v", *got)
			}
		})
	}
}
