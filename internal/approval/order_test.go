package approval

import (
	"reflect"
	"testing"
)

func TestOrder(t *testing.T) {
	for _, tt := range []struct {
		name  string
		nodes []Node
		order []int
		deps  [][]int
	}{
		{name: "independent keep their order", nodes: []Node{{Name: "a"}, {Name: "b"}}, order: []int{0, 1}, deps: [][]int{nil, nil}},
		{name: "a dependency first", nodes: []Node{{Name: "@acme/ui", Deps: []string{"@acme/core", "react"}}, {Name: "@acme/core"}},
			order: []int{1, 0}, deps: [][]int{{1}, nil}},
		{name: "a chain", nodes: []Node{{Name: "c", Deps: []string{"b"}}, {Name: "b", Deps: []string{"a"}}, {Name: "a"}},
			order: []int{2, 1, 0}, deps: [][]int{{1}, {2}, nil}},
		{name: "a cycle stays in input order", nodes: []Node{{Name: "a", Deps: []string{"b"}}, {Name: "b", Deps: []string{"a"}}},
			order: []int{1, 0}, deps: [][]int{{1}, {0}}},
		{name: "two versions of one package", nodes: []Node{{Name: "ui", Deps: []string{"core"}}, {Name: "core"}, {Name: "core"}},
			order: []int{1, 2, 0}, deps: [][]int{{1, 2}, nil, nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			order, deps := Order(tt.nodes)
			if !reflect.DeepEqual(order, tt.order) || !reflect.DeepEqual(deps, tt.deps) {
				t.Errorf("order %v deps %v, want %v %v", order, deps, tt.order, tt.deps)
			}
		})
	}
}
