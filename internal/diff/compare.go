package diff

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/tarball"
)

// Options tune Compare. Zero values take the defaults.
type Options struct {
	// Context lines around changes in line hunks; 0 means 3, negative none.
	Context int
	// Workers diffing files in parallel; 0 means GOMAXPROCS.
	Workers int
	// MaxLineDiffBytes caps the work on one file: when old and new together
	// are larger, lines are aligned on unique lines only (no Myers between
	// anchors) and FileDiff.Capped says so. 0 means 128 MiB.
	MaxLineDiffBytes int64
	// MaxTokens caps the token diff of a minified file: a changed region
	// with more tokens on either side is shown as one replaced block. 0
	// means 4,000,000.
	MaxTokens int
	// Timeout per file, a safety net: past it the rest of the file is
	// shown as whole replaced blocks and Capped says so. 0 means 20s.
	Timeout time.Duration
	// MaxInFlightBytes bounds the files being diffed at once, counted as
	// old plus new bytes: a worker starts a file only while the total
	// stays within it, and the largest file always runs (alone if need
	// be). A diff's scratch is one to ten times its files' size (the most
	// for a token diff), so without a bound the peak memory of Compare
	// would grow with the core count: 16 cores would diff the 16 largest
	// files at once. 0 means 32 MiB: typescript's two largest files (18
	// and 12 MB, old plus new) still run together, as they must for
	// Compare to stay as fast on two cores. Negative means no bound.
	MaxInFlightBytes int64
}

const (
	defaultContext          = 3
	defaultMaxLineDiffBytes = 128 << 20
	defaultMaxTokens        = 4_000_000
	defaultTimeout          = 20 * time.Second
	defaultMaxInFlightBytes = 32 << 20
)

