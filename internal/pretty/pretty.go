// Package pretty re-indents minified JavaScript (and JSON) for reading, so
// that a rebuilt bundle diffs as the lines that changed rather than as one
// replaced line. It is display-only: signals keep reading the raw bytes.
//
// The printer changes whitespace only. Every token and comment is copied
// byte for byte, in order, so the printed text shows exactly what ships:
// "\x65val" stays "\x65val" and "proc"+"ess" stays a concatenation (an
// AST printer such as esbuild's decodes, folds and renames those, which
// would hide the very obfuscation a reviewer looks for). It runs on the
// jslex token stream and never fails on odd input: what the lexer cannot
// read is copied verbatim. Each printed line records the raw offset of
// its first token, so a raw position (a signal's line) maps to the printed
// line that shows it.
package pretty

import (
	"bytes"
	"errors"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2/js"

	"github.com/stagegate/stagegate/internal/jslex"
)

const (
	indentUnit = "  "
	// maxIndent caps the indentation levels: hostile input ("{{{{…")
	// must not make the output grow with the square of its nesting.
	maxIndent = 32
	// growth bounds the printed size: at most growth times the input plus
	// slack, else ErrTooLarge (the caller shows the raw bytes).
	growth = 4
	slack  = 1 << 16
)

// ErrTooLarge says the printed text would be too large for its input.
var ErrTooLarge = errors.New("pretty-printed text would be too large")

// Text is a printed source and its map back to the raw bytes.
type Text struct {
	// Data is the printed text; every line ends in "\n".
	Data []byte
	// Raw holds, for each printed line (0-based), the raw offset of the
	// first byte it shows; it never decreases.
	Raw []int32
	// Partial is set when the lexer stopped early: the rest of the source
	// is copied unchanged.
	Partial bool
}

// Lines is the number of printed lines.
func (t *Text) Lines() int { return len(t.Raw) }

// LineOf returns the 1-based printed line that shows raw offset off.
func (t *Text) LineOf(off int) int {
	if len(t.Raw) == 0 {
		return 0
	}
	// The last line whose first raw byte is at or before off.
	k := sort.Search(len(t.Raw), func(i int) bool { return int(t.Raw[i]) > off })
	return max(k, 1)
}

// LineOfRawLine returns the printed line that shows the start of raw line
// no (1-based) of src, the source t was printed from.
func (t *Text) LineOfRawLine(src []byte, no int) int {
	return t.LineOf(lineStart(src, no))
}

// lineStart is the offset of 1-based line no of src (len(src) past the end).
func lineStart(src []byte, no int) int {
	off := 0
	for k := 1; k < no; k++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}

// Locate returns the raw offset in line no of src where hint (a snippet
// of the line, as a signal's detail quotes it) starts, plus lead bytes
// into it; the line's start when hint is not found there. A minified file
// is one long line, so the line alone would point at the top of the
// printed text: the snippet says where in the line the finding is.
func Locate(src []byte, no int, hint string, lead int) int {
	from := lineStart(src, no)
	to := len(src)
	if i := bytes.IndexByte(src[from:], '\n'); i >= 0 {
		to = from + i
	}
	// Signal details clip long snippets with an ellipsis; match what is
	// before it, and not more than needed to be unambiguous.
	hint, _, _ = strings.Cut(hint, "…")
	hint = strings.TrimSpace(hint)
	if len(hint) > 64 {
		hint = hint[:64]
	}
	if hint == "" {
		return from
	}
	i := bytes.Index(src[from:to], []byte(hint))
	switch {
	case i < 0:
		return from
	case i == 0:
		// A snippet that starts the line may have had no lead-in to
		// quote: what it found can be its first byte.
		return from
	}
	return from + i + min(max(lead, 0), len(hint)-1)
}

// Supports reports whether a file is printed: JavaScript and JSON.
func Supports(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".js", ".mjs", ".cjs", ".jsx", ".json":
		return true
	}
	return false
}

