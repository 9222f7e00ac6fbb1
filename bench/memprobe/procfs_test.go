package main

import (
	"strings"
	"testing"
)

func TestKiB(t *testing.T) {
	const status = "Name:\tsgp\nVmHWM:\t   20256 kB\nVmRSS:\t   20256 kB\nRssAnon:\t   17508 kB\nRssFile:\t    2748 kB\nRssShmem:\t       0 kB\nThreads:\t5\n"
	tests := []struct {
		name string
		data string
		key  string
		want int64
	}{
		{"hwm", status, "VmHWM", 20256},
		{"zero", status, "RssShmem", 0},
		{"absent", status, "Rss", -1},
		{"not kB", status, "Threads", -1},
		{"prefix is not the key", "RssAnonX:\t5 kB\n", "RssAnon", -1},
		{"negative", "RssAnon:\t-5 kB\n", "RssAnon", -1},
		{"overflow", "RssAnon:\t99999999999999999999 kB\n", "RssAnon", -1},
		{"smaps_rollup", "00400000-7ffd [rollup]\nRss:  9 kB\nAnonymous:   1136 kB\n", "Anonymous", 1136},
		{"empty", "", "VmHWM", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kib([]byte(tt.data), tt.key)[tt.key]; got != tt.want {
				t.Errorf("kib(%q)[%s] = %d, want %d", tt.data, tt.key, got, tt.want)
			}
		})
	}
}

// FuzzKiB: whatever the text, every wanted key is present, and a value is
// either -1 or a number that occurs in the input.
func FuzzKiB(f *testing.F) {
	f.Add([]byte("VmHWM:\t   20256 kB\nRssAnon:\t1 kB\n"))
	f.Add([]byte("RssAnon:\n:\n kB kB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := kib(data, "VmHWM", "RssAnon")
		if len(m) != 2 {
			t.Fatalf("keys %v", m)
		}
		for k, v := range m {
			if v < -1 {
				t.Errorf("%s = %d", k, v)
			}
			if v >= 0 && !strings.Contains(string(data), k+":") {
				t.Errorf("%s = %d from input without the key", k, v)
			}
		}
	})
}
