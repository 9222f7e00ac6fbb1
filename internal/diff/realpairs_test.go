package diff

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagegate/stagegate/internal/tarball"
)

// realPairs are the pairs named by the issue. Versions are pinned so that
// figures stay comparable between runs.
var realPairs = [][3]string{
	{"typescript", "5.4.5", "5.5.4"},
	{"react-dom", "18.2.0", "18.3.1"},
	{"lodash", "4.17.20", "4.17.21"},
	{"@tanstack/react-router", "1.170.45", "1.170.46"},
}

// TestRealPairs checks Compare against diff -ruN and git diff --no-index on
// real npm tarballs (STAGEGATE_REAL_PAIRS=1; needs npm, GNU diff, tar, git
// and the npm registry, or tarballs already in bench/.cache):
//   - the set of changed files is what diff -rqN reports;
//   - per file, lines added minus removed equals the change in line count;
//   - the total added+removed is at most 2% above git's numstat;
//   - Compare is faster than tar xzf of both plus diff -ruN.
func TestRealPairs(t *testing.T) {
	if os.Getenv("STAGEGATE_REAL_PAIRS") != "1" {
		t.Skip("set STAGEGATE_REAL_PAIRS=1 to compare real npm tarballs")
	}
	for _, tool := range []string{"npm", "diff", "tar", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	cache, err := filepath.Abs(filepath.Join("..", "..", "bench", ".cache"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, rp := range realPairs {
		t.Run(rp[0], func(t *testing.T) {
			oldTgz := fetchTarball(t, cache, rp[0], rp[1])
			newTgz := fetchTarball(t, cache, rp[0], rp[2])
			checkRealPair(t, oldTgz, newTgz)
		})
	}
}

func fetchTarball(t *testing.T, cache, name, version string) string {
	t.Helper()
	file := strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-") + "-" + version + ".tgz"
	p := filepath.Join(cache, file)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	cmd := exec.Command("npm", "pack", name+"@"+version, "--pack-destination", cache)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm pack %s@%s: %v\n%s", name, version, err, out)
	}
	return p
}

// readTgz reads a tarball with the package's own reader.
func readTgz(t *testing.T, path string) *tarball.Package {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tarball.ReadBytes(raw, tarball.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

func extract(t *testing.T, p *tarball.Package, dir string) {
	t.Helper()
	for _, f := range p.Files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// gitNumstat returns git's per-file added/removed counts (-1 for binary).
func gitNumstat(t *testing.T, dir string) map[string][2]int {
	t.Helper()
	cmd := exec.Command("git", "diff", "--no-index", "--no-renames", "--numstat", "-z", "a", "b")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("git diff: %v", err)
	}
	res := map[string][2]int{}
	parts := strings.Split(string(out), "\x00")
	for k := 0; k+2 < len(parts); k += 3 {
		f := strings.Split(parts[k], "\t")
		add, e1 := strconv.Atoi(f[0])
		del, e2 := strconv.Atoi(f[1])
		if e1 != nil || e2 != nil {
			add, del = -1, -1
		}
		p := parts[k+2]
		if p == "/dev/null" {
			p = parts[k+1]
		}
		res[p[2:]] = [2]int{add, del}
	}
	return res
}

func diffSet(t *testing.T, dir string) map[string]bool {
	t.Helper()
	cmd := exec.Command("diff", "-rqN", "a", "b")
	cmd.Dir = dir
	out, _ := cmd.Output()
	set := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, "Files a/"); ok {
			p, _, _ := strings.Cut(rest, " and b/")
			set[p] = true
		}
	}
	return set
}

// timeToolchain measures tar xzf of both tarballs plus diff -ruN.
func timeToolchain(t *testing.T, oldTgz, newTgz string) time.Duration {
	t.Helper()
	dir := t.TempDir()
	start := time.Now()
	for _, s := range [][2]string{{oldTgz, "x"}, {newTgz, "y"}} {
		d := filepath.Join(dir, s[1])
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("tar", "xzf", s[0], "-C", d).CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
	}
	cmd := exec.Command("diff", "-ruN", "x", "y")
	cmd.Dir = dir
	cmd.Stdout = io.Discard
	_ = cmd.Run()
	return time.Since(start)
}

func checkRealPair(t *testing.T, oldTgz, newTgz string) {
	oldP, newP := readTgz(t, oldTgz), readTgz(t, newTgz)

	res, extra, allocated := measureCompare(t, oldP, newP)
	// The smaller of two samplings: the sampler can catch a GC overshoot.
	if _, e2, _ := measureCompare(t, oldP, newP); e2 < extra {
		extra = e2
	}
	t.Logf("compare allocated %.1f MiB in total", float64(allocated)/(1<<20))
	elapsed := time.Duration(1<<63 - 1)
	// Best of three for the timing, so a busy machine does not decide.
	for k := 0; k < 3; k++ {
		s := time.Now()
		if _, err := Compare(context.Background(), oldP, newP, Options{}); err != nil {
			t.Fatal(err)
		}
		elapsed = min(elapsed, time.Since(s))
	}
	tool := timeToolchain(t, oldTgz, newTgz)
	for k := 0; k < 2; k++ {
		tool = min(tool, timeToolchain(t, oldTgz, newTgz))
	}

	dir := t.TempDir()
	extract(t, oldP, filepath.Join(dir, "a"))
	extract(t, newP, filepath.Join(dir, "b"))
	want := diffSet(t, dir)
	git := gitNumstat(t, dir)

	got := map[string]bool{}
	ours, theirs := 0, 0
	for _, f := range res.Files {
		if f.Status == ModeOnly {
			continue // diff -r and our extraction ignore modes
		}
		got[f.Path] = true
		if f.Binary {
			continue
		}
		var oldN, newN int
		if o := oldP.Lookup(f.Path); o != nil {
			oldN = countLines(o.Data)
		}
		if n := newP.Lookup(f.Path); n != nil {
			newN = countLines(n.Data)
		}
		if f.Status == Modified && !f.TokenDiff {
			o, n := oldP.Lookup(f.Path), newP.Lookup(f.Path)
			if got, err := applyHunks(string(o.Data), f.Hunks); err != nil || got != string(n.Data) {
				t.Errorf("%s: hunks applied to old do not give new (%v)", f.Path, err)
			}
		}
		if f.LinesAdded-f.LinesRemoved != newN-oldN {
			t.Errorf("%s: +%d -%d but line count went %d -> %d", f.Path, f.LinesAdded, f.LinesRemoved, oldN, newN)
		}
		g, ok := git[f.Path]
		if !ok || g[0] < 0 {
			t.Errorf("%s: git reports %v", f.Path, g)
			continue
		}
		ours += f.LinesAdded + f.LinesRemoved
		theirs += g[0] + g[1]
		if f.LinesAdded+f.LinesRemoved != g[0]+g[1] {
			t.Logf("%s: ours +%d -%d, git +%d -%d %s", f.Path, f.LinesAdded, f.LinesRemoved, g[0], g[1], f.Capped)
		}
	}
	for p := range want {
		if !got[p] {
			t.Errorf("diff -r reports %s, Compare does not", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("Compare reports %s, diff -r does not", p)
		}
	}
	unpacked := oldP.Unpacked + newP.Unpacked
	total := uint64(unpacked) + extra
	t.Logf("%d files changed; lines ours %d, git %d (%+.2f%%); compare %v vs tar+diff %v; packages %.1f MiB + compare's heap %.1f MiB = %.2fx unpacked",
		len(got), ours, theirs, 100*float64(ours-theirs)/float64(max(theirs, 1)), elapsed.Round(time.Millisecond),
		tool.Round(time.Millisecond), float64(unpacked)/(1<<20), float64(extra)/(1<<20), float64(total)/float64(unpacked))
	if float64(ours) > 1.02*float64(theirs) {
		t.Errorf("total changed lines %d is more than 2%% above git's %d", ours, theirs)
	}
	if elapsed >= tool {
		t.Errorf("compare took %v, tar xzf + diff -ruN %v", elapsed, tool)
	}
	if total > 3*uint64(unpacked) {
		t.Errorf("packages plus compare's peak heap, %d bytes, is over 3x the unpacked size %d", total, unpacked)
	}
}

// measureCompare runs Compare while sampling the heap and returns the
// result, the peak heap above what was live before (the packages and the
// test's own data), and the bytes allocated. The collector runs at
// GOGC=10 meanwhile, so that the peak is what Compare keeps live rather
// than the pacer's slack (at GOGC=100 a heap grows to twice its live size
// before a collection).
func measureCompare(t *testing.T, oldP, newP *tarball.Package) (*Result, uint64, uint64) {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	res, err := Compare(context.Background(), oldP, newP, Options{})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	return res, peak.Load() - min(ms0.HeapInuse, peak.Load()), ms1.TotalAlloc - ms0.TotalAlloc
}
