package signals

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/tarball"
)

// The structural detectors look at the shape of what a release adds
// rather than at what the code does: files that become minified or carry
// obfuscator markers, long lines injected into readable files, encoded
// blobs, size jumps, new files nothing reaches, binaries, CI and agent
// configuration, hidden Unicode and raw control characters.
//
// Cost: the typescript pair adds about 9 MB of text in 30 files, so text
// detectors never walk added text line by line with several searches per
// line. The added lines of a file are joined once into one buffer (a new
// file is used as is), and every detector runs a few whole-buffer
// searches on distinctive literals (SIMD IndexByte/Index) or a skip-ahead
// scan, then does exact work only around the rare hits. Identifiers here
// carry an "st" prefix because the package is shared with other
// detector files written in parallel.

// Thresholds, with the reason for each value.
const (
	// stMinifiedMinSize: below this a file is too small for line-length
	// statistics to mean anything (the diff package uses the same floor).
	stMinifiedMinSize = 2000
	// stMinifiedMeanLine and stMinifiedWhitespace: the catalogue's B2
	// "mean line length > 200, whitespace ratio < 5%".
	stMinifiedMeanLine   = 200
	stMinifiedWhitespace = 0.05
	// stHexIDMin: javascript-obfuscator names every binding _0x…; ten of
	// them is far beyond a stray hex constant written after an underscore.
	stHexIDMin = 10
	// stBracketCallMin: obfuscators that rename with short mangled names
	// instead of _0x still call every method through a string, as
	// x['push'](…), because the names live in the string table; minifiers
	// (terser, esbuild) rewrite such calls to x.push(…), and hand-written
	// code uses the form for a reserved word or two, not a dozen.
	stBracketCallMin = 12
	// stFromCharCodeArgs: String.fromCharCode with this many arguments
	// spells a string out of numbers.
	stFromCharCodeArgs = 10
	// stJSFuckRun: JSFuck is written with []()!+ only; 24 such characters
	// in a row do not occur in ordinary code.
	stJSFuckRun = 24
	// stEscapeLiteralMin and stEscapeDensity: a literal of at least 40
	// source bytes of which 30% or more are \x or \u escapes ("highly
	// escaped" strings in OpenSSF package-analysis). Short literals such as
	// "\u2028" are all escape and mean nothing.
	stEscapeLiteralMin = 40
	stEscapeDensity    = 0.30
	// stLongLine and stReadableMaxLine: B3, a line over 1,000 bytes added
	// to a file whose longest line was under 300.
	stLongLine        = 1000
	stReadableMaxLine = 300
	// stBlobMin, stHexMin: B4's base64 and high-entropy literals of 200
	// characters and more, hex runs of 64 and more.
	stBlobMin = 200
	stHexMin  = 64
	// stBlobEntropy: 5 bits per character needs at least 32 symbols in
	// near-even use; text, identifiers and paths stay near 4-4.5.
	stBlobEntropy = 5.0
	// stBase64Entropy: random base64 of 200+ characters measures about 5.7
	// bits per character; long camelCase words or repeated padding stay
	// under 4.5, so this only drops runs that are not encoded data.
	stBase64Entropy = 4.5
	// Sizes (B1). Every new file over 256 KB counts, JavaScript included:
	// the catalogue's looser 512 KB for JS would miss the 498 KB
	// echarts-for-react payload and the demo's 400 KB router_init.js, and
	// a new quarter-megabyte file in a patch release deserves a look.
	// Declaration and source-map files never run (tsc and debuggers read
	// them) and grow with their bundles, so they get 1 MiB.
	stLargeNew       = 256 << 10
	stLargeNewInert  = 1 << 20
	stGrowthBytes    = 100 << 10
	stGrowthRatio    = 1.5
	stTotalRatio     = 1.25
	stTotalMinGrowth = 100 << 10
	// stLenientBudget bounds the fallback search for unreferenced files to
	// this many times the package's text size, keeping the check linear.
	stLenientBudget = 16
)

// structureSignals runs the structural detectors: obfuscated-code,
// injected-long-line, encoded-blob, large-file, unreferenced-file,
// binary-file, ci-config, hidden-unicode, control-characters.
func structureSignals(c *context) {
	s := &stScan{c: c, first: c.in.Old == nil, blobClass: newStClass(stBlobByte), hexClass: newStClass(stIsHex)}
	for i := range c.in.Diff.Files {
		fd := &c.in.Diff.Files[i]
		if fd.Status == diff.Removed {
			continue
		}
		s.file(fd)
	}
	s.largeFiles()
	s.unreferenced()
}

// stScan is one run of the structural detectors: the context and a
// scratch buffer reused from file to file for joined added lines.
type stScan struct {
	c         *context
	first     bool // a first release: no base, every file is new
	buf       []byte
	blobClass stClass
	hexClass  stClass
	native    uint8 // whether the base shipped native code: 0 unknown, 1 yes, 2 no
	minified  uint8 // whether the base shipped minified JavaScript: 0 unknown, 1 yes, 2 no
}

func (s *stScan) file(fd *diff.FileDiff) {
	newData := s.c.newFile(fd.Path)
	oldData := s.c.oldFile(fd.Path)
	s.ciConfig(fd, newData)
	s.binary(fd, oldData, newData)
	if fd.Status == diff.ModeOnly || tarball.IsBinary(newData) {
		if fd.Status == diff.Added {
			s.pathChars(fd.Path)
		}
		return
	}
	a := s.addedText(fd, newData) // a binary file turned text is scanned whole
	var oldAdded *stAdded         // removed text, built only when a count needs it
	removedText := func() *stAdded {
		if oldAdded == nil {
			oldAdded = stRemovedText(fd)
		}
		return oldAdded
	}
	var pathHidden, pathControl []string
	if fd.Status == diff.Added {
		pathHidden, pathControl = stPathChars(fd.Path)
	}
	s.hiddenAndControl(fd, a, removedText, pathHidden, pathControl)
	js := stIsJS(fd.Path) || stIsNodeScript(newData)
	if !stIsLockfile(fd.Path) && !strings.HasSuffix(fd.Path, ".map") {
		s.blobs(fd, a, oldData)
	}
	if js {
		s.obfuscation(fd, a, oldData, newData)
	}
	if fd.Status == diff.Modified && (js || stIsScript(fd.Path)) {
		s.injectedLine(fd, a, oldData, newData)
	}
}

// ---------------------------------------------------------------------------
// Added text

// stRegion is a run of consecutive added lines in an stAdded buffer.
type stRegion struct {
	start, end int // bytes of the buffer
	line       int // 1-based line number of start in the staged file
}

// stAdded is the added text of one file: one buffer holding each run of
// consecutive added lines joined by "\n", runs separated by a NUL byte so
// that no pattern spans two runs. For a new file the buffer is the file.
type stAdded struct {
	text    []byte
	regions []stRegion
	// longNo is the first added line over stLongLine bytes (0 if none);
	// for a token diff it may be a fragment of a longer line.
	longNo, longLen int
	// wholeFile: text is the staged file itself (offset 0 is the file's start).
	wholeFile bool
}

// addedText collects what fd adds. It reuses s.buf.
//
// A new file is its own added text. So is a modified file whose diff
// lines cost more to walk and copy than scanning its unchanged bytes
// would: a regenerated lib/typescript.js (370,000 diff lines, 95% of it
// changed), or lib/tsserver.js cut from 8.6 MB to 26 KB (190,000 removed
// lines to step over). Every detector judges its hits against the base
// file anyway: a blob or marker the base already had is not reported,
// and character counts are then compared with the base file's.
func (s *stScan) addedText(fd *diff.FileDiff, newData []byte) *stAdded {
	whole := fd.Status == diff.Added || fd.Binary // a binary base has no text hunks
	if !whole && !fd.TokenDiff {
		diffLines := 0
		for _, h := range fd.Hunks {
			diffLines += len(h.Lines)
		}
		newLines := max(bytes.Count(newData, []byte{'\n'}), 1)
		unchanged := int64(len(newData)) * int64(max(newLines-fd.LinesAdded, 0)) / int64(newLines)
		// About 12 bytes of scanning cost as much as walking one diff
		// line and copying its text (measured on the typescript pair).
		whole = int64(diffLines)*12 >= unchanged
	}
	if whole {
		return stWhole(newData)
	}
	a := stJoin(fd, diff.Add, s.buf[:0])
	s.buf = a.text
	return a
}

func stWhole(data []byte) *stAdded {
	a := &stAdded{text: data, wholeFile: true}
	if len(data) > 0 {
		a.regions = []stRegion{{0, len(data), 1}}
	}
	return a
}

// stRemovedText joins what fd removes, as addedText joins what it adds
// (line numbers are then the base's).
func stRemovedText(fd *diff.FileDiff) *stAdded { return stJoin(fd, diff.Del, nil) }

