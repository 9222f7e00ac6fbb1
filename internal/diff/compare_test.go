package diff

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCompareStatuses(t *testing.T) {
	png := "\x89PNG\r\n\x1a\nIHDR no nul here"
	tests := []struct {
		name         string
		old, new     map[string]string
		oldM, newM   map[string]uint32
		oldNil       bool
		want         Status
		binary       bool
		added, remov int
		noChange     bool
	}{
		{name: "added", old: map[string]string{}, new: map[string]string{"a.js": "x\ny\n"}, want: Added, added: 2},
		{name: "first release", oldNil: true, new: map[string]string{"a.js": "x\ny"}, want: Added, added: 2},
		{name: "removed", old: map[string]string{"a.js": "x\ny\nz\n"}, new: map[string]string{}, want: Removed, remov: 3},
		{name: "modified", old: map[string]string{"a.js": "a\nb\nc\n"}, new: map[string]string{"a.js": "a\nB\nc\n"}, want: Modified, added: 1, remov: 1},
		{name: "unchanged", old: map[string]string{"a.js": "a\n"}, new: map[string]string{"a.js": "a\n"}, noChange: true},
		{name: "mode only", old: map[string]string{"a.sh": "echo\n"}, new: map[string]string{"a.sh": "echo\n"},
			newM: map[string]uint32{"a.sh": 0o755}, want: ModeOnly},
		{name: "content and mode", old: map[string]string{"a.sh": "echo\n"}, new: map[string]string{"a.sh": "echo hi\n"},
			newM: map[string]uint32{"a.sh": 0o755}, want: Modified, added: 1, remov: 1},
		{name: "empty added", old: map[string]string{}, new: map[string]string{"e": ""}, want: Added},
		{name: "empty to text", old: map[string]string{"e": ""}, new: map[string]string{"e": "a\nb\n"}, want: Modified, added: 2},
		{name: "text to empty", old: map[string]string{"e": "a\nb"}, new: map[string]string{"e": ""}, want: Modified, remov: 2},
		{name: "final newline added", old: map[string]string{"a": "a\nb"}, new: map[string]string{"a": "a\nb\n"}, want: Modified, added: 1, remov: 1},
		{name: "final newline removed", old: map[string]string{"a": "a\nb\n"}, new: map[string]string{"a": "a\nb"}, want: Modified, added: 1, remov: 1},
		{name: "crlf", old: map[string]string{"a": "a\r\nb\r\nc\r\n"}, new: map[string]string{"a": "a\nb\r\nc\n"}, want: Modified, added: 2, remov: 2},
		{name: "binary nul", old: map[string]string{"b.bin": "a\x00b"}, new: map[string]string{"b.bin": "a\x00c"}, want: Modified, binary: true},
		{name: "becomes binary", old: map[string]string{"x.js": "var a = 1;\n"}, new: map[string]string{"x.js": "\x7fELF\x02\x01"}, want: Modified, binary: true},
		{name: "binary by magic", old: map[string]string{}, new: map[string]string{"logo.txt": png}, want: Added, binary: true},
		{name: "nul past the sniffed head is text", old: map[string]string{}, new: map[string]string{"t": strings.Repeat("a", 9000) + "\x00\n"}, want: Added, added: 1},
		{name: "text starting like a signature", old: map[string]string{}, new: map[string]string{"t": "GIF89a is a format\n"}, want: Added, added: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := pkgOf(tc.old, tc.oldM)
			if tc.oldNil {
				old = nil
			}
			res, err := Compare(context.Background(), old, pkgOf(tc.new, tc.newM), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tc.noChange {
				if len(res.Files) != 0 {
					t.Fatalf("files = %+v, want none", res.Files)
				}
				return
			}
			if len(res.Files) != 1 {
				t.Fatalf("got %d files, want 1", len(res.Files))
			}
			f := res.Files[0]
			if f.Status != tc.want || f.Binary != tc.binary || f.LinesAdded != tc.added || f.LinesRemoved != tc.remov {
				t.Fatalf("got status %s binary %v +%d -%d, want %s %v +%d -%d",
					f.Status, f.Binary, f.LinesAdded, f.LinesRemoved, tc.want, tc.binary, tc.added, tc.remov)
			}
			if f.Binary && len(f.Hunks) != 0 {
				t.Fatal("binary file has hunks")
			}
			if tc.want == Modified && !f.Binary {
				got, err := applyHunks(tc.old[f.Path], f.Hunks)
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.new[f.Path] {
					t.Fatalf("applied hunks give %q, want %q", got, tc.new[f.Path])
				}
			}
		})
	}
}

