package jsfold

import (
	"bytes"
	"strings"

	"github.com/tdewolff/parse/v2/js"
)

// tables holds javascript-obfuscator string arrays and their accessors.
type tables struct {
	arr map[string][]string  // table name -> strings
	acc map[string]*accessor // accessor name (and aliases) -> accessor
}

type accessor struct {
	strs   []string
	offset int64
}

// stringArray reads '[' string (',' string)* ']' at k.
func (st *state) stringArray(k int) ([]string, int, bool) {
	if st.typ(k) != js.OpenBracketToken {
		return nil, k, false
	}
	var out []string
	k++
	for st.typ(k) == js.StringToken || st.typ(k) == js.TemplateToken {
		raw := st.text(k)
		if len(raw) < 2 || raw[len(raw)-1] != raw[0] {
			return nil, k, false
		}
		b, _ := decodeBody(nil, raw[1:len(raw)-1])
		out = append(out, string(b))
		k++
		if st.typ(k) == js.CommaToken {
			k++
		}
	}
	if st.typ(k) != js.CloseBracketToken || len(out) < 2 {
		return nil, k, false
	}
	return out, k + 1, true
}

// findTables finds string arrays returned by a function or bound to a
// name, then functions that index them (the accessors), then names bound to
// an accessor. It looks at a few tokens per candidate, so it stays linear.
func (st *state) findTables() {
	toks := st.toks
	var tableAt map[string]int
	for i := 0; i+4 < len(toks); i++ {
		var name string
		var k int
		switch toks[i].T {
		case js.FunctionToken:
			// function T() { [return|const x =] [ ... ] }
			if !js.IsIdentifier(st.typ(i+1)) || st.typ(i+2) != js.OpenParenToken || st.typ(i+3) != js.CloseParenToken || st.typ(i+4) != js.OpenBraceToken {
				continue
			}
			name = string(st.text(i + 1))
			k = i + 5
			for n := 0; n < 4 && st.typ(k) != js.OpenBracketToken; n++ {
				k++
			}
		case js.VarToken, js.ConstToken, js.LetToken:
			// Only the obfuscator's own naming: ordinary code has plenty of
			// string arrays and scanning for accessors of each is not free.
			if !js.IsIdentifier(st.typ(i+1)) || st.typ(i+2) != js.EqToken || !bytes.HasPrefix(st.text(i+1), []byte("_0x")) {
				continue
			}
			name, k = string(st.text(i+1)), i+3
		default:
			continue
		}
		if st.typ(k) != js.OpenBracketToken || (st.typ(k+1) != js.StringToken && st.typ(k+1) != js.TemplateToken) {
			continue
		}
		strs, _, ok := st.stringArray(k)
		if !ok {
			continue
		}
		if st.tables.arr == nil {
			st.tables.arr = map[string][]string{}
			tableAt = map[string]int{}
		}
		st.tables.arr[name] = strs
		tableAt[name] = int(toks[k].S)
	}
	if st.tables.arr == nil {
		return
	}
	var first [256]bool
	for name := range st.tables.arr {
		first[name[0]] = true
	}
	// Accessors: function A(p, ...) { ... T ... } with T a table, within a
	// short body; an offset appears as "p = p - N" or "p -= N".
	for i := 0; i+3 < len(toks); i++ {
		if toks[i].T != js.FunctionToken || !js.IsIdentifier(st.typ(i+1)) || st.typ(i+2) != js.OpenParenToken || !js.IsIdentifier(st.typ(i+3)) {
			continue
		}
		name := string(st.text(i + 1))
		if _, isTable := st.tables.arr[name]; isTable {
			continue
		}
		var strs []string
		found := false
		var off int64
		hasOff := false
		for k := i + 4; k < len(toks) && k < i+120; k++ {
			if js.IsIdentifier(toks[k].T) && first[st.src[toks[k].S]] {
				if s, ok := st.tables.arr[string(st.text(k))]; ok && !found && st.typ(k-1) != js.FunctionToken {
					strs, found = s, true
				}
			}
			if !hasOff && (toks[k].T == js.SubToken || toks[k].T == js.SubEqToken) && js.IsNumeric(st.typ(k+1)) {
				if n, ok := parseNum(st.text(k + 1)); ok {
					off, hasOff = n, true
				}
			}
		}
		if !found {
			continue
		}
		if st.tables.acc == nil {
			st.tables.acc = map[string]*accessor{}
		}
		st.tables.acc[name] = &accessor{strs: strs, offset: off}
	}
	if st.tables.acc == nil {
		return
	}
	st.res.StringTable = true
	for name, at := range tableAt {
		used := false
		for _, a := range st.tables.acc {
			if len(a.strs) > 0 && len(st.tables.arr[name]) > 0 && &a.strs[0] == &st.tables.arr[name][0] {
				used = true
			}
		}
		if used {
			st.payload(at, "string-table", []byte(strings.Join(st.tables.arr[name], "\n")))
		}
	}
	// Aliases: x = A followed by an end of expression.
	for round := 0; round < 3; round++ {
		added := false
		for i := 0; i+2 < len(toks); i++ {
			if toks[i+1].T != js.EqToken || !js.IsIdentifier(toks[i].T) || !js.IsIdentifier(toks[i+2].T) {
				continue
			}
			a, ok := st.tables.acc[string(st.text(i+2))]
			if !ok {
				continue
			}
			if n := st.typ(i + 3); n != js.SemicolonToken && n != js.CommaToken && n != js.ErrorToken && n != js.CloseBraceToken {
				continue
			}
			if _, had := st.tables.acc[string(st.text(i))]; !had {
				st.tables.acc[string(st.text(i))] = a
				added = true
			}
		}
		if !added {
			break
		}
	}
}