func stJoin(fd *diff.FileDiff, kind diff.LineKind, buf []byte) *stAdded {
	a := &stAdded{}
	// Size the buffer first: growing it by appends would copy a large
	// file's added text several times over.
	need := 0
	for _, h := range fd.Hunks {
		for _, l := range h.Lines {
			if l.Kind == kind {
				need += len(l.Text) + 2
			}
		}
	}
	if cap(buf) < need {
		buf = make([]byte, 0, need)
	}
	open := false
	prevNo := 0
	for _, h := range fd.Hunks {
		for _, l := range h.Lines {
			no := l.NewNo
			if kind == diff.Del {
				no = l.OldNo
			}
			if l.Kind != kind {
				if open {
					a.regions[len(a.regions)-1].end = len(buf) - 1 // without the last "\n"
					buf = append(buf, 0)
					open = false
				}
				continue
			}
			if open && no != prevNo+1 {
				a.regions[len(a.regions)-1].end = len(buf) - 1
				buf = append(buf, 0)
				open = false
			}
			if !open {
				a.regions = append(a.regions, stRegion{start: len(buf), line: no})
				open = true
			}
			if len(l.Text) > stLongLine && a.longNo == 0 {
				a.longNo, a.longLen = no, len(l.Text)
			}
			buf = append(buf, l.Text...)
			buf = append(buf, '\n')
			prevNo = no
		}
		if open {
			a.regions[len(a.regions)-1].end = len(buf) - 1
			buf = append(buf, 0)
			open = false
		}
	}
	a.text = buf
	return a
}

// lineAt is the staged line number of byte off of a.text. It counts
// newlines from the start of off's region: call it for the few hits that
// are reported, not for every hit.
func (a *stAdded) lineAt(off int) int {
	k := sort.Search(len(a.regions), func(i int) bool { return a.regions[i].start > off }) - 1
	if k < 0 {
		return 0
	}
	r := a.regions[k]
	return r.line + bytes.Count(a.text[r.start:min(off, len(a.text))], []byte{'\n'})
}

// atFileStart reports whether off is the first byte of the staged file.
func (a *stAdded) atFileStart(off int) bool {
	if a.wholeFile {
		return off == 0
	}
	for _, r := range a.regions {
		if r.start == off && r.line == 1 {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// obfuscated-code

// stMinified reports whether data reads as minified: at least
// stMinifiedMinSize bytes, and a mean line over 200 bytes or under 5%
// whitespace. It returns the mean line length and whitespace ratio too.
func stMinified(data []byte) (minified bool, mean float64, ws float64) {
	if len(data) == 0 {
		return false, 0, 1
	}
	lines := bytes.Count(data, []byte{'\n'})
	if data[len(data)-1] != '\n' {
		lines++
	}
	mean = float64(len(data)) / float64(max(lines, 1))
	spaces := bytes.Count(data, []byte{' '})
	if float64(spaces) >= stMinifiedWhitespace*float64(len(data)) {
		ws = float64(spaces) / float64(len(data)) // enough already: skip the other counts
	} else {
		n := spaces + lines + bytes.Count(data, []byte{'\t'}) + bytes.Count(data, []byte{'\r'})
		ws = float64(n) / float64(len(data))
	}
	minified = len(data) >= stMinifiedMinSize && (mean > stMinifiedMeanLine || ws < stMinifiedWhitespace)
	return minified, mean, ws
}

func (s *stScan) obfuscation(fd *diff.FileDiff, a *stAdded, oldData, newData []byte) {
	var reasons, tags []string
	line := 0
	sev := DefaultSeverity(ObfuscatedCode)
	note := func(off int, tag, reason string) {
		reasons = append(reasons, reason)
		tags = append(tags, tag)
		if l := a.lineAt(off); line == 0 || (l > 0 && l < line) {
			line = l
		}
	}
	// Markers in the added text that the base file did not have.
	if n, off := stCountHexIDs(a.text); n >= stHexIDMin {
		if base, _ := stCountHexIDs(oldData); base < stHexIDMin {
			note(off, "_0x names", fmt.Sprintf("%d _0x… identifiers", n))
		}
	}
	if n, off, rot := stBracketCalls(a.text); n > 0 {
		var base, baseRot int
		if rot >= 0 || n >= stBracketCallMin {
			base, _, baseRot = stBracketCalls(oldData)
		}
		if rot >= 0 && baseRot < 0 {
			note(rot, "string array rotation", "string table rotated with ['push'](…['shift']())")
		}
		if n >= stBracketCallMin && base < stBracketCallMin {
			note(off, "calls through strings", fmt.Sprintf("%d method calls written as x['name'](…)", n))
		}
	}
	if off := stFindWhileBang(a.text); off >= 0 && stFindWhileBang(oldData) < 0 {
		note(off, "while(!![])", "while(!![]) loop")
	}
	if off, args := stFindFromCharCode(a.text); off >= 0 {
		if base, _ := stFindFromCharCode(oldData); base < 0 {
			note(off, "fromCharCode", fmt.Sprintf("String.fromCharCode with %d arguments", args))
		}
	}
	if off, n := stFindJSFuck(a.text, oldData); off >= 0 {
		note(off, "JSFuck", fmt.Sprintf("JSFuck run of %d characters", n))
	}
	if off, n, pct := stFindEscaped(a.text, oldData); off >= 0 {
		note(off, "escaped strings", fmt.Sprintf("string literal of %d bytes, %d%% \\x/\\u escapes", n, pct))
	}
	markers := len(reasons) > 0

	// The file as a whole becoming minified: new (in a release that has a
	// base), or readable in the base.
	if !s.first && (fd.Status == diff.Added || fd.Status == diff.Modified) {
		if isMin, mean, ws := stMinified(newData); isMin {
			wasMin, oldMean, oldWS := stMinified(oldData)
			switch {
			case fd.Status == diff.Added:
				reasons = append(reasons, fmt.Sprintf("new minified file: mean line %.0f bytes, %.1f%% whitespace", mean, ws*100))
				if !markers && (stIsMinName(fd.Path) || s.baseMinified()) {
					// A new x.min.js says what it is; the entry points and
					// the size table are where to judge it.
					sev = Low
				}
			case !wasMin:
				reasons = append(reasons, fmt.Sprintf("becomes minified: mean line %.0f bytes (base %.0f), %.1f%% whitespace (base %.1f%%)",
					mean, oldMean, ws*100, oldWS*100))
			}
		}
	}
	if len(reasons) == 0 {
		return
	}
	title := "obfuscated code added: " + strings.Join(tags, ", ")
	if !markers {
		title = "file becomes minified"
		if fd.Status == diff.Added {
			title = "new minified file"
		}
	}
	s.c.addSeverity(ObfuscatedCode, sev, fd.Path, line, title, strings.Join(reasons, "; ")+".")
}

// baseMinified reports whether the base already shipped a minified
// JavaScript file: then a new one is the same build's output, not a
// change of kind. Computed once.
func (s *stScan) baseMinified() bool {
	if s.minified == 0 {
		s.minified = 2
		if s.c.in.Old != nil {
			for _, f := range s.c.in.Old.Files {
				if stIsJS(f.Path) {
					if isMin, _, _ := stMinified(f.Data); isMin {
						s.minified = 1
						break
					}
				}
			}
		}
	}
	return s.minified == 1
}

// stIsMinName reports a file named as minified output (x.min.js).
func stIsMinName(p string) bool {
	b := path.Base(p)
	return strings.Contains(b, ".min.") || strings.HasSuffix(b, "-min.js")
}

func stIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func stIsIdent(c byte) bool {
	return c == '_' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// stCountHexIDs counts identifiers matching _0x[0-9a-f]{4,} and returns
// the offset of the first.
func stCountHexIDs(b []byte) (n, first int) {
	first = -1
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("_0x"))
		if k < 0 {
			return n, first
		}
		i += k + 3
		j := i
		for j < len(b) && j-i < 4 && ('0' <= b[j] && b[j] <= '9' || 'a' <= b[j] && b[j] <= 'f') {
			j++
		}
		if j-i == 4 {
			if first < 0 {
				first = i - 3
			}
			n++
		}
	}
}

// stBracketCalls counts the calls of built-in methods written with a
// quoted name, x['name'](…) or x["name"](…), and returns their number, the
// offset of the first, and the offset of the first string-table rotation
// of javascript-obfuscator whatever its names are,
// x['push'](x['shift']()), or -1.
func stBracketCalls(b []byte) (n, first, rotation int) {
	first, rotation = -1, -1
	for _, open := range [...]string{"['", `["`} {
		q := open[1]
		for i := 0; ; {
			k := bytes.Index(b[i:], []byte(open))
			if k < 0 {
				break
			}
			at := i + k
			i = at + 2
			j := i
			for j < len(b) && j-i <= 32 && stIsIdent(b[j]) {
				j++
			}
			if j == i || j-i > 32 || '0' <= b[i] && b[i] <= '9' || j+2 >= len(b) || b[j] != q || b[j+1] != ']' {
				continue
			}
			k = stSkipSpace(b, j+2)
			if k >= len(b) || b[k] != '(' || !stBuiltinMethod(b[i:j]) {
				continue
			}
			n++
			if first < 0 || at < first {
				first = at
			}
			if rotation < 0 && string(b[i:j]) == "push" {
				rest := b[k:min(len(b), k+48)]
				if bytes.Contains(rest, []byte("['shift']()")) || bytes.Contains(rest, []byte(`["shift"]()`)) {
					rotation = at
				}
			}
		}
	}
	return n, first, rotation
}

// stBuiltinMethod reports the methods of the language and the browser
// that a string table hides along with everything else. Code that quotes
// its own names on purpose (Emscripten's Module['_malloc'](…), Closure
// exports) quotes those, not these; reserved words (p['catch'](…)) are
// left out, since ES3-safe code writes them in brackets.
func stBuiltinMethod(w []byte) bool {
	switch string(w) {
	case "push", "pop", "shift", "unshift", "slice", "splice", "concat", "join", "split", "replace", "indexOf",
		"lastIndexOf", "charAt", "charCodeAt", "fromCharCode", "codePointAt", "substr", "substring", "toString",
		"toLowerCase", "toUpperCase", "trim", "includes", "startsWith", "endsWith", "match", "test", "exec", "apply",
		"call", "bind", "then", "map", "forEach", "filter", "reduce", "some", "every", "keys", "values", "entries",
		"hasOwnProperty", "defineProperty", "getOwnPropertyNames", "stringify", "parse", "from", "log", "warn", "error",
		"addEventListener", "removeEventListener", "getElementById", "querySelector", "querySelectorAll", "createElement",
		"appendChild", "setAttribute", "getAttribute", "open", "send", "setRequestHeader", "request", "clone", "text",
		"json", "fetch", "setTimeout", "setInterval", "require", "write", "get", "post", "on", "emit", "resolve":
		return true
	}
	return false
}

func stSkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func stSkipSpaceBack(b []byte, i int) int { // i is an exclusive end
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\n' || b[i-1] == '\r') {
		i--
	}
	return i
}

// stFindWhileBang finds while\s*\(\s*!!\s*\[\s*\]\s*\) and returns the
// offset of "while", or -1. It searches for "!!" and checks around it.
func stFindWhileBang(b []byte) int {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("!!"))
		if k < 0 {
			return -1
		}
		at := i + k
		i = at + 2
		j := stSkipSpace(b, i)
		if j >= len(b) || b[j] != '[' {
			continue
		}
		j = stSkipSpace(b, j+1)
		if j >= len(b) || b[j] != ']' {
			continue
		}
		j = stSkipSpace(b, j+1)
		if j >= len(b) || b[j] != ')' {
			continue
		}
		p := stSkipSpaceBack(b, at)
		if p == 0 || b[p-1] != '(' {
			continue
		}
		p = stSkipSpaceBack(b, p-1)
		if p >= 5 && string(b[p-5:p]) == "while" && (p == 5 || !stIsIdent(b[p-6])) {
			return p - 5
		}
	}
}