func TestCompareSortedAndSizes(t *testing.T) {
	old := pkgOf(map[string]string{"b": "1\n", "a/x": "1\n", "c": "same\n", "d": "gone\n"}, nil)
	new := pkgOf(map[string]string{"b": "2\n", "a/x": "1\n2\n", "c": "same\n", "e": "new\n"}, map[string]uint32{"e": 0o755})
	res, err := Compare(context.Background(), old, new, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Path+":"+string(f.Status))
	}
	want := "a/x:modified b:modified d:removed e:added"
	if strings.Join(got, " ") != want {
		t.Fatalf("files = %v, want %s", got, want)
	}
	e := res.Files[3]
	if e.NewSize != 4 || e.NewMode != 0o755 || e.OldSize != 0 {
		t.Fatalf("added file sizes/modes wrong: %+v", e)
	}
}

func TestHunkContext(t *testing.T) {
	var lines []string
	for i := 0; i < 30; i++ {
		lines = append(lines, strings.Repeat("x", i%7)+"line")
	}
	old := strings.Join(lines, "\n") + "\n"
	lines[5] = "changed 5"
	lines[12] = "changed 12" // 6 lines apart from 5: one hunk at context 3
	lines[25] = "changed 25" // far: a second hunk
	new := strings.Join(lines, "\n") + "\n"
	tests := []struct {
		ctx, hunks int
	}{{0, 2}, {3, 2}, {-1, 3}, {10, 1}} // 0 is the default, 3
	for _, tc := range tests {
		res, err := Compare(context.Background(), pkgOf(map[string]string{"f": old}, nil), pkgOf(map[string]string{"f": new}, nil), Options{Context: tc.ctx})
		if err != nil {
			t.Fatal(err)
		}
		h := res.Files[0].Hunks
		if len(h) != tc.hunks {
			t.Fatalf("context %d: %d hunks, want %d", tc.ctx, len(h), tc.hunks)
		}
		if got, err := applyHunks(old, h); err != nil || got != new {
			t.Fatalf("context %d: apply: %v", tc.ctx, err)
		}
	}
	res, _ := Compare(context.Background(), pkgOf(map[string]string{"f": old}, nil), pkgOf(map[string]string{"f": new}, nil), Options{})
	h := res.Files[0].Hunks[0]
	if h.OldStart != 3 || h.OldLines != 14 || h.NewStart != 3 || h.NewLines != 14 {
		t.Fatalf("first hunk header -%d,%d +%d,%d, want -3,14 +3,14", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
	}
}

// TestRandomEdits is the property test: on random edits of files made of a
// few distinct lines (many repeats, the hard case), the hunks applied to
// old give new, counts match the hunks and the change in line count, and
// the diff is minimal (checked against a textbook LCS).
func TestRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"a", "b", "c", "{", "}", "", "return x;", "d\r"}
	gen := func(n int) []string {
		l := make([]string, n)
		for i := range l {
			l[i] = vocab[rng.IntN(len(vocab))]
		}
		return l
	}
	join := func(l []string, final bool) string {
		s := strings.Join(l, "\n")
		if final && len(l) > 0 {
			s += "\n"
		}
		return s
	}
	for iter := 0; iter < 400; iter++ {
		oldL := gen(rng.IntN(60))
		newL := append([]string(nil), oldL...)
		for e := rng.IntN(8); e > 0; e-- {
			p := 0
			if len(newL) > 0 {
				p = rng.IntN(len(newL) + 1)
			}
			switch rng.IntN(3) {
			case 0:
				newL = append(newL[:p], append(gen(1+rng.IntN(4)), newL[p:]...)...)
			case 1:
				if p < len(newL) {
					newL = append(newL[:p], newL[min(len(newL), p+1+rng.IntN(3)):]...)
				}
			case 2:
				if p < len(newL) {
					newL[p] = vocab[rng.IntN(len(vocab))]
				}
			}
		}
		old, new := join(oldL, rng.IntN(4) != 0), join(newL, rng.IntN(4) != 0)
		if old == new {
			continue
		}
		res, err := Compare(context.Background(), pkgOf(map[string]string{"f": old}, nil), pkgOf(map[string]string{"f": new}, nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		f := res.Files[0]
		got, err := applyHunks(old, f.Hunks)
		if err != nil || got != new {
			t.Fatalf("iter %d: apply failed (%v)\nold %q\nnew %q\ngot %q", iter, err, old, new, got)
		}
		adds, dels := 0, 0
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				switch l.Kind {
				case Add:
					adds++
				case Del:
					dels++
				}
			}
		}
		if adds != f.LinesAdded || dels != f.LinesRemoved {
			t.Fatalf("iter %d: counts +%d -%d, hunks +%d -%d", iter, f.LinesAdded, f.LinesRemoved, adds, dels)
		}
		if f.LinesAdded-f.LinesRemoved != countLines([]byte(new))-countLines([]byte(old)) {
			t.Fatalf("iter %d: +%d -%d does not match line counts", iter, f.LinesAdded, f.LinesRemoved)
		}
		ol, nl := splitKeep(old), splitKeep(new)
		if minimal := len(ol) + len(nl) - 2*lcsLen(ol, nl); f.LinesAdded+f.LinesRemoved != minimal {
			t.Fatalf("iter %d: %d changed lines, minimal is %d", iter, f.LinesAdded+f.LinesRemoved, minimal)
		}
	}
}

