package jsfold

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2/js"

	"github.com/stagegate/stagegate/internal/jslex"
)

// maxNest bounds the recursion of the little string-expression evaluator so
// deeply nested input cannot blow the stack or go quadratic.
const maxNest = 48

// state is one fold in progress.
type state struct {
	src   []byte
	lx    jslex.Lexed
	toks  []jslex.Tok
	max   int
	depth int
	res   *Result

	out     []byte
	rawFrom int // source offset from which source is still to be copied
	ci      int // next comment to strip
	payUsed int // bytes of payload text produced

	scratch []byte
	nest    int

	// keepComments is set when folding decoded payloads: they are often
	// shell commands, where "//" in a URL is no comment.
	keepComments bool
	// resolvedAt dedupes Resolved across speculative evaluations.
	resolvedAt map[int32]bool

	// cand maps names declared with a foldable initialiser to how many times
	// they are bound in the file; only names bound once are propagated.
	cand    map[string]int
	consts  map[string]string
	aliases map[string]string
	tables  tables
	seen    map[int64]bool

	lineOff, lineNum int // cache for lineAt
}

func (st *state) text(i int) []byte {
	t := st.toks[i]
	return st.src[t.S:t.E]
}

func (st *state) typ(i int) js.TokenType {
	if i < 0 || i >= len(st.toks) {
		return js.ErrorToken
	}
	return st.toks[i].T
}

func (st *state) is(i int, s string) bool {
	return i >= 0 && i < len(st.toks) && string(st.text(i)) == s
}

// lineAt is the 1-based line of a source offset.
func (st *state) lineAt(off int) int {
	if off < st.lineOff {
		st.lineOff, st.lineNum = 0, 0
	}
	st.lineNum += bytes.Count(st.src[st.lineOff:off], []byte{'\n'})
	st.lineOff = off
	return st.lineNum + 1
}

// flush copies the source up to `to`, dropping comments.
func (st *state) flush(to int) {
	if st.rawFrom < st.lx.Hashbang {
		st.out = append(st.out, st.src[:st.lx.Hashbang]...)
		st.rawFrom = st.lx.Hashbang
	}
	for !st.keepComments && st.ci < len(st.lx.Cmts) && int(st.lx.Cmts[st.ci].S) < to {
		c := st.lx.Cmts[st.ci]
		st.ci++
		if int(c.S) < st.rawFrom {
			continue
		}
		st.out = append(st.out, st.src[st.rawFrom:c.S]...)
		n := bytes.Count(st.src[c.S:c.E], []byte{'\n'})
		if n == 0 && c.Block {
			st.out = append(st.out, ' ')
		}
		st.out = appendNewlines(st.out, n)
		st.rawFrom = int(c.E)
	}
	if to > st.rawFrom {
		st.out = append(st.out, st.src[st.rawFrom:to]...)
		st.rawFrom = to
	}
}

func appendNewlines(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, '\n')
	}
	return b
}

// room reports whether n more bytes can be produced for a replacement that
// ends at source offset e while still leaving room to copy the rest.
func (st *state) room(n, e int) bool {
	return len(st.out)+(e-st.rawFrom)+n+st.payUsed+(len(st.src)-e) <= st.max
}

// replace puts repl in place of the source span of tokens i..j-1 followed by
// the newlines the span contained, when the output budget allows.
func (st *state) replace(i, j int, repl []byte) bool {
	s, e := int(st.toks[i].S), int(st.toks[j-1].E)
	if s < st.rawFrom {
		return false
	}
	nl := bytes.Count(st.src[s:e], []byte{'\n'})
	if !st.room(len(repl)+nl, e) {
		st.res.Truncated = true
		return false
	}
	st.flush(s)
	st.out = append(st.out, repl...)
	st.out = appendNewlines(st.out, nl)
	for st.ci < len(st.lx.Cmts) && int(st.lx.Cmts[st.ci].S) < e {
		st.ci++
	}
	st.rawFrom = e
	return true
}

func (st *state) run() {
	if len(st.toks) > 0 {
		st.findTables()
		st.findCandidates()
	}
	for i := 0; i < len(st.toks); {
		i = st.step(i)
	}
	st.flush(len(st.src))
}

