package approval

import "sort"

// A monorepo release stages versions that depend on each other: approve
// @acme/core before @acme/ui, which needs it, as pnpm does, and when
// @acme/core fails, do not publish what depends on it.

// Node is one version of a batch: its package name and the package names
// it depends on (any installed section).
type Node struct {
	Name string
	Deps []string
}

// Order returns the indexes of nodes in an order where every version comes
// after the batch's versions of the packages it depends on (the input
// order otherwise), and, per index, the indexes it depends on within the
// batch. A dependency cycle is broken where the walk first enters it.
func Order(nodes []Node) (order []int, dependsOn [][]int) {
	byName := map[string][]int{}
	for i, n := range nodes {
		byName[n.Name] = append(byName[n.Name], i)
	}
	dependsOn = make([][]int, len(nodes))
	for i, n := range nodes {
		seen := map[int]bool{}
		for _, d := range n.Deps {
			for _, j := range byName[d] {
				if j != i && !seen[j] {
					seen[j] = true
					dependsOn[i] = append(dependsOn[i], j)
				}
			}
		}
		sort.Ints(dependsOn[i])
	}
	state := make([]uint8, len(nodes)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return // done, or a cycle: its order stays the input's
		}
		state[i] = 1
		for _, j := range dependsOn[i] {
			visit(j)
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range nodes {
		visit(i)
	}
	return order, dependsOn
}
