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
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/writebench/writebench/internal/textfmt"
)

// Strategy writes a batch of files.
//
// Write must create every file b.Path(i) (named with b.Prefix) for i in
// [0, b.Files) with exactly
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
	// does, among "record", "buffer", "chunk", "concurrency", "per_file",
	// "batch", "queue_depth" and "prealloc". Sync applies to every strategy
	// and is not listed.
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
	// SyncDsync asks for RWF_DSYNC on every write (pwritev2): each write
	// returns once its data is on stable storage. Strategies that cannot pass
	// per-write flags skip the cell with the reason.
	SyncDsync SyncMode = "dsync"
	// SyncUncached asks for RWF_DONTCACHE on every write (Linux 6.14+):
	// buffered writes whose pages are dropped once written back. Not a
	// durability mode; skipped with the reason where the kernel lacks it.
	SyncUncached SyncMode = "uncached"
)

// syncModeList lists every sync mode, in the natural order of increasing
// durability (uncached last: it is a cache policy, not a sync).
var syncModeList = []SyncMode{SyncNone, SyncData, SyncClose, SyncEnd, SyncDsync, SyncUncached}

// SyncModes returns every sync mode, in the natural order of increasing
// durability (uncached last: it is a cache policy, not a sync).
func SyncModes() []SyncMode { return slices.Clone(syncModeList) }

// PreallocMode says how a strategy reserves a file's space before writing
// it, inside the timed region (like fio's fallocate= option).
type PreallocMode string

// The preallocation modes.
const (
	PreallocNone      PreallocMode = "none"      // no preallocation: the file grows as it is written
	PreallocFallocate PreallocMode = "fallocate" // fallocate(2) of the whole size after create
	PreallocTruncate  PreallocMode = "truncate"  // ftruncate(2) to the whole size after create (sparse)
)

// preallocModeList lists every preallocation mode.
var preallocModeList = []PreallocMode{PreallocNone, PreallocFallocate, PreallocTruncate}

// PreallocModes returns every preallocation mode.
func PreallocModes() []PreallocMode { return slices.Clone(preallocModeList) }

// ParseSync returns the SyncMode named s.
func ParseSync(s string) (SyncMode, error) {
	for _, m := range syncModeList {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown sync mode %q (known: %s)", s, joinModes(syncModeList))
}

// ParsePrealloc returns the PreallocMode named s.
func ParsePrealloc(s string) (PreallocMode, error) {
	for _, m := range preallocModeList {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown preallocation mode %q (known: %s)", s, joinModes(preallocModeList))
}

func joinModes[T ~string](ms []T) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(m))
	}
	return b.String()
}

// Defaults of Params; a zero field means its default.
const (
	DefaultRecord      = 256       // bytes per application record
	DefaultBuffer      = 8 << 10   // bufio.Writer size: 8 KiB, like open(..., buffering=8192)
	DefaultChunk       = 64 << 10  // bytes per write for chunked, and copy size for mmap
	DefaultConcurrency = 10        // the Semaphore(10) of the popular advice; see README
	DefaultPerFile     = "chunked" // how pool and semaphore write each file
	DefaultBatch       = 64        // records gathered into one writev(2)
	DefaultQueueDepth  = 32        // io_uring submissions in flight
)

// Params are the tunables of a cell. The zero value of each field means its
// documented default; use WithDefaults to fill them in.
type Params struct {
	Record      int          `knob:"record"`      // bytes per application record (unbuffered, bufio)
	Buffer      int          `knob:"buffer"`      // bufio.Writer size in bytes (bufio)
	Chunk       int          `knob:"chunk"`       // bytes per write (chunked) and per copy (mmap)
	Concurrency int          `knob:"concurrency"` // workers (pool) or files in flight (semaphore)
	PerFile     string       `knob:"per_file"`    // how pool and semaphore write each file: unbuffered, bufio, chunked or mmap
	Batch       int          `knob:"batch"`       // records per writev(2) call (writev)
	QueueDepth  int          `knob:"queue_depth"` // io_uring submissions in flight (uring)
	Prealloc    PreallocMode `knob:"prealloc"`    // space reservation before writing each file
	Sync        SyncMode     `knob:"sync"`        // see syncModeList
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
	if p.Batch <= 0 {
		p.Batch = DefaultBatch
	}
	if p.QueueDepth <= 0 {
		p.QueueDepth = DefaultQueueDepth
	}
	if p.Prealloc == "" {
		p.Prealloc = PreallocNone
	}
	if p.Sync == "" {
		p.Sync = SyncNone
	}
	return p
}

