package ui

import (
	"context"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stagegate/stagegate/internal/approval"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
)

const (
	// maxReviewJobs bounds concurrent reviews: each downloads two tarballs
	// and diffs them, and the user's open review must not wait behind a
	// dozen prefetches.
	maxReviewJobs = 2
	// prefetchWindow is how many queue rows beyond each edge of the screen
	// are reviewed ahead of time, after the rows on screen; a queue of a
	// thousand items is not fetched wholesale.
	prefetchWindow = 40
	// keepReviewBytes bounds the full reviews (with hunks) kept in memory,
	// by their estimated size (reviewBytes): typescript 5.4.5→5.5.4 is
	// estimated at 56 MB and holds 68 MB of live heap; a patch release of a
	// small package a few kB.
	keepReviewBytes = 192 << 20
)

type entryState int

const (
	revLoading entryState = iota
	revDone
	revFailed
	revEvicted // summary kept, full review dropped by the LRU
)

// summary is what the queue shows for a reviewed item; small, kept for all.
type summary struct {
	files, added, removed int
	verified              bool
	high, medium          int
	shasum                string   // of the tarball that was reviewed
	risk                  string   // the review's risk level
	base                  string   // the base version compared against ("" first release)
	tagFrom               string   // the staged tag's version when reviewed
	baseVerified          bool     // the base tarball matched the packument's integrity
	deps                  []string // names of the packages the staged version depends on
}

// reviewEntry is the dashboard's knowledge of one item's review.
type reviewEntry struct {
	state    entryState
	progress review.Progress
	rev      *review.Review
	size     int64 // reviewBytes(rev), what it counts against the cache budget
	sum      summary
	err      errInfo
}

// reviewJob is one running Backend.Review. Progress and the result come back
// through channels that a re-arming Cmd reads (bubbletea's realtime pattern).
type reviewJob struct {
	key      string
	id       int
	cancel   context.CancelFunc
	progress chan review.Progress // cap 1, newest wins
	done     chan reviewDoneMsg   // cap 1, so the goroutine never blocks
}

// start runs the review in a goroutine and returns the Cmd that listens.
func (j *reviewJob) start(ctx context.Context, b Backend, item registry.StageItem) tea.Cmd {
	return func() tea.Msg {
		go func() {
			rev, err := b.Review(ctx, item, j.report)
			j.done <- reviewDoneMsg{job: j, rev: rev, err: err}
		}()
		return j.wait()
	}
}

// report keeps only the newest progress: the UI needs the current state,
// not every step, and a slow UI must never block the review.
func (j *reviewJob) report(p review.Progress) {
	for {
		select {
		case j.progress <- p:
			return
		default:
		}
		select {
		case <-j.progress:
		default:
		}
	}
}

func (j *reviewJob) wait() tea.Msg {
	select {
	case d := <-j.done:
		return d
	case p := <-j.progress:
		return reviewProgressMsg{job: j, p: p}
	}
}

func summarize(r *review.Review) summary {
	s := summary{
		files:    len(r.Files),
		added:    r.Summary.LinesAdded,
		removed:  r.Summary.LinesRemoved,
		verified: r.Staged.Verified,
		shasum:   reviewedSHA1(r),
		risk:     string(r.Risk.Level),
		tagFrom:  r.Stage.TagFrom,
	}
	if r.Base != nil {
		s.base, s.baseVerified = r.Base.Version, r.Base.Verified
	}
	for _, d := range r.Deps { // "section:name@spec"; a scoped name starts with "@"
		_, rest, _ := strings.Cut(d, ":")
		if at := strings.Index(rest[min(1, len(rest)):], "@"); at >= 0 {
			s.deps = append(s.deps, approval.InstalledName(rest[:at+1], rest[at+2:]))
		}
	}
	for _, sg := range r.Signals {
		switch sg.Severity {
		case "high":
			s.high++
		case "medium":
			s.medium++
		}
	}
	return s
}

// startJob starts reviewing key; the caller has checked the concurrency bound.
func (m *Model) startJob(key string) tea.Cmd {
	it, ok := m.itemByKey(key)
	if !ok {
		return nil
	}
	m.nextJobID++
	ctx, cancel := context.WithCancel(m.ctx)
	j := &reviewJob{key: key, id: m.nextJobID, cancel: cancel,
		progress: make(chan review.Progress, 1), done: make(chan reviewDoneMsg, 1)}
	m.jobs[key] = j
	m.reviews[key] = &reviewEntry{state: revLoading}
	return tea.Batch(j.start(ctx, m.b, it), m.startSpinner())
}

// cancelJob stops key's job; its late answer is then ignored.
func (m *Model) cancelJob(key string) {
	if j, ok := m.jobs[key]; ok {
		j.cancel()
		delete(m.jobs, key)
		if e, ok := m.reviews[key]; ok && e.state == revLoading {
			delete(m.reviews, key)
		}
	}
}

// needsFetch reports whether key has no review, running or kept. An evicted
// review is fetched again only when opened: prefetching it would evict
// another, round and round.
func (m *Model) needsFetch(key string, open bool) bool {
	e, ok := m.reviews[key]
	return !ok || (open && e.state == revEvicted)
}