// step handles the token at i and returns the index of the next one.
func (st *state) step(i int) int {
	t := st.toks[i]
	switch t.T {
	case js.StringToken, js.TemplateToken:
		if n := st.typ(i + 1); (n == js.AddToken || n == js.DotToken) && st.chainStarts(i) {
			if j := st.foldExpr(i); j > i {
				return j
			}
		}
		st.literal(i)
		return i + 1
	case js.TemplateStartToken, js.TemplateMiddleToken, js.TemplateEndToken:
		st.templatePart(i)
		return i + 1
	case js.OpenBracketToken:
		if st.memberBefore(i) {
			if j := st.bracketToDot(i); j > i {
				return j
			}
		} else if st.chainStarts(i) {
			if j := st.foldExpr(i); j > i {
				return j
			}
		}
		return i + 1
	case js.IdentifierToken:
		return st.ident(i)
	}
	return i + 1
}

// chainStarts reports whether an expression starting at i is not bound to
// an operand on its left more tightly than '+' is.
func (st *state) chainStarts(i int) bool {
	switch p := st.typ(i - 1); p {
	case js.SubToken, js.MulToken, js.DivToken, js.ModToken, js.ExpToken, js.NotToken, js.BitNotToken,
		js.TypeofToken, js.VoidToken, js.DeleteToken, js.AwaitToken, js.DotToken, js.OptChainToken,
		js.IncrToken, js.DecrToken:
		return false
	case js.AddToken:
		return st.operandEnd(i - 2) // binary '+', not unary
	}
	return true
}

// operandEnd reports whether the token at i can end an operand.
func (st *state) operandEnd(i int) bool {
	switch p := st.typ(i); p {
	case js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken, js.CloseParenToken,
		js.CloseBracketToken, js.ThisToken, js.SuperToken, js.TrueToken, js.FalseToken, js.NullToken:
		return true
	default:
		return js.IsNumeric(p) || js.IsIdentifier(p)
	}
}

// memberBefore reports whether a '[' at i is a computed member access.
func (st *state) memberBefore(i int) bool {
	p := st.typ(i - 1)
	return p == js.CloseParenToken || p == js.CloseBracketToken || p == js.StringToken || p == js.TemplateToken ||
		p == js.TemplateEndToken || p == js.ThisToken || p == js.SuperToken || (js.IsIdentifier(p) && p != js.OfToken)
}

// validEnd reports whether an operand ending before token j is complete,
// i.e. not continued by a member access, call or tighter operator.
func (st *state) validEnd(j int) bool {
	switch st.typ(j) {
	case js.DotToken, js.OptChainToken, js.OpenBracketToken, js.OpenParenToken, js.TemplateToken,
		js.TemplateStartToken, js.MulToken, js.DivToken, js.ModToken, js.ExpToken, js.IncrToken, js.DecrToken:
		return false
	}
	return true
}

// foldExpr tries a string expression at i and, when it spans several tokens,
// replaces it. It returns the index after it, or i when nothing was done.
func (st *state) foldExpr(i int) int {
	v, j, ok := st.strExpr(i)
	if !ok || j <= i+1 {
		return i
	}
	st.scratch = appendQuoted(st.scratch[:0], v)
	if !st.replace(i, j, st.scratch) {
		return i
	}
	st.res.Folds++
	st.inspect(v, int(st.toks[i].S))
	return j
}

// literal requotes a lone string or template literal.
func (st *state) literal(i int) {
	t := st.toks[i]
	raw := st.src[t.S:t.E]
	if len(raw) < 2 || (raw[0] != '\'' && raw[0] != '"' && raw[0] != '`') || raw[len(raw)-1] != raw[0] {
		return // unterminated: leave it
	}
	body := raw[1 : len(raw)-1]
	if raw[0] == '\'' && bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '\t') < 0 && !hasVS(body) && len(body) < 40 {
		return // already canonical
	}
	var changed bool
	st.scratch, changed = decodeBody(st.scratch[:0], body)
	v := string(st.scratch)
	st.scratch = appendQuoted(st.scratch[:0], v)
	if !bytes.Equal(st.scratch, raw) && st.replace(i, i+1, st.scratch) && changed {
		st.res.Folds++
	}
	st.inspect(v, int(t.S))
}

func hasVS(b []byte) bool {
	return bytes.Contains(b, []byte{0xEF, 0xB8}) || bytes.Contains(b, []byte{0xF3, 0xA0, 0x84})
}