// stFindFromCharCode finds String.fromCharCode( with at least
// stFromCharCodeArgs arguments; it returns the offset and the argument
// count, or -1. Arguments are counted as top-level commas up to the
// closing parenthesis, within 64 KB.
func stFindFromCharCode(b []byte) (int, int) {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("CharCode"))
		if k < 0 {
			return -1, 0
		}
		at := i + k
		i = at + 8
		if at < 4 || string(b[at-4:at]) != "from" {
			continue
		}
		j := stSkipSpace(b, i)
		if j >= len(b) || b[j] != '(' {
			continue
		}
		depth, args, empty := 0, 1, true
		end := min(len(b), j+64<<10)
	scan:
		for j++; j < end; j++ {
			switch c := b[j]; c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth == 0 {
					break scan
				}
				depth--
			case ',':
				if depth == 0 {
					args++
				}
			case ' ', '\t', '\n', '\r':
			default:
				empty = false
			}
		}
		if !empty && args >= stFromCharCodeArgs {
			return at - 4, args
		}
	}
}

func stIsJSFuckByte(c byte) bool {
	return c == '[' || c == ']' || c == '(' || c == ')' || c == '!' || c == '+'
}

// stFindJSFuck finds a run of at least stJSFuckRun bytes of []()!+
// containing "+[]" in b that the base does not contain; it returns the
// offset and length of the run, or -1.
func stFindJSFuck(b, base []byte) (int, int) {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("+[]"))
		if k < 0 {
			return -1, 0
		}
		at := i + k
		s, e := at, at+3
		for s > 0 && stIsJSFuckByte(b[s-1]) {
			s--
		}
		for e < len(b) && stIsJSFuckByte(b[e]) {
			e++
		}
		i = e
		if e-s >= stJSFuckRun && !bytes.Contains(base, b[s:e]) {
			return s, e - s
		}
	}
}

// stFindEscaped finds a string literal of at least stEscapeLiteralMin
// bytes in which \x and \u escapes make up stEscapeDensity or more, and
// which the base does not contain. It searches for backslashes followed
// by x or u, then reads the literals of that line (once per line). It
// returns the literal's offset, length and escape percentage, or -1.
func stFindEscaped(b, base []byte) (int, int, int) {
	for i := 0; i < len(b); {
		k := bytes.IndexByte(b[i:], '\\')
		if k < 0 {
			break
		}
		at := i + k
		if at+1 >= len(b) || (b[at+1] != 'x' && b[at+1] != 'u') {
			i = at + 2
			continue
		}
		ls := bytes.LastIndexByte(b[:at], '\n') + 1
		le := bytes.IndexByte(b[at:], '\n')
		if le < 0 {
			le = len(b)
		} else {
			le += at
		}
		off, n, pct := -1, 0, 0
		stLiterals(b[ls:le], func(lit []byte, start int) bool {
			if len(lit) < stEscapeLiteralMin {
				return true
			}
			esc := stEscapeBytes(lit)
			if float64(esc) >= stEscapeDensity*float64(len(lit)) && !bytes.Contains(base, lit) {
				off, n, pct = ls+start, len(lit), esc*100/len(lit)
				return false
			}
			return true
		})
		if off >= 0 {
			return off, n, pct
		}
		i = le + 1
	}
	return -1, 0, 0
}

// stLiterals calls fn with each quoted literal of line (', " or `, the
// quotes excluded) and its offset, until fn returns false. It is a lexer
// for one line, not a parser: a quote inside a comment or a regular
// expression can open a spurious literal, which only matters if that
// literal is also long and heavily escaped.
func stLiterals(line []byte, fn func(lit []byte, start int) bool) {
	for i := 0; i < len(line); i++ {
		q := line[i]
		if q != '\'' && q != '"' && q != '`' {
			continue
		}
		j := i + 1
		for j < len(line) && line[j] != q {
			if line[j] == '\\' {
				j++
			}
			j++
		}
		if j > len(line) {
			j = len(line)
		}
		if !fn(line[i+1:j], i+1) {
			return
		}
		i = j
	}
}

// stEscapeBytes counts the bytes of lit inside \xNN, \uNNNN and \u{…} escapes.
func stEscapeBytes(lit []byte) int {
	n := 0
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' || i+1 >= len(lit) {
			continue
		}
		switch lit[i+1] {
		case 'x':
			if i+3 < len(lit) && stIsHex(lit[i+2]) && stIsHex(lit[i+3]) {
				n += 4
				i += 3
				continue
			}
		case 'u':
			if i+5 < len(lit) && stIsHex(lit[i+2]) && stIsHex(lit[i+3]) && stIsHex(lit[i+4]) && stIsHex(lit[i+5]) {
				n += 6
				i += 5
				continue
			}
			if i+2 < len(lit) && lit[i+2] == '{' {
				if e := bytes.IndexByte(lit[i+2:min(len(lit), i+12)], '}'); e > 0 {
					n += e + 3
					i += e + 2
					continue
				}
			}
		}
		i++ // any other escape, \\ included, is one escaped character
	}
	return n
}

// ---------------------------------------------------------------------------
// injected-long-line

func (s *stScan) injectedLine(fd *diff.FileDiff, a *stAdded, oldData, newData []byte) {
	// A token diff's fragments can split a line, so for one the staged
	// file itself is searched, as for a file scanned whole; the joined
	// added lines of a line diff are exact.
	if a.longNo == 0 && !fd.TokenDiff && !a.wholeFile {
		return
	}
	if stMaxLineAtLeast(oldData, stReadableMaxLine) {
		return
	}
	no, n := a.longNo, a.longLen
	if fd.TokenDiff || a.wholeFile || no == 0 {
		no, n = stFirstLongLine(newData, stLongLine)
		if no == 0 {
			return
		}
	}
	s.c.add(InjectedLongLine, fd.Path, no, fmt.Sprintf("%s line added to a readable file", stSize(int64(n))),
		fmt.Sprintf("Line %d is %d bytes long; the base file's longest line was under %d bytes.", no, n, stReadableMaxLine))
}

// stMaxLineAtLeast reports whether data has a line of at least n bytes
// (without its newline); it stops at the first.
func stMaxLineAtLeast(data []byte, n int) bool {
	if len(data) < n {
		return false
	}
	for len(data) > 0 {
		k := bytes.IndexByte(data, '\n')
		if k < 0 {
			return len(data) >= n
		}
		if k >= n {
			return true
		}
		data = data[k+1:]
	}
	return false
}

