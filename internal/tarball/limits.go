package tarball

import (
	"errors"
	"fmt"
)

// Limits bound what Read accepts. A zero field means "use the default", so
// Limits{} and DefaultLimits() behave the same; there is deliberately no way
// to switch a limit off, since every input is untrusted.
type Limits struct {
	// MaxUnpacked caps the bytes of the uncompressed tar stream (file
	// contents plus tar headers and padding). It is the decompression-bomb
	// guard and also bounds memory, since files are kept in memory.
	MaxUnpacked int64
	// MaxEntries caps the number of tar entries of any type.
	MaxEntries int
	// MaxPathLen caps the length in bytes of an entry's name or link target.
	MaxPathLen int
	// MaxCompressed caps the bytes read from the input.
	MaxCompressed int64
}

// Defaults. The unpacked cap is far above any real npm package (typescript
// 5.5 unpacks to about 22 MB) while still fitting in memory.
const (
	DefaultMaxUnpacked   int64 = 1 << 30
	DefaultMaxEntries          = 100_000
	DefaultMaxPathLen          = 4096
	DefaultMaxCompressed int64 = 512 << 20
)

// DefaultLimits returns the limits used when a field is zero.
func DefaultLimits() Limits {
	return Limits{
		MaxUnpacked:   DefaultMaxUnpacked,
		MaxEntries:    DefaultMaxEntries,
		MaxPathLen:    DefaultMaxPathLen,
		MaxCompressed: DefaultMaxCompressed,
	}
}

// withDefaults fills zero (or negative) fields.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = d.MaxUnpacked
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxPathLen <= 0 {
		l.MaxPathLen = d.MaxPathLen
	}
	if l.MaxCompressed <= 0 {
		l.MaxCompressed = d.MaxCompressed
	}
	return l
}

// Sentinel errors; test with errors.Is. Errors returned by Read wrap one of
// them and say which limit was hit, its value and how to raise it.
var (
	// ErrTooLarge: the compressed input or the unpacked content exceeds a limit.
	ErrTooLarge = errors.New("tarball too large")
	// ErrTooManyEntries: the archive has more entries than Limits.MaxEntries.
	ErrTooManyEntries = errors.New("tarball has too many entries")
	// ErrPathTooLong: an entry name or link target exceeds Limits.MaxPathLen.
	ErrPathTooLong = errors.New("tarball entry path too long")
	// ErrMalformed: the data is not a readable gzip-compressed tar archive.
	ErrMalformed = errors.New("malformed tarball")
)

// LimitError reports which limit was exceeded.
type LimitError struct {
	Err   error  // ErrTooLarge, ErrTooManyEntries or ErrPathTooLong
	Field string // the Limits field, e.g. "MaxUnpacked"
	Limit int64
	What  string // what exceeded it, e.g. "uncompressed stream" (may name an untrusted path: sanitize before display)
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%v: %s exceeds %s (Limits.%s); raise Limits.%s if this package is expected to be that large",
		e.Err, e.What, human(e.Limit, e.Field), e.Field, e.Field)
}

func (e *LimitError) Unwrap() error { return e.Err }

// human renders a limit value: byte sizes in binary units, counts plainly.
func human(n int64, field string) string {
	if field == "MaxEntries" {
		return fmt.Sprintf("%d entries", n)
	}
	if field == "MaxPathLen" {
		return fmt.Sprintf("%d bytes", n)
	}
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// malformed wraps a decoding error as ErrMalformed with context.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