// Batch is the work of one repetition of one cell: Files files of Size bytes
// each in the directory Dir, which holds no file of the batch's Prefix.
type Batch struct {
	Dir     string   // scratch directory; exists and holds no file named with Prefix
	Files   int      // number of files
	Size    int64    // bytes per file
	Params  Params   // with defaults filled in
	Content *Content // what to write

	// Prefix starts the name of every file of the batch: "" names them
	// f0042 (the directory is then the batch's alone), RankPrefix(3) names
	// them r3-f0042, so batches whose prefixes are not prefixes of one
	// another can share Dir (MPI ranks under --shared-dir). Verify and
	// Clean look only at the entries that start with it. It holds no '/'
	// or NUL (see CheckPrefix).
	Prefix string

	// Latency, when non-nil (len Files), receives each file's time from open
	// to close, sync included. SyncTime, when non-nil (len Files), receives
	// each file's time spent in fsync/fdatasync. Each index is written by
	// exactly one goroutine.
	Latency  []time.Duration
	SyncTime []time.Duration

	// Issued, when non-nil, receives what the strategy issued that
	// /proc/self/io cannot see (io_uring submissions and io_uring_enter
	// calls). Strategies add to it atomically.
	Issued *Issued

	// Probe, when non-nil, receives the bytes every write-family call
	// wrote and, when its Latency is set, each call's duration (see Probe).
	// Strategies that write through their own programs leave it alone.
	Probe *Probe

	// DirFile, when non-nil, is Dir as the runner opened it from its own
	// scratch directory's descriptor, checked to be the directory it made.
	// Verify reads the batch's files through it (openat without following
	// links), so a Dir swapped for a link after the write cannot redirect
	// the reads. When nil, Verify opens Dir itself, refusing a link there.
	DirFile *os.File
}

// Issued counts operations a strategy issued outside the write-family
// system calls that /proc/self/io counts.
type Issued struct {
	RingSubmissions atomic.Int64 // io_uring SQEs submitted (writes, fsyncs)
	RingEnters      atomic.Int64 // io_uring_enter(2) calls
}

// SkipError is returned (possibly wrapped) by a strategy that cannot run a
// cell on this machine: O_DIRECT on tmpfs, io_uring disabled, a per-write
// flag the kernel lacks, a missing interpreter. The runner records the cell
// as skipped with Reason, which is not a failure. Reason names
// configuration fields as {field} (see textfmt.FieldRefs), as do
// descriptions and refusals.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a *SkipError with the formatted reason.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: textfmt.FieldMsg(format, args...)}
}

// SkipReason reports whether err is (or wraps) a *SkipError, and its reason.
func SkipReason(err error) (string, bool) {
	var se *SkipError
	if errors.As(err, &se) {
		return se.Reason, true
	}
	return "", false
}

// RecordCounts is what a record verifier found in one repetition of a
// strategy whose writers share files (see RecordVerifier).
type RecordCounts struct {
	Expected   int64 // records the writers wrote
	Intact     int64 // found whole, once, with a matching checksum
	Torn       int64 // headers found whose record is cut, overlapped or fails its checksum
	Lost       int64 // expected records found neither intact nor as a torn header
	Duplicated int64 // intact records found more than once (extra copies)
	Mismatched int64 // index entries that do not point at their record (pairs)
}

