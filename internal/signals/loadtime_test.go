package signals

import (
	"maps"
	"slices"
	"testing"
)

func TestLoadTimeFiles(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  map[string]string
	}{
		{name: "main and what it requires", files: map[string]string{
			"package.json": `{"main":"lib/index"}`, "lib/index.js": "require('./a'); import b from '../lib/b.mjs';",
			"lib/a.js": "module.exports = require('./c/');", "lib/c/index.js": "1", "lib/b.mjs": "export default 1", "lib/unused.js": "1"},
			want: map[string]string{"lib/index.js": "main", "lib/a.js": "main", "lib/c/index.js": "main", "lib/b.mjs": "main"}},
		{name: "root index.js is the default main", files: map[string]string{"package.json": `{}`, "index.js": "1"},
			want: map[string]string{"index.js": "main"}},
		{name: "exports conditions and bin", files: map[string]string{
			"package.json": `{"main":"a.js","exports":{".":{"import":"./esm/a.mjs","require":"./a.js"},"./x/*":"./x/*.js"},"bin":{"t":"cli.js"}}`,
			"a.js":         "1", "esm/a.mjs": "1", "cli.js": "require('./tool')", "tool.js": "1"},
			want: map[string]string{"a.js": "main", "esm/a.mjs": "exports", "cli.js": "bin", "tool.js": "bin"}},
		{name: "paths outside the package are not followed", files: map[string]string{
			"package.json": `{"main":"a.js"}`, "a.js": "require('../../etc/x'); require('./missing')"},
			want: map[string]string{"a.js": "main"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pkg(tt.files)
			got := loadTimeFiles(manifestOf(p), p)
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (keys %v)", got, tt.want, slices.Sorted(maps.Keys(got)))
			}
		})
	}
}

func TestLoadTimeRaise(t *testing.T) {
	// An obfuscated block (the chalk/debug injection) where the package
	// is loaded is high; the same block in a file nothing loads is medium.
	// Process spawning is not raised: libraries and CLIs do it by design.
	obf := "var _0x1a2b=['a'];(function(_0x3c4d,_0x5e6f){while(!![]){try{_0x3c4d['push'](_0x3c4d['shift']());break}catch(_0x7a8b){}}})(_0x1a2b,0x1);" +
		"var _0x9c0d=_0x1a2b[0x0],_0xe1f2=_0x9c0d,_0x1b2c=_0xe1f2,_0x3d4e=_0x1b2c,_0x5f6a=_0x3d4e,_0x7b8c=_0x5f6a,_0x9d0e=_0x7b8c,_0x1f2a=_0x9d0e;\n"
	spawn := "const { execSync } = require('child_process');\nexecSync('git status');\n"
	for _, tt := range []struct {
		name string
		new  map[string]string
		id   string
		want Severity
	}{
		{name: "obfuscated main", new: map[string]string{"package.json": `{"name":"fx","main":"index.js"}`, "index.js": "module.exports = 1;\n" + obf}, id: ObfuscatedCode, want: High},
		{name: "obfuscated, not loaded", new: map[string]string{"package.json": `{"name":"fx","main":"index.js"}`, "index.js": "0", "tools/x.js": "module.exports = 1;\n" + obf}, id: ObfuscatedCode, want: Medium},
		{name: "a spawn in the main file stays low", new: map[string]string{"package.json": `{"name":"fx","main":"index.js"}`, "index.js": spawn}, id: ProcessSpawn, want: Low},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := map[string]string{"package.json": tt.new["package.json"], "index.js": "0", "tools/x.js": "module.exports = 1;\n"}
			r := assess(t, old, tt.new)
			for _, s := range r.Signals {
				if s.ID == tt.id {
					if s.Severity != tt.want {
						t.Errorf("severity %s, want %s: %+v", s.Severity, tt.want, s)
					}
					return
				}
			}
			t.Fatalf("no %s: %+v", tt.id, r.Signals)
		})
	}
}
