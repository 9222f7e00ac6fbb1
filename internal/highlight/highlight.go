// Package highlight colours source lines for the diff pane with chroma:
// it lexes lines (each on its own: a diff shows fragments, and the pane
// asks only for the lines on screen) into spans of a few classes, and
// gives each class a colour of chroma's GitHub styles.
//
// chroma's lexers are regular-expression machines: about 150 µs for an
// 90-column line of JavaScript on the development machine, and 2 ms to
// pick a lexer by file name. The dashboard therefore highlights in a
// background command and caches the spans; View only looks them up.
package highlight

import (
	"embed"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

// lexerFiles are chroma's definitions of the languages npm packages ship
// (JavaScript and TypeScript, JSON, shell and Windows scripts, CI YAML,
// native addon sources, Dockerfile, Makefile), copied from chroma v2.27.0
// under its licence (lexers/COPYING). chroma's own lexers package parses
// all 279 of its definitions when a program starts, about 7 ms added to
// every stagegate command; these are read only when a review is
// highlighted, and only their headers until a language is used.
//
//go:embed lexers/*.xml
var lexerFiles embed.FS

// Class is what a span of source is, as far as colour goes.
type Class uint8

// Classes; None is not coloured.
const (
	None Class = iota
	Keyword
	Name // built-ins, functions, classes, tags, attributes
	String
	Number
	Literal // true, false, null, undefined
	Comment
	Operator
	NClasses
)

// Span is a highlighted byte range of a line.
type Span struct {
	Start, End int32
	Class      Class
}

// Highlighter lexes lines; it is safe for concurrent use. It keeps the
// lexer chosen for each file extension, since choosing is slow.
type Highlighter struct {
	mu       sync.Mutex
	byName   map[string]chroma.Lexer
	registry *chroma.LexerRegistry // built on first use
}

// New returns a Highlighter.
func New() *Highlighter { return &Highlighter{byName: map[string]chroma.Lexer{}} }

// lexer returns the lexer for a file, nil when chroma has none.
func (h *Highlighter) lexer(p string) chroma.Lexer {
	k := strings.ToLower(path.Ext(p))
	if k == "" {
		k = path.Base(p) // Makefile, Dockerfile
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.byName[k]; ok {
		return l
	}
	if h.registry == nil {
		h.registry = loadRegistry()
	}
	l := h.registry.Match(path.Base(p))
	if l != nil {
		l = chroma.Coalesce(l)
	}
	h.byName[k] = l
	return l
}

// Supports reports whether lines of file p can be highlighted.
func (h *Highlighter) Supports(p string) bool { return h.lexer(p) != nil }

// Lines lexes each line of file p on its own and returns its coloured
// spans (nil for a line with none, or when p has no lexer).
func (h *Highlighter) Lines(p string, lines []string) [][]Span {
	out := make([][]Span, len(lines))
	l := h.lexer(p)
	if l == nil {
		return out
	}
	for i, line := range lines {
		out[i] = lexLine(l, line)
	}
	return out
}

func lexLine(l chroma.Lexer, line string) []Span {
	// Lexers expect lines to end in "\n" (a // comment runs to it); the
	// one added is clipped from the spans.
	it, err := l.Tokenise(&chroma.TokeniseOptions{State: "root", EnsureLF: true}, line)
	if err != nil {
		return nil
	}
	var spans []Span
	off := 0
	for t := it(); t != chroma.EOF; t = it() {
		n := min(len(t.Value), len(line)-off)
		if n <= 0 {
			break
		}
		if c := classOf(t.Type); c != None {
			if k := len(spans); k > 0 && spans[k-1].Class == c && int(spans[k-1].End) == off {
				spans[k-1].End = int32(off + n)
			} else {
				spans = append(spans, Span{int32(off), int32(off + n), c})
			}
		}
		off += n
	}
	return spans
}

func classOf(t chroma.TokenType) Class {
	switch {
	case t == chroma.KeywordConstant:
		return Literal
	case t.InCategory(chroma.Keyword):
		return Keyword
	case t.InCategory(chroma.Comment):
		return Comment
	case t.InSubCategory(chroma.LiteralString):
		return String
	case t.InSubCategory(chroma.LiteralNumber):
		return Number
	case t.InCategory(chroma.Literal):
		return Literal
	case t == chroma.Operator || t == chroma.OperatorWord:
		return Operator
	case t == chroma.NameBuiltin || t == chroma.NameBuiltinPseudo || t == chroma.NameFunction ||
		t == chroma.NameClass || t == chroma.NameTag || t == chroma.NameAttribute:
		return Name
	}
	return None
}

// Colour is how a class is drawn: a "#rrggbb" foreground ("" for the
// terminal's own) and attributes.
type Colour struct {
	FG           string
	Bold, Italic bool
}

// Palette returns the colour of each class in chroma's "github-dark"
// (dark background) or "github" (light) style. The two tables are
// copied from chroma (TestPaletteIsChromas keeps them equal) because
// importing chroma's styles package parses every style it ships when the
// program starts: 8.6 ms added to every command, `stagegate version`
// included.
func Palette(dark bool) [NClasses]Colour {
	if dark {
		return [NClasses]Colour{
			Keyword: {FG: "#ff7b72"}, Name: {FG: "#d2a8ff", Bold: true}, String: {FG: "#a5d6ff"},
			Number: {FG: "#a5d6ff"}, Literal: {FG: "#79c0ff"}, Comment: {FG: "#8b949e", Italic: true},
			Operator: {FG: "#ff7b72", Bold: true},
		}
	}
	return [NClasses]Colour{
		Keyword: {FG: "#cf222e"}, Name: {FG: "#6639ba"}, String: {FG: "#0a3069"},
		Number: {FG: "#0550ae"}, Literal: {FG: "#cf222e"}, Comment: {FG: "#57606a"},
		Operator: {FG: "#0550ae"},
	}
}

// loadRegistry reads the headers (names, file globs) of the embedded
// definitions; chroma compiles a language's rules on its first use. A
// definition that fails to load is left out: that language is shown
// without colour, never an error.
func loadRegistry() *chroma.LexerRegistry {
	reg := chroma.NewLexerRegistry()
	paths, _ := fs.Glob(lexerFiles, "lexers/*.xml")
	for _, p := range paths {
		if l, err := chroma.NewXMLLexer(lexerFiles, p); err == nil {
			reg.Register(l) // also lets HTML and Dockerfile call into JavaScript, CSS and Bash
		}
	}
	return reg
}
