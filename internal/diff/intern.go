package diff

import "hash/maphash"

// The interner maps the lines or tokens of one file pair to dense ids. It
// is the largest piece of scratch memory of a diff, so it is a compact
// open-addressing table rather than a map[string]int32: a pre-sized Go map
// costs about 48 bytes per distinct string (the 16-byte key, the value,
// control bytes and slack), here a distinct string costs its 16-byte header
// plus two to four 4-byte slots.
//
// Sizes are not guessed large up front: about 2% of the tokens of a
// minified bundle are distinct, and 15-50% of the lines of a source file,
// so any fixed ratio is wrong by several times for some file. The table
// starts from a low estimate and doubles; the strings are kept in fixed
// chunks that never move, so growing copies only the slots.

const (
	internChunkBits = 10
	internChunkLen  = 1 << internChunkBits // strings per chunk (16 KiB)
	internMinSlots  = 8
)

// interner assigns ids 0, 1, 2... to distinct strings in first-seen order.
// The strings are kept, not copied: they alias the file data.
type interner struct {
	seed  maphash.Seed
	slots []int32 // power-of-two length, at most half full; 0 is empty, else id+1
	// The string of id k is first[k] below internChunkLen, else
	// more[k>>internChunkBits-1][k&(internChunkLen-1)]. first starts at
	// the hint and doubles up to a full chunk; the other chunks are full
	// size from the start.
	first []string
	more  [][]string
	n     int // distinct strings so far
}

// newInterner returns an empty interner sized for about hint distinct
// strings; hint should be a low estimate, as the table doubles when full.
func newInterner(hint int) interner {
	hint = max(hint, 1)
	slots := internMinSlots
	for slots < 2*hint {
		slots <<= 1
	}
	return interner{
		seed:  maphash.MakeSeed(),
		slots: make([]int32, slots),
		first: make([]string, 0, min(hint, internChunkLen)),
	}
}

// len is the number of distinct strings, which bounds every id.
func (in *interner) len() int { return in.n }

func (in *interner) str(id int32) string {
	if id < internChunkLen {
		return in.first[id]
	}
	return in.more[id>>internChunkBits-1][id&(internChunkLen-1)]
}

// hash is maphash.String for short strings; longer ones (a line of a
// minified file can be megabytes) go through maphash.Comparable, which
// hashes in one call where String feeds the runtime 128 bytes at a time,
// about 5x slower. Either way a string always hashes the same.
func (in *interner) hash(s string) uint64 {
	if len(s) <= 128 {
		return maphash.String(in.seed, s)
	}
	return maphash.Comparable(in.seed, s)
}

// id returns the id of s, assigning the next one if s is new.
func (in *interner) id(s string) int32 {
	mask := uint64(len(in.slots) - 1)
	i := in.hash(s) & mask
	for {
		v := in.slots[i]
		if v == 0 {
			break
		}
		if in.str(v-1) == s {
			return v - 1
		}
		i = (i + 1) & mask
	}
	id := int32(in.n)
	in.n++
	switch {
	case id < internChunkLen:
		if len(in.first) == cap(in.first) {
			grown := make([]string, len(in.first), min(2*cap(in.first), internChunkLen))
			copy(grown, in.first)
			in.first = grown
		}
		in.first = append(in.first, s)
	case id&(internChunkLen-1) == 0:
		c := make([]string, 1, internChunkLen)
		c[0] = s
		in.more = append(in.more, c)
	default:
		last := &in.more[len(in.more)-1]
		*last = append(*last, s)
	}
	if 2*in.n > len(in.slots) {
		in.grow()
	} else {
		in.slots[i] = id + 1
	}
	return id
}

// grow doubles the slots and re-inserts every string, the new one included.
func (in *interner) grow() {
	in.slots = make([]int32, 2*len(in.slots))
	mask := uint64(len(in.slots) - 1)
	for id := range int32(in.n) {
		i := in.hash(in.str(id)) & mask
		for in.slots[i] != 0 {
			i = (i + 1) & mask
		}
		in.slots[i] = id + 1
	}
}

// lineIDs interns every line of data (with its terminator).
func (in *interner) lineIDs(data []byte, starts []int32) []int32 {
	ids := make([]int32, len(starts)-1)
	for k := range ids {
		ids[k] = in.id(bstr(data[starts[k]:starts[k+1]]))
	}
	return ids
}
