// Package strategies holds writebench's interchangeable ways of writing a
// batch of files, the registry that names them, and the deterministic
// content every strategy writes and the runner verifies.
//
// A Strategy receives the whole batch of one cell (every file, its size and
// the parameters) because strategies differ precisely in how they spread work
// across files: one after another, a worker pool, or a goroutine per file
// bounded by a semaphore. The runner owns the clock: it times one call of
// Write, and does setup, cleanup and verification outside it.
package strategies

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Strategy writes a batch of files.
//
// Write must create every file b.Path(i) for i in [0, b.Files) with exactly
// b.Size bytes of content from b.Content, honour b.Params.Sync for "close"
// and "data" (the runner does "end"), record per-file latency and sync time
// when b.Latency and b.SyncTime are non-nil, and return promptly with
// ctx.Err() once ctx is cancelled (checking between writes).
type Strategy interface {
	// Name is the registry name, lower case, e.g. "bufio".
	Name() string
	// Describe is a one-line description naming the real-world pattern.
	Describe() string
	// Knobs lists the parameters of Params that change what this strategy
	// does, among "record", "buffer", "chunk", "concurrency" and "per_file".
	// Sync applies to every strategy and is not listed.
	Knobs() []string
	// Write writes the batch. It runs inside the timed region.
	Write(ctx context.Context, b *Batch) error
}

// SyncMode says what durability a cell asks for. Every sync call is inside
// the timed region; its duration is also recorded apart.
type SyncMode string

// The sync modes.
const (
	SyncNone  SyncMode = "none"  // no sync: the page cache is measured
	SyncClose SyncMode = "close" // fsync before each close
	SyncData  SyncMode = "data"  // fdatasync before each close
	SyncEnd   SyncMode = "end"   // one syncfs of the scratch filesystem after all files
)

// SyncModes lists every sync mode.
var SyncModes = []SyncMode{SyncNone, SyncClose, SyncData, SyncEnd}

// ParseSync returns the SyncMode named s.
func ParseSync(s string) (SyncMode, error) {
	for _, m := range SyncModes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown sync mode %q (known: none, close, data, end)", s)
}

// Defaults of Params; a zero field means its default.
const (
	DefaultRecord      = 256       // bytes per application record
	DefaultBuffer      = 8 << 10   // bufio.Writer size: 8 KiB, like open(..., buffering=8192)
	DefaultChunk       = 64 << 10  // bytes per write for chunked, and copy size for mmap
	DefaultConcurrency = 10        // the Semaphore(10) of the popular advice; see README
	DefaultPerFile     = "chunked" // how pool and semaphore write each file
)

// Params are the tunables of a cell. The zero value of each field means its
// documented default; use WithDefaults to fill them in.
type Params struct {
	Record      int      // bytes per application record (unbuffered, bufio)
	Buffer      int      // bufio.Writer size in bytes (bufio)
	Chunk       int      // bytes per write (chunked) and per copy (mmap)
	Concurrency int      // workers (pool) or files in flight (semaphore)
	PerFile     string   // how pool and semaphore write each file: unbuffered, bufio, chunked or mmap
	Sync        SyncMode // none, close, data or end
}

// WithDefaults returns p with zero fields set to their defaults.
func (p Params) WithDefaults() Params {
	if p.Record <= 0 {
		p.Record = DefaultRecord
	}
	if p.Buffer <= 0 {
		p.Buffer = DefaultBuffer
	}
	if p.Chunk <= 0 {
		p.Chunk = DefaultChunk
	}
	if p.Concurrency <= 0 {
		p.Concurrency = DefaultConcurrency
	}
	if p.PerFile == "" {
		p.PerFile = DefaultPerFile
	}
	if p.Sync == "" {
		p.Sync = SyncNone
	}
	return p
}

// Batch is the work of one repetition of one cell: Files files of Size bytes
// each in the empty directory Dir.
type Batch struct {
	Dir     string   // scratch directory; exists and is empty
	Files   int      // number of files
	Size    int64    // bytes per file
	Params  Params   // with defaults filled in
	Content *Content // what to write

	// Latency, when non-nil (len Files), receives each file's time from open
	// to close, sync included. SyncTime, when non-nil (len Files), receives
	// each file's time spent in fsync/fdatasync. Each index is written by
	// exactly one goroutine.
	Latency  []time.Duration
	SyncTime []time.Duration
}

// Path returns the path of file i: Dir/f<i> with i zero-padded to the
// width of the batch's largest index, e.g. "/tmp/writebench-1/c3/f0042".
// It allocates; the built-in strategies format names in a reused buffer
// instead.
func (b *Batch) Path(i int) string {
	return b.Dir + "/" + FileName(i, NameWidth(b.Files))
}

// FileName returns the base name of file i padded to width digits.
func FileName(i, width int) string {
	var buf [24]byte
	s := strconv.AppendInt(buf[:0], int64(i), 10)
	var out [32]byte
	o := append(out[:0], 'f')
	for k := len(s); k < width; k++ {
		o = append(o, '0')
	}
	return string(append(o, s...))
}

// NameWidth is the digit width of file names in a batch of n files: the
// number of decimal digits of n-1 (at least 1).
func NameWidth(n int) int {
	w := 1
	for v := n - 1; v >= 10; v /= 10 {
		w++
	}
	return w
}

var registry = map[string]Strategy{}

// Register adds s to the registry. It panics on a duplicate or empty name,
// which is a programming error caught at init.
func Register(s Strategy) {
	n := s.Name()
	if n == "" || strings.ToLower(n) != n {
		panic("strategies: invalid name " + strconv.Quote(n))
	}
	if _, dup := registry[n]; dup {
		panic("strategies: Register called twice for " + n)
	}
	registry[n] = s
}

// Names returns the registered names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns every registered strategy, sorted by name.
func All() []Strategy {
	var all []Strategy
	for _, n := range Names() {
		all = append(all, registry[n])
	}
	return all
}

// Lookup returns the strategy named name, or an error listing the known ones
// and the closest match.
func Lookup(name string) (Strategy, error) {
	if s, ok := registry[name]; ok {
		return s, nil
	}
	msg := fmt.Sprintf("unknown strategy %q (known: %s)", name, strings.Join(Names(), ", "))
	if c := Closest(name, Names()); c != "" {
		msg += fmt.Sprintf("; did you mean %q?", c)
	}
	return nil, fmt.Errorf("%s", msg)
}

// Closest returns the candidate nearest to s by edit distance when it is
// close enough to be a plausible typo, else "".
func Closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// PerFileNames lists the valid values of Params.PerFile, sorted.
func PerFileNames() []string {
	names := make([]string, 0, len(fileWriters))
	for n := range fileWriters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Knobs returns the parameters that apply to s when pool or semaphore write
// each file with perFile: s's own knobs plus, for those two, perFile's.
func Knobs(s Strategy, perFile string) []string {
	k := append([]string(nil), s.Knobs()...)
	for _, x := range k {
		if x == "per_file" {
			if pf, ok := fileWriters[perFile]; ok {
				k = append(k, pf.knobs...)
			}
		}
	}
	return k
}