// inspect looks for payloads hidden in a literal's value.
func (st *state) inspect(v string, off int) {
	if len(v) >= 40 {
		if looksHex(v) {
			if b, ok := decodeHex(v); ok && printable(b) {
				st.payload(off, "hex", b)
			}
		} else if looksBase64(v) {
			if b, ok := decodeBase64(v); ok && printable(b) {
				st.payload(off, "base64", b)
			}
		}
	}
	if len(v) >= 24 && hasVS([]byte(v)) {
		if b := variationBytes(v); b != nil {
			st.payload(off, "variation-selectors", b)
		}
	}
}

// payload records decoded text, folded again while depth allows.
func (st *state) payload(off int, via string, b []byte) {
	if st.depth < 0 {
		return
	}
	key := int64(off)<<3 | int64(len(via)&7)
	if st.seen == nil {
		st.seen = map[int64]bool{}
	}
	if st.seen[key] {
		return
	}
	st.seen[key] = true
	budget := st.max - (len(st.out) + st.payUsed + (len(st.src) - st.rawFrom))
	if len(b) > budget {
		st.res.Truncated = true
		return
	}
	p := Payload{Line: st.lineAt(off), Via: via}
	if st.depth > 0 {
		r := fold(b, len(b), budget, st.depth-1, true)
		p.Text = r.Code
		st.payUsed += len(r.Code)
		st.res.Decoded = append(st.res.Decoded, p)
		for _, q := range r.Decoded {
			q.Line = p.Line
			st.payUsed += len(q.Text)
			st.res.Decoded = append(st.res.Decoded, q)
		}
		st.res.Truncated = st.res.Truncated || r.Truncated
		return
	}
	p.Text = bytes.Clone(b)
	st.payUsed += len(b)
	st.res.Decoded = append(st.res.Decoded, p)
}

// templatePart requotes one literal part of a template with substitutions.
func (st *state) templatePart(i int) {
	t := st.toks[i]
	raw := st.src[t.S:t.E]
	open, close := 1, 2 // "`...${", "}...${"
	if t.T == js.TemplateEndToken {
		close = 1
	}
	if len(raw) < open+close {
		return
	}
	body := raw[open : len(raw)-close]
	if bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '\n') < 0 && bytes.IndexByte(body, '\r') < 0 {
		return
	}
	var changed bool
	st.scratch, changed = decodeBody(st.scratch[:0], body)
	v := string(st.scratch)
	st.scratch = append(st.scratch[:0], raw[:open]...)
	st.scratch = appendEscaped(st.scratch, v, '`')
	st.scratch = append(st.scratch, raw[len(raw)-close:]...)
	if st.replace(i, i+1, st.scratch) && changed {
		st.res.Folds++
	}
}

// bracketToDot turns obj['na'+'me'] into obj.name.
func (st *state) bracketToDot(i int) int {
	v, j, ok := st.strExpr(i + 1)
	if !ok || st.typ(j) != js.CloseBracketToken {
		return i
	}
	if !isIdentName(v) {
		if j > i+2 {
			st.scratch = append(st.scratch[:0], '[')
			st.scratch = appendQuoted(st.scratch, v)
			st.scratch = append(st.scratch, ']')
			if st.replace(i, j+1, st.scratch) {
				st.res.Folds++
				return j + 1
			}
		}
		return i
	}
	st.scratch = append(append(st.scratch[:0], '.'), v...)
	if !st.replace(i, j+1, st.scratch) {
		return i
	}
	st.res.Folds++
	return j + 1
}

