package npmrc

import (
	"reflect"
	"testing"
)

func TestRegistries(t *testing.T) {
	tests := []struct {
		name    string
		user    string
		project string
		env     []string
		want    []ConfiguredRegistry
	}{
		{"default only", "", "", nil,
			[]ConfiguredRegistry{{URL: "https://registry.npmjs.org/", Default: true}}},
		{"scoped with and without auth",
			"registry=https://r.example/\n//r.example/:_authToken=t\n@corp:registry=https://corp.example/npm\n//corp.example/npm/:_authToken=u\n@open:registry=https://open.example/\n", "", nil,
			[]ConfiguredRegistry{
				{URL: "https://r.example/", Default: true, HasAuth: true},
				{URL: "https://corp.example/npm/", Scopes: []string{"@corp"}, HasAuth: true},
				{URL: "https://open.example/", Scopes: []string{"@open"}},
			}},
		{"scope on the default registry folds into it",
			"registry=https://r.example/\n@corp:registry=https://R.example\n", "", nil,
			[]ConfiguredRegistry{{URL: "https://r.example/", Default: true, Scopes: []string{"@corp"}}}},
		{"two scopes share a registry; project overrides user",
			"@b:registry=https://one.example/\n@a:registry=https://one.example/\n@c:registry=https://user.example/\n", "@c:registry=https://proj.example/\n", nil,
			[]ConfiguredRegistry{
				{URL: "https://registry.npmjs.org/", Default: true},
				{URL: "https://one.example/", Scopes: []string{"@a", "@b"}},
				{URL: "https://proj.example/", Scopes: []string{"@c"}},
			}},
		{"from the environment", "", "", []string{"npm_config_@env:registry=https://env.example/"},
			[]ConfiguredRegistry{
				{URL: "https://registry.npmjs.org/", Default: true},
				{URL: "https://env.example/", Scopes: []string{"@env"}},
			}},
		{"not a scope", "corp:registry=https://x.example/\n@:registry=https://y.example/\n", "", nil,
			[]ConfiguredRegistry{{URL: "https://registry.npmjs.org/", Default: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			l.write(t, "home/.npmrc", tt.user)
			l.write(t, "proj/.npmrc", tt.project)
			l.write(t, "proj/package.json", "{}")
			got := l.load(t, nil, tt.env...).Registries()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Registries() =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}
