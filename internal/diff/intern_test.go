package diff

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestInterner checks the table against a map: ids are dense, in
// first-seen order, stable on repeats, across slot doublings and chunks.
func TestInterner(t *testing.T) {
	for _, tc := range []struct {
		name          string
		hint, n, span int
	}{
		{"empty", 0, 0, 1},
		{"one", 1, 50, 1},
		{"small hint, many distinct", 1, 5000, 3000},
		{"large hint, few distinct", 100000, 2000, 10},
		{"exactly one chunk", 8, 3 * internChunkLen, internChunkLen},
		{"several chunks", 16, 20000, 9000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.span)))
			in := newInterner(tc.hint)
			want := map[string]int32{}
			for k := 0; k < tc.n; k++ {
				s := "s" + strconv.Itoa(rng.IntN(tc.span))
				if k%7 == 0 {
					s = s[1:] // also short and empty-prefix strings
				}
				w, ok := want[s]
				if !ok {
					w = int32(len(want))
					want[s] = w
				}
				if got := in.id(s); got != w {
					t.Fatalf("id(%q) = %d, want %d", s, got, w)
				}
			}
			if in.len() != len(want) {
				t.Fatalf("len %d, want %d", in.len(), len(want))
			}
			for s, w := range want {
				if got := in.str(w); got != s {
					t.Fatalf("str(%d) = %q, want %q", w, got, s)
				}
			}
			if 2*in.len() > len(in.slots) {
				t.Fatalf("%d strings in %d slots: over half full", in.len(), len(in.slots))
			}
		})
	}
}

func TestInternerEmptyString(t *testing.T) {
	in := newInterner(0)
	if in.id("") != 0 || in.id("x") != 1 || in.id("") != 0 || in.len() != 2 {
		t.Fatal("the empty string is not interned like any other")
	}
}