func (o Options) withDefaults() Options {
	switch {
	case o.Context == 0:
		o.Context = defaultContext
	case o.Context < 0:
		o.Context = 0
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxLineDiffBytes <= 0 {
		o.MaxLineDiffBytes = defaultMaxLineDiffBytes
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = defaultMaxTokens
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	switch {
	case o.MaxInFlightBytes == 0:
		o.MaxInFlightBytes = defaultMaxInFlightBytes
	case o.MaxInFlightBytes < 0:
		o.MaxInFlightBytes = math.MaxInt64
	}
	return o
}

// Compare compares two packages. oldPkg may be nil (a first release: every
// file is added). Files are paired by path; the result lists changed files
// only, sorted by path, and the field-by-field diff of package.json. Text
// in the result aliases the packages' file data, which must not be
// modified afterwards. Compare returns an error only when ctx ends.
func Compare(ctx context.Context, oldPkg, newPkg *tarball.Package, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	var oldFiles, newFiles []tarball.File
	if oldPkg != nil {
		oldFiles = sortedFiles(oldPkg.Files)
	}
	if newPkg != nil {
		newFiles = sortedFiles(newPkg.Files)
	}

	// Pair by path (both sorted), keeping only files that differ.
	var pairs []pair
	for i, j := 0, 0; i < len(oldFiles) || j < len(newFiles); {
		switch {
		case j == len(newFiles) || (i < len(oldFiles) && oldFiles[i].Path < newFiles[j].Path):
			pairs = append(pairs, pair{old: &oldFiles[i]})
			i++
		case i == len(oldFiles) || newFiles[j].Path < oldFiles[i].Path:
			pairs = append(pairs, pair{new: &newFiles[j]})
			j++
		default:
			o, n := &oldFiles[i], &newFiles[j]
			if o.Mode != n.Mode || !bytes.Equal(o.Data, n.Data) {
				pairs = append(pairs, pair{old: o, new: n})
			}
			i++
			j++
		}
	}

	res := &Result{Files: make([]FileDiff, len(pairs))}
	if err := diffAll(ctx, pairs, res.Files, opts, diffPair); err != nil {
		return nil, err
	}

	var oldJSON, newJSON []byte
	if f := oldPkg.Lookup("package.json"); f != nil {
		oldJSON = f.Data
	}
	if f := newPkg.Lookup("package.json"); f != nil {
		newJSON = f.Data
	}
	if oldJSON != nil || newJSON != nil {
		changes, err := Manifest(oldJSON, newJSON)
		res.Manifest = changes
		if err != nil {
			res.ManifestError = err.Error()
		}
	}
	return res, nil
}

type pair struct{ old, new *tarball.File }

func (p pair) size() int {
	n := 0
	if p.old != nil {
		n += len(p.old.Data)
	}
	if p.new != nil {
		n += len(p.new.Data)
	}
	return n
}

// sortedFiles returns files sorted by path; tarball.Read already sorts, so
// this copies only when given an unsorted set.
func sortedFiles(files []tarball.File) []tarball.File {
	if sort.SliceIsSorted(files, func(i, j int) bool { return files[i].Path < files[j].Path }) {
		return files
	}
	c := append([]tarball.File(nil), files...)
	sort.SliceStable(c, func(i, j int) bool { return c[i].Path < c[j].Path })
	return c
}

// diffAll diffs pairs into out (same index) with diff (diffPair, or a
// test's stand-in) on a bounded worker pool. The largest files start
// first, so that one huge file does not run alone at the end while the
// other workers idle, and a file starts only while the files in flight
// stay within opts.MaxInFlightBytes (the largest always may). Each result
// depends on its own pair only, so the order of work does not change them.
func diffAll(ctx context.Context, pairs []pair, out []FileDiff, opts Options,
	diff func(context.Context, pair, Options) (FileDiff, error)) error {
	order := make([]int, len(pairs))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(pairs[y].size(), pairs[x].size()) })

	workers := min(opts.Workers, len(pairs))
	if workers <= 1 {
		// One file (a typical patch release) or one worker: no pool.
		for _, k := range order {
			fd, err := diff(ctx, pairs[k], opts)
			if err != nil {
				return err
			}
			out[k] = fd
		}
		return ctx.Err()
	}

	budget := max(opts.MaxInFlightBytes, int64(pairs[order[0]].size()))
	jobs := make(chan int)
	done := make(chan int64, len(pairs)) // sizes of finished pairs; one send per pair, never blocks
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				fd, err := diff(ctx, pairs[k], opts)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				} else {
					out[k] = fd
				}
				done <- int64(pairs[k].size())
			}
		}()
	}
	var inFlight int64
