package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, tt := range []struct {
		unpacked int64
		env      string
		want     int64
	}{
		{unpacked: 40 << 20, want: 80 << 20},
		{unpacked: 1 << 20, want: minMemoryLimit}, // tiny packages: the floor
		{unpacked: 40 << 20, env: "1GiB", want: math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		t.Setenv("GOMEMLIMIT", tt.env)
		limitMemory(tt.unpacked)
		if got := debug.SetMemoryLimit(-1); got != tt.want {
			t.Errorf("limitMemory(%d) with GOMEMLIMIT=%q: limit %d, want %d", tt.unpacked, tt.env, got, tt.want)
		}
	}
}
