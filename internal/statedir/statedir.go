// Package statedir finds stagegate's per-user state folder, as the XDG
// base directory spec places it: $XDG_STATE_HOME/stagegate, else
// ~/.local/state/stagegate. The audit log and review memory live there.
package statedir

import (
	"errors"
	"os"
	"path/filepath"
)

// Dir returns the state folder; it is not created here.
func Dir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "stagegate"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.Join(errors.New("no home folder (set XDG_STATE_HOME)"), err)
	}
	return filepath.Join(home, ".local", "state", "stagegate"), nil
}