// stFirstLongLine returns the number and length of the first line of data
// longer than n bytes, or 0.
func stFirstLongLine(data []byte, n int) (int, int) {
	for no := 1; len(data) > 0; no++ {
		k := bytes.IndexByte(data, '\n')
		if k < 0 {
			k = len(data)
		}
		if k > n {
			return no, k
		}
		data = data[min(k+1, len(data)):]
	}
	return 0, 0
}

// ---------------------------------------------------------------------------
// encoded-blob

// stBlobByte is the alphabet of base64 and base64url; hex is a subset.
func stBlobByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// stClass is a byte class as a lookup table, for the hot loops.
type stClass [256]bool

func newStClass(in func(byte) bool) stClass {
	var t stClass
	for c := range t {
		t[c] = in(byte(c))
	}
	return t
}

type stBlob struct {
	off, n  int
	kind    string
	entropy float64
	sev     Severity
}

func (s *stScan) blobs(fd *diff.FileDiff, a *stAdded, oldData []byte) {
	var found []stBlob
	keep := func(b stBlob) {
		if b.kind == "" {
			return
		}
		if oldData != nil && bytes.Contains(oldData, a.text[b.off:b.off+b.n]) {
			return // the same blob was in the base: its line was edited, not the blob
		}
		found = append(found, b)
	}
	// Two skip-ahead passes: hex runs of 64 and more, then base64 and
	// high-entropy runs of 200 and more (a wider class, probed more
	// sparsely). A long hex run inside a base64 run is the base64 run's.
	stRuns(a.text, stHexMin, &s.hexClass, func(rs, re int) {
		alone := rs == 0 || !s.blobClass[a.text[rs-1]] || rs >= 2 && a.text[rs-2] == '0' && a.text[rs-1] == 'x'
		if alone && (re == len(a.text) || !s.blobClass[a.text[re]]) {
			keep(stClassifyHex(a.text[rs:re], rs))
		}
	})
	stRuns(a.text, stBlobMin, &s.blobClass, func(rs, re int) {
		keep(stClassifyRun(a.text, rs, re))
	})
	if len(found) == 0 {
		return
	}
	best := found[0]
	for _, b := range found {
		if b.sev.rank() < best.sev.rank() {
			best = b
		}
	}
	detail := fmt.Sprintf("%s of %d characters, entropy %.2f bits/char: %s", best.kind, best.n, best.entropy, stCut(string(a.text[best.off:best.off+best.n]), 60))
	if len(found) > 1 {
		detail += fmt.Sprintf(" (%d more in this file)", len(found)-1)
	}
	if best.sev == Low {
		detail += " An inline image or font (data: URI)."
	}
	s.c.addSeverity(EncodedBlob, best.sev, fd.Path, a.lineAt(best.off),
		fmt.Sprintf("%s blob added (%s)", best.kind, stSize(int64(best.n))), detail)
}

// stRuns calls fn for each maximal run of at least minLen bytes of b for
// which in is true. It probes every minLen-th byte and scans only around
// probes that land in the class, so text without long runs costs about
// len(b)/minLen probes; a run is scanned at most twice.
func stRuns(b []byte, minLen int, in *stClass, fn func(s, e int)) {
	i := 0 // b[i-1], when it exists, is outside the class
	for i+minLen <= len(b) {
		j := i + minLen - 1
		if !in[b[j]] {
			i = j + 1
			continue
		}
		k := j - 1
		for k >= i && in[b[k]] {
			k--
		}
		if k >= i {
			i = k + 1
			continue
		}
		e := j + 1
		for e < len(b) && in[b[e]] {
			e++
		}
		fn(i, e)
		i = e + 1
	}
}

// stClassifyRun decides whether text[s:e] is an encoded blob: a hex run
// (not a single SHA-256/384/512 digest), a base64 run as OpenSSF tests it
// (upper, lower, a non-hex letter, length a multiple of 4 when padded), or
// a high-entropy run. Integrity strings and source-map data URIs are not.
func stClassifyRun(text []byte, s, e int) stBlob {
	run := text[s:e]
	for _, p := range []string{"sha512-", "sha384-", "sha256-", "sha1-"} {
		if bytes.HasPrefix(run, []byte(p)) {
			return stBlob{}
		}
	}
	var upper, lower, nonHex, url bool
	for _, c := range run {
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
			nonHex = nonHex || c > 'F'
		case 'a' <= c && c <= 'z':
			lower = true
			nonHex = nonHex || c > 'f'
		case c == '-' || c == '_':
			url = true
		}
	}
	if !nonHex {
		return stBlob{} // hex digits only: the hex pass judges it
	}
	b := stBlob{off: s, n: len(run), sev: DefaultSeverity(EncodedBlob)}
	pad := 0
	for e+pad < len(text) && pad < 2 && text[e+pad] == '=' {
		pad++
	}
	b.entropy = stEntropy(run)
	switch {
	case !url && upper && lower && nonHex && (pad == 0 || (len(run)+pad)%4 == 0) && b.entropy >= stBase64Entropy:
		b.kind = "base64"
	case b.entropy >= stBlobEntropy:
		b.kind = "high-entropy"
	default:
		return stBlob{}
	}
	// A data: URI: source maps are quiet, images and fonts low.
	before := text[max(0, s-300):s]
	if i := bytes.LastIndex(before, []byte("data:")); i >= 0 && bytes.HasSuffix(before, []byte("base64,")) {
		mime := before[i+5:]
		switch {
		case bytes.Contains(before, []byte("sourceMappingURL=")):
			return stBlob{}
		case bytes.HasPrefix(mime, []byte("image/")), bytes.HasPrefix(mime, []byte("font/")),
			bytes.HasPrefix(mime, []byte("application/font")), bytes.HasPrefix(mime, []byte("application/x-font")):
			b.sev = Low
		}
	}
	return b
}

// stClassifyHex judges a hex run at off: 64 digits and more, except a
// single SHA-256/384/512 checksum (64, 96 or 128 digits), which packages
// pin on purpose, and runs of decimal digits only, which are numbers.
func stClassifyHex(run []byte, off int) stBlob {
	switch len(run) {
	case 64, 96, 128:
		return stBlob{}
	}
	letters := false
	for _, c := range run {
		if c > '9' {
			letters = true
			break
		}
	}
	if !letters {
		return stBlob{}
	}
	return stBlob{off: off, n: len(run), kind: "hex", entropy: stEntropy(run), sev: DefaultSeverity(EncodedBlob)}
}

// stEntropy is the Shannon entropy of b in bits per byte.
func stEntropy(b []byte) float64 {
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	h := 0.0
	n := float64(len(b))
	for _, k := range counts {
		if k > 0 {
			p := float64(k) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// ---------------------------------------------------------------------------
// hidden-unicode and control-characters

// stCharCounts counts findings by name ("U+202E RLO", "ESC 0x1B"), with
// the offset of the first.
type stCharCounts struct {
	first     int
	firstName string
	total     int
	by        map[string]int
}

func (cc *stCharCounts) add(name string, off int) {
	if cc.by == nil {
		cc.by = map[string]int{}
	}
	if cc.total == 0 || off < cc.first {
		cc.first, cc.firstName = off, name
	}
	cc.by[name]++
	cc.total++
}

// more reports whether cc has more of some finding than base.
func (cc *stCharCounts) more(base *stCharCounts) bool {
	for k, n := range cc.by {
		if n > base.by[k] {
			return true
		}
	}
	return false
}

func (cc *stCharCounts) describe() string {
	keys := make([]string, 0, len(cc.by))
	for k := range cc.by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, cc.by[k]))
	}
	return strings.Join(parts, ", ")
}

// stScanChars finds hidden Unicode and control characters in a.text.
func stScanChars(a *stAdded) (hidden, control stCharCounts) {
	b := a.text
	// Raw C0 controls: one SIMD search per byte value.
	for _, cb := range []struct {
		c    byte
		name string
	}{{0x1b, "ESC 0x1B"}, {0x07, "BEL 0x07"}, {0x08, "BS 0x08"}, {'\r', "lone CR 0x0D"}} {
		for i := 0; ; {
			k := bytes.IndexByte(b[i:], cb.c)
			if k < 0 {
				break
			}
			i += k + 1
			if cb.c == '\r' && i < len(b) && b[i] == '\n' {
				continue // CRLF line end
			}
			control.add(cb.name, i-1)
		}
	}
	// Non-ASCII: skip ASCII eight bytes at a time, decode the rest.
	for i := stNextHigh(b, 0); i < len(b); i = stNextHigh(b, i) {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			if b[i] >= 0x80 && b[i] <= 0x9f {
				control.add(fmt.Sprintf("raw C1 byte 0x%02X", b[i]), i)
			}
		case r >= 0x80 && r <= 0x9f:
			control.add(fmt.Sprintf("C1 U+%04X", r), i)
		default:
			if name := stHiddenName(r); name != "" && !stBenignHidden(b, i, r, size, a) {
				hidden.add(name, i)
			}
		}
		i += size
	}
	return hidden, control
}

// stNextHigh returns the index of the first byte >= 0x80 of b at or after
// i, or len(b).
func stNextHigh(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if x := binary.LittleEndian.Uint64(b[i:]) & 0x8080808080808080; x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return i
		}
	}
	return len(b)
}

