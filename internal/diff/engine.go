package diff

import (
	"context"
	"math"
	"sort"
	"time"
)

// The sequence engine aligns two sequences of interned ids (lines or
// tokens) and marks, on each side, the elements that are not part of the
// alignment. The strategy, chosen for speed on huge generated files and for
// a result no noisier than git's:
//
//  1. strip the common prefix and suffix;
//  2. for large ranges, anchor on elements unique in both sides (patience
//     diff: the longest increasing subsequence of unique matches) and
//     recurse into the gaps between anchors;
//  3. drop elements that occur nowhere in the other side (they cannot be
//     part of any common subsequence, so this loses nothing);
//  4. run a linear-space Myers diff on what is left, with git's xdiff
//     heuristics (good-snake sampling, and a cost ceiling of about sqrt(N)
//     after which the furthest-reaching path is taken). Everything is
//     deterministic: the only non-deterministic limit is the per-file
//     timeout, a safety net that reports itself through capped.

const (
	// anchorMin is the size (both sides) from which a range is anchored on
	// unique elements before Myers runs. Below it Myers alone is cheap and
	// slightly more exact.
	anchorMin = 1 << 14
	// snakeCnt, heurMin, kHeur and maxCostMin are xdiff's XDL_SNAKE_CNT,
	// XDL_HEUR_MIN_COST, XDL_K_HEUR and XDL_MAX_COST_MIN.
	snakeCnt   = 20
	heurMin    = 256
	kHeur      = 4
	maxCostMin = 256
	// checkEvery is how many Myers cost steps run between two looks at
	// the context and the deadline.
	checkEvery = 256
)

// engine holds the state of one alignment. It is not safe for concurrent use.
type engine struct {
	a, b   []int32 // interned ids; values are < nIDs
	ca, cb []bool  // changed marks, len(a) and len(b)

	cntA, cntB []int32 // occurrence counters indexed by id, kept zeroed between uses
	posB       []int32 // scratch: position in b of an id unique in the current b range

	// scratch for a Myers leaf, reused from one leaf to the next: the
	// positions kept on each side, their ids, and both diagonal vectors.
	// Diagonal values are positions, so int32 like the ids.
	scratch []int32

	ctx      context.Context
	deadline time.Time
	steps    int
	stopped  bool // the context ended or the deadline passed: remaining ranges are marked whole
	coarse   bool // align on unique elements only; gaps without anchors are marked whole
	err      error
}

func newEngine(ctx context.Context, a, b []int32, nIDs int, deadline time.Time) *engine {
	// One allocation for the marks and one for the counters: a small
	// file's diff is mostly allocation overhead.
	marks := make([]bool, len(a)+len(b))
	cnt := make([]int32, 3*nIDs)
	return &engine{
		a: a, b: b,
		ca:       marks[:len(a):len(a)],
		cb:       marks[len(a):],
		cntA:     cnt[:nIDs:nIDs],
		cntB:     cnt[nIDs : 2*nIDs : 2*nIDs],
		posB:     cnt[2*nIDs:],
		ctx:      ctx,
		deadline: deadline,
	}
}

// run aligns the whole of a and b.
func (e *engine) run() {
	e.align(0, len(e.a), 0, len(e.b))
}

// tick is called from the inner loops; it reports whether work must stop.
func (e *engine) tick() bool {
	if e.stopped {
		return true
	}
	e.steps++
	if e.steps%checkEvery != 0 {
		return false
	}
	if err := e.ctx.Err(); err != nil {
		e.stopped, e.err = true, err
		return true
	}
	if !e.deadline.IsZero() && time.Now().After(e.deadline) {
		e.stopped = true
		return true
	}
	return false
}

func (e *engine) mark(a0, a1, b0, b1 int) {
	for i := a0; i < a1; i++ {
		e.ca[i] = true
	}
	for j := b0; j < b1; j++ {
		e.cb[j] = true
	}
}

