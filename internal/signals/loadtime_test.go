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
	spawn := "const { execSync } = require('child_process');\nexecSync('git status');\n"
	for _, tt := range []struct {
		name string
		new  map[string]string
		want Severity
	}{
		{name: "library main", new: map[string]string{"package.json": `{"name":"fx","main":"index.js"}`, "index.js": spawn}, want: Medium},
		{name: "a bin starts processes by design", new: map[string]string{"package.json": `{"name":"fx","bin":{"fx":"cli.js"}}`, "cli.js": spawn}, want: Low},
		{name: "not loaded", new: map[string]string{"package.json": `{"name":"fx","main":"index.js"}`, "index.js": "1", "scripts/x.js": spawn}, want: Low},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := map[string]string{"package.json": tt.new["package.json"], "index.js": "0"}
			r := assess(t, old, tt.new)
			for _, s := range r.Signals {
				if s.ID == ProcessSpawn {
					if s.Severity != tt.want {
						t.Errorf("severity %s, want %s: %+v", s.Severity, tt.want, s)
					}
					return
				}
			}
			t.Fatalf("no process-spawn: %+v", r.Signals)
		})
	}
}
