package ui

import "container/list"

// lru remembers the most recently used keys up to a capacity. The dashboard
// keeps full reviews (file sets and hunks, possibly large) only for these
// keys; summaries for the queue are kept for every item.
type lru struct {
	cap   int
	order *list.List // front = most recent
	pos   map[string]*list.Element
}

func newLRU(capacity int) *lru {
	return &lru{cap: capacity, order: list.New(), pos: map[string]*list.Element{}}
}

// touch marks k as used and returns the key evicted to make room, if any.
func (l *lru) touch(k string) (evicted string, ok bool) {
	if e, found := l.pos[k]; found {
		l.order.MoveToFront(e)
		return "", false
	}
	l.pos[k] = l.order.PushFront(k)
	if l.order.Len() <= l.cap {
		return "", false
	}
	last := l.order.Back()
	l.order.Remove(last)
	old := last.Value.(string)
	delete(l.pos, old)
	return old, true
}

// remove forgets k.
func (l *lru) remove(k string) {
	if e, ok := l.pos[k]; ok {
		l.order.Remove(e)
		delete(l.pos, k)
	}
}

func (l *lru) len() int { return l.order.Len() }