// stHiddenName names the invisible and direction-changing characters of
// the catalogue's C3, or returns "".
func stHiddenName(r rune) string {
	switch r {
	case 0x202A:
		return "U+202A LRE"
	case 0x202B:
		return "U+202B RLE"
	case 0x202C:
		return "U+202C PDF"
	case 0x202D:
		return "U+202D LRO"
	case 0x202E:
		return "U+202E RLO"
	case 0x2066:
		return "U+2066 LRI"
	case 0x2067:
		return "U+2067 RLI"
	case 0x2068:
		return "U+2068 FSI"
	case 0x2069:
		return "U+2069 PDI"
	case 0x200E:
		return "U+200E LRM"
	case 0x200F:
		return "U+200F RLM"
	case 0x061C:
		return "U+061C ALM"
	case 0x200B:
		return "U+200B ZWSP"
	case 0x200C:
		return "U+200C ZWNJ"
	case 0x200D:
		return "U+200D ZWJ"
	case 0x2060:
		return "U+2060 WJ"
	case 0xFEFF:
		return "U+FEFF BOM"
	}
	switch {
	case r >= 0xFE00 && r <= 0xFE0F:
		return fmt.Sprintf("U+%04X VS%d", r, r-0xFE00+1)
	case r >= 0xE0100 && r <= 0xE01EF:
		return fmt.Sprintf("U+%04X VS%d", r, r-0xE0100+17)
	case r >= 0xE0000 && r <= 0xE007F:
		return fmt.Sprintf("U+%04X TAG", r)
	}
	return ""
}

// stBenignHidden keeps the ordinary uses of some of those characters
// quiet, judged by the character before (and, for keycaps, after):
//   - a byte-order mark at the very start of the file;
//   - an emoji presentation selector (U+FE0E/FE0F) or joiner (U+200D) after
//     a symbol or emoji (❤️, 👩‍💻), and FE0F before a keycap (1️⃣);
//   - a joiner or non-joiner (U+200C/200D) after a letter of a non-Latin
//     script (Persian, Devanagari… need them);
//   - one ideographic variation selector after a Han character;
//   - tag characters after a black flag (🏴 subdivision flags) or another tag.
//
// A selector after another selector is never benign: runs of them are how
// data is hidden in plain sight.
func stBenignHidden(b []byte, i int, r rune, size int, a *stAdded) bool {
	if r == 0xFEFF {
		return a.atFileStart(i)
	}
	prev, _ := utf8.DecodeLastRune(b[:i])
	if i == 0 || prev == utf8.RuneError {
		return false
	}
	symbol := prev >= 0x80 && !unicode.IsLetter(prev) && !unicode.IsDigit(prev) && stHiddenName(prev) == ""
	switch {
	case r == 0xFE0E || r == 0xFE0F:
		if symbol {
			return true
		}
		next, _ := utf8.DecodeRune(b[i+size:])
		return next == 0x20E3 && (prev >= '0' && prev <= '9' || prev == '#' || prev == '*')
	case r == 0x200D || r == 0x200C:
		if r == 0x200D && (symbol || prev == 0xFE0F || (prev >= 0x1F3FB && prev <= 0x1F3FF)) {
			return true
		}
		return unicode.IsLetter(prev) && prev >= 0x0370 || unicode.Is(unicode.Mn, prev) || unicode.Is(unicode.Mc, prev)
	case r >= 0xE0100 && r <= 0xE01EF:
		return unicode.Is(unicode.Han, prev)
	case r >= 0xE0000 && r <= 0xE007F:
		return prev == 0x1F3F4 || (prev >= 0xE0000 && prev <= 0xE007F)
	}
	return false
}

// stPathChars names the hidden and control characters in a path.
func stPathChars(p string) (hidden, control []string) {
	for i, r := range p {
		switch {
		case r < 0x20 || r == 0x7f:
			control = append(control, fmt.Sprintf("0x%02X", r))
		case r == utf8.RuneError:
			if c := p[i]; c >= 0x80 && c <= 0x9f {
				control = append(control, fmt.Sprintf("raw C1 byte 0x%02X", c))
			}
		case r >= 0x80 && r <= 0x9f:
			control = append(control, fmt.Sprintf("C1 U+%04X", r))
		default:
			if name := stHiddenName(r); name != "" {
				hidden = append(hidden, name)
			}
		}
	}
	return hidden, control
}

// pathChars reports hidden or control characters in a new file's path
// when its content is not scanned (binary files).
func (s *stScan) pathChars(p string) {
	hidden, control := stPathChars(p)
	if len(hidden) > 0 {
		s.c.add(HiddenUnicode, p, 0, "hidden characters in a file name", "The new file's name holds "+strings.Join(hidden, ", ")+".")
	}
	if len(control) > 0 {
		s.c.add(ControlCharacters, p, 0, "control characters in a file name", "The new file's name holds "+strings.Join(control, ", ")+".")
	}
}

func (s *stScan) hiddenAndControl(fd *diff.FileDiff, a *stAdded, removed func() *stAdded, pathHidden, pathControl []string) {
	hidden, control := stScanChars(a)
	if fd.Status == diff.Modified && (hidden.total > 0 || control.total > 0) {
		// Judge against what the change removes (or, when the whole file
		// was scanned, the base file): an edited line that keeps its ESC
		// bytes or bidi marks adds nothing new.
		base := removed
		if a.wholeFile {
			base = func() *stAdded { return stWhole(s.c.oldFile(fd.Path)) }
		}
		rh, rc := stScanChars(base())
		if !hidden.more(&rh) {
			hidden = stCharCounts{}
		}
		if !control.more(&rc) {
			control = stCharCounts{}
		}
	}
	if hidden.total > 0 || len(pathHidden) > 0 {
		sev := Medium
		switch {
		case stIsLocale(fd.Path):
			// Translations carry bidi marks and joiners for real; their
			// strings only reach a screen, where termsafe marks them.
			sev = Low
		case stLoneInQuotes(a.text):
			// Every one stands alone in a string ('\u200b' written raw):
			// an entity or character table, data a reader can see is there.
			sev = Medium
		case stIsJS(fd.Path) || stIsScript(fd.Path) || stIsNodeScript(s.c.newFile(fd.Path)):
			// Trojan Source: in code the reader sees one program and the
			// compiler another.
			sev = High
		}
		var parts []string
		line := 0
		if hidden.total > 0 {
			parts = append(parts, fmt.Sprintf("%d hidden character(s) in added text: %s", hidden.total, hidden.describe()))
			line = a.lineAt(hidden.first)
		}
		if len(pathHidden) > 0 {
			parts = append(parts, "the new file's name holds "+strings.Join(pathHidden, ", "))
		}
		title := "hidden Unicode characters added: " + hidden.firstName
		if hidden.total == 0 {
			title, sev = "hidden characters in a file name", Medium
		}
		s.c.addSeverity(HiddenUnicode, sev, fd.Path, line, title, stSentence(parts))
	}
	if control.total > 0 || len(pathControl) > 0 {
		var parts []string
		line := 0
		if control.total > 0 {
			parts = append(parts, fmt.Sprintf("%d raw control character(s) in added text: %s", control.total, control.describe()))
			line = a.lineAt(control.first)
		}
		if len(pathControl) > 0 {
			parts = append(parts, "the new file's name holds "+strings.Join(pathControl, ", "))
		}
		title := "raw control characters added: " + control.firstName
		if control.total == 0 {
			title = "control characters in a file name"
		}
		s.c.add(ControlCharacters, fd.Path, line, title, stSentence(parts))
	}
}

// stLoneInQuotes reports whether every hidden character of text is the
// whole content of a quoted string, alone or with one other hidden
// character: "​", '‌‍'. Trojan Source and invisible
// payloads need them inside identifiers, comments or long strings.
func stLoneInQuotes(text []byte) bool {
	quote := func(c byte) bool { return c == '"' || c == '\'' || c == '`' }
	seen := 0
	for i := stNextHigh(text, 0); i < len(text); i = stNextHigh(text, i) {
		r, size := utf8.DecodeRune(text[i:])
		if stHiddenName(r) == "" {
			i += size
			continue
		}
		seen++
		lo, hi := i, i+size
		// Take in one more hidden character on either side.
		if r2, n := utf8.DecodeLastRune(text[:lo]); n > 0 && stHiddenName(r2) != "" {
			lo -= n
		}
		if r2, n := utf8.DecodeRune(text[hi:]); n > 0 && stHiddenName(r2) != "" {
			hi += n
		}
		if (lo == 0 || hi >= len(text) || !quote(text[lo-1]) || text[hi] != text[lo-1]) && !stAmidSymbols(text, i, i+size) {
			return false
		}
		i += size
	}
	return seen > 0
}

