package signals

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/jsfold"
)

// Attackers split the names the content rules look for ('child_' +
// 'process', globalThis['re'+'quire'], ['en','v'].join('')), encode them
// (atob, Buffer.from(…,'base64'), \x escapes, String.fromCharCode) or hide
// them in a javascript-obfuscator string table. A changed JavaScript file
// whose added text shows any of those shapes is folded back with jsfold
// and scanned again; what only the folded text holds is reported as found
// in folded text, and counts as a capability inside obfuscated code.

// Folding is bounded per file and per analysis: it runs at the lexer's
// speed (tens of MB/s), far slower than the literal scan, and a release's
// evasion lives in new or changed code, not in megabytes of rebuilt bundle.
const (
	foldFileBytes  = 1 << 20
	foldTotalBytes = 2 << 20
)

// foldable reports whether a changed file is folded: JavaScript, small
// enough, and with a fold trigger in what it adds.
func (s *contentScanner) foldable(fd *diff.FileDiff, newData, oldData []byte) bool {
	if s.class != classCode || jsfold.LangOf(fd.Path, newData) != jsfold.JS {
		return false
	}
	if len(newData) > foldFileBytes || len(oldData) > foldFileBytes || s.folded+len(newData)+len(oldData) > foldTotalBytes {
		return false
	}
	if fd.Status == diff.Added {
		return s.evasionShape(newData)
	}
	for hi := range fd.Hunks {
		for li := range fd.Hunks[hi].Lines {
			if l := &fd.Hunks[hi].Lines[li]; l.Kind == diff.Add && s.evasionShape([]byte(l.Text)) {
				return true
			}
		}
	}
	return false
}

// evasionShape reports text with the shapes of string assembly and
// encoding that folding undoes: short fragments joined with + ('re' +
// 'quire'), join(”), fromCharCode of a list of codes, base64 or hex
// decoding, _0x string tables, \x escapes, variation selectors. Long
// messages wrapped with + (React's warnings) are not evasion: folding runs
// at the lexer's speed, so it is kept for text that looks evasive.
func (s *contentScanner) evasionShape(b []byte) bool {
	if s.evasion == nil {
		s.evasion = evasionTriggers()
	}
	for _, t := range s.evasion {
		if !bytes.Contains(b, []byte(t.lit)) {
			continue
		}
		if t.re == nil || t.re.Match(b) {
			return true
		}
	}
	return false
}

type evasionTrigger struct {
	lit string         // cheap test
	re  *regexp.Regexp // confirms the shape; nil: the literal is enough
}

func evasionTriggers() []evasionTrigger {
	frag := `['"][\w$./-]{1,12}['"]`
	split := regexp.MustCompile(frag + `\s*\+\s*` + frag)
	return []evasionTrigger{
		{"+", split},
		{"join(", regexp.MustCompile(`\[\s*` + frag + `\s*,\s*` + frag + `[^\]]{0,400}\]\s*\.\s*join\(`)},
		{"fromCharCode", regexp.MustCompile(`fromCharCode\s*\(\s*(?:0x[0-9a-fA-F]+|\d+)\s*,\s*(?:0x[0-9a-fA-F]+|\d+)\s*,`)},
		{"atob(", nil},
		{"base64", nil},
		{"'hex'", nil},
		{`"hex"`, nil},
		{"_0x", nil},
		{"\\x", regexp.MustCompile(`(?:\\x[0-9a-fA-F]{2}){3}`)},
		{"\xef\xb8", nil},
		{"\xf3\xa0\x84", nil},
	}
}

// foldedText is one side's folded code and decoded payloads.
type foldedText struct {
	code     []byte
	payloads []jsfold.Payload
	table    bool
}

func foldSide(data []byte) foldedText {
	if data == nil {
		return foldedText{}
	}
	r := jsfold.Fold(data, jsfold.Limits{})
	// A bundle may hold a function that returns an array of strings; a
	// string table is one whose accessor calls the code goes through.
	return foldedText{code: r.Code, payloads: r.Decoded, table: r.StringTable && r.Resolved > 0}
}

// all is the folded code and every payload, for counting keys.
func (f *foldedText) all() []byte {
	out := append([]byte(nil), f.code...)
	for _, p := range f.payloads {
		out = append(out, '\n')
		out = append(out, p.Text...)
	}
	return out
}

// scanFolded scans the folded staged file and adds the hits that only it
// shows (and that the folded base did not have) to the file's entries,
// marked as folded.
func (s *contentScanner) scanFolded(fd *diff.FileDiff, newData, oldData []byte) {
	s.folded += len(newData) + len(oldData)
	nf := foldSide(newData)
	if bytes.Equal(nf.code, newData) && len(nf.payloads) == 0 {
		return // nothing was folded
	}
	// Keep the raw scan's findings aside and scan the folded text alone.
	raw, rawHosts := s.entries, s.hosts
	rawIndex := s.index
	s.entries, s.hosts = nil, nil
	s.index, s.hostIdx = map[entryKey]int{}, map[string]int{}
	s.mode = modeWhole
	s.scanRun(nf.code, 0, len(nf.code), 1)
	for _, p := range nf.payloads {
		// Every hit in a payload is reported at its literal's line.
		s.chunked = true
		s.text = append(append(s.buf[:0], '\n'), p.Text...)
		s.starts, s.nos = append(s.starts[:0], 0), append(s.nos[:0], max(p.Line, 1))
		s.scanText()
	}
	foldedEntries, foldedHosts := s.entries, s.hosts
	s.entries, s.hosts, s.index = raw, rawHosts, rawIndex
	s.hostIdx = map[string]int{}
	for i, h := range s.hosts {
		s.hostIdx[h.host] = i
	}

	var of foldedText
	var oldAll []byte
	if fd.Status == diff.Modified {
		of = foldSide(oldData)
		oldAll = of.all()
	}
	newAll := nf.all()
	for _, e := range foldedEntries {
		if _, ok := s.index[entryKey{e.kind, e.key}]; ok {
			continue // the raw scan saw it
		}
		if bytes.Contains(newData, []byte(e.key)) && !nf.table {
			continue // in the raw text too (a check that needs the folded context)
		}
		if oldAll != nil && strings.Count(string(oldAll), e.key) >= strings.Count(string(newAll), e.key) {
			continue // the folded base had it as often
		}
		if len(s.entries) >= maxEntries {
			break
		}
		e.folded = true
		e.snip = clip(e.snip, 100)
		s.index[entryKey{e.kind, e.key}] = len(s.entries)
		s.entries = append(s.entries, e)
	}
	for _, h := range foldedHosts {
		if _, ok := s.hostIdx[h.host]; ok || len(s.hosts) >= maxHosts {
			continue
		}
		if oldAll != nil && bytes.Contains(oldAll, []byte(h.host)) {
			continue
		}
		h.folded = true
		s.hostIdx[h.host] = len(s.hosts)
		s.hosts = append(s.hosts, h)
	}
	if nf.table && !of.table {
		s.c.noteCaps(s.path).folded = true
	}
}
