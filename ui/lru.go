package ui

import "container/list"

// lru remembers the most recently used keys and the bytes each one holds,
// up to a byte budget. The dashboard keeps full reviews (file sets and
// hunks, from a few kB to hundreds of MB) only for these keys; summaries
// for the queue are kept for every item. A count would not bound memory:
// 16 reviews of typescript's size pass 1 GiB.
type lru struct {
	budget int64
	total  int64
	order  *list.List // front = most recent; values are *lruEntry
	pos    map[string]*list.Element
}

type lruEntry struct {
	key  string
	size int64
}

func newLRU(budget int64) *lru {
	return &lru{budget: budget, order: list.New(), pos: map[string]*list.Element{}}
}

// touch marks k as used (size > 0 sets its size, 0 keeps the known one)
// and returns the keys evicted to bring the total within the budget, least
// recently used first. The key just touched is never evicted, so one review
// larger than the whole budget is still kept while it is the newest.
func (l *lru) touch(k string, size int64) (evicted []string) {
	if e, found := l.pos[k]; found {
		l.order.MoveToFront(e)
		if size > 0 {
			en := e.Value.(*lruEntry)
			l.total += size - en.size
			en.size = size
		}
	} else {
		l.pos[k] = l.order.PushFront(&lruEntry{key: k, size: size})
		l.total += size
	}
	for l.total > l.budget && l.order.Len() > 1 {
		last := l.order.Back()
		en := last.Value.(*lruEntry)
		l.order.Remove(last)
		delete(l.pos, en.key)
		l.total -= en.size
		evicted = append(evicted, en.key)
	}
	return evicted
}

// remove forgets k.
func (l *lru) remove(k string) {
	if e, ok := l.pos[k]; ok {
		l.total -= e.Value.(*lruEntry).size
		l.order.Remove(e)
		delete(l.pos, k)
	}
}

func (l *lru) len() int { return l.order.Len() }

// bytes is the total size of the keys held.
func (l *lru) bytes() int64 { return l.total }