// stAmidSymbols reports whether the hidden character at text[lo:hi]
// stands among visible non-ASCII characters: a packed table of entity or
// glyph values (an HTML entity decoder), not ASCII code it could disguise.
func stAmidSymbols(text []byte, lo, hi int) bool {
	count := func(b []byte, backwards bool) (sym, all int) {
		for all < 8 && len(b) > 0 {
			var r rune
			var n int
			if backwards {
				r, n = utf8.DecodeLastRune(b)
				b = b[:len(b)-n]
			} else {
				r, n = utf8.DecodeRune(b)
				b = b[n:]
			}
			if stHiddenName(r) != "" {
				continue // a run of hidden characters: judge what is around it
			}
			all++
			if r >= 0x80 {
				sym++
			}
		}
		return sym, all
	}
	bs, ba := count(text[max(0, lo-64):lo], true)
	as, aa := count(text[hi:min(len(text), hi+64)], false)
	return ba+aa > 0 && (bs+as)*2 >= ba+aa
}

func stSentence(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// ---------------------------------------------------------------------------
// binary-file

// stNativeExt are extensions of native code, whatever the content says.
func stNativeExt(ext string) bool {
	switch ext {
	case ".node", ".dll", ".so", ".dylib", ".exe":
		return true
	}
	return false
}

// stExpectedMagic is the format an extension promises, for the formats
// Magic recognises; "text" for source and text extensions.
func stExpectedMagic(ext string) string {
	switch ext {
	case ".png":
		return "png"
	case ".jpg", ".jpeg":
		return "jpeg"
	case ".gif":
		return "gif"
	case ".webp":
		return "webp"
	case ".ico":
		return "ico"
	case ".pdf":
		return "pdf"
	case ".woff":
		return "woff"
	case ".woff2":
		return "woff2"
	case ".wasm":
		return "wasm"
	case ".zip":
		return "zip"
	case ".gz", ".tgz":
		return "gzip"
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".json", ".md", ".txt",
		".sh", ".bat", ".cmd", ".ps1", ".py", ".css", ".html", ".htm", ".yml", ".yaml", ".map", ".svg":
		return "text"
	}
	return ""
}

// opaqueBinaryBytes is the size from which a new binary file of no known
// format is a finding of its own.
const opaqueBinaryBytes = 1 << 20

// stNativeNote says why native code is high.
func stNativeNote(sev Severity) string {
	if sev == High {
		return " The base version shipped no native code."
	}
	return ""
}

// baseNative reports whether the base version shipped native code (an
// executable, a shared library or a .node addon); computed once.
func (s *stScan) baseNative() bool {
	if s.native == 0 {
		s.native = 2
		if s.c.in.Old != nil {
			for _, f := range s.c.in.Old.Files {
				if stNativeExt(strings.ToLower(path.Ext(f.Path))) || tarball.IsNative(f.Data) && tarball.Magic(f.Data) != "wasm" {
					s.native = 1
					break
				}
			}
		}
	}
	return s.native == 1
}

func stMagicName(m string) string {
	switch m {
	case "elf":
		return "ELF executable"
	case "pe":
		return "Windows PE executable"
	case "mach-o", "mach-o-fat":
		return "Mach-O executable"
	case "wasm":
		return "WebAssembly module"
	case "java-class":
		return "Java class file"
	case "":
		return "binary data"
	}
	return m + " data"
}

func stIsArchive(m string) bool {
	switch m {
	case "zip", "gzip", "bzip2", "xz", "zstd", "lz4", "7z", "rar", "tar", "ar":
		return true
	}
	return false
}

func (s *stScan) binary(fd *diff.FileDiff, oldData, newData []byte) {
	verb := "added"
	if fd.Status != diff.Added {
		verb = "changed"
	}
	// The executable bit added to a file that is not a script.
	if (fd.Status == diff.Modified || fd.Status == diff.ModeOnly) && fd.OldMode&0o111 == 0 && fd.NewMode&0o111 != 0 &&
		!stIsScriptLike(fd.Path, newData) && !tarball.IsNative(newData) {
		s.c.add(BinaryFile, fd.Path, 0, "executable bit added to a non-script file",
			fmt.Sprintf("Mode %04o → %04o; the file is neither a script nor a native executable.", fd.OldMode, fd.NewMode))
		return
	}
	if fd.Status == diff.ModeOnly {
		return
	}
	ext := strings.ToLower(path.Ext(fd.Path))
	magic := tarball.Magic(newData)
	isBin := tarball.IsBinary(newData)
	want := stExpectedMagic(ext)
	size := stSize(int64(len(newData)))
	// Machine code in a package whose base shipped none is where a payload
	// hides from review entirely (a prebuilt addon, a platform binary):
	// high. Updating natives the base already shipped stays medium.
	nativeSev := Medium
	if !s.baseNative() {
		nativeSev = High
	}
	switch {
	case tarball.IsNative(newData) && magic != "wasm" || magic == "java-class":
		s.c.addSeverity(BinaryFile, nativeSev, fd.Path, 0, fmt.Sprintf("native code %s: %s", verb, stMagicName(magic)),
			fmt.Sprintf("%s, %s. Machine code cannot be reviewed in a diff; check it matches the package's own build.%s",
				stMagicName(magic), size, stNativeNote(nativeSev)))
	case fd.Status == diff.Modified && tarball.IsNative(oldData):
		// The base shipped this machine code too: a rebuild, listed, not a
		// warning (prisma rebuilds its query-engine wasm every patch).
		s.c.addSeverity(BinaryFile, Low, fd.Path, 0, fmt.Sprintf("native code changed: %s", stMagicName(magic)),
			fmt.Sprintf("%s, %s (was %s). The base shipped this file as machine code too.", stMagicName(magic), size, stSize(int64(len(oldData)))))
	case magic == "wasm":
		s.c.add(BinaryFile, fd.Path, 0, fmt.Sprintf("native code %s: %s", verb, stMagicName(magic)),
			fmt.Sprintf("%s, %s. Machine code cannot be reviewed in a diff; check it matches the package's own build.", stMagicName(magic), size))
	case stNativeExt(ext):
		s.c.addSeverity(BinaryFile, nativeSev, fd.Path, 0, fmt.Sprintf("native module %s (%s)", verb, ext),
			fmt.Sprintf("%s file, %s, content: %s.%s", ext, size, stMagicName(magic), stNativeNote(nativeSev)))
	case want == "text" && isBin:
		s.c.add(BinaryFile, fd.Path, 0, fmt.Sprintf("%s file holds %s", ext, stMagicName(magic)),
			fmt.Sprintf("The extension promises text; the content is %s (%s).", stMagicName(magic), size))
	case want != "" && want != "text" && magic != want && len(newData) > 0:
		what := stMagicName(magic)
		if magic == "" && !isBin {
			what = "text"
			if stIsJS(fd.Path) || bytes.Contains(newData, []byte("function")) || bytes.Contains(newData, []byte("require(")) {
				what = "text that looks like JavaScript"
			}
		}
		s.c.add(BinaryFile, fd.Path, 0, fmt.Sprintf("%s file does not match its content", ext),
			fmt.Sprintf("The extension promises %s; the content is %s (%s).", want, what, size))
	case stIsArchive(magic):
		s.c.add(BinaryFile, fd.Path, 0, fmt.Sprintf("archive %s: %s", verb, magic),
			fmt.Sprintf("%s, %s. Its contents are not diffed.", stMagicName(magic), size))
	case magic == "png" && stPNGTrailing(newData) > 0:
		s.c.add(BinaryFile, fd.Path, 0, "data hidden after the end of a PNG image",
			fmt.Sprintf("%d bytes follow the IEND chunk.", stPNGTrailing(newData)))
	case isBin && magic == "" && len(newData) >= opaqueBinaryBytes && (oldData == nil || !tarball.IsBinary(oldData)):
		// Not an image, font, archive or any format a reviewer can name:
		// megabytes nobody can read, shipped for the first time.
		s.c.addSeverity(BinaryFile, High, fd.Path, 0, fmt.Sprintf("large opaque binary %s (%s)", verb, size),
			fmt.Sprintf("%s of data in no known format; nothing in a diff can show what it is or what reads it.", size))
	case isBin && !s.first:
		// Images, fonts and other data: worth a line in the list, not a
		// warning. A first release is all new, so it stays quiet there.
		detail := fmt.Sprintf("%s, %s.", stMagicName(magic), size)
		if oldData != nil {
			detail = fmt.Sprintf("%s, %s (was %s).", stMagicName(magic), size, stSize(int64(len(oldData))))
		}
		s.c.addSeverity(BinaryFile, Low, fd.Path, 0, fmt.Sprintf("binary file %s (%s)", verb, stMagicName(magic)), detail)
	}
}

// stPNGTrailing returns how many bytes follow a PNG's IEND chunk.
func stPNGTrailing(data []byte) int {
	i := bytes.LastIndex(data, []byte("IEND"))
	if i < 4 {
		return 0
	}
	end := i + 4 + 4 // type and CRC
	if end > len(data) {
		return 0
	}
	return len(data) - end
}

// stIsScriptLike: files that are meant to be executable.
func stIsScriptLike(p string, data []byte) bool {
	return bytes.HasPrefix(data, []byte("#!")) || stIsJS(p) || stIsScript(p) || strings.HasPrefix(p, "bin/")
}

// ---------------------------------------------------------------------------
// ci-config

// stCIConfig names the CI or agent configuration kind of a path, or "".
func stCIConfig(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case seg == ".github" && i+2 < len(segs) && (segs[i+1] == "workflows" || segs[i+1] == "actions"):
			return "GitHub Actions " + strings.TrimSuffix(segs[i+1], "s")
		case seg == ".gitlab-ci.yml" && last:
			return "GitLab CI config"
		case seg == ".circleci" && !last:
			return "CircleCI config"
		case seg == ".vscode" && !last:
			return "VS Code workspace config"
		case seg == ".claude" && !last:
			return "Claude Code config"
		case seg == ".cursor" && !last:
			return "Cursor config"
		case seg == ".devcontainer" && !last:
			return "dev container config"
		}
	}
	return ""
}