feed:
	for _, k := range order {
		size := int64(pairs[k].size())
		for {
			// Offer the pair only while it fits; meanwhile take finished
			// sizes. Pairs start in size order: a small one does not
			// overtake a large one that waits for room.
			send := jobs
			if inFlight+size > budget {
				send = nil
			}
			select {
			case send <- k:
				inFlight += size
				continue feed
			case s := <-done:
				inFlight -= s
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr
}

// Texts line-diffs two versions of a text, nil for an absent side, as
// Compare diffs a file but never by tokens: for texts that are not what
// the package ships (a pretty-printed view) and so are read by lines even
// where the raw file would be diffed by tokens.
func Texts(ctx context.Context, path string, old, new []byte, opts Options) (FileDiff, error) {
	var p pair
	if old != nil {
		p.old = &tarball.File{Path: path, Data: old}
	}
	if new != nil {
		p.new = &tarball.File{Path: path, Data: new}
	}
	if p.old == nil && p.new == nil {
		return FileDiff{Path: path, Status: ModeOnly}, nil
	}
	return diffFiles(ctx, p, opts.withDefaults(), false)
}

// diffPair compares one path.
func diffPair(ctx context.Context, p pair, opts Options) (FileDiff, error) {
	return diffFiles(ctx, p, opts, true)
}

// diffFiles compares one path; tokens says whether a minified file is
// diffed by tokens (and keeps its raw sides) or like any other.
func diffFiles(ctx context.Context, p pair, opts Options, tokens bool) (FileDiff, error) {
	if err := ctx.Err(); err != nil {
		return FileDiff{}, err
	}
	var fd FileDiff
	var oldData, newData []byte
	switch {
	case p.old == nil:
		fd = FileDiff{Path: p.new.Path, Status: Added, NewSize: int64(len(p.new.Data)), NewMode: p.new.Mode}
		newData = p.new.Data
	case p.new == nil:
		fd = FileDiff{Path: p.old.Path, Status: Removed, OldSize: int64(len(p.old.Data)), OldMode: p.old.Mode}
		oldData = p.old.Data
	default:
		fd = FileDiff{Path: p.new.Path, Status: Modified,
			OldSize: int64(len(p.old.Data)), NewSize: int64(len(p.new.Data)),
			OldMode: p.old.Mode, NewMode: p.new.Mode}
		oldData, newData = p.old.Data, p.new.Data
		if bytes.Equal(oldData, newData) {
			fd.Status = ModeOnly
			fd.Binary = tarball.IsBinary(newData)
			return fd, nil
		}
	}
	if (p.old != nil && tarball.IsBinary(oldData)) || (p.new != nil && tarball.IsBinary(newData)) {
		fd.Binary = true
		return fd, nil
	}
	if len(oldData) > math.MaxInt32 || len(newData) > math.MaxInt32 {
		// Line offsets are int32 to halve the index memory; no npm
		// package comes near this, but never misindex if one does.
		fd.Capped = "file over 2 GiB: not diffed"
		return fd, nil
	}

	oldLines := sideLines{data: oldData, starts: lineIndex(oldData)}
	newLines := sideLines{data: newData, starts: lineIndex(newData)}
	fd.Minified = tokens && ((p.old != nil && looksMinified(oldData, oldLines.starts)) ||
		(p.new != nil && looksMinified(newData, newLines.starts)))
	if fd.Minified {
		fd.Old, fd.New = oldData, newData
	}
	switch {
	case p.old == nil:
		fd.LinesAdded = newLines.n()
		fd.Hunks = wholeFileHunk(newLines, Add)
		return fd, nil
	case p.new == nil:
		fd.LinesRemoved = oldLines.n()
		fd.Hunks = wholeFileHunk(oldLines, Del)
		return fd, nil
	}

	deadline := time.Now().Add(opts.Timeout)
	// In the real pairs, the distinct lines of a file pair number 30-110%
	// of the lines of its larger side, most often about 60%.
	in := newInterner(max(max(oldLines.n(), newLines.n())*3/4, 2))
	a := in.lineIDs(oldData, oldLines.starts)
	b := in.lineIDs(newData, newLines.starts)
	e := newEngine(ctx, a, b, in.len(), deadline)
	if int64(len(oldData))+int64(len(newData)) > opts.MaxLineDiffBytes {
		e.coarse = true
		fd.Capped = fmt.Sprintf("file over %d bytes: lines aligned on unique lines only; changes may look larger than they are", opts.MaxLineDiffBytes)
	}
	e.run()
	if e.err != nil {
		return FileDiff{}, e.err
	}
	if e.stopped {
		fd.Capped = fmt.Sprintf("line diff stopped after %s; the rest of the file is shown as whole replaced blocks", opts.Timeout)
	}
	for _, c := range e.ca {
		if c {
			fd.LinesRemoved++
		}
	}
	for _, c := range e.cb {
		if c {
			fd.LinesAdded++
		}
	}

	if fd.Minified {
		// Counts stay true line counts; only the presentation is by tokens.
		hunks, capped, err := tokenDiff(ctx, deadline, oldData, newData, opts.MaxTokens)
		if err != nil {
			return FileDiff{}, err
		}
		fd.TokenDiff, fd.Hunks = true, hunks
		if capped != "" {
			fd.Capped = capped
		}
		return fd, nil
	}
	fd.Hunks = buildHunks(oldLines, newLines, e.ca, e.cb, opts.Context)
	return fd, nil
}