// align aligns a[a0:a1] with b[b0:b1]. Ranges stay contiguous all the way
// down (anchoring only cuts them), so they are passed as bounds rather
// than as index slices: only a Myers leaf, after dropping the elements
// absent from the other side, needs positions, and it keeps them in the
// reused scratch.
func (e *engine) align(a0, a1, b0, b1 int) {
	a, b := e.a, e.b
	for a0 < a1 && b0 < b1 && a[a0] == b[b0] {
		a0++
		b0++
	}
	for a0 < a1 && b0 < b1 && a[a1-1] == b[b1-1] {
		a1--
		b1--
	}
	if a0 == a1 || b0 == b1 || e.stopped || e.tick() {
		e.mark(a0, a1, b0, b1)
		return
	}

	for _, id := range a[a0:a1] {
		e.cntA[id]++
	}
	for j := b0; j < b1; j++ {
		e.cntB[b[j]]++
		e.posB[b[j]] = int32(j)
	}

	if e.coarse || (a1-a0)+(b1-b0) >= anchorMin {
		if anchors := e.uniqueAnchors(a0, a1); len(anchors) > 0 {
			e.clearCounts(a0, a1, b0, b1)
			pa, pb := a0, b0
			for _, an := range anchors {
				e.align(pa, int(an.i), pb, int(an.j))
				pa, pb = int(an.i)+1, int(an.j)+1
			}
			e.align(pa, a1, pb, b1)
			return
		}
	}

	if e.coarse {
		e.clearCounts(a0, a1, b0, b1)
		e.mark(a0, a1, b0, b1)
		return
	}

	// Keep only elements present on the other side. Count them first:
	// when one side keeps none there is nothing to align and no scratch
	// to size. A leaf does not recurse into align, so the scratch is free.
	n, m := 0, 0
	for _, id := range a[a0:a1] {
		if e.cntB[id] != 0 {
			n++
		}
	}
	for _, id := range b[b0:b1] {
		if e.cntA[id] != 0 {
			m++
		}
	}
	if n == 0 || m == 0 {
		e.clearCounts(a0, a1, b0, b1)
		e.mark(a0, a1, b0, b1)
		return
	}
	if need := 4*(n+m) + 6; cap(e.scratch) < need {
		e.scratch = make([]int32, min(max(need, 2*cap(e.scratch)), 4*(len(a)+len(b))+6))
	}
	ra, rb := e.scratch[:0:n], e.scratch[n:n:n+m]
	for i := a0; i < a1; i++ {
		if e.cntB[a[i]] == 0 {
			e.ca[i] = true
		} else {
			ra = append(ra, int32(i))
		}
	}
	for j := b0; j < b1; j++ {
		if e.cntA[b[j]] == 0 {
			e.cb[j] = true
		} else {
			rb = append(rb, int32(j))
		}
	}
	e.clearCounts(a0, a1, b0, b1)
	e.myers(ra, rb, e.scratch[n+m:])
}

func (e *engine) clearCounts(a0, a1, b0, b1 int) {
	for _, id := range e.a[a0:a1] {
		e.cntA[id] = 0
	}
	for _, id := range e.b[b0:b1] {
		e.cntB[id] = 0
	}
}

// anchor is a pair of positions in a and b holding the same element.
type anchor struct{ i, j int32 }

// uniqueAnchors returns pairs of positions of elements that occur once on
// each side of the current ranges, forming the longest chain increasing
// on both sides. The counters must hold the occurrences of the current
// ranges.
func (e *engine) uniqueAnchors(a0, a1 int) []anchor {
	// Count first: a large file has hundreds of thousands of candidates,
	// and growing the slice by appending would allocate them twice over.
	nc := 0
	for _, id := range e.a[a0:a1] {
		if e.cntA[id] == 1 && e.cntB[id] == 1 {
			nc++
		}
	}
	if nc == 0 {
		return nil
	}
	cand := make([]anchor, 0, nc)
	for i := a0; i < a1; i++ {
		id := e.a[i]
		if e.cntA[id] == 1 && e.cntB[id] == 1 {
			cand = append(cand, anchor{int32(i), e.posB[id]})
		}
	}
	// Longest increasing subsequence on the b position (patience sorting).
	tails := make([]int32, 0, nc) // tails[l] = index in cand ending the best chain of length l+1
	prev := make([]int32, len(cand))
	for c := range cand {
		l := sort.Search(len(tails), func(x int) bool { return cand[tails[x]].j >= cand[c].j })
		if l > 0 {
			prev[c] = tails[l-1]
		} else {
			prev[c] = -1
		}
		if l == len(tails) {
			tails = append(tails, int32(c))
		} else {
			tails[l] = int32(c)
		}
	}
	// Write the chain into tails (no longer needed), then compact it to the
	// front of cand: chain element k sits at index >= k, so moving it to k
	// never overwrites an element still to be moved.
	for c, k := tails[len(tails)-1], len(tails)-1; k >= 0; c, k = prev[c], k-1 {
		tails[k] = c
	}
	for k, c := range tails {
		cand[k] = cand[c]
	}
	return cand[:len(tails):len(tails)]
}