func (s *stScan) ciConfig(fd *diff.FileDiff, newData []byte) {
	kind := stCIConfig(fd.Path)
	if kind == "" || fd.Status == diff.ModeOnly {
		return
	}
	verb := "added"
	if fd.Status == diff.Modified {
		verb = "changed"
	}
	compact := bytes.ToLower(bytes.Join(bytes.Fields(newData), nil))
	var found []string
	for _, k := range []struct{ needle, name string }{
		{"pull_request_target", "pull_request_target trigger"},
		{"tojson(secrets)", "toJSON(secrets)"},
		{"self-hosted", "self-hosted runner"},
		{"secrets.", "reads secrets"},
		{"id-token:write", "id-token: write permission"},
	} {
		if bytes.Contains(compact, []byte(k.needle)) {
			found = append(found, k.name)
		}
	}
	detail := fmt.Sprintf("%s %s inside the tarball; npm never needs it, so it comes from a dirty or altered build tree.", kind, verb)
	if len(found) > 0 {
		detail += " It uses: " + strings.Join(found, ", ") + "."
	}
	sev := DefaultSeverity(CIConfig)
	if s.first && len(found) == 0 {
		sev = Low // packages without a "files" list ship their .github folder
	}
	s.c.addSeverity(CIConfig, sev, fd.Path, 0, fmt.Sprintf("%s %s", kind, verb), detail)
}

// ---------------------------------------------------------------------------
// large-file

func (s *stScan) largeFiles() {
	if s.first {
		return // a first release's sizes have nothing to compare with
	}
	var flagged int64 // growth already shown by per-file signals
	for i := range s.c.in.Diff.Files {
		fd := &s.c.in.Diff.Files[i]
		switch fd.Status {
		case diff.Added:
			limit := int64(stLargeNew)
			if strings.HasSuffix(fd.Path, ".map") || stIsDeclaration(fd.Path) {
				limit = stLargeNewInert
			}
			if fd.NewSize > limit {
				flagged += fd.NewSize
				s.c.add(LargeFile, fd.Path, 0, fmt.Sprintf("large new file (%s)", stSize(fd.NewSize)),
					fmt.Sprintf("A new file of %d bytes; new files over %s deserve a look.", fd.NewSize, stSize(limit)))
			}
		case diff.Modified:
			if grow := fd.NewSize - fd.OldSize; grow > stGrowthBytes && float64(fd.NewSize) > stGrowthRatio*float64(fd.OldSize) {
				flagged += grow
				s.c.add(LargeFile, fd.Path, 0, fmt.Sprintf("file grows from %s to %s", stSize(fd.OldSize), stSize(fd.NewSize)),
					fmt.Sprintf("+%d bytes (+%.0f%%).", grow, 100*float64(grow)/float64(max(fd.OldSize, 1))))
			}
		}
	}
	// The package's growth, unless the files above already explain most of it.
	o, n := s.c.in.Old.Unpacked, s.c.in.New.Unpacked
	if n-o > stTotalMinGrowth && float64(n) > stTotalRatio*float64(o) && flagged*2 < n-o {
		s.c.add(LargeFile, "", 0, fmt.Sprintf("package grows from %s to %s unpacked", stSize(o), stSize(n)),
			fmt.Sprintf("+%d bytes (+%.0f%%) unpacked.", n-o, 100*float64(n-o)/float64(max(o, 1))))
	}
}

// stSize prints a byte count for people.
func stSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ---------------------------------------------------------------------------
// unreferenced-file

// stPayloadNames are file names used by the payloads of real incidents
// (review-signals.md B5).
func stPayloadName(base string) bool {
	switch base {
	case "bundle.js", "setup_bun.js", "bun_environment.js", "setup.mjs", "router_init.js",
		"tanstack_runner.js", "telemetry.js", "preinstall.js", "preinstall.sh", "preinstall.bat", "build.js":
		return true
	}
	return false
}

// unreferencedBytes is the size from which an unreached new file is
// medium on its own.
const unreferencedBytes = 64 << 10

// stDistinctPayloadName: names only the payloads used, unlike build.js.
func stDistinctPayloadName(base string) bool {
	switch base {
	case "setup_bun.js", "bun_environment.js", "router_init.js", "tanstack_runner.js":
		return true
	}
	return false
}

func (s *stScan) unreferenced() {
	if s.first {
		return // every file of a first release is new
	}
	var cands []string
	for i := range s.c.in.Diff.Files {
		fd := &s.c.in.Diff.Files[i]
		if fd.Status != diff.Added {
			continue
		}
		if base := path.Base(fd.Path); stPayloadName(base) {
			detail := fmt.Sprintf("%s is a file name that payloads of real npm attacks used (Shai-Hulud, TanStack, nx, ua-parser-js, eslint-scope).", base)
			// Generic names (build.js, setup.mjs) are also every build
			// tool's: they are medium when the file runs at install time, is
			// large, or bears a name only a payload used.
			sev := Low
			if why, ok := s.c.installTime[fd.Path]; ok {
				detail += " It runs at install time (" + why + ")."
				sev = Medium
			} else {
				detail += " Check what runs it."
			}
			if stDistinctPayloadName(base) || fd.NewSize >= unreferencedBytes {
				sev = Medium
			}
			s.c.addSeverity(UnreferencedFile, sev, fd.Path, 0, "known payload file name: "+base, detail)
			continue
		}
		if stCandidate(fd.Path, s.c.newFile(fd.Path)) {
			cands = append(cands, fd.Path)
		}
	}
	if len(cands) == 0 {
		return
	}
	r := newStRefs(cands, stSelfName(s.c.newManifest))
	r.manifest(s.c.newManifest)
	r.scanImports(s.c.in.New)
	left := r.unreached()
	if len(left) == 0 {
		return
	}
	left = r.lenient(s.c.in.New, left)
	for _, p := range left {
		// A small unreached script is a build helper or a preset far more
		// often than a payload; a large one is TanStack's router_init.js.
		sev := Low
		if f := s.c.in.New.Lookup(p); f != nil && len(f.Data) >= unreferencedBytes {
			sev = Medium
		}
		s.c.addSeverity(UnreferencedFile, sev, p, 0, "new file that nothing references",
			"No entry point (main, module, browser, exports, bin, types), script or import in the package reaches this new file; something outside the tarball (a git dependency's script, a loader) would have to run it.")
	}
}

// stCandidate: new code files are what an unreferenced-file finding is
// about; docs, tests, types, maps and data are reached by people and tools.
func stCandidate(p string, data []byte) bool {
	if p == "package.json" || stIsDoc(p) || stIsTest(p) || stIsDeclaration(p) || strings.HasSuffix(p, ".map") {
		return false
	}
	return stIsJS(p) || stIsScript(p) || stIsNodeScript(data)
}

func stSelfName(m map[string]any) string {
	n, _ := m["name"].(string)
	return n
}

// stRefs resolves references to the candidate files.
type stRefs struct {
	self    string
	keys    map[string]int // resolution key → candidate index
	cands   []string
	reached []bool
	globs   [][2]string // export and entry patterns with one "*": prefix, suffix
}

func newStRefs(cands []string, self string) *stRefs {
	r := &stRefs{self: self, keys: map[string]int{}, cands: cands, reached: make([]bool, len(cands))}
	for i, p := range cands {
		// A reference names the file, the file without its extension, or
		// its folder when the file is an index.
		r.keys[p] = i
		ext := path.Ext(p)
		noExt := strings.TrimSuffix(p, ext)
		r.keys[noExt] = i
		if path.Base(noExt) == "index" {
			r.keys[path.Dir(p)] = i
		}
	}
	return r
}

// reach marks the candidate a package-relative reference names.
func (r *stRefs) reach(ref string) {
	if i, ok := r.keys[path.Clean(strings.TrimPrefix(ref, "./"))]; ok {
		r.reached[i] = true
	}
}

