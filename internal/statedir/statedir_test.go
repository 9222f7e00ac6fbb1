package statedir

import (
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if d, err := Dir(); err != nil || d != "/x/state/stagegate" {
		t.Errorf("XDG_STATE_HOME: %q %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative") // the spec ignores a relative path
	t.Setenv("HOME", "/home/u")
	if d, err := Dir(); err != nil || d != filepath.Join("/home/u", ".local", "state", "stagegate") {
		t.Errorf("fallback: %q %v", d, err)
	}
}