// myers runs xdiff's divide-and-conquer Myers on the elements at ra/rb,
// with buf (at least 2(n+m)+6 long) for their ids and the diagonals.
// xdiff writes every diagonal before reading it, so buf needs no clearing.
func (e *engine) myers(ra, rb, buf []int32) {
	n, m := len(ra), len(rb)
	ha, hb := buf[:n], buf[n:n+m]
	for k, i := range ra {
		ha[k] = e.a[i]
	}
	for k, j := range rb {
		hb[k] = e.b[j]
	}
	kv := buf[n+m:]
	mx := &myers{
		e: e, ha: ha, hb: hb, ra: ra, rb: rb,
		kvdf: kv[:n+m+3],
		kvdb: kv[n+m+3 : 2*(n+m+3)],
		koff: m + 1,
	}
	mx.mxcost = bogoSqrt(n + m + 3)
	if mx.mxcost < maxCostMin {
		mx.mxcost = maxCostMin
	}
	mx.cmp(0, n, 0, m, false)
}

// bogoSqrt is xdiff's cheap square root: a power of two near sqrt(n).
func bogoSqrt(n int) int {
	i := 1
	for ; n > 0; n >>= 2 {
		i <<= 1
	}
	return i
}

type myers struct {
	e          *engine
	ha, hb     []int32
	ra, rb     []int32 // positions in e.a / e.b of ha / hb
	kvdf, kvdb []int32 // diagonal vectors, indexed by diagonal+koff
	koff       int
	mxcost     int
}

func (m *myers) markRange(off1, lim1, off2, lim2 int) {
	for i := off1; i < lim1; i++ {
		m.e.ca[m.ra[i]] = true
	}
	for j := off2; j < lim2; j++ {
		m.e.cb[m.rb[j]] = true
	}
}

// cmp is xdl_recs_cmp.
func (m *myers) cmp(off1, lim1, off2, lim2 int, needMin bool) {
	ha, hb := m.ha, m.hb
	for off1 < lim1 && off2 < lim2 && ha[off1] == hb[off2] {
		off1++
		off2++
	}
	for off1 < lim1 && off2 < lim2 && ha[lim1-1] == hb[lim2-1] {
		lim1--
		lim2--
	}
	if off1 == lim1 || off2 == lim2 {
		m.markRange(off1, lim1, off2, lim2)
		return
	}
	i1, i2, minLo, minHi, ok := m.split(off1, lim1, off2, lim2, needMin)
	if !ok {
		m.markRange(off1, lim1, off2, lim2)
		return
	}
	m.cmp(off1, i1, off2, i2, minLo)
	m.cmp(i1, lim1, i2, lim2, minHi)
}