// manifest marks what package.json reaches: entry fields, bin, exports,
// browser maps and the files scripts name.
func (r *stRefs) manifest(m map[string]any) {
	if m == nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if strings.Contains(t, "*") {
				if pre, suf, ok := strings.Cut(path.Clean(strings.TrimPrefix(t, "./")), "*"); ok {
					r.globs = append(r.globs, [2]string{pre, suf})
				}
				return
			}
			r.reach(t)
		case map[string]any:
			for k, x := range t {
				if strings.HasPrefix(k, "./") || strings.HasPrefix(k, "../") {
					walk(k) // browser maps name files on both sides
				}
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	for _, f := range []string{"main", "module", "browser", "exports", "imports", "bin", "types", "typings",
		"unpkg", "jsdelivr", "react-native", "esnext", "es2015", "jsnext:main", "source"} {
		if v, ok := m[f]; ok {
			walk(v)
		}
	}
	if len(m) > 0 && m["main"] == nil {
		r.reach("index.js") // npm's default main
	}
	scripts, _ := m["scripts"].(map[string]any)
	for _, v := range scripts {
		cmd, _ := v.(string)
		for _, p := range scriptFiles(cmd) {
			r.reach(p)
		}
		for i, p := range r.cands {
			if strings.Contains(cmd, p) {
				r.reached[i] = true
			}
		}
	}
	for i, p := range r.cands {
		for _, g := range r.globs {
			if strings.HasPrefix(p, g[0]) && strings.HasSuffix(p, g[1]) && len(p) >= len(g[0])+len(g[1]) {
				r.reached[i] = true
			}
		}
	}
}

// scanImports marks the candidates that a JS file of the package names
// in a relative string literal ('./x', "../y/z.js": what require, import,
// export … from, new Worker and path.join(__dirname, …) take) or through
// the package's own name ('pkg/lib/x'), resolved against the importer's
// folder. Reading every relative literal rather than parsing import
// statements is both more forgiving (a literal that names a file is a
// reference, whatever consumes it) and cheaper: one IndexByte pass per
// quote character over each file, linear in the package size.
func (r *stRefs) scanImports(p *tarball.Package) {
	self := []byte(r.self + "/")
	for _, f := range p.Files {
		if !stIsJS(f.Path) && !stIsDeclaration(f.Path) && !stIsNodeScript(f.Data) {
			continue
		}
		dir := path.Dir(f.Path)
		b := f.Data
		for _, q := range []byte{'\'', '"', '`'} {
			for i := 0; ; {
				k := bytes.IndexByte(b[i:], q)
				if k < 0 {
					break
				}
				i += k + 1
				switch {
				case i < len(b) && b[i] == '.':
					if spec, ok := stQuoted(b, i, q); ok && (bytes.HasPrefix(spec, []byte("./")) || bytes.HasPrefix(spec, []byte("../"))) {
						r.reach(path.Join(dir, string(spec)))
					}
				case r.self != "" && bytes.HasPrefix(b[i:], self):
					if spec, ok := stQuoted(b, i+len(self), q); ok {
						r.reach(string(spec))
					}
				}
			}
		}
	}
}

// stQuoted returns b[i:] up to the closing quote q, on the same line and
// within 300 bytes.
func stQuoted(b []byte, i int, q byte) ([]byte, bool) {
	w := b[i:min(len(b), i+300)]
	e := bytes.IndexByte(w, q)
	if e < 0 || bytes.IndexByte(w[:e], '\n') >= 0 {
		return nil, false
	}
	return w[:e], true
}

func (r *stRefs) unreached() []string {
	var out []string
	for i, p := range r.cands {
		if !r.reached[i] {
			out = append(out, p)
		}
	}
	return out
}

// lenient drops candidates whose file name appears quoted in another text
// file of the package (a worker started by path, path.join(__dirname,
// 'x.js')): weaker evidence than an import, but enough not to raise an
// alarm. The search stops after stLenientBudget times the text's size.
func (r *stRefs) lenient(p *tarball.Package, left []string) []string {
	var texts []*tarball.File
	total := 0
	for i := range p.Files {
		f := &p.Files[i]
		if stIsJS(f.Path) || stIsNodeScript(f.Data) || strings.HasSuffix(f.Path, ".json") || strings.HasSuffix(f.Path, ".html") {
			texts = append(texts, f)
			total += len(f.Data)
		}
	}
	budget := stLenientBudget * max(total, 1)
	var out []string
	for _, cand := range left {
		base := path.Base(cand)
		stem := strings.TrimSuffix(base, path.Ext(base))
		needles := [][]byte{[]byte(base)}
		for _, q := range []string{"'", `"`, "`"} {
			needles = append(needles, []byte("/"+stem+q))
		}
		found := false
		for _, f := range texts {
			if f.Path == cand || budget <= 0 {
				continue
			}
			for _, n := range needles {
				budget -= len(f.Data)
				if stContainsName(f.Data, n) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			out = append(out, cand)
		}
	}
	return out
}

// stContainsName reports whether name occurs in data not preceded by a
// character that would make it part of a longer name ("x.js" is not in
// "index.js").
func stContainsName(data, name []byte) bool {
	for i := 0; ; {
		k := bytes.Index(data[i:], name)
		if k < 0 {
			return false
		}
		at := i + k
		if at == 0 || !stIsIdent(data[at-1]) && data[at-1] != '.' && data[at-1] != '-' || name[0] == '/' {
			return true
		}
		i = at + 1
	}
}

// ---------------------------------------------------------------------------
// Path classes

// stIsJS: JavaScript and TypeScript sources, declarations excluded.
func stIsJS(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts":
		return !stIsDeclaration(p)
	}
	return false
}

func stIsDeclaration(p string) bool {
	l := strings.ToLower(p)
	return strings.HasSuffix(l, ".d.ts") || strings.HasSuffix(l, ".d.mts") || strings.HasSuffix(l, ".d.cts")
}

// stIsScript: shell, batch and other interpreted scripts.
func stIsScript(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".sh", ".bash", ".zsh", ".bat", ".cmd", ".ps1", ".py", ".rb", ".pl", ".php", ".vbs":
		return true
	}
	return false
}

// stIsNodeScript: an extensionless file with a node, bun or deno shebang.
func stIsNodeScript(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("#!")) {
		return false
	}
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		nl = len(data)
	}
	first := data[:min(nl, 200)]
	return bytes.Contains(first, []byte("node")) || bytes.Contains(first, []byte("bun")) || bytes.Contains(first, []byte("deno"))
}

func stIsLockfile(p string) bool {
	switch path.Base(p) {
	case "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb":
		return true
	}
	return false
}

// stIsLocale: translation files (locales/, i18n/, l10n/, *.po, and JSON
// or JS files named or foldered by a language code such as fr, pt-BR).
func stIsLocale(p string) bool {
	l := strings.ToLower(p)
	ext := path.Ext(l)
	if ext == ".po" || ext == ".pot" || ext == ".xliff" || ext == ".xlf" {
		return true
	}
	segs := strings.Split(l, "/")
	for i, seg := range segs {
		if i < len(segs)-1 {
			switch seg {
			case "locale", "locales", "i18n", "l10n", "lang", "langs", "translations", "nls":
				return true
			}
			if stLangCode(seg) {
				return true
			}
		}
	}
	if ext == ".json" || ext == ".js" {
		return stLangCode(strings.TrimSuffix(segs[len(segs)-1], ext))
	}
	return false
}

// stLangCode: a language code of a common UI language, alone or with a
// region (fr, pt-br, zh_CN, sr-latn). A list rather than "any two
// letters", which would take lib/, src/, js/ or ui/ for translations.
func stLangCode(s string) bool {
	lang, region, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if len(lang) != 2 || !strings.Contains(stLanguages, " "+lang+" ") {
		return false
	}
	for i := 0; i < len(region); i++ {
		if region[i] < 'a' || region[i] > 'z' {
			return false
		}
	}
	return region == "" || len(region) >= 2 && len(region) <= 4
}

// stLanguages are ISO 639-1 codes of languages software is commonly
// translated into.
const stLanguages = " af am ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu he hi hr hu hy id is it ja ka kk km kn ko ky lo lt lv mk ml mn mr ms my nb ne nl nn no pa pl ps pt ro ru si sk sl sq sr sv sw ta te th tl tr uk ur uz vi zh "

func stIsDoc(p string) bool {
	l := strings.ToLower(p)
	if strings.HasPrefix(l, "docs/") || strings.HasPrefix(l, "doc/") || strings.HasPrefix(l, "example/") ||
		strings.HasPrefix(l, "examples/") || strings.Contains(l, "/docs/") || strings.Contains(l, "/examples/") {
		return true
	}
	if stIsJS(l) || stIsScript(l) {
		return false // history.js or changes.js is code, whatever its name
	}
	base := path.Base(l)
	for _, pre := range []string{"readme", "license", "licence", "changelog", "changes", "history", "authors",
		"contributing", "notice", "security", "copying", "code_of_conduct"} {
		if strings.HasPrefix(base, pre) {
			return true
		}
	}
	switch path.Ext(l) {
	case ".md", ".markdown", ".txt", ".rst", ".adoc":
		return true
	}
	return false
}

func stIsTest(p string) bool {
	l := strings.ToLower(p)
	for _, d := range []string{"test/", "tests/", "__tests__/", "spec/", "__mocks__/", "fixtures/", "testdata/"} {
		if strings.HasPrefix(l, d) || strings.Contains(l, "/"+d) {
			return true
		}
	}
	base := path.Base(l)
	return strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") || strings.HasSuffix(strings.TrimSuffix(base, path.Ext(base)), "_test")
}

// stCut shortens s to at most n bytes on a UTF-8 boundary, marking the cut.
func stCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := n
	for k > 0 && !utf8.RuneStart(s[k]) {
		k--
	}
	return s[:k] + "…"
}