// bigEdited returns a file of n lines, mostly unique, and a copy with
// scattered edits.
func bigEdited(n int, seed uint64) (string, string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var o, w strings.Builder
	for i := 0; i < n; i++ {
		line := "  const v" + itoa(i) + " = compute(" + itoa(rng.IntN(1000)) + ");\n"
		if i%10 == 0 {
			line = "}\n" // repeated lines, as in real code
		}
		o.WriteString(line)
		switch r := rng.IntN(200); {
		case r == 0:
			w.WriteString("  // inserted " + itoa(i) + "\n")
			w.WriteString(line)
		case r == 1: // deleted
		case r == 2:
			w.WriteString("  const changed" + itoa(i) + " = 1;\n")
		default:
			w.WriteString(line)
		}
	}
	return o.String(), w.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	for ; i > 0; i /= 10 {
		p--
		b[p] = byte('0' + i%10)
	}
	return string(b[p:])
}

func TestLargeFileAnchored(t *testing.T) {
	old, new := bigEdited(60000, 3)
	res, err := Compare(context.Background(), pkgOf(map[string]string{"f": old}, nil), pkgOf(map[string]string{"f": new}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if got, err := applyHunks(old, f.Hunks); err != nil || got != new {
		t.Fatalf("apply: %v", err)
	}
	if f.Capped != "" {
		t.Fatalf("capped: %s", f.Capped)
	}
	if f.LinesAdded-f.LinesRemoved != countLines([]byte(new))-countLines([]byte(old)) {
		t.Fatal("counts inconsistent")
	}
	// Each edit costs at most 2 changed lines; 60000/200*3 edits expected.
	if f.LinesAdded+f.LinesRemoved > 2*60000*3/200*2 {
		t.Fatalf("diff too noisy: +%d -%d", f.LinesAdded, f.LinesRemoved)
	}
}

func TestCaps(t *testing.T) {
	old, new := bigEdited(40000, 5)
	oldP, newP := pkgOf(map[string]string{"f": old}, nil), pkgOf(map[string]string{"f": new}, nil)
	t.Run("max line diff bytes", func(t *testing.T) {
		res, err := Compare(context.Background(), oldP, newP, Options{MaxLineDiffBytes: 1000})
		if err != nil {
			t.Fatal(err)
		}
		f := res.Files[0]
		if f.Capped == "" {
			t.Fatal("no cap reported")
		}
		if got, err := applyHunks(old, f.Hunks); err != nil || got != new {
			t.Fatalf("capped diff is not a valid diff: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		// Two unrelated files: Myers has work to do when the time is up.
		rng := rand.New(rand.NewPCG(9, 9))
		var a, b strings.Builder
		for i := 0; i < 50000; i++ {
			a.WriteString(itoa(rng.IntN(50)) + "\n")
			b.WriteString(itoa(rng.IntN(50)) + "\n")
		}
		res, err := Compare(context.Background(), pkgOf(map[string]string{"f": a.String()}, nil),
			pkgOf(map[string]string{"f": b.String()}, nil), Options{Timeout: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		f := res.Files[0]
		if !strings.Contains(f.Capped, "stopped") {
			t.Fatalf("capped = %q", f.Capped)
		}
		if got, err := applyHunks(a.String(), f.Hunks); err != nil || got != b.String() {
			t.Fatalf("stopped diff is not a valid diff: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Compare(ctx, oldP, newP, Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// FuzzCompare feeds arbitrary old/new contents of one file through
// Compare: no panic, counts equal to the change in line count, line hunks
// that turn old into new, and token hunks whose removed and added texts
// come from the right sides.
func FuzzCompare(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc"))
	f.Add([]byte(""), []byte("\n\n"))
	f.Add([]byte(strings.Repeat("x=1;", 600)), []byte(strings.Repeat("x=1;", 300)+"y"+strings.Repeat("x=1;", 300)))
	f.Add([]byte("a\r\nb\r\n"), []byte("a\nb\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		res, err := Compare(context.Background(), pkgOf(map[string]string{"f": string(a)}, nil),
			pkgOf(map[string]string{"f": string(b)}, nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if string(a) == string(b) {
			if len(res.Files) != 0 {
				t.Fatal("identical files reported")
			}
			return
		}
		fd := res.Files[0]
		if fd.Binary {
			return
		}
		if fd.LinesAdded-fd.LinesRemoved != countLines(b)-countLines(a) {
			t.Fatalf("+%d -%d vs line counts %d -> %d", fd.LinesAdded, fd.LinesRemoved, countLines(a), countLines(b))
		}
		if !fd.TokenDiff {
			if got, err := applyHunks(string(a), fd.Hunks); err != nil || got != string(b) {
				t.Fatalf("apply: %v", err)
			}
			return
		}
		for _, h := range fd.Hunks {
			for _, l := range h.Lines {
				if strings.Contains(l.Text, "\n") {
					t.Fatal("display line holds a newline")
				}
				if (l.Kind == Del && !strings.Contains(string(a), l.Text)) || (l.Kind == Add && !strings.Contains(string(b), l.Text)) {
					t.Fatalf("display text %q not from its side", l.Text)
				}
			}
		}
	})
}

// TestDeterministic: the result does not depend on the number of workers
// or on the run.
func TestDeterministic(t *testing.T) {
	files := map[string]string{}
	edited := map[string]string{}
	for i := 0; i < 12; i++ {
		o, n := bigEdited(3000+i*500, uint64(i))
		files["f"+itoa(i)] = o
		edited["f"+itoa(i)] = n
	}
	files["m.min.js"] = minifiedBundle(50<<10, "")
	edited["m.min.js"] = minifiedBundle(50<<10, "q")
	oldP, newP := pkgOf(files, nil), pkgOf(edited, nil)
	first, err := Compare(context.Background(), oldP, newP, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 7} {
		again, err := Compare(context.Background(), oldP, newP, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("workers=%d gives a different result", w)
		}
	}
}