// ident handles an identifier: declarations feed the constant maps, uses of
// constants, aliases and string-table accessors are replaced.
func (st *state) ident(i int) int {
	name := st.text(i)
	p, n := st.typ(i-1), st.typ(i+1)
	if p == js.DotToken || p == js.OptChainToken {
		return i + 1
	}
	if st.cand != nil {
		if c, ok := st.cand[string(name)]; ok {
			if (p == js.ConstToken || p == js.LetToken || p == js.VarToken || p == js.CommaToken) && n == js.EqToken {
				if c == 1 {
					st.declare(string(name), i+2)
				}
				return i + 1
			}
			if p == js.ConstToken || p == js.LetToken || p == js.VarToken || n == js.ColonToken || isAssign(n) {
				return i + 1
			}
			if a, ok := st.aliases[string(name)]; ok {
				if st.replace(i, i+1, []byte(a)) {
					st.res.Folds++
				}
				return i + 1
			}
			if _, ok := st.consts[string(name)]; ok {
				if n == js.AddToken || p == js.AddToken ||
					(p == js.OpenParenToken || p == js.CommaToken || p == js.OpenBracketToken) &&
						(n == js.CloseParenToken || n == js.CommaToken || n == js.CloseBracketToken) {
					if j := st.foldExprAny(i); j > i {
						return j
					}
				}
				return i + 1
			}
		}
	}
	switch string(name) {
	case "String", "atob", "Buffer", "unescape", "decodeURIComponent", "decodeURI":
	default:
		if st.tables.acc == nil {
			return i + 1
		}
		if _, ok := st.tables.acc[string(name)]; !ok {
			return i + 1
		}
	}
	if !st.chainStarts(i) {
		return i + 1
	}
	if j := st.foldExprAny(i); j > i {
		return j
	}
	return i + 1
}

// foldExprAny is foldExpr that also accepts a single-token expression (a
// constant's name).
func (st *state) foldExprAny(i int) int {
	v, j, ok := st.strExpr(i)
	if !ok || j <= i {
		return i
	}
	st.scratch = appendQuoted(st.scratch[:0], v)
	if !st.replace(i, j, st.scratch) {
		return i
	}
	st.res.Folds++
	st.inspect(v, int(st.toks[i].S))
	return j
}

func isAssign(t js.TokenType) bool {
	switch t {
	case js.EqToken, js.AddEqToken, js.SubEqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken,
		js.LtLtEqToken, js.GtGtEqToken, js.GtGtGtEqToken, js.BitAndEqToken, js.BitOrEqToken, js.BitXorEqToken,
		js.AndEqToken, js.OrEqToken, js.NullishEqToken, js.IncrToken, js.DecrToken, js.ArrowToken:
		return true
	}
	return false
}

// declare records the value of a once-bound name whose initialiser starts at k.
func (st *state) declare(name string, k int) {
	v, j, ok := st.strExpr(k)
	if ok && st.terminates(j) {
		if st.consts == nil {
			st.consts = map[string]string{}
		}
		st.consts[name] = v
		return
	}
	if a, j, ok := st.chain(k); ok && st.terminates(j) {
		if st.aliases == nil {
			st.aliases = map[string]string{}
		}
		st.aliases[name] = a
	}
}

// terminates reports whether an initialiser ends before token j.
func (st *state) terminates(j int) bool {
	switch st.typ(j) {
	case js.SemicolonToken, js.CommaToken, js.CloseBraceToken, js.CloseParenToken, js.ErrorToken:
		return true
	}
	return j < len(st.toks) && bytes.IndexByte(st.src[st.toks[j-1].E:st.toks[j].S], '\n') >= 0
}

// wellKnown are the globals whose aliases are worth spelling out.
func wellKnown(s string) bool {
	switch s {
	case "require", "process", "eval", "Function", "globalThis", "global", "window", "self", "Reflect", "Buffer", "module":
		return true
	}
	return false
}

// chain reads a member chain rooted at a well-known global (or an alias of
// one), folding computed string keys: globalThis['re'+'quire'].
func (st *state) chain(k int) (string, int, bool) {
	if !js.IsIdentifier(st.typ(k)) {
		return "", k, false
	}
	root := string(st.text(k))
	var b []byte
	if a, ok := st.aliases[root]; ok {
		b = append(b, a...)
	} else if wellKnown(root) {
		b = append(b, root...)
	} else {
		return "", k, false
	}
	j := k + 1
	for {
		switch st.typ(j) {
		case js.DotToken:
			if !js.IsIdentifierName(st.typ(j + 1)) {
				return string(b), j, true
			}
			b = append(append(b, '.'), st.text(j+1)...)
			j += 2
			continue
		case js.OpenBracketToken:
			v, e, ok := st.strExpr(j + 1)
			if ok && st.typ(e) == js.CloseBracketToken && isIdentName(v) {
				b = append(append(b, '.'), v...)
				j = e + 1
				continue
			}
		}
		return string(b), j, true
	}
}

// value is what the evaluator computes: a string or an array of strings.
type value struct {
	s     string
	arr   []string
	isArr bool
}

