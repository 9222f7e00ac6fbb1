package npmrc

import (
	"strings"
	"testing"
)

// describeValue renders a value as "type:String(v)", the form used by the
// expectations below (taken from running npm's own ini and env-replace
// modules on the same inputs).
func describeValue(v any) string {
	switch v.(type) {
	case jsNull:
		return "null"
	case *jsArray:
		return "array:" + jsString(v)
	case *jsObject:
		return "object"
	case string:
		return "string:" + jsString(v)
	case bool:
		return "boolean:" + jsString(v)
	case float64:
		return "number:" + jsString(v)
	}
	return "?"
}

func TestParseINI(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string // nil: ini throws
	}{
		{"comments and quotes", "a=1\n;c\n#d\nb = \"x\" \n", map[string]string{"a": "string:1", "b": "string:x"}},
		{"arrays keep collecting", "k[]=a\nk[]=b\nk=c", map[string]string{"k": "array:a,b,c"}},
		{"array after plain", "k[]=a\nk=b", map[string]string{"k": "array:a,b"}},
		{"bare key is true", "k", map[string]string{"k": "boolean:true"}},
		{"single quotes are JSON-parsed", "k='123'", map[string]string{"k": "number:123"}},
		{"inline comment", "k=v ; comment", map[string]string{"k": "string:v"}},
		{"escapes", `k=a\;b\#c\d`, map[string]string{"k": `string:a;b#c\d`}},
		{"section", "[s]\nx=1", map[string]string{"s": "object"}},
		{"U+2028 in a value drops the line", "k=x\u2028y\nz=1", map[string]string{"z": "string:1"}},
		{"empty key", "=v", map[string]string{}},
		{"dotted section into null throws", "a=null\n[a.b]\nx=1", nil},
		{"dotted key with null moves", "x.y=null", map[string]string{"x": "object"}},
		{"empty single quotes", "k=''", map[string]string{"k": "string:"}},
		{"JSON escapes", `k="a\u0041"`, map[string]string{"k": "string:aA"}},
		{"literals", "k = true\nf=false\nn=null", map[string]string{"k": "boolean:true", "f": "boolean:false", "n": "null"}},
		{"BOM is trimmed", "\ufeffk=bom", map[string]string{"k": "string:bom"}},
		{"triple quote", "k='''", map[string]string{"k": "string:'"}},
		{"__proto__ section is discarded", "[__proto__]\nx=1\ny=2", map[string]string{}},
		{"unterminated quote stays", `k="unterminated`, map[string]string{"k": `string:"unterminated`}},
		{"CRLF", "a=1\r\nb=2\r\n", map[string]string{"a": "string:1", "b": "string:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseINI(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("parseINI(%q) succeeded, npm's ini throws", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseINI(%q): %v", tt.in, err)
			}
			gotMap := map[string]string{}
			for _, k := range got.ordered() {
				v, _ := got.get(k)
				gotMap[k] = describeValue(v)
			}
			if len(gotMap) != len(tt.want) {
				t.Fatalf("parseINI(%q) = %v, want %v", tt.in, gotMap, tt.want)
			}
			for k, w := range tt.want {
				if gotMap[k] != w {
					t.Errorf("parseINI(%q)[%q] = %q, want %q", tt.in, k, gotMap[k], w)
				}
			}
		})
	}
}

func TestEnvReplace(t *testing.T) {
	env := map[string]string{"X": "x", "EMPTY": ""}
	tests := []struct{ in, want string }{
		{"${X}", "x"},
		{"${Y}", "${Y}"},
		{"${Y?}", ""},
		{"${X?}", "x"},
		{`\${X}`, "${X}"},
		{`\\${X}`, `\x`},
		{`\\\${X}`, `\${X}`},
		{"a${X}b${X}", "axbx"},
		{"${EMPTY}", ""},
		{"${X", "${X"},
		{"${}", "${}"},
		{"$${X}", "$x"},
		{"${X}}", "x}"},
		{"${{X}}", "${{X}}"},
		{"${X?Y}", "${X?Y}"},
		{`\a${X}`, `\ax`},
		{"no vars", "no vars"},
	}
	for _, tt := range tests {
		if got := envReplace(tt.in, env); got != tt.want {
			t.Errorf("envReplace(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNodeBase64Decode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dXNlcjpwYXNz", "user:pass"},
		{"dXNl cjpw\nYXNz", "user:pass"},
		{"dXNlcjpwYXNz===", "user:pass"},
		{"dXNlcg==cjpw", "user"},
		{"a", ""},
		{"ab", "i"},
		{"!!dXNlcjpwYXNz", "user:pass"},
		{"dXNlcjpwYXN", "user:pas"},
	}
	for _, tt := range tests {
		if got := string(nodeBase64Decode(tt.in)); got != tt.want {
			t.Errorf("nodeBase64Decode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSNumberString(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{{123, "123"}, {0.5, "0.5"}, {1e21, "1e+21"}, {1e-7, "1e-7"}, {0.000001, "0.000001"}, {-2, "-2"}}
	for _, tt := range tests {
		if got := jsNumberString(tt.in); got != tt.want {
			t.Errorf("jsNumberString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeUTF8(t *testing.T) {
	// Node replaces each maximal invalid subsequence with one U+FFFD
	got := decodeUTF8([]byte("a\xe2\x82b\xffc"))
	if want := "a\uFFFDb\uFFFDc"; got != want {
		t.Errorf("decodeUTF8 = %q, want %q", got, want)
	}
	if got := decodeUTF8([]byte("ok")); got != "ok" {
		t.Errorf("decodeUTF8(valid) = %q", got)
	}
	// a truncated 4-byte sequence is one maximal subpart; a surrogate
	// encoding (ED A0 80) is three
	if got := decodeUTF8([]byte{0xf0, 0x9f, 0x98}); got != "\uFFFD" {
		t.Errorf("decodeUTF8(truncated) = %q", got)
	}
	if got := decodeUTF8([]byte{0xed, 0xa0, 0x80}); got != strings.Repeat("\uFFFD", 3) {
		t.Errorf("decodeUTF8(surrogate) = %q", got)
	}
}