// lookup resolves A(N) where A is an accessor.
func (t *tables) lookup(st *state, i int) (string, int, bool) {
	if t.acc == nil {
		return "", i, false
	}
	a, ok := t.acc[string(st.text(i))]
	if !ok || st.typ(i+1) != js.OpenParenToken || !js.IsNumeric(st.typ(i+2)) || st.typ(i+3) != js.CloseParenToken {
		return "", i, false
	}
	n, ok := parseNum(st.text(i + 2))
	if !ok {
		return "", i, false
	}
	n -= a.offset
	if n < 0 || n >= int64(len(a.strs)) {
		return "", i, false
	}
	if st.resolvedAt == nil {
		st.resolvedAt = map[int32]bool{}
	}
	if !st.resolvedAt[st.toks[i].S] {
		st.resolvedAt[st.toks[i].S] = true
		st.res.Resolved++
	}
	return a.strs[n], i + 4, true
}

// findCandidates collects names declared with an initialiser that may fold
// to a string or a well-known global, then counts every binding of those
// names in the file (declarations, assignments, parameters).
func (st *state) findCandidates() {
	toks := st.toks
	for i := 1; i+2 < len(toks); i++ {
		if toks[i].T != js.IdentifierToken || toks[i+1].T != js.EqToken {
			continue
		}
		if p := toks[i-1].T; p != js.VarToken && p != js.ConstToken && p != js.LetToken && p != js.CommaToken {
			continue
		}
		ok := false
		switch r := toks[i+2].T; r {
		case js.StringToken, js.TemplateToken:
			ok = true
		case js.OpenBracketToken, js.OpenParenToken:
			n := st.typ(i + 3)
			ok = n == js.StringToken || n == js.TemplateToken
		case js.IdentifierToken:
			s := string(st.text(i + 2))
			switch s {
			case "String", "atob", "Buffer", "unescape", "decodeURIComponent", "decodeURI":
				ok = true
			default:
				_, isCand := st.cand[s]
				_, isAcc := st.tables.acc[s]
				ok = wellKnown(s) || isCand || isAcc
			}
		}
		if ok {
			if st.cand == nil {
				st.cand = map[string]int{}
			}
			st.cand[string(st.text(i))] = 0
		}
	}
	if st.cand == nil {
		return
	}
	var first [256]bool
	for name := range st.cand {
		first[name[0]] = true
	}
	var parens []int
	for i := 0; i < len(toks); i++ {
		t := toks[i].T
		switch t {
		case js.OpenParenToken:
			parens = append(parens, i)
			continue
		case js.CloseParenToken:
			if len(parens) == 0 {
				continue
			}
			open := parens[len(parens)-1]
			parens = parens[:len(parens)-1]
			if n := st.typ(i + 1); (n == js.OpenBraceToken || n == js.ArrowToken) && i-open < 256 {
				for k := open + 1; k < i; k++ {
					if !js.IsIdentifier(toks[k].T) || !first[st.src[toks[k].S]] {
						continue
					}
					switch st.typ(k - 1) {
					case js.OpenParenToken, js.CommaToken, js.OpenBraceToken, js.OpenBracketToken, js.EllipsisToken, js.ColonToken:
					default:
						continue
					}
					switch st.typ(k + 1) {
					case js.CommaToken, js.CloseParenToken, js.CloseBraceToken, js.CloseBracketToken, js.EqToken:
					default:
						continue
					}
					if c, ok := st.cand[string(st.text(k))]; ok {
						st.cand[string(st.text(k))] = c + 1
					}
				}
			}
			continue
		}
		if !js.IsIdentifier(t) || !first[st.src[toks[i].S]] {
			continue
		}
		p, n := st.typ(i-1), st.typ(i+1)
		bind := false
		switch {
		case p == js.DotToken || p == js.OptChainToken:
		case p == js.VarToken || p == js.ConstToken || p == js.LetToken || p == js.FunctionToken || p == js.ClassToken:
			bind = true
		case isAssign(n) || p == js.IncrToken || p == js.DecrToken:
			bind = true
		}
		if !bind {
			continue
		}
		if c, ok := st.cand[string(st.text(i))]; ok {
			st.cand[string(st.text(i))] = c + 1
		}
	}
}