// split is xdl_split: it finds a point of an optimal (or, past the cost
// ceiling, a good) path through the box, from which both halves are
// aligned independently. ok is false when the engine was stopped.
func (m *myers) split(off1, lim1, off2, lim2 int, needMin bool) (si1, si2 int, minLo, minHi, ok bool) {
	ha, hb := m.ha, m.hb
	kvdf, kvdb, ko := m.kvdf, m.kvdb, m.koff
	const lineMax = int(^uint(0) >> 1)
	const kvMax = math.MaxInt32 // lineMax as stored in kvdb
	dmin, dmax := off1-lim2, lim1-off2
	fmid, bmid := off1-off2, lim1-lim2
	odd := (fmid-bmid)&1 != 0
	fmin, fmax := fmid, fmid
	bmin, bmax := bmid, bmid

	kvdf[fmid+ko] = int32(off1)
	kvdb[bmid+ko] = int32(lim1)

	for ec := 1; ; ec++ {
		if m.e.tick() {
			return 0, 0, false, false, false
		}
		gotSnake := false

		if fmin > dmin {
			fmin--
			kvdf[fmin-1+ko] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			kvdf[fmax+1+ko] = -1
		} else {
			fmax--
		}
		for d := fmax; d >= fmin; d -= 2 {
			var i1 int
			if kvdf[d-1+ko] >= kvdf[d+1+ko] {
				i1 = int(kvdf[d-1+ko]) + 1
			} else {
				i1 = int(kvdf[d+1+ko])
			}
			prev1 := i1
			i2 := i1 - d
			for i1 < lim1 && i2 < lim2 && ha[i1] == hb[i2] {
				i1++
				i2++
			}
			if i1-prev1 > snakeCnt {
				gotSnake = true
			}
			kvdf[d+ko] = int32(i1)
			if odd && bmin <= d && d <= bmax && int(kvdb[d+ko]) <= i1 {
				return i1, i2, true, true, true
			}
		}

		if bmin > dmin {
			bmin--
			kvdb[bmin-1+ko] = kvMax
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			kvdb[bmax+1+ko] = kvMax
		} else {
			bmax--
		}
		for d := bmax; d >= bmin; d -= 2 {
			var i1 int
			if kvdb[d-1+ko] < kvdb[d+1+ko] {
				i1 = int(kvdb[d-1+ko])
			} else {
				i1 = int(kvdb[d+1+ko]) - 1
			}
			prev1 := i1
			i2 := i1 - d
			for i1 > off1 && i2 > off2 && ha[i1-1] == hb[i2-1] {
				i1--
				i2--
			}
			if prev1-i1 > snakeCnt {
				gotSnake = true
			}
			kvdb[d+ko] = int32(i1)
			if !odd && fmin <= d && d <= fmax && i1 <= int(kvdf[d+ko]) {
				return i1, i2, true, true, true
			}
		}

		if needMin {
			continue
		}

		// Past the heuristic trigger, with a good snake seen, look for a
		// diagonal that went far (measured from the corner, penalised by
		// its distance from the middle diagonal) and ends in a snake.
		if gotSnake && ec > heurMin {
			best := 0
			for d := fmax; d >= fmin; d -= 2 {
				dd := d - fmid
				if dd < 0 {
					dd = -dd
				}
				i1 := int(kvdf[d+ko])
				i2 := i1 - d
				v := (i1 - off1) + (i2 - off2) - dd
				if v > kHeur*ec && v > best &&
					off1+snakeCnt <= i1 && i1 < lim1 &&
					off2+snakeCnt <= i2 && i2 < lim2 {
					for k := 1; ha[i1-k] == hb[i2-k]; k++ {
						if k == snakeCnt {
							best = v
							si1, si2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return si1, si2, true, false, true
			}
			for d := bmax; d >= bmin; d -= 2 {
				dd := d - bmid
				if dd < 0 {
					dd = -dd
				}
				i1 := int(kvdb[d+ko])
				i2 := i1 - d
				v := (lim1 - i1) + (lim2 - i2) - dd
				if v > kHeur*ec && v > best &&
					off1 < i1 && i1 <= lim1-snakeCnt &&
					off2 < i2 && i2 <= lim2-snakeCnt {
					for k := 0; ha[i1+k] == hb[i2+k]; k++ {
						if k == snakeCnt-1 {
							best = v
							si1, si2 = i1, i2
							break
						}
					}
				}
			}
			if best > 0 {
				return si1, si2, false, true, true
			}
		}

		// Enough: take the furthest-reaching path, by i1+i2.
		if ec >= m.mxcost {
			fbest, fbest1 := -1, -1
			for d := fmax; d >= fmin; d -= 2 {
				i1 := min(int(kvdf[d+ko]), lim1)
				i2 := i1 - d
				if lim2 < i2 {
					i1, i2 = lim2+d, lim2
				}
				if fbest < i1+i2 {
					fbest, fbest1 = i1+i2, i1
				}
			}
			bbest, bbest1 := lineMax, lineMax
			for d := bmax; d >= bmin; d -= 2 {
				i1 := max(off1, int(kvdb[d+ko]))
				i2 := i1 - d
				if i2 < off2 {
					i1, i2 = off2+d, off2
				}
				if i1+i2 < bbest {
					bbest, bbest1 = i1+i2, i1
				}
			}
			if (lim1+lim2)-bbest < fbest-(off1+off2) {
				return fbest1, fbest - fbest1, true, false, true
			}
			return bbest1, bbest - bbest1, false, true, true
		}
	}
}
