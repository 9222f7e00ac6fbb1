package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/internal/diff"
	"github.com/stagegate/stagegate/internal/pack"
	"github.com/stagegate/stagegate/internal/pretty"
	"github.com/stagegate/stagegate/internal/report"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/internal/signals"
	"github.com/stagegate/stagegate/internal/tarball"
)

// reviewFlags are shared by diff and compare.
type reviewFlags struct {
	asJSON      bool
	nameOnly    bool
	stat        bool
	failOn      string
	maxUnpacked string
	full        bool
	paths       []string
	noPager     bool
	pretty      bool
}

func (f *reviewFlags) register(c *cobra.Command) {
	c.Flags().BoolVar(&f.asJSON, "json", false, "print the review as one JSON document (schema 1)")
	c.Flags().BoolVar(&f.nameOnly, "name-only", false, "print only the paths of changed files")
	c.Flags().BoolVar(&f.stat, "stat", false, "print the summary and file table without the diff")
	c.Flags().StringVar(&f.failOn, "fail-on", "", "exit 3 when a signal at or above this severity is found: high, medium or low")
	c.Flags().StringVar(&f.maxUnpacked, "max-unpacked", "1GiB", "refuse a package whose unpacked size is larger (e.g. 256MiB)")
	c.Flags().BoolVar(&f.full, "full", false, "print the diffs of lockfiles, minified and huge files too (collapsed by default)")
	c.Flags().StringArrayVar(&f.paths, "path", nil, "show only files matching this glob (repeatable; ** crosses folders, a name without / matches any folder)")
	c.Flags().BoolVar(&f.pretty, "pretty", false, "show minified JavaScript and JSON pretty-printed (the diff of the re-indented text)")
	c.Flags().BoolVar(&f.noPager, "no-pager", false, "do not page the output (by default $PAGER or less when stdout is a terminal)")
}

// check validates the flags and returns the tarball limits they set.
func (f *reviewFlags) check() (tarball.Limits, error) {
	setGCPercent()
	l := tarball.DefaultLimits()
	if err := f.validate(); err != nil {
		return l, err
	}
	n, err := parseSize(f.maxUnpacked)
	if err != nil {
		return l, usageErr("--max-unpacked %q: %v", f.maxUnpacked, err)
	}
	l.MaxUnpacked = n
	return l, nil
}

// limitMemory gives the Go runtime a soft memory limit of twice the two
// packages' unpacked size (the budget is 3x for the whole process,
// architecture.md §6): near the limit the collector runs sooner instead of
// letting the heap grow by GOGC's headroom. Measured on react-dom
// 18.2.0→18.3.1 (8.6 MiB unpacked): private memory 18–20 → 14–16 MiB and
// peak RSS 27–29 → 24–25 MiB; on lodash (2.8 MiB) private memory
// 8.7 → 6.6 MiB, for 20–30 ms more. The collector's CPU limiter keeps a
// diff whose live data exceeds the limit from thrashing. It is a soft
// limit, never a cap: nothing fails when it is exceeded. GOMEMLIMIT, when
// set, wins.
func limitMemory(unpacked int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(max(2*unpacked, minMemoryLimit))
}

// setGCPercent is the GC target of every command that reviews, the
// dashboard included: a review holds both packages in memory at once; 50%
// instead of 100% cuts peak memory by a fifth on large packages at no
// measurable cost in time (bench/compare.sh, typescript: 188 vs 195 ms).
// GOGC, when set, wins.
func setGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// dashboardMemory sizes the dashboard's soft memory limit as limitMemory
// does for one diff, for what the dashboard holds at once: the review
// cache (at most its byte budget, ui's keepReviewBytes) plus the reviews
// running in the background (at most two, each twice its packages'
// unpacked size). The limit only grows: a later small package must not
// squeeze the cache of a large one.
type dashboardMemory struct {
	mu      sync.Mutex
	largest int64 // the largest unpacked size of two packages seen
}

// cacheBudget matches ui's keepReviewBytes.
const cacheBudget = 192 << 20

// loaded is review.Options.Loaded for the dashboard's reviews.
func (d *dashboardMemory) loaded(unpacked int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if unpacked <= d.largest {
		return
	}
	d.largest = unpacked
	debug.SetMemoryLimit(cacheBudget + 2*2*unpacked)
}

// minMemoryLimit keeps the collector from running constantly on tiny
// packages, where the runtime's own few MiB dominate.
const minMemoryLimit = 4 << 20

// parseSize reads 1024, 64KiB, 256MiB, 1GiB (also K/M/G and KB/MB/GB as binary units).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("use a positive size such as 512MiB")
	}
	return n * mult, nil
}

func (f *reviewFlags) validate() error {
	if f.failOn != "" {
		if _, ok := signals.ParseSeverity(f.failOn); !ok {
			return usageErr("--fail-on %q: use high, medium or low", f.failOn)
		}
	}
	if f.nameOnly && f.stat {
		return usageErr("--name-only and --stat cannot be combined")
	}
	return nil
}

