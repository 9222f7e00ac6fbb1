// Package jslex is the one JavaScript tokenizer of stagegate: significant
// tokens and comments as byte spans of the source, on the tdewolff lexer,
// with the regex-versus-division decision made from the previous token.
// jsfold folds over it and pretty re-indents with it; neither needs a
// parser, and a lexer never rejects a file as a parser would.
package jslex

import (
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// The lexer is github.com/tdewolff/parse/v2/js: it hands out a token stream
// (goja/parser only exposes a whole-program parser, measured at ~30 MB/s on
// typescript.js against ~2 GB/s for this lexer's raw token loop), it tracks
// template nesting, and it lets the caller decide regex-versus-division,
// which we do from the previous significant token as every JS tokenizer must.

// Tok is one significant token: its type and byte span in the source.
type Tok struct {
	T    js.TokenType
	S, E int32
}

// Span is a comment's byte range; Block says whether it was /* */.
type Span struct {
	S, E  int32
	Block bool
}

// Lexed is the token stream of one source plus where lexing gave up.
type Lexed struct {
	Toks []Tok
	Cmts []Span
	// Stop is the offset where lexing ended: len(src) normally, earlier on a
	// lexer error; what follows Stop is to be copied verbatim.
	Stop int
	// Hashbang is the length of a leading "#!" line, kept verbatim.
	Hashbang int
}

// Lex tokenizes src. With keepToks false only comments are collected
// (enough to strip them).
func Lex(src []byte, keepToks bool) (lx Lexed) {
	if keepToks {
		lx.Toks = make([]Tok, 0, len(src)/5+16)
	}
	lx.Stop, lx.Hashbang = Scan(src, func(t Tok) {
		switch t.T {
		case js.CommentToken, js.CommentLineTerminatorToken:
			block := t.E-t.S >= 2 && src[t.S] == '/' && src[t.S+1] == '*'
			lx.Cmts = append(lx.Cmts, Span{t.S, t.E, block})
		default:
			if keepToks {
				lx.Toks = append(lx.Toks, t)
			}
		}
	})
	return lx
}

// Scan calls fn for each significant token and each comment (type
// js.CommentToken or js.CommentLineTerminatorToken) of src in order,
// without collecting them: a printer that looks at one token at a time
// need not hold the millions of a large bundle. It returns where lexing
// stopped (len(src) normally; what follows is to be copied verbatim) and
// the length of a leading "#!" line, which fn does not see.
func Scan(src []byte, fn func(Tok)) (stop, hashbang int) {
	// The lexer indexes past its buffer on some malformed endings (a lone
	// '#' as the last byte); stop at the last good token and let the caller
	// copy the rest verbatim rather than bring the process down.
	at := 0
	defer func() {
		if recover() != nil {
			stop = at
		}
	}()
	if len(src) == 0 {
		return 0, 0
	}
	// The lexer writes a NUL past the end of its buffer; give it a private copy
	// so that callers sharing src across goroutines are never written to.
	buf := make([]byte, len(src)+1)
	copy(buf, src)
	in := parse.NewInputBytes(buf[:len(src)])
	l := js.NewLexer(in)
	if len(src) > 1 && src[0] == '#' && src[1] == '!' {
		n := 0
		for n < len(src) && src[n] != '\n' && src[n] != '\r' {
			n++
		}
		hashbang = n
		in.Move(n)
		in.Skip()
	}
	prev := js.ErrorToken // ErrorToken stands for "start of input"
	for {
		s := in.Offset()
		at = min(s, len(src))
		tt, _ := l.Next()
		e := in.Offset()
		if e <= s && tt != js.ErrorToken {
			// No progress (the lexer can return empty tokens on malformed
			// input): stop rather than spin.
			return min(s, len(src)), hashbang
		}
		switch tt {
		case js.WhitespaceToken, js.LineTerminatorToken:
			continue
		case js.CommentToken, js.CommentLineTerminatorToken:
			fn(Tok{tt, int32(s), int32(min(e, len(src)))})
			continue
		case js.ErrorToken:
			if s >= len(src) || e <= s {
				// End of input, or an error that consumed nothing: stop
				// here and let the caller copy the rest verbatim.
				return min(s, len(src)), hashbang
			}
			// Unterminated string or a stray character: keep it opaque and
			// go on, the lexer resumes after it.
		case js.DivToken, js.DivEqToken:
			if RegexAllowed(prev) {
				if r := scanRegex(src, s); r > 0 {
					in.Move(r - e)
					in.Skip()
					tt, e = js.RegExpToken, r
				}
			}
		}
		if e > len(src) {
			e = len(src)
		}
		prev = tt
		fn(Tok{tt, int32(s), int32(e)})
	}
}

// RegexAllowed says whether a '/' after a token of type prev starts a
// regular expression rather than a division.
func RegexAllowed(prev js.TokenType) bool {
	switch prev {
	case js.ErrorToken:
		return true
	case js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken, js.PrivateIdentifierToken,
		js.CloseParenToken, js.CloseBracketToken, js.IncrToken, js.DecrToken,
		js.ThisToken, js.SuperToken, js.TrueToken, js.FalseToken, js.NullToken:
		return false
	}
	if js.IsNumeric(prev) || js.IsIdentifier(prev) {
		return false
	}
	return true
}

// scanRegex returns the end of a regular expression literal starting with
// the '/' at s, or 0 when there is none on this line.
func scanRegex(src []byte, s int) int {
	i := s + 1
	inClass := false
	for {
		if i >= len(src) {
			return 0
		}
		c := src[i]
		switch {
		case c == '\n' || c == '\r':
			return 0
		case c == '\\':
			i++
			if i >= len(src) || src[i] == '\n' || src[i] == '\r' {
				return 0
			}
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			i++
			for i < len(src) && (src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z') {
				i++
			}
			return i
		}
		i++
	}
}
