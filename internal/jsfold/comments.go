package jsfold

import (
	"bytes"
	"path"
	"strings"
)

// Lang is the language of a text file, as far as comment syntax goes.
type Lang int

const (
	Unknown Lang = iota
	JS
	Shell
	Batch
	PowerShell
	Python
	Gyp
)

// LangOf guesses a file's language from its extension, then its shebang.
func LangOf(p string, data []byte) Lang {
	switch strings.ToLower(path.Ext(p)) {
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx":
		return JS
	case ".sh", ".bash", ".zsh", ".ksh":
		return Shell
	case ".bat", ".cmd":
		return Batch
	case ".ps1", ".psm1", ".psd1":
		return PowerShell
	case ".py", ".pyw":
		return Python
	case ".gyp", ".gypi":
		return Gyp
	}
	if !bytes.HasPrefix(data, []byte("#!")) {
		return Unknown
	}
	line := data
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line = line[:k]
	}
	// Take the interpreter, looking through /usr/bin/env and its flags.
	fields := strings.Fields(string(line[2:]))
	for _, f := range fields {
		b := path.Base(f)
		if b == "env" || strings.HasPrefix(f, "-") || strings.Contains(f, "=") {
			continue
		}
		switch {
		case b == "node" || b == "nodejs" || b == "deno" || b == "bun" || b == "tsx" || b == "ts-node":
			return JS
		case b == "sh" || b == "bash" || b == "zsh" || b == "dash" || b == "ksh" || b == "ash":
			return Shell
		case strings.HasPrefix(b, "python"):
			return Python
		case b == "pwsh" || b == "powershell":
			return PowerShell
		}
		return Unknown
	}
	return Unknown
}

// StripComments removes comments from src in the given language, keeping
// every newline so that line numbers still hold. Unknown text is returned
// unchanged (copied).
func StripComments(src []byte, lang Lang) []byte {
	switch lang {
	case JS:
		return StripJSComments(src)
	case Shell:
		return stripHash(src, true, false)
	case Python, Gyp:
		return stripHash(src, false, true)
	case PowerShell:
		return stripPowerShell(src)
	case Batch:
		return stripBatch(src)
	}
	return bytes.Clone(src)
}

// stripHash drops '#' comments outside quotes. Shell: a '#' only starts a
// comment at the start of a word (so ${#var}, a#b and $# stay), and the
// first-line "#!" stays. Python: triple-quoted strings span lines.
func stripHash(src []byte, shell, python bool) []byte {
	out := make([]byte, 0, len(src))
	var quote byte
	triple := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quote != 0 {
			out = append(out, c)
			switch {
			case c == '\\' && (quote == '"' || python) && i+1 < len(src):
				i++
				out = append(out, src[i])
			case c == quote && (!triple || i+2 < len(src) && src[i+1] == quote && src[i+2] == quote):
				if triple {
					out = append(out, src[i+1], src[i+2])
					i += 2
				}
				quote, triple = 0, false
			case c == '\n' && python && !triple:
				quote = 0 // unterminated single-line string
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
			if python && i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				triple = true
				out = append(out, c, c)
				i += 2
			}
		case '\\':
			if shell && i+1 < len(src) {
				out = append(out, c, src[i+1])
				i++
				continue
			}
		case '`':
			if shell {
				quote = c
			}
		case '#':
			if i == 0 && shell && len(src) > 1 && src[1] == '!' {
				break
			}
			if shell && i > 0 && !isShellWordStart(src[i-1]) {
				break
			}
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i < len(src) {
				out = append(out, '\n')
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

func isShellWordStart(prev byte) bool {
	switch prev {
	case ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')':
		return true
	}
	return false
}

// stripPowerShell drops '#' line comments and <# #> block comments outside
// quotes (” doubles a quote, ` escapes in "").
func stripPowerShell(src []byte) []byte {
	out := make([]byte, 0, len(src))
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quote != 0 {
			out = append(out, c)
			if c == '`' && quote == '"' && i+1 < len(src) {
				i++
				out = append(out, src[i])
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch {
		case c == '\'' || c == '"':
			quote = c
		case c == '<' && i+1 < len(src) && src[i+1] == '#':
			end := bytes.Index(src[i+2:], []byte("#>"))
			stop := len(src)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			out = appendNewlines(out, bytes.Count(src[i:stop], []byte{'\n'}))
			i = stop - 1
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i < len(src) {
				out = append(out, '\n')
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// stripBatch blanks lines whose first command is REM or "::", and the text
// after "& REM" / "& ::" on a line.
func stripBatch(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for len(src) > 0 {
		line := src
		rest := []byte(nil)
		if k := bytes.IndexByte(src, '\n'); k >= 0 {
			line, rest = src[:k+1], src[k+1:]
		}
		out = append(out, batchLine(line)...)
		src = rest
	}
	return out
}

func batchLine(line []byte) []byte {
	eol := []byte(nil)
	body := line
	if bytes.HasSuffix(body, []byte("\n")) {
		body, eol = body[:len(body)-1], []byte("\n")
		if bytes.HasSuffix(body, []byte("\r")) {
			body, eol = body[:len(body)-1], []byte("\r\n")
		}
	}
	i := 0
	for {
		j := i
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '@') {
			j++
		}
		t := body[j:]
		if bytes.HasPrefix(t, []byte("::")) || len(t) >= 3 && strings.EqualFold(string(t[:3]), "rem") && (len(t) == 3 || t[3] == ' ' || t[3] == '\t' || t[3] == '.' || t[3] == ':') {
			return append(append([]byte(nil), body[:i]...), eol...)
		}
		k := bytes.IndexByte(body[j:], '&')
		if k < 0 {
			return line
		}
		i = j + k + 1
		if i < len(body) && body[i] == '&' {
			i++
		}
	}
}