// schedule fills free job slots: the open review first, then the rows on
// screen (nearest the cursor first), then a window around the cursor in both
// directions, never wrapping: after G the rows the user sees are the ones
// reviewed. Failed reviews are not retried on their own (the user asks with
// r), so a broken item cannot make the dashboard loop.
func (m *Model) schedule() tea.Cmd {
	var cmds []tea.Cmd
	if m.rv != nil && m.needsFetch(m.rv.key, true) {
		if len(m.jobs) >= maxReviewJobs {
			// The review on screen outranks prefetches: give it a slot.
			for k := range m.jobs {
				m.cancelJob(k)
				break
			}
		}
		cmds = append(cmds, m.startJob(m.rv.key))
	}
	vis := m.visible()
	for _, vi := range m.prefetchOrder(vis) {
		if len(m.jobs) >= maxReviewJobs {
			break
		}
		k := itemKey(m.items[vis[vi]])
		if m.needsFetch(k, false) {
			cmds = append(cmds, m.startJob(k))
		}
	}
	return tea.Batch(cmds...)
}

// prefetchOrder lists the rows (indices into vis) to review, most wanted
// first: the cursor, the other rows on screen by distance from the cursor,
// then rows off screen up to prefetchWindow beyond either edge of the
// screen, nearest the cursor first (a page up or down is then ready).
func (m *Model) prefetchOrder(vis []int) []int {
	if len(vis) == 0 {
		return nil
	}
	lo, hi := m.queueOnScreen(vis)
	cur := min(max(m.cursor, 0), len(vis)-1)
	out := make([]int, 0, hi-lo+2*prefetchWindow+1)
	seen := func(i int) bool { return i >= lo && i < hi }
	out = append(out, cur)
	for d := 1; cur+d < hi || cur-d >= lo; d++ {
		for _, i := range []int{cur + d, cur - d} {
			if seen(i) {
				out = append(out, i)
			}
		}
	}
	wlo, whi := max(0, lo-prefetchWindow), min(len(vis), hi+prefetchWindow)
	for d := 1; cur+d < whi || cur-d >= wlo; d++ {
		for _, i := range []int{cur + d, cur - d} {
			if i >= wlo && i < whi && !seen(i) {
				out = append(out, i)
			}
		}
	}
	return out
}

// reviewBytes estimates the memory a full review holds: its diff lines
// (text and line records), files and signals. It need not be exact, only
// proportional, so the cache's budget means bytes.
func reviewBytes(r *review.Review) int64 {
	const lineRec, fileRec, sigRec = 48, 256, 256
	n := int64(4096)
	n += int64(len(r.Files)) * fileRec
	for _, s := range r.Signals {
		n += sigRec + int64(len(s.Title)+len(s.Detail)+len(s.Path))
	}
	if r.Diff != nil {
		for i := range r.Diff.Files {
			fd := &r.Diff.Files[i]
			n += fileRec + int64(len(fd.Path))
			for _, h := range fd.Hunks {
				n += 64
				for _, l := range h.Lines {
					n += lineRec + int64(len(l.Text))
				}
			}
		}
	}
	return n
}

func (m *Model) onReviewProgress(msg reviewProgressMsg) tea.Cmd {
	if m.jobs[msg.job.key] != msg.job {
		return nil // superseded: stop listening, the goroutine exits on its own
	}
	if e := m.reviews[msg.job.key]; e != nil {
		e.progress = msg.p
	}
	return msg.job.wait
}

func (m *Model) onReviewDone(msg reviewDoneMsg) tea.Cmd {
	key := msg.job.key
	if m.jobs[key] != msg.job {
		return nil
	}
	delete(m.jobs, key)
	msg.job.cancel()
	e := &reviewEntry{}
	if msg.err != nil || msg.rev == nil {
		e.state = revFailed
		e.err = classify(msg.err)
		if msg.err == nil {
			e.err = errInfo{msg: "the backend returned no review"}
		}
	} else {
		e.state = revDone
		e.rev = msg.rev
		e.sum = summarize(msg.rev)
		e.size = reviewBytes(msg.rev)
		for _, old := range m.lruKeys.touch(key, e.size) {
			if oe := m.reviews[old]; oe != nil && oe.state == revDone && (m.rv == nil || m.rv.key != old) {
				oe.state, oe.rev = revEvicted, nil
			}
		}
	}
	m.reviews[key] = e
	if m.rv != nil && m.rv.key == key && m.rv.rev == nil && e.state == revDone {
		m.rv.attach(m, e.rev)
		return tea.Batch(m.schedule(), m.loadMemory(m.rv))
	}
	return m.schedule()
}

// reviewedSHA1 is the sha1 of the tarball that was actually read and
// diffed: what an approval must be sent for.
func reviewedSHA1(r *review.Review) string {
	if r.ReviewedSHA1 != "" {
		return r.ReviewedSHA1
	}
	return r.Staged.Shasum
}
