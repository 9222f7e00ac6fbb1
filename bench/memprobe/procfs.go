package main

import (
	"bufio"
	"bytes"
	"strconv"
)

// kib parses the "Key:   1234 kB" lines of /proc/PID/status and
// /proc/PID/smaps_rollup and returns the values of the wanted keys in KiB.
// A key that is absent or malformed keeps the value -1, so a kernel that
// lacks a field (RssAnon appeared in 4.5) reads as "unknown", never as 0.
func kib(data []byte, keys ...string) map[string]int64 {
	out := make(map[string]int64, len(keys))
	for _, k := range keys {
		out[k] = -1
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Bytes()
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		key := string(line[:colon])
		if _, want := out[key]; !want {
			continue
		}
		fields := bytes.Fields(line[colon+1:])
		if len(fields) != 2 || string(fields[1]) != "kB" {
			continue
		}
		v, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil || v < 0 {
			continue
		}
		out[key] = v
	}
	return out
}