// strExpr evaluates primary ('+' primary)* from i. It returns the string,
// the index after the last token used, and whether at least the first
// primary was a complete string.
func (st *state) strExpr(i int) (string, int, bool) {
	if st.nest >= maxNest {
		return "", i, false
	}
	st.nest++
	defer func() { st.nest-- }()
	v, j, ok := st.primary(i)
	if !ok || v.isArr || !st.validEnd(j) {
		return "", i, false
	}
	if st.typ(j) != js.AddToken {
		return v.s, j, true
	}
	acc := []byte(v.s)
	for st.typ(j) == js.AddToken {
		w, k, ok := st.primary(j + 1)
		if !ok || w.isArr || !st.validEnd(k) || len(acc)+len(w.s) > st.max {
			break
		}
		acc = append(acc, w.s...)
		j = k
	}
	return string(acc), j, true
}

// primary evaluates one operand with its method calls.
func (st *state) primary(i int) (value, int, bool) {
	var v value
	j := i
	switch st.typ(i) {
	case js.StringToken, js.TemplateToken:
		raw := st.text(i)
		if len(raw) < 2 || raw[len(raw)-1] != raw[0] {
			return v, i, false
		}
		b, _ := decodeBody(nil, raw[1:len(raw)-1])
		v.s, j = string(b), i+1
	case js.OpenParenToken:
		if st.memberBefore(i) || st.typ(i-1) == js.IfToken || st.typ(i-1) == js.WhileToken {
			return v, i, false
		}
		s, k, ok := st.strExpr(i + 1)
		if !ok || st.typ(k) != js.CloseParenToken {
			return v, i, false
		}
		v.s, j = s, k+1
	case js.OpenBracketToken:
		if st.memberBefore(i) {
			return v, i, false
		}
		k := i + 1
		v.isArr = true
		for st.typ(k) != js.CloseBracketToken {
			s, e, ok := st.strExpr(k)
			if !ok {
				return v, i, false
			}
			v.arr = append(v.arr, s)
			k = e
			if st.typ(k) == js.CommaToken {
				k++
			} else if st.typ(k) != js.CloseBracketToken {
				return v, i, false
			}
		}
		j = k + 1
		if st.typ(j) != js.DotToken {
			return v, i, false // a bare array is not a string
		}
	case js.IdentifierToken:
		var ok bool
		if v.s, j, ok = st.call(i); !ok {
			return v, i, false
		}
	default:
		return v, i, false
	}
	return st.methods(v, j)
}

