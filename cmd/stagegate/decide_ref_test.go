package main

import (
	"strings"
	"testing"
)

// TestApproveAndRejectByNameVersion: name@version of a staged version is
// accepted wherever a stage id is (architecture.md §2).
func TestApproveAndRejectByNameVersion(t *testing.T) {
	f := newFixture(t)
	if r := f.run("approve", "slugkit@1.2.1", "--otp", f.code()); r.code != 0 || !strings.Contains(r.stdout, "slugkit@1.2.1 approved") {
		t.Fatalf("approve slugkit@1.2.1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ok, latest := f.published("slugkit", "1.2.1"); !ok || latest != "1.2.1" {
		t.Fatalf("not published: %v %s", ok, latest)
	}
	if r := f.run("reject", "termhue@1.0.1", "--otp", f.code(), "--yes"); r.code != 0 || !strings.Contains(r.stdout, "rejected") {
		t.Fatalf("reject termhue@1.0.1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := f.run("approve", "slugkit@9.9.9", "--otp", f.code())
	if r.code != 1 || !strings.Contains(r.stderr, "no staged version slugkit@9.9.9") {
		t.Errorf("unknown version: exit %d %q", r.code, r.stderr)
	}
	if r := f.run("approve", "not-an-id", "--otp", f.code()); r.code != 2 {
		t.Errorf("neither id nor name@version: exit %d %q", r.code, r.stderr)
	}
}
