// Package jsfold turns JavaScript source into a normalised text for pattern
// matching: comments go, string literals are decoded and requoted, string
// concatenations, joins, char-code calls, bracket accesses, single-assignment
// constants and javascript-obfuscator string tables are folded, and
// base64/hex/invisible-Unicode payloads are decoded into Payloads. Line
// numbers are preserved so that a match in the folded text points at the
// right line of the source. Nothing is ever executed.
package jsfold

import (
	"bytes"

	"github.com/stagegate/stagegate/internal/jslex"
)

// Limits bound the work per file.
type Limits struct {
	// MaxInput is how many bytes of source are folded; what lies beyond is
	// copied verbatim and Truncated is set (default 4 MiB).
	MaxInput int
	// MaxOutput bounds the bytes of Code plus Decoded (default 4x input, at
	// most 16 MiB). It is never taken below the input length, because Code
	// copies whatever was not folded.
	MaxOutput int
	// MaxDecodeDepth is how many times decoded text is itself folded and
	// decoded again (default 3; negative disables decoding).
	MaxDecodeDepth int
}

// Result is the folded text and what was decoded on the way.
type Result struct {
	// Code is the source with comments removed (their newlines kept), every
	// string and template literal decoded and requoted in single quotes on one
	// line, and constant expressions folded. Code has exactly as many '\n' as
	// the source and every token stays on the line it started on, so a line
	// number in Code is a line number in the source. Regex literals are kept
	// verbatim.
	Code []byte
	// Decoded are payloads decoded from literals, each itself folded.
	Decoded []Payload
	// Folds counts the folds that changed the text; 0 means Code equals the
	// comment-stripped source modulo quoting.
	Folds int
	// StringTable is set when a javascript-obfuscator style string table and
	// its accessor were found.
	StringTable bool
	// Resolved counts accessor calls replaced by their table string.
	Resolved int
	// Truncated is set when MaxInput or MaxOutput cut the work short.
	Truncated bool
}

// Payload is text decoded from a literal.
type Payload struct {
	Line int    // 1-based source line of the literal
	Via  string // "base64", "hex", "fromCharCode", "string-table", "variation-selectors", "percent"
	Text []byte // folded
}

const (
	defaultMaxInput  = 4 << 20
	maxOutputCeiling = 16 << 20
	defaultDepth     = 3
)

// Fold folds src. It never panics and never executes anything.
func Fold(src []byte, lim Limits) Result {
	if lim.MaxInput <= 0 {
		lim.MaxInput = defaultMaxInput
	}
	if lim.MaxInput > 1<<30 {
		lim.MaxInput = 1 << 30 // token offsets are int32
	}
	if lim.MaxOutput <= 0 {
		lim.MaxOutput = min(4*len(src), maxOutputCeiling)
	}
	if lim.MaxDecodeDepth == 0 {
		lim.MaxDecodeDepth = defaultDepth
	}
	return fold(src, lim.MaxInput, max(lim.MaxOutput, len(src)), lim.MaxDecodeDepth, false)
}

func fold(src []byte, maxIn, maxOut, depth int, keepComments bool) Result {
	var res Result
	in := src
	if len(in) > maxIn {
		res.Truncated = true
		cut := maxIn
		// Cut at a line end so the last folded line is whole.
		if k := bytes.LastIndexByte(in[:cut], '\n'); k >= 0 {
			cut = k + 1
		}
		in = in[:cut]
	}
	lx := jslex.Lex(in, true)
	st := &state{
		src:   src,
		lx:    lx,
		toks:  lx.Toks,
		max:   maxOut,
		depth: depth,
		res:   &res,

		keepComments: keepComments,
	}
	st.out = make([]byte, 0, len(src)+len(src)/16+16)
	st.run()
	res.Code = st.out
	return res
}

// StripJSComments removes comments from JavaScript (keeping their newlines),
// without folding anything. It is much cheaper than Fold.
func StripJSComments(src []byte) []byte {
	lx := jslex.Lex(src, false)
	if len(lx.Cmts) == 0 {
		return bytes.Clone(src)
	}
	st := &state{src: src, lx: lx}
	st.out = make([]byte, 0, len(src))
	st.flush(len(src))
	return st.out
}
