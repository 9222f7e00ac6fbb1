package npmrc

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
)

// FromEnvironment loads the configuration for the running process: its
// environment, working directory and home directory, npm's global prefix
// derived from the node binary on PATH, and the builtin npmrc of the npm
// found on PATH (if any).
func FromEnvironment(flags map[string]string) (*Config, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, errors.New("npmrc: cannot determine the working directory")
	}
	home := os.Getenv("HOME")
	if home == "" {
		// Node's os.homedir() falls back to the password database
		if u, err := user.Current(); err == nil {
			home = u.HomeDir
		}
	}
	opts := Options{Flags: flags, Env: os.Environ(), Cwd: cwd, Home: home}
	if npm, err := exec.LookPath("npm"); err == nil {
		if real, err := filepath.EvalSymlinks(npm); err == nil {
			// <npm>/bin/npm-cli.js → <npm>/npmrc
			opts.Builtin = filepath.Join(filepath.Dir(filepath.Dir(real)), "npmrc")
		}
	}
	return Load(opts)
}