// frame is one open brace: a block or an object literal.
type frame struct {
	object bool // an object literal: break after its commas
	broke  bool // a line break followed the brace (it indents)
	parens int  // ( and [ open inside it: no breaks at ; or , in there
	tmpl   bool // a template literal's ${ }: printed inline
	terns  int  // ? waiting for their : (spaced like the ?)
}

// printer is one print in progress.
type printer struct {
	src    []byte
	out    []byte
	raw    []int32
	frames []frame
	indent int
	limit  int

	lineOpen bool // the current line has content
	pending  bool // a line break is due before the next token
	space    bool // a space is due before the next token (if no break)
	inline   int  // template expressions open: no breaks inside
	// spaceAfter: the last token wants a space after it (an operator).
	spaceAfter bool
}

// JS prints src. It fails only with ErrTooLarge.
func JS(src []byte) (*Text, error) {
	p := &printer{
		src:    src,
		out:    make([]byte, 0, 2*len(src)+64),
		raw:    make([]int32, 0, len(src)/16+16),
		frames: make([]frame, 1, 16),
		limit:  growth*len(src) + slack,
	}
	// A "#!" line, as jslex skips it.
	hb := 0
	if len(src) > 1 && src[0] == '#' && src[1] == '!' {
		hb = bytes.IndexAny(src, "\r\n")
		if hb < 0 {
			hb = len(src)
		}
		p.emit(0, hb)
		p.pending = true
	}
	// Tokens arrive one at a time; a token is printed once the next one
	// is known (a brace breaks unless a closing one follows), and the
	// comments after it wait with it.
	var (
		held    jslex.Tok
		holding bool
		cmts    []jslex.Tok
		prev    = js.ErrorToken
		prevEnd = hb
		failed  bool
	)
	flush := func(next js.TokenType) {
		if holding {
			p.gap(prevEnd, int(held.S))
			p.token(held, prev, next)
			prev, prevEnd = held.T, int(held.E)
			holding = false
		}
		for _, c := range cmts {
			p.gap(prevEnd, int(c.S))
			p.emit(int(c.S), int(c.E))
			if !bytes.HasPrefix(src[c.S:c.E], []byte("/*")) {
				p.pending = true // the next token must not read as commented out
			}
			prevEnd = int(c.E)
		}
		cmts = cmts[:0]
		failed = len(p.out) > p.limit
	}
	stop, _ := jslex.Scan(src, func(t jslex.Tok) {
		switch {
		case failed:
		case t.T == js.CommentToken || t.T == js.CommentLineTerminatorToken:
			if !holding {
				cmts = append(cmts[:0], t)
				flush(js.ErrorToken)
				return
			}
			cmts = append(cmts, t)
		default:
			flush(t.T)
			held, holding = t, true
		}
	})
	if !failed {
		flush(js.ErrorToken)
	}
	if failed {
		return nil, ErrTooLarge
	}
	stop = max(stop, prevEnd)
	p.gap(prevEnd, stop)
	part := stop < len(src)
	if part {
		// The lexer gave up: the rest as it is, on lines of its own.
		p.pending = true
		p.emit(stop, len(src))
	}
	if p.lineOpen {
		p.out = append(p.out, '\n')
	}
	if len(p.out) > p.limit {
		return nil, ErrTooLarge
	}
	return &Text{Data: p.out, Raw: p.raw, Partial: part}, nil
}

// gap handles the raw bytes between two items: a raw line break stays a
// line break (statements may rely on it), other whitespace one space.
func (p *printer) gap(from, to int) {
	if to <= from {
		return
	}
	g := p.src[from:to]
	if !blank(g) {
		// Bytes the lexer skipped without a token (invalid UTF-8): they
		// are content, and shown as they are.
		p.emit(from, to)
		return
	}
	if p.inline == 0 && bytes.ContainsAny(g, "\n\r") {
		p.pending = true
	} else {
		p.space = true
	}
}

