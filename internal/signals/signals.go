// Package signals flags, in the diff of a staged release against its base,
// the changes that real npm supply-chain attacks made: install scripts,
// non-registry dependencies, credential and runner-token access, dynamic
// code, obfuscation, injected lines, hidden Unicode and the rest of the
// catalogue in architecture.md §4.
//
// Detectors score transitions, not presence: what the staged version adds
// or changes relative to its base. A pattern already present in the base
// is not news; the same pattern appearing for the first time is. Every
// detector reads full file contents or full added lines; only display is
// ever truncated. Nothing from a tarball is executed: detection is text
// and JSON only.
package signals

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
	"github.com/stagegate/stagegate/internal/termsafe"
)

// Severity of a signal, as in the review JSON contract.
type Severity string

// Severities, most serious first.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

func (s Severity) rank() int {
	switch s {
	case High:
		return 0
	case Medium:
		return 1
	}
	return 2
}

// AtLeast reports whether s is as serious as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.rank() <= t.rank() }

// ParseSeverity reads "high", "medium" or "low".
func ParseSeverity(v string) (Severity, bool) {
	switch s := Severity(v); s {
	case High, Medium, Low:
		return s, true
	}
	return "", false
}

// raise moves a severity up one level.
func (s Severity) raise() Severity {
	if s == Low {
		return Medium
	}
	return High
}

// Signal ids: the contract of architecture.md §4.
const (
	InstallScript         = "install-script"
	NonRegistryDependency = "non-registry-dependency"
	RunnerTokenAccess     = "runner-token-access"
	CredentialAccess      = "credential-access"
	DynamicCode           = "dynamic-code"
	SelfPropagation       = "self-propagation"
	Persistence           = "persistence"
	IntegrityMismatch     = "integrity-mismatch"
	ObfuscatedCode        = "obfuscated-code"
	InjectedLongLine      = "injected-long-line"
	EncodedBlob           = "encoded-blob"
	LargeFile             = "large-file"
	UnreferencedFile      = "unreferenced-file"
	NewDependency         = "new-dependency"
	BinaryFile            = "binary-file"
	NewEndpoint           = "new-endpoint"
	WalletHook            = "wallet-hook"
	EntrypointChanged     = "entrypoint-changed"
	CIConfig              = "ci-config"
	HiddenUnicode         = "hidden-unicode"
	ControlCharacters     = "control-characters"
	ProcessSpawn          = "process-spawn"
	PublisherChanged      = "publisher-changed"
	SecretInTarball       = "secret-in-tarball"
	ManifestInvalid       = "manifest-invalid"
	EntrypointMissing     = "entrypoint-missing"
	TarballAnomaly        = "tarball-anomaly"
	DependencyRisk        = "dependency-risk"
	ProvenanceDropped     = "provenance-dropped"
	BundleDivergence      = "bundle-divergence"
)

// DefaultSeverity is the contract's default severity of a signal id.
func DefaultSeverity(id string) Severity {
	switch id {
	case InstallScript, NonRegistryDependency, RunnerTokenAccess, CredentialAccess,
		DynamicCode, SelfPropagation, Persistence, IntegrityMismatch,
		SecretInTarball, ManifestInvalid, TarballAnomaly, DependencyRisk, ProvenanceDropped, BundleDivergence:
		return High
	case ProcessSpawn, PublisherChanged:
		return Low
	}
	return Medium
}

// isCodeSignal reports whether id is about what code does; such a signal
// in a file that runs at install time is raised one level.
func isCodeSignal(id string) bool {
	switch id {
	case RunnerTokenAccess, CredentialAccess, DynamicCode, SelfPropagation, Persistence,
		ObfuscatedCode, InjectedLongLine, EncodedBlob, NewEndpoint, WalletHook,
		HiddenUnicode, ProcessSpawn:
		return true
	}
	return false
}

// Signal is one finding, in the shape of the review JSON contract. Path,
// Title and Detail may hold text from the tarball: they are untrusted and
// reach a terminal only through termsafe.
type Signal struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Path     string   `json:"path"` // "package.json" for manifest signals, "" for the tarball as a whole
	Line     int      `json:"line"` // 1-based line in the staged file; 0 when not about a line
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
}