// Corrupt is the number of damaged records: torn + lost + duplicated +
// mismatched index entries. A cell with Corrupt > 0 is unsafe.
func (c RecordCounts) Corrupt() int64 { return c.Torn + c.Lost + c.Duplicated + c.Mismatched }

// RecordVerifier is implemented by strategies whose writers share files, so
// the per-file content check does not apply: the runner calls VerifyRecords
// after the timed region instead and records the counts. A non-nil error is
// a failure to verify (unreadable file), not corruption.
type RecordVerifier interface {
	VerifyRecords(ctx context.Context, b *Batch) (RecordCounts, error)
}

// CellOpener is implemented by strategies that need per-cell state set up
// outside the timed region, such as an external program started once per
// cell. The runner calls OpenCell before the cell's first repetition and
// Close after its last; every repetition calls the session's Write.
type CellOpener interface {
	OpenCell(ctx context.Context, p Params) (Session, error)
}

// Session is one cell's open state of a CellOpener.
type Session interface {
	// Write writes one batch; it runs inside the timed region.
	Write(ctx context.Context, b *Batch) error
	// Usage returns the resource use of the session's own processes so far
	// (they are not in this process's /proc/self/io or rusage); ok false
	// when the session runs in this process.
	Usage() (u ChildUsage, ok bool)
	// Close ends the session, outside the timed region.
	Close() error
}

// ChildUsage is cumulative resource use of an external writer process, read
// from /proc/PID/io and its rusage.
type ChildUsage struct {
	WriteSyscalls int64   // syscw
	StorageBytes  int64   // write_bytes
	UserSeconds   float64 // user CPU
	SysSeconds    float64 // system CPU
}

// Path returns the path of file i: Dir/<Prefix>f<i> with i zero-padded to
// the width of the batch's largest index, e.g. "/tmp/writebench-1/c3/f0042"
// or, with Prefix "r3-", "/tmp/writebench-1/c3/r3-f0042". It allocates; the
// built-in strategies format names in a reused buffer instead.
func (b *Batch) Path(i int) string {
	return b.Dir + "/" + b.Prefix + FileName(i, NameWidth(b.Files))
}

// RankPrefix is the file-name prefix of MPI rank r's batches under
// --shared-dir: "r3-" for rank 3. No rank's prefix is a prefix of
// another's (the dash ends the number), so ranks sharing a directory never
// take each other's files for their own.
func RankPrefix(r int) string { return "r" + strconv.Itoa(r) + "-" }

// MaxPrefix is the longest Batch.Prefix, in bytes.
const MaxPrefix = 64

// CheckPrefix refuses a file-name prefix that could name a file outside
// the batch's directory or not at all: one holding '/' or NUL, or longer
// than MaxPrefix bytes.
func CheckPrefix(p string) error {
	if len(p) > MaxPrefix {
		return fmt.Errorf("file-name prefix %q is longer than %d bytes", p, MaxPrefix)
	}
	if strings.ContainsAny(p, "/\x00") {
		return fmt.Errorf("file-name prefix %q holds '/' or NUL", p)
	}
	return nil
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

// FlagRefuser is implemented by a strategy that refuses some per-write
// flag sync mode (dsync, uncached) by design, on every machine, because its
// writes cannot carry the mode's RWF_* flag: mmap stores into a mapping,
// writers that share files write through os.File, and O_DIRECT writes have
// no cached pages for RWF_DONTCACHE to drop. RefusesFlags returns the skip
// reason its cells of mode m get with perFile for pool and semaphore (as in
// Knobs), or "" when it passes m's flag with every write. Its Write must
// skip such cells with that reason. A refusal that depends on the machine
// (a kernel or file system without the flag) is not declared here: it is
// known only at the first write.
type FlagRefuser interface {
	RefusesFlags(perFile string, m SyncMode) string
}

// perWriteFlags says whether m asks for an RWF_* flag on every write.
func perWriteFlags(m SyncMode) bool { return m == SyncDsync || m == SyncUncached }

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