// blank reports whether b is whitespace only (JavaScript's: Unicode
// spaces and the byte order mark included).
func blank(b []byte) bool {
	for len(b) > 0 {
		if c := b[0]; c < utf8.RuneSelf {
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' {
				return false
			}
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError || !(unicode.IsSpace(r) || r == 0xFEFF) {
			return false
		}
		b = b[n:]
	}
	return true
}

// token prints one significant token with the breaks around it.
func (p *printer) token(t jslex.Tok, prev, next js.TokenType) {
	top := &p.frames[len(p.frames)-1]
	switch t.T {
	case js.CloseBraceToken:
		if len(p.frames) > 1 {
			if top.broke {
				p.indent--
				p.pending = p.inline == 0
			}
			p.frames = p.frames[:len(p.frames)-1]
		}
	case js.TemplateMiddleToken, js.TemplateEndToken:
		// The } that closes a template's ${ is part of these tokens.
		if len(p.frames) > 1 && top.tmpl {
			p.frames = p.frames[:len(p.frames)-1]
			p.inline--
		}
	case js.CloseParenToken, js.CloseBracketToken:
		top.parens = max(0, top.parens-1)
	}
	if prev == js.CloseBraceToken && p.inline == 0 && breaksAfterBrace(t.T) {
		p.pending = true
	}
	ternary := false
	switch t.T {
	case js.QuestionToken:
		top.terns++
		ternary = true
	case js.ColonToken:
		if top.terns > 0 {
			top.terns--
			ternary = true
		}
	}
	if ternary || p.spaceAfter || spaced(t.T) || spacedPair(prev, t.T) {
		p.space = true
	}
	// An object key's colon reads "key: value".
	keyColon := t.T == js.ColonToken && !ternary && top.object && top.parens == 0
	p.spaceAfter = ternary || keyColon || spaced(t.T)
	p.emit(int(t.S), int(t.E))

	top = &p.frames[len(p.frames)-1]
	switch t.T {
	case js.OpenBraceToken:
		f := frame{object: objectContext(prev)}
		if next != js.CloseBraceToken && p.inline == 0 {
			f.broke = true
			p.indent++
			p.pending = true
		}
		p.frames = append(p.frames, f)
	case js.TemplateStartToken, js.TemplateMiddleToken:
		p.frames = append(p.frames, frame{tmpl: true})
		p.inline++
	case js.OpenParenToken, js.OpenBracketToken:
		top.parens++
	case js.SemicolonToken:
		if top.parens == 0 && p.inline == 0 {
			p.pending = true
		} else {
			p.space = true
		}
	case js.CommaToken:
		if top.object && top.parens == 0 && p.inline == 0 {
			p.pending = true
		} else {
			p.space = true
		}
	}
}

// emit appends src[from:to], opening a line first if one is due, and
// records the raw offset of each printed line it starts.
func (p *printer) emit(from, to int) {
	if p.pending && p.lineOpen {
		p.out = append(p.out, '\n')
		p.lineOpen = false
	}
	if !p.lineOpen {
		p.raw = append(p.raw, int32(from))
		for k := 0; k < min(p.indent, maxIndent); k++ {
			p.out = append(p.out, indentUnit...)
		}
	} else if p.space {
		p.out = append(p.out, ' ')
	}
	p.pending, p.space, p.lineOpen = false, false, true
	b := p.src[from:to]
	// A token or comment that spans lines (a template, a block comment)
	// keeps its own line breaks; each starts a printed line. A lone "\r"
	// is a line break to JavaScript but not to the line diff: keep it as
	// the content it is to the diff.
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.out = append(p.out, b...)
			return
		}
		p.out = append(p.out, b[:i+1]...)
		from += i + 1
		b = b[i+1:]
		if len(b) == 0 {
			p.lineOpen = false
			return
		}
		p.raw = append(p.raw, int32(from))
	}
}