// call evaluates identifier-led primaries: String.fromCharCode, atob,
// Buffer.from(...).toString(), unescape, string-table accessors, constants.
func (st *state) call(i int) (string, int, bool) {
	name := string(st.text(i))
	if p := st.typ(i - 1); p == js.DotToken || p == js.OptChainToken {
		return "", i, false
	}
	switch name {
	case "String":
		if !st.is(i+1, ".") || !st.is(i+2, "fromCharCode") || st.typ(i+3) != js.OpenParenToken {
			break
		}
		var units []uint16
		k := i + 4
		for st.typ(k) != js.CloseParenToken {
			if !js.IsNumeric(st.typ(k)) {
				return "", i, false
			}
			n, ok := parseNum(st.text(k))
			if !ok {
				return "", i, false
			}
			units = append(units, uint16(n))
			k++
			if st.typ(k) == js.CommaToken {
				k++
			} else if st.typ(k) != js.CloseParenToken {
				return "", i, false
			}
		}
		s := string(utf16.Decode(units))
		if len(s) >= 8 {
			st.payload(int(st.toks[i].S), "fromCharCode", []byte(s))
		}
		return s, k + 1, true
	case "atob", "unescape", "decodeURIComponent", "decodeURI":
		if st.typ(i+1) != js.OpenParenToken {
			break
		}
		s, k, ok := st.strExpr(i + 2)
		if !ok || st.typ(k) != js.CloseParenToken {
			break
		}
		if name != "atob" {
			d, ok := percentDecode(s)
			if !ok {
				break
			}
			return d, k + 1, true
		}
		b, ok := decodeBase64(s)
		if !ok || !printable(b) {
			break
		}
		st.payload(int(st.toks[i+2].S), "base64", b)
		return string(b), k + 1, true
	case "Buffer":
		if !st.is(i+1, ".") || !st.is(i+2, "from") || st.typ(i+3) != js.OpenParenToken {
			break
		}
		s, k, ok := st.strExpr(i + 4)
		if !ok {
			break
		}
		var b []byte
		via := ""
		switch st.typ(k) {
		case js.CloseParenToken:
			b = []byte(s)
		case js.CommaToken:
			enc, e, ok := st.strExpr(k + 1)
			if !ok || st.typ(e) != js.CloseParenToken {
				return "", i, false
			}
			k = e
			switch enc {
			case "base64", "base64url":
				b, ok = decodeBase64(s)
				via = "base64"
			case "hex":
				b, ok = decodeHex(s)
				via = "hex"
			case "utf8", "utf-8", "latin1", "binary", "ascii":
				b = []byte(s)
			default:
				ok = false
			}
			if !ok {
				return "", i, false
			}
		default:
			return "", i, false
		}
		if via != "" && printable(b) {
			st.payload(int(st.toks[i+4].S), via, b)
		}
		// Only Buffer.from(...).toString([utf8]) is a string.
		k++
		if !st.is(k, ".") || !st.is(k+1, "toString") || st.typ(k+2) != js.OpenParenToken {
			return "", i, false
		}
		k += 3
		if st.typ(k) != js.CloseParenToken {
			enc, e, ok := st.strExpr(k)
			if !ok || st.typ(e) != js.CloseParenToken || (enc != "utf8" && enc != "utf-8" && enc != "latin1" && enc != "binary" && enc != "ascii") {
				return "", i, false
			}
			k = e
		}
		if !utf8.Valid(b) || !printable(b) {
			return "", i, false
		}
		return string(b), k + 1, true
	}
	if s, j, ok := st.tables.lookup(st, i); ok {
		return s, j, true
	}
	if s, ok := st.consts[name]; ok {
		return s, i + 1, true
	}
	return "", i, false
}

// methods applies .split/.reverse/.join/.concat/case and trim calls.
func (st *state) methods(v value, j int) (value, int, bool) {
	for n := 0; n < 16 && st.typ(j) == js.DotToken && st.typ(j+2) == js.OpenParenToken; n++ {
		m := string(st.text(j + 1))
		k := j + 3
		var arg string
		hasArg := false
		if st.typ(k) != js.CloseParenToken {
			s, e, ok := st.strExpr(k)
			if !ok || st.typ(e) != js.CloseParenToken {
				break
			}
			arg, hasArg, k = s, true, e
		}
		switch {
		case v.isArr && m == "join":
			sep := ","
			if hasArg {
				sep = arg
			}
			n := 0
			for _, s := range v.arr {
				n += len(s) + len(sep)
			}
			if n > st.max {
				return v, j, false
			}
			var b []byte
			for x, s := range v.arr {
				if x > 0 {
					b = append(b, sep...)
				}
				b = append(b, s...)
			}
			v = value{s: string(b)}
		case v.isArr && m == "reverse" && !hasArg:
			for a, b := 0, len(v.arr)-1; a < b; a, b = a+1, b-1 {
				v.arr[a], v.arr[b] = v.arr[b], v.arr[a]
			}
		case !v.isArr && m == "split" && hasArg:
			var parts []string
			if arg == "" {
				for _, r := range v.s {
					parts = append(parts, string(r))
				}
			} else {
				parts = splitString(v.s, arg)
			}
			v = value{arr: parts, isArr: true}
		case !v.isArr && m == "concat" && hasArg:
			v.s += arg
		case !v.isArr && !hasArg && (m == "toLowerCase" || m == "toUpperCase" || m == "trim" || m == "toString"):
			switch m {
			case "toLowerCase":
				v.s = string(bytes.ToLower([]byte(v.s)))
			case "toUpperCase":
				v.s = string(bytes.ToUpper([]byte(v.s)))
			case "trim":
				v.s = string(bytes.TrimSpace([]byte(v.s)))
			}
		default:
			return v, j, !v.isArr
		}
		j = k + 1
	}
	return v, j, true
}

func splitString(s, sep string) []string {
	var out []string
	for {
		k := bytes.Index([]byte(s), []byte(sep))
		if k < 0 {
			return append(out, s)
		}
		out = append(out, s[:k])
		s = s[k+len(sep):]
	}
}
