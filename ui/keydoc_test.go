package ui

import (
	"os"
	"strings"
	"testing"
)

const keysBegin, keysEnd = "<!-- keys:begin (generated from ui/keys.go; go test ./ui -update) -->\n", "<!-- keys:end -->"

// TestREADMEKeysMatchKeymap keeps the README's key reference equal to the keymap.
func TestREADMEKeysMatchKeymap(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, keysBegin), strings.Index(s, keysEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the generated key section markers %q ... %q", keysBegin, keysEnd)
	}
	want := KeyReference()
	got := s[i+len(keysBegin) : j]
	if got == want {
		return
	}
	if updating() {
		s = s[:i+len(keysBegin)] + want + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md key section is out of date; run go test ./ui -update\n--- want\n%s--- got\n%s", want, got)
}