// Publisher is who published or staged a version.
type Publisher struct {
	Version string // the version published
	Name    string // npm user name, or the actor of a stage item
	Type    string // actorType when known ("user", "ci", a trusted publisher…); "" otherwise
	// Trusted says the version was published by a trusted publisher
	// (OIDC: _npmUser.trustedPublisher, or such an actorType).
	Trusted bool
	// Provenance says the version carries dist.attestations.
	Provenance bool
}

// Input is what the detectors see.
type Input struct {
	Old *tarball.Package // the base; nil for a first release
	New *tarball.Package // the staged (or newer) version
	// Diff is the comparison of Old and New; required.
	Diff *diff.Result
	// StagedVerified and BaseVerified say whether each tarball matched the
	// registry's record (the review's verified flags).
	StagedVerified, BaseVerified bool
	// Actor is who staged the version (stage item actor/actorType), when known.
	Actor Publisher
	// Recent are the publishers of the latest live versions, newest first,
	// when the packument was read.
	Recent []Publisher
	// Name and Version are what the stage record (or the registry) says the
	// staged tarball is; empty when unknown (a compare of two local folders).
	Name, Version string

	// Base is who published the base version and how (trusted
	// publisher, provenance), from its packument entry, when known.
	Base Publisher

	// Deps holds registry facts about dependency packages, by name, for
	// the dependencies the staged version adds or re-points; nil when no
	// lookups were made (a compare of local files). DepsMissing names the
	// lookups that failed, with why; signals say which facts are missing.
	Deps        map[string]DependencyFacts
	DepsMissing map[string]string
	// Now is when the review ran: dependency ages are measured from it.
	// Zero skips the age rules.
	Now time.Time
	// BaseTime is when the base version was published; zero when unknown.
	BaseTime time.Time
}

// Analyze runs every detector and returns the signals, most serious first
// (then by path and line). It never returns nil.
func Analyze(in Input) []Signal { return Assess(in).Signals }

// Report is what Assess finds: the signals and the release's risk.
type Report struct {
	Signals []Signal
	Risk    Risk
}

// Assess runs every detector, corroborates capabilities that combine in a
// file, and rolls the signals up into the release's risk.
func Assess(in Input) Report {
	c := newContext(in)
	manifestSignals(c)
	contentSignals(c)
	structureSignals(c)
	integritySignals(c)
	bundleSignals(c)
	corroborate(c)
	sigs := c.finish()
	return Report{Signals: sigs, Risk: rollUp(sigs, c.reasons)}
}

// context is the shared state of one analysis: parsed manifests, the
// files that run at install time, and the signals found so far.
type context struct {
	in          Input
	oldManifest map[string]any // nil when absent or not a JSON object
	newManifest map[string]any
	installTime map[string]string // package path -> the lifecycle script or mechanism that runs it
	signals     []Signal
	caps        map[string]*fileCaps // package path -> what its new code can do
	twins       map[string]string    // renamed hashed chunk -> the base chunk it replaces
	reasons     []string             // risk reasons found by corroboration
}

func newContext(in Input) *context {
	c := &context{in: in}
	if in.Diff == nil {
		c.in.Diff = &diff.Result{}
	}
	c.in.Diff, c.twins = pairRenamedChunks(c.in.Diff, in.Old, in.New)
	c.oldManifest = manifestOf(in.Old)
	c.newManifest = manifestOf(in.New)
	c.installTime = installTimeFiles(c.newManifest, in.New)
	return c
}

func manifestOf(p *tarball.Package) map[string]any {
	f := p.Lookup("package.json")
	if f == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(stripBOM(f.Data), &m) != nil {
		return nil
	}
	return m
}

// stripBOM drops a UTF-8 byte order mark, which npm's JSON parser skips.
func stripBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// add records a signal with its id's default severity.
func (c *context) add(id, path string, line int, title, detail string) {
	c.signals = append(c.signals, Signal{ID: id, Severity: DefaultSeverity(id), Path: path, Line: line, Title: title, Detail: detail})
}

// addSeverity records a signal with an explicit severity.
func (c *context) addSeverity(id string, sev Severity, path string, line int, title, detail string) {
	c.signals = append(c.signals, Signal{ID: id, Severity: sev, Path: path, Line: line, Title: title, Detail: detail})
}

