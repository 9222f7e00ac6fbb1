package pack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/stagegate/stagegate/internal/tarball"
)

// Synthetic rule-set names; the NUL byte keeps them apart from real file names.
const (
	defaultRulesKey = "\x00default"
	strictRulesKey  = "\x00strict"
)

// defaults are npm-packlist's rules applied in every folder.
var defaultRules = []string{
	".npmignore", ".gitignore", "**/.git", "**/.svn", "**/.hg", "**/CVS",
	"**/.git/**", "**/.svn/**", "**/.hg/**", "**/CVS/**", "/.lock-wscript",
	"/.wafpickle-*", "/build/config.gypi", "npm-debug.log", "**/.npmrc",
	".*.swp", ".DS_Store", "**/.DS_Store/**", "._*", "**/._*/**", "*.orig",
	"/archived-packages/**",
}

// maxFiles and maxBytes bound what Dir will read, so a seed folder or a
// mistaken path (a home folder) fails cleanly instead of exhausting memory.
const (
	maxFiles = 100_000
	maxBytes = 1 << 30
)

// Dir collects the files `npm pack` would put in the tarball of the package
// in dir: npm-packlist's rules (package.json "files", .npmignore, else
// .gitignore, always-included package.json/README/LICENSE/main/bin/browser,
// always-excluded .git, node_modules, .npmrc, lock files, ...). Only regular
// files are kept; symbolic links are never followed. bundleDependencies are
// not packed. Files are sorted by Path.
func Dir(dir string) ([]tarball.File, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("pack: %s is not a directory", dir)
	}
	return FS(os.DirFS(dir), ".")
}

// FS is Dir for a folder inside fsys (an embedded file system, for example).
// Files whose mode in fsys has no exec bit are still made executable when the
// manifest names them as a bin, as pacote does.
func FS(fsys fs.FS, root string) ([]tarball.File, error) {
	raw, err := fs.ReadFile(fsys, path.Join(root, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	var man manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, fmt.Errorf("pack: package.json: %w", err)
	}
	c := &collector{fsys: fsys, root: root, bins: man.binPaths()}
	w := &walker{c: c, dir: root, isPackage: true, man: &man,
		ignoreFiles: []string{defaultRulesKey, "package.json", ".npmignore", ".gitignore", strictRulesKey}}
	if err := w.walk(); err != nil {
		return nil, err
	}
	sort.Slice(c.files, func(i, j int) bool { return c.files[i].Path < c.files[j].Path })
	return c.files, nil
}

// manifest is the part of package.json npm-packlist reads.
type manifest struct {
	Files   []string        `json:"files"`
	Main    string          `json:"main"`
	Browser json.RawMessage `json:"browser"`
	Bin     json.RawMessage `json:"bin"`
	Name    string          `json:"name"`
}

// binPaths normalises "bin" (a string or an object) to clean relative paths,
// as read-package-json-fast does before npm-packlist sees it.
func (m *manifest) binPaths() []string {
	var out []string
	var one string
	var many map[string]string
	if json.Unmarshal(m.Bin, &one) == nil && one != "" {
		out = append(out, one)
	} else if json.Unmarshal(m.Bin, &many) == nil {
		keys := make([]string, 0, len(many))
		for k := range many {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, many[k])
		}
	}
	for i, p := range out {
		out[i] = strings.TrimPrefix(path.Clean("/"+p), "/")
	}
	return out
}

func (m *manifest) browserPath() string {
	var s string
	if json.Unmarshal(m.Browser, &s) == nil {
		return s
	}
	return "" // an object-valued browser field names no file to force in
}

type collector struct {
	fsys  fs.FS
	root  string
	bins  []string
	files []tarball.File
	bytes int64
}

func (c *collector) add(rel string) error {
	if len(c.files) >= maxFiles {
		return fmt.Errorf("pack: more than %d files", maxFiles)
	}
	full := path.Join(c.root, rel)
	data, err := fs.ReadFile(c.fsys, full)
	if err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	c.bytes += int64(len(data))
	if c.bytes > maxBytes {
		return fmt.Errorf("pack: package larger than %d bytes", maxBytes)
	}
	mode := uint32(0o644)
	if st, err := fs.Stat(c.fsys, full); err == nil && st.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	for _, b := range c.bins {
		if b == rel {
			mode = 0o755
		}
	}
	c.files = append(c.files, tarball.File{Path: rel, Mode: mode, Data: data})
	return nil
}

// walker is one folder of the walk: a port of ignore-walk's Walker and
// npm-packlist's PackWalker, keeping their rule precedence exactly.
type walker struct {
	c             *collector
	dir           string // path in fsys
	rel           string // path relative to the package root ("" at the root)
	parent        *walker
	isPackage     bool
	exact         bool
	man           *manifest
	ignoreFiles   []string
	rules         map[string][]*rule
	requiredFiles []string
}

func (w *walker) basename() string { return path.Base(w.dir) }

func (w *walker) inject(key string, lines []string) {
	var rs []*rule
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if r, ok := compileRule(l); ok {
			rs = append(rs, r)
		}
	}
	// Keep the key even when empty: an ignore file that exists still takes
	// precedence over the ones below it, as in npm-packlist.
	if rs == nil {
		rs = []*rule{}
	}
	w.rules[key] = rs
}