// breaksAfterBrace says whether a token after a closing brace starts a
// new line: a statement does, a continuation of an expression or of the
// statement (else, catch, a call, an operator, a separator) does not.
func breaksAfterBrace(t js.TokenType) bool {
	switch t {
	case js.ElseToken, js.CatchToken, js.FinallyToken, js.WhileToken, js.CloseBraceToken:
		return false
	}
	if t == js.OpenBraceToken || js.IsIdentifierName(t) || js.IsNumeric(t) {
		return true
	}
	switch t {
	case js.StringToken, js.TemplateToken, js.TemplateStartToken, js.PrivateIdentifierToken, js.ErrorToken:
		return true
	}
	return false
}

// objectContext says whether a { after prev opens an object literal
// (rather than a block): it follows something that expects a value. The
// start of input counts: a file that opens with a brace is JSON.
func objectContext(prev js.TokenType) bool {
	switch prev {
	case js.OpenParenToken, js.OpenBracketToken, js.CommaToken, js.ColonToken, js.QuestionToken,
		js.ReturnToken, js.ErrorToken, js.EllipsisToken, js.YieldToken, js.AwaitToken, js.TypeofToken,
		js.VoidToken, js.DeleteToken, js.InToken, js.OfToken, js.CaseToken:
		return true
	}
	// After an operator ("=", "||", "!"), not after "=>" (a body).
	return js.IsOperator(prev) && prev != js.IncrToken && prev != js.DecrToken
}

// spaced says whether a token reads better with a space on each side:
// assignments, comparisons, binary and logical operators and arrows,
// which are never unary, so the space cannot change how the line reads
// (+, - and * can be, and stay as they were).
func spaced(t js.TokenType) bool {
	switch t {
	case js.EqToken, js.EqEqToken, js.EqEqEqToken, js.NotEqToken, js.NotEqEqToken,
		js.AddEqToken, js.SubEqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken,
		js.LtLtEqToken, js.GtGtEqToken, js.GtGtGtEqToken, js.BitAndEqToken, js.BitOrEqToken, js.BitXorEqToken,
		js.AndToken, js.OrToken, js.NullishToken, js.AndEqToken, js.OrEqToken, js.NullishEqToken, js.ArrowToken,
		js.LtToken, js.LtEqToken, js.GtToken, js.GtEqToken, js.LtLtToken, js.GtGtToken, js.GtGtGtToken,
		js.BitAndToken, js.BitOrToken, js.BitXorToken, js.ModToken, js.ExpToken,
		js.InstanceofToken, js.InToken:
		return true
	}
	return false
}

// spacedPair adds the space a reader expects between a closing brace or
// parenthesis and the keyword or block that continues the statement:
// "} else {", "if (a) {", "try {".
func spacedPair(prev, t js.TokenType) bool {
	if prev == js.CloseParenToken && (js.IsIdentifierName(t) || js.IsNumeric(t)) {
		return true // "if (a) return", "for (…) b = 1"
	}
	switch prev {
	case js.ReturnToken, js.TypeofToken, js.ThrowToken, js.CaseToken, js.VoidToken, js.DeleteToken,
		js.ElseToken, js.DoToken, js.InstanceofToken, js.NewToken, js.YieldToken, js.AwaitToken:
		// "return!0" reads as "return !0"; "return;" and "new.target" stay.
		switch t {
		case js.SemicolonToken, js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.CommaToken, js.DotToken, js.ColonToken:
			return false
		}
		return true
	}
	switch t {
	case js.ElseToken, js.CatchToken, js.FinallyToken:
		return prev == js.CloseBraceToken
	case js.OpenParenToken:
		switch prev {
		case js.IfToken, js.ForToken, js.WhileToken, js.SwitchToken, js.CatchToken, js.WithToken:
			return true
		}
	case js.OpenBraceToken:
		switch prev {
		case js.CloseParenToken, js.ElseToken, js.TryToken, js.FinallyToken, js.DoToken:
			return true
		}
		return js.IsIdentifier(prev)
	}
	return false
}
