package strategies

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"
)

// worker holds one goroutine's reusable state: a content buffer, a
// bufio.Writer, the file being written and a path buffer, so writing a file
// allocates nothing.
type worker struct {
	buf   *Buffer
	bw    *bufio.Writer
	since int // bytes written since the last cancellation check
	f     file
	// path is Dir + "/" + Prefix + "f" + width digits + NUL; name rewrites
	// the digits in place, so no path is formatted or allocated per file.
	path   []byte
	digits int      // index of the first digit in path
	vec    vecState // writev's gather buffers (see writev_linux.go)
}

// cancelEvery is how many bytes a writer may write between two looks at
// the context: small enough to stop within milliseconds, large enough to
// cost nothing.
const cancelEvery = 1 << 20

func newWorker(b *Batch) *worker {
	p := b.Params
	n := max(p.Chunk, p.Record)
	if int64(n) > b.Size {
		n = int(max(b.Size, 1))
	}
	w := &worker{buf: b.Content.NewBuffer(n)}
	width := NameWidth(b.Files)
	w.path = make([]byte, 0, len(b.Dir)+len(b.Prefix)+width+3)
	w.path = append(w.path, b.Dir...)
	w.path = append(w.path, '/')
	w.path = append(w.path, b.Prefix...)
	w.path = append(w.path, 'f')
	w.digits = len(w.path)
	for range width {
		w.path = append(w.path, '0')
	}
	w.path = append(w.path, 0)
	return w
}

// name writes file i's path (as Batch.Path formats it) into w.path and
// returns it, NUL-terminated. i must be below the batch's file count.
func (w *worker) name(i int) []byte {
	d := w.path[w.digits : len(w.path)-1]
	for k := len(d) - 1; k >= 0; k-- {
		d[k] = '0' + byte(i%10)
		i /= 10
	}
	return w.path
}

// current returns the path name last wrote, for error messages only (it
// allocates).
func (w *worker) current() string { return string(w.path[:len(w.path)-1]) }

// close releases what the worker holds; it may be reused afterwards.
func (w *worker) close() {
	if w.bw != nil {
		w.bw.Reset(nil)
	}
}

// tick accounts n written bytes and returns ctx.Err() every cancelEvery.
func (w *worker) tick(ctx context.Context, n int) error {
	w.since += n
	if w.since >= cancelEvery {
		w.since = 0
		return ctx.Err()
	}
	return nil
}

// fileWriter writes one file of a batch; the single-goroutine strategies
// loop over files with one, and pool and semaphore use the one --per-file
// names.
type fileWriter struct {
	knobs    []string
	readable bool // open O_RDWR (mmap needs it)
	// noWrites says the body makes no write(2) that could carry RWF_*
	// flags (mmap stores into a mapping): --sync dsync and uncached skip.
	noWrites string
	body     func(ctx context.Context, b *Batch, i int, f *file, w *worker) error
}

// fileWriters holds the --per-file writers by name.
var fileWriters = map[string]*fileWriter{}

// registerWriter registers fw twice: as the strategy name that writes files
// one after another with it, and as the --per-file writer of the same name
// for pool and semaphore.
func registerWriter(name, desc string, fw *fileWriter) {
	fileWriters[name] = fw
	Register(&simple{name: name, desc: desc, fw: fw})
}

// writeFile creates file i, reserves its space as b.Params.Prealloc asks,
// writes it with fw (every write carrying the RWF_* flags of --sync dsync
// or uncached), syncs it as b.Params.Sync asks, closes it, and records its
// latency and sync time.
func writeFile(ctx context.Context, b *Batch, i int, fw *fileWriter, w *worker) error {
	// No new file once ctx is cancelled: pool workers would otherwise
	// drain every queued job, and semaphore goroutines start their file.
	if err := ctx.Err(); err != nil {
		return err
	}
	rwf, err := fw.writeFlags(b.Params.Sync)
	if err != nil {
		return err
	}
	var start time.Time
	if b.Latency != nil {
		start = time.Now()
	}
	f := &w.f
	if err := f.create(w.name(i), fw.readable); err != nil {
		return err
	}
	f.rwf = rwf
	f.probe = b.Probe
	err = f.prealloc(b.Params.Prealloc, b.Size)
	if err == nil {
		err = fw.body(ctx, b, i, f, w)
	}
	if err == nil && (b.Params.Sync == SyncClose || b.Params.Sync == SyncData) {
		var s time.Time
		if b.SyncTime != nil {
			s = time.Now()
		}
		err = f.sync(b.Params.Sync == SyncData)
		if b.SyncTime != nil {
			b.SyncTime[i] = time.Since(s)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if b.Latency != nil {
		b.Latency[i] = time.Since(start)
	}
	return err
}

// writeFlags returns the RWF_* flags fw's writes pass for sync mode s, or
// the skip of a writer that cannot pass them or a platform without them.
func (fw *fileWriter) writeFlags(s SyncMode) (int, error) {
	if reason := fw.refusesFlags(s); reason != "" {
		return 0, &SkipError{Reason: reason}
	}
	return writeFlags(s)
}

// refusesFlags is the skip reason of a writer whose body makes no write to
// pass sync mode s's per-write flag to, or "".
func (fw *fileWriter) refusesFlags(s SyncMode) string {
	if fw == nil || fw.noWrites == "" || !perWriteFlags(s) {
		return ""
	}
	return fmt.Sprintf("{sync} %s passes RWF_* flags with every write, but %s", s, fw.noWrites)
}

// checkPrealloc refuses an unknown preallocation mode.
func checkPrealloc(m PreallocMode) error {
	switch m {
	case "", PreallocNone, PreallocFallocate, PreallocTruncate:
		return nil
	}
	return fmt.Errorf("unknown {prealloc} %q (known: %s)", m, joinModes(preallocModeList))
}

// sequential writes every file of b one after another with fw.
func sequential(ctx context.Context, b *Batch, fw *fileWriter) error {
	w := newWorker(b)
	w.f.setRaw()
	for i := 0; i < b.Files; i++ {
		if err := writeFile(ctx, b, i, fw, w); err != nil {
			return err
		}
	}
	return nil
}

// simple is a strategy that writes files one by one with one fileWriter.
type simple struct {
	name, desc string
	fw         *fileWriter
}

func (s *simple) Name() string                              { return s.name }
func (s *simple) Describe() string                          { return s.desc }
func (s *simple) Knobs() []string                           { return s.fw.knobs }
func (s *simple) Write(ctx context.Context, b *Batch) error { return sequential(ctx, b, s.fw) }
func (s *simple) RefusesFlags(_ string, m SyncMode) string  { return s.fw.refusesFlags(m) }

// writePieces writes file i's content to dst in writes of piece bytes (the
// last one shorter), looking at ctx every cancelEvery bytes. It is the
// application's write loop of unbuffered (dst is the file, piece a record),
// bufio (dst the bufio.Writer) and chunked (dst the file, piece a chunk).
func writePieces(ctx context.Context, dst io.Writer, b *Batch, i int, w *worker, piece int) error {
	p := int64(piece)
	for off := int64(0); off < b.Size; off += p {
		n := int(min(p, b.Size-off))
		if _, err := dst.Write(w.buf.Bytes(i, off, n)); err != nil {
			return err
		}
		if err := w.tick(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