func (w *walker) walk() error {
	entries, err := fs.ReadDir(w.c.fsys, w.dir)
	if err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	w.rules = map[string][]*rule{}
	w.inject(defaultRulesKey, defaultRules)
	if !w.isPackage {
		strict := []string{"/.git"}
		for _, f := range w.requiredFiles {
			strict = append(strict, "!"+f)
		}
		w.inject(strictRulesKey, strict)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, name := range names {
		if !w.isIgnoreFile(name) {
			continue
		}
		if name == "package.json" && w.isPackage {
			w.processPackage()
			continue
		}
		data, err := fs.ReadFile(w.c.fsys, path.Join(w.dir, name))
		if err != nil {
			// A folder named .gitignore, say: ignore-walk errors here; we do too.
			return fmt.Errorf("pack: %w", err)
		}
		w.inject(name, strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"))
	}
	// Precedence: package.json "files" beats .npmignore beats .gitignore.
	if _, ok := w.rules["package.json"]; ok {
		delete(w.rules, ".npmignore")
		delete(w.rules, ".gitignore")
	} else if _, ok := w.rules[".npmignore"]; ok {
		delete(w.rules, ".gitignore")
	}
	for _, e := range entries {
		name := e.Name()
		passFile := w.filterEntry(name, false, "")
		passDir := w.filterEntry(name, true, "")
		if !passFile && !passDir {
			continue
		}
		if strings.Contains(name, "*") { // npm refuses names bad on Windows
			continue
		}
		// ReadDir's type comes from lstat: links and devices are never packed.
		switch t := e.Type(); {
		case t.IsRegular():
			if passFile {
				if err := w.c.add(path.Join(w.rel, name)); err != nil {
					return err
				}
			}
		case t.IsDir():
			if passDir {
				child := w.child(name, passFile || w.filterEntry(name+"/", false, ""))
				if err := child.walk(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *walker) isIgnoreFile(name string) bool {
	for _, f := range w.ignoreFiles {
		if f == name {
			return true
		}
	}
	return false
}

func (w *walker) child(name string, exact bool) *walker {
	var req []string
	for _, f := range w.requiredFiles {
		// Only files directly inside the child folder are passed down, as
		// npm-packlist's relative(file, entry) === '..' test does.
		if rest, ok := strings.CutPrefix(f, name+"/"); ok && rest != "" && !strings.Contains(rest, "/") {
			req = append(req, rest)
		}
	}
	return &walker{
		c: w.c, dir: path.Join(w.dir, name), rel: path.Join(w.rel, name), parent: w,
		exact: exact, requiredFiles: req,
		ignoreFiles: []string{defaultRulesKey, ".npmignore", ".gitignore", strictRulesKey},
	}
}

// processPackage builds the "package.json" and strict rule sets from the manifest.
func (w *walker) processPackage() {
	m := w.man
	var ignores []string
	strict := []string{
		"/.git", "!/package.json", "!/readme{,.*[^~$]}", "!/copying{,.*[^~$]}",
		"!/license{,.*[^~$]}", "!/licence{,.*[^~$]}", "/.git", "/node_modules",
		".npmrc", "/package-lock.json", "/yarn.lock", "/pnpm-lock.yaml", "/bun.lockb",
	}
	if m.Files != nil {
		for _, file := range m.Files {
			if strings.HasPrefix(file, "./") {
				file = file[1:]
			}
			if strings.HasSuffix(file, "/*") {
				file += "*"
			}
			inverse := "!" + file
			target := path.Join(w.dir, strings.TrimLeft(file, "!"))
			st, err := lstatFS(w.c.fsys, target)
			switch {
			case err != nil:
				ignores = append(ignores, inverse) // a pattern
			case st.Mode().IsRegular():
				strict = append([]string{inverse}, strict...)
				w.requiredFiles = append(w.requiredFiles, strings.TrimPrefix(file, "/"))
			case st.IsDir():
				ignores = append(ignores, inverse, inverse+"/**")
			}
		}
		w.inject("package.json", append([]string{"*"}, ignores...))
	}
	if b := m.browserPath(); b != "" {
		strict = append(strict, "!/"+b)
	}
	if m.Main != "" {
		strict = append(strict, "!/"+m.Main)
	}
	for _, b := range w.c.bins {
		strict = append(strict, "!/"+b)
	}
	w.inject(strictRulesKey, strict)
}

// lstatFS stats without following a final symbolic link where fsys allows it.
func lstatFS(fsys fs.FS, name string) (fs.FileInfo, error) {
	if name == "" || strings.Contains(name, "\x00") {
		return nil, errors.New("bad name")
	}
	if lf, ok := fsys.(fs.ReadLinkFS); ok {
		return lf.Lstat(name)
	}
	return fs.Stat(fsys, name)
}

// filterEntry is ignore-walk's filterEntry: the parent folders' rules decide
// first, then this folder's rule sets in order, the last hit winning.
func (w *walker) filterEntry(entry string, partial bool, entryBasename string) bool {
	included := true
	if w.parent != nil {
		pb := entryBasename
		if pb == "" {
			pb = entry
		}
		included = w.parent.filterEntry(w.basename()+"/"+entry, partial, pb)
		if !included && !w.exact {
			return false
		}
	}
	for _, key := range w.ignoreFiles {
		rs, ok := w.rules[key]
		if !ok {
			continue
		}
		for _, r := range rs {
			if r.negate == included {
				continue
			}
			rel := entryBasename != "" && r.isRelative()
			hit := r.match("/"+entry, false) || r.match(entry, false) ||
				partial && (r.match("/"+entry+"/", false) || r.match(entry+"/", false) ||
					r.negate && (r.match("/"+entry, true) || r.match(entry, true)) ||
					rel && (r.match("/"+entryBasename+"/", false) || r.match(entryBasename+"/", false) ||
						r.negate && (r.match("/"+entryBasename, true) || r.match(entryBasename, true))))
			if hit {
				included = r.negate
			}
		}
	}
	return included
}