func (f *reviewFlags) output(ctx context.Context, g *globals, r *review.Review) error {
	if f.asJSON {
		if len(f.paths) > 0 {
			r = filterFiles(r, f.paths)
		}
		if err := writeJSON(g, r); err != nil {
			return err
		}
	} else {
		mode := report.Full
		switch {
		case f.nameOnly:
			mode = report.NameOnly
		case f.stat:
			mode = report.Stat
		}
		o := report.ReviewOptions{Mode: mode, Expand: f.full, Paths: f.paths}
		if f.pretty && mode == report.Full {
			// Printed only when asked: compare and diff stay as fast without.
			views, err := pretty.All(ctx, r.Diff, o.Wants, diff.Options{})
			if err != nil {
				return err
			}
			o.Pretty = views
		}
		color := g.colorOn(g.stdout)
		p := g.startPager(!f.noPager)
		err := report.ReviewWith(p, r, o, report.Style{Color: color})
		p.wait()
		if err != nil {
			return err
		}
	}
	if f.failOn != "" && !r.SignalsChecked {
		// A gate that cannot close must not look like a gate that passed.
		fmt.Fprintln(g.stderr, "stagegate: warning: this version computes no review signals yet, so --fail-on cannot fail; read the diff")
	}
	if f.failOn != "" {
		threshold, _ := signals.ParseSeverity(f.failOn)
		// The risk is never lower than the most serious signal, and
		// corroboration can raise it: it is what the gate compares.
		if r.Risk.AtLeast(threshold) {
			why := ""
			if len(r.Risk.Reasons) > 0 {
				why = ": " + safeLine(r.Risk.Reasons[0], 200)
			}
			return &exitError{code: 3, err: fmt.Errorf("risk %s at or above --fail-on %s%s", r.Risk.Level, f.failOn, why)}
		}
	}
	return nil
}

// filterFiles narrows a review's file list to --path for --json; the
// signals and risk still cover the whole release.
func filterFiles(r *review.Review, paths []string) *review.Review {
	out := *r
	out.Files = nil
	for _, f := range r.Files {
		for _, p := range paths {
			if report.MatchPath(p, f.Path) {
				out.Files = append(out.Files, f)
				break
			}
		}
	}
	if out.Files == nil {
		out.Files = []review.File{}
	}
	return &out
}

func newDiffCmd(g *globals) *cobra.Command {
	var f reviewFlags
	var base string
	c := &cobra.Command{
		Use:   "diff <stage-id|name@version>",
		Short: "Review a staged version against the last live version",
		Long: `Fetch a staged version and its base (the version its tag points to, or
the highest published version below it), verify both tarballs, and show what
changed: package.json first, then every file. Lockfiles, minified and huge
files are summarized in one line (--full prints them); --path narrows the
files shown. On a terminal the output goes through $PAGER (or less).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lim, err := f.check()
			if err != nil {
				return err
			}
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			eng := e.engine()
			eng.Limits = lim
			pl := g.newProgressLine()
			pl.report(review.Progress{Phase: "item"})
			item, err := viewStage(cmd.Context(), e.client, args[0])
			if err != nil {
				pl.clear()
				return err
			}
			r, err := eng.ReviewStaged(cmd.Context(), item, review.Options{Base: base, Progress: pl.report, Loaded: limitMemory})
			pl.clear()
			if err != nil {
				return err
			}
			return f.output(cmd.Context(), g, r)
		},
	}
	c.Flags().StringVar(&base, "base", "", "compare against this published version instead of the automatic choice")
	f.register(c)
	return c
}

func newCompareCmd(g *globals) *cobra.Command {
	var f reviewFlags
	c := &cobra.Command{
		Use:   "compare <old> <new>",
		Short: "Compare two packages: .tgz files, package folders, or name@version",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			lim, err := f.check()
			if err != nil {
				return err
			}
			eng := &review.Engine{}
			if needsRegistry(args[0]) || needsRegistry(args[1]) {
				e, err := g.newEnv()
				if err != nil {
					return err
				}
				eng = e.engine()
			}
			eng.Limits = lim
			pl := g.newProgressLine()
			r, err := eng.Compare(cmd.Context(), args[0], args[1], review.Options{Packer: packDir, Progress: pl.report, Loaded: limitMemory})
			pl.clear()
			if err != nil {
				return err
			}
			return f.output(cmd.Context(), g, r)
		},
	}
	f.register(c)
	return c
}

// needsRegistry reports whether a compare argument names a registry version.
func needsRegistry(spec string) bool {
	if fileExists(spec) {
		return false
	}
	return strings.Contains(strings.TrimPrefix(spec, "@"), "@")
}

func packDir(dir string) ([]byte, error) {
	files, err := pack.Dir(dir)
	if err != nil {
		return nil, err
	}
	return pack.Tgz(files)
}