// finish raises code signals in install-time files, and sorts.
func (c *context) finish() []Signal {
	out := make([]Signal, 0, len(c.signals))
	var loadTime map[string]string
	for _, s := range c.signals {
		if why, ok := c.installTime[s.Path]; ok && isCodeSignal(s.ID) && !strings.HasSuffix(s.Detail, messageOnly) {
			s.Severity = s.Severity.raise()
			s.Detail = strings.TrimSpace(s.Detail + " Runs at install time (" + why + ").")
		} else if s.Path != "" && s.Severity != High && loadTimeRaise(s) {
			if loadTime == nil {
				loadTime = loadTimeFiles(c.newManifest, c.in.New)
			}
			// A command-line tool is there to start processes: its bin
			// raises only what is not process spawning.
			if why, ok := loadTime[s.Path]; ok && !(why == "bin" && s.ID == ProcessSpawn) {
				s.Severity = s.Severity.raise()
				s.Detail = strings.TrimSpace(s.Detail + " Runs whenever the package is loaded (reached from its " + why + ").")
			}
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.ID < b.ID
	})
	return out
}

// oldFile and newFile return a path's content on each side, nil when absent.
func (c *context) oldFile(path string) []byte {
	if twin, ok := c.twins[path]; ok {
		path = twin
	}
	if f := c.in.Old.Lookup(path); f != nil {
		return f.Data
	}
	return nil
}

func (c *context) newFile(path string) []byte {
	if f := c.in.New.Lookup(path); f != nil {
		return f.Data
	}
	return nil
}

// clip is termsafe.Clip: registry and file text cut to a byte budget.
func clip(s string, n int) string { return termsafe.Clip(s, n) }

// numberedLine is a line of a diff with its 1-based line number on its side.
type numberedLine struct {
	No   int
	Text string
}

// added returns the lines a changed file adds: every line of a new text
// file, the added lines of a modified one (for a token diff, the added
// token runs, whole). Removed files add nothing.
func added(fd *diff.FileDiff) []numberedLine { return linesOf(fd, diff.Add) }

// removed returns the lines a changed file removes, as added does.
func removed(fd *diff.FileDiff) []numberedLine { return linesOf(fd, diff.Del) }

// linesOf returns a diff's lines of one kind, numbered on their own side.
func linesOf(fd *diff.FileDiff, kind diff.LineKind) []numberedLine {
	var out []numberedLine
	for _, h := range fd.Hunks {
		for _, l := range h.Lines {
			if l.Kind != kind {
				continue
			}
			no := l.NewNo
			if kind == diff.Del {
				no = l.OldNo
			}
			out = append(out, numberedLine{No: no, Text: l.Text})
		}
	}
	return out
}

// lifecycleScripts are the scripts npm runs on install (and prepare, which
// it runs for git dependencies and local installs), in the order it runs them.
func lifecycleScripts() []string {
	return []string{"preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare", "prepack"}
}

// installTimeFiles maps the package files that run at install time to
// what runs them: a file named in a lifecycle script, and binding.gyp when
// npm would run node-gyp for it.
func installTimeFiles(m map[string]any, p *tarball.Package) map[string]string {
	out := map[string]string{}
	scripts, _ := m["scripts"].(map[string]any)
	for _, name := range lifecycleScripts() {
		cmd, ok := scripts[name].(string)
		if !ok {
			continue
		}
		for _, path := range scriptFiles(cmd) {
			if p.Lookup(path) != nil {
				if _, seen := out[path]; !seen {
					out[path] = name + " script"
				}
			}
		}
	}
	if p.Lookup("binding.gyp") != nil {
		_, hasInstall := scripts["install"]
		_, hasPre := scripts["preinstall"]
		if !hasInstall && !hasPre {
			out["binding.gyp"] = "npm runs node-gyp rebuild for a binding.gyp"
		}
	}
	return out
}

// scriptFiles returns the package paths a script command refers to: every
// word that looks like a relative file path (node x.js, sh ./y.sh,
// bun run z.ts), normalised to a package path.
func scriptFiles(cmd string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(cmd, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '&' || r == '|' || r == ';' || r == '"' || r == '\'' || r == '(' || r == ')' || r == '<' || r == '>'
	}) {
		if strings.HasPrefix(w, "-") || strings.Contains(w, "://") || strings.HasPrefix(w, "/") || strings.HasPrefix(w, "$") {
			continue
		}
		w = strings.TrimPrefix(w, "./")
		if w == "" || strings.HasPrefix(w, "../") || !strings.Contains(w, ".") {
			continue
		}
		out = append(out, w)
	}
	return out
}
