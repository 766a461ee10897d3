package strategies

import (
	"bufio"
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/writebench/writebench/internal/sysinfo"
	"golang.org/x/sync/errgroup"
)

// The shared-* strategies test claim 6: Params.Concurrency writers produce
// records (see RecordHeaderSize) into ONE shared file, each writing an
// equal share; b.Files is the number of shared files, written one after
// another, and b.Size the bytes each receives in all (see planRecords).
// They differ only in how the writers coordinate:
//
//	shared-unlocked  each writer's own bufio.Writer on its own O_APPEND descriptor, no coordination
//	shared-locked    one bufio.Writer shared by the writers, one mutex around each record's write
//	shared-pwrite    each writer reserves offsets with an atomic counter and writes whole records with pwrite
//	shared-queue     writers send records over a channel to a single writer goroutine
//
// Records carry their writer, sequence and checksum, so VerifyRecords
// counts every intact, torn, lost and duplicated record instead of
// failing on the first wrong byte. docs/strategies.md explains why
// shared-unlocked tears records on Linux although each write(2) on an
// O_APPEND descriptor is atomic.
type sharedStrategy struct {
	name, desc string
	knobs      []string
	paired     bool
	// write writes shared file sf's records, inside the timed region.
	write func(ctx context.Context, sf *sharedFile) error
}

func (s *sharedStrategy) Name() string     { return s.name }
func (s *sharedStrategy) Describe() string { return s.desc }
func (s *sharedStrategy) Knobs() []string  { return s.knobs }
func (s *sharedStrategy) RefusesFlags(_ string, m SyncMode) string {
	return sharedRefusesFlags(m)
}

// Write writes b.Files shared files (pairs) one after another, each by
// b.Params.Concurrency concurrent writers.
func (s *sharedStrategy) Write(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pl, err := planRecords(b)
	if err != nil {
		return err
	}
	// The writers' buffers serve every file of the batch.
	ws := make([]*recWriter, pl.writers)
	for w := range ws {
		ws[w] = &recWriter{w: w, rec: make([]byte, pl.total), buf: b.Content.NewBuffer(pl.record)}
	}
	for i := 0; i < b.Files; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.writeFile(ctx, b, i, pl, ws); err != nil {
			return err
		}
	}
	return nil
}

// VerifyRecords counts the records of every shared file of b (and, for
// pairs, the index entries that do not point at their record). It returns
// an error only when a file cannot be read.
func (s *sharedStrategy) VerifyRecords(ctx context.Context, b *Batch) (RecordCounts, error) {
	return verifyRecords(ctx, b, s.paired)
}

// indexSuffix names a pair's index file: data file b.Path(i), index
// b.Path(i) + indexSuffix.
const indexSuffix = ".idx"

// sharedFile is one shared file (or pair) being written.
type sharedFile struct {
	b     *Batch
	i     int
	pl    recordPlan
	path  string   // data file
	data  *os.File // the creating descriptor, O_WRONLY; synced and closed after the writers
	index *os.File // pairs only
	ws    []*recWriter
}

// writeFile creates shared file i (and its index), runs the strategy's
// writers, syncs as b.Params.Sync asks and closes, recording the file's
// latency and sync time.
func (s *sharedStrategy) writeFile(ctx context.Context, b *Batch, i int, pl recordPlan, ws []*recWriter) (err error) {
	var start time.Time
	if b.Latency != nil {
		start = time.Now()
		defer func() { b.Latency[i] = time.Since(start) }()
	}
	sf := &sharedFile{b: b, i: i, pl: pl, path: b.Path(i), ws: ws}
	if sf.data, err = createShared(sf.path); err != nil {
		return err
	}
	defer closeInto(sf.data, &err)
	if s.paired {
		if sf.index, err = createShared(sf.path + indexSuffix); err != nil {
			return err
		}
		defer closeInto(sf.index, &err)
	}
	if err := s.write(ctx, sf); err != nil {
		return err
	}
	if sync := b.Params.Sync; sync == SyncClose || sync == SyncData {
		var st time.Time
		if b.SyncTime != nil {
			st = time.Now()
		}
		err = syncShared(sf.data, sync == SyncData)
		if err == nil && sf.index != nil {
			err = syncShared(sf.index, sync == SyncData)
		}
		if b.SyncTime != nil {
			b.SyncTime[i] = time.Since(st)
		}
	}
	return err
}

// createShared creates a shared file; like every strategy it never follows,
// truncates or overwrites what is already at path.
func createShared(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|sysinfo.ONoFollow, 0o644)
}

// openAppend opens a writer's own O_APPEND descriptor of a shared file.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|sysinfo.ONoFollow, 0)
}

func closeInto(f *os.File, err *error) {
	if cerr := f.Close(); *err == nil {
		*err = cerr
	}
}

// sharedCancelEvery is how many bytes a shared-file writer writes between
// looks at the context (per writer, so a cell of many writers each with a
// small share still stops promptly).
const sharedCancelEvery = 64 << 10

// recWriter is one writer's state: its number, a scratch record, its own
// content buffer, and its cancellation accounting. A batch's writers serve
// all its files, so their buffers are allocated once per Write.
type recWriter struct {
	sf    *sharedFile
	w     int
	rec   []byte
	buf   *Buffer
	since int
	// ctx is the caller's context, gctx the writers' group's (cancelled
	// when a sibling fails).
	ctx, gctx context.Context
	// many is shared-pwrite's buffer of whole records; free is
	// shared-queue's channel of free record slots.
	many []byte
	free chan []byte
}

// writer returns writer w of sf, set up for this file.
func (sf *sharedFile) writer(ctx, gctx context.Context, w int) *recWriter {
	rw := sf.ws[w]
	rw.sf, rw.ctx, rw.gctx, rw.since = sf, ctx, gctx, 0
	return rw
}

// record returns the writer's record seq, in its scratch slice.
func (rw *recWriter) record(seq int64) []byte {
	rw.encode(rw.rec, seq)
	return rw.rec
}

// encode writes the writer's record seq into dst (pl.total bytes).
func (rw *recWriter) encode(dst []byte, seq int64) {
	pl := rw.sf.pl
	encodeRecord(dst, rw.w, seq, rw.buf.Bytes(rw.sf.i, pl.bodyOffset(rw.w, seq), pl.record))
}

// tick accounts n written bytes and, every sharedCancelEvery, returns the
// caller's context error or the group's (a sibling failed).
func (rw *recWriter) tick(n int) error {
	rw.since += n
	if rw.since < sharedCancelEvery {
		return nil
	}
	rw.since = 0
	if err := rw.ctx.Err(); err != nil {
		return err
	}
	return rw.gctx.Err()
}

// runWriters runs fn for each of the file's writers concurrently and
// returns the first error.
func (sf *sharedFile) runWriters(ctx context.Context, fn func(rw *recWriter) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for w := range sf.pl.writers {
		rw := sf.writer(ctx, gctx, w)
		g.Go(func() error { return fn(rw) })
	}
	return g.Wait()
}

// writeUnlocked: every writer opens the file O_APPEND itself and writes its
// records through its own bufio.Writer, as independent loggers do. Each
// flush is one atomic append, but a flush ends wherever the buffer filled,
// usually inside a record, whose rest goes out with the writer's next flush
// after other writers' flushes have landed in between.
func writeUnlocked(ctx context.Context, sf *sharedFile) error {
	return sf.runWriters(ctx, func(rw *recWriter) (err error) {
		f, err := openAppend(sf.path)
		if err != nil {
			return err
		}
		defer closeInto(f, &err)
		bw := bufio.NewWriterSize(sf.b.Probe.writer(f), sf.b.Params.Buffer)
		for seq := int64(0); seq < sf.pl.perWriter; seq++ {
			if _, err := bw.Write(rw.record(seq)); err != nil {
				return err
			}
			if err := rw.tick(sf.pl.total); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// writeLocked: one bufio.Writer on the file, shared by the writers, and
// one mutex held around each record's write, like a logger's lock. Flushes
// still cut records, but the buffer holds one stream, so the cut record's
// rest is the next bytes written.
func writeLocked(ctx context.Context, sf *sharedFile) error {
	var mu sync.Mutex
	bw := bufio.NewWriterSize(sf.b.Probe.writer(sf.data), sf.b.Params.Buffer)
	err := sf.runWriters(ctx, func(rw *recWriter) error {
		for seq := int64(0); seq < sf.pl.perWriter; seq++ {
			rec := rw.record(seq)
			mu.Lock()
			_, err := bw.Write(rec)
			mu.Unlock()
			if err != nil {
				return err
			}
			if err := rw.tick(sf.pl.total); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writePwrite: each writer fills its own --buffer with whole records
// (at least one), reserves that many bytes of the file with one atomic
// add, and writes them there with one pwrite: no lock, and no record can
// be cut because a reservation only ever holds whole records.
func writePwrite(ctx context.Context, sf *sharedFile) error {
	var next atomic.Int64
	pl := sf.pl
	perWrite := int64(max(1, sf.b.Params.Buffer/pl.total))
	return sf.runWriters(ctx, func(rw *recWriter) error {
		if rw.many == nil {
			rw.many = make([]byte, min(perWrite, pl.perWriter)*int64(pl.total))
		}
		buf := rw.many
		for seq := int64(0); seq < pl.perWriter; {
			m := min(perWrite, pl.perWriter-seq)
			n := m * int64(pl.total)
			for k := range m {
				rw.encode(buf[k*int64(pl.total):], seq+k)
			}
			off := next.Add(n) - n
			t := sf.b.Probe.start()
			w, err := sf.data.WriteAt(buf[:n], off)
			sf.b.Probe.done(t, w)
			if err != nil {
				return err
			}
			seq += m
			if err := rw.tick(int(n)); err != nil {
				return err
			}
		}
		return nil
	})
}

// queueSlots is how many records each shared-queue writer can have in
// flight: its own slots, handed to the single writer and back.
const queueSlots = 8

type queued struct {
	rec  []byte
	back chan []byte // the sending writer's free slots
}

// writeQueue: writers send records over a channel to one goroutine that
// owns the file and writes them through a --buffer bufio.Writer (the Queue
// pattern). Slots circulate between each writer and the single writer, so
// the records are not allocated.
func writeQueue(ctx context.Context, sf *sharedFile) error {
	pl := sf.pl
	g, gctx := errgroup.WithContext(ctx)
	q := make(chan queued, pl.writers*queueSlots/2)
	var producers sync.WaitGroup
	for w := range pl.writers {
		rw := sf.writer(ctx, gctx, w)
		if rw.free == nil {
			rw.free = make(chan []byte, queueSlots)
			for range queueSlots {
				rw.free <- make([]byte, pl.total)
			}
		}
		free := rw.free
		producers.Add(1)
		g.Go(func() error {
			defer producers.Done()
			for seq := int64(0); seq < pl.perWriter; seq++ {
				var slot []byte
				select {
				case slot = <-free:
				case <-gctx.Done():
					return gctx.Err()
				}
				rw.encode(slot, seq)
				select {
				case q <- queued{slot, free}:
				case <-gctx.Done():
					return gctx.Err()
				}
				if err := rw.tick(pl.total); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		producers.Wait()
		close(q)
		return nil
	})
	g.Go(func() error {
		bw := bufio.NewWriterSize(sf.b.Probe.writer(sf.data), sf.b.Params.Buffer)
		for m := range q {
			if _, err := bw.Write(m.rec); err != nil {
				return err
			}
			m.back <- m.rec // never blocks: the writer owns queueSlots slots
		}
		return bw.Flush()
	})
	return g.Wait()
}

func init() {
	knobs := []string{"record", "buffer", "concurrency"}
	for _, s := range []*sharedStrategy{
		{name: "shared-unlocked", knobs: knobs, write: writeUnlocked,
			desc: "{concurrency} writers append {record} records to one shared O_APPEND file, each through its own {buffer} bufio.Writer, no lock"},
		{name: "shared-locked", knobs: knobs, write: writeLocked,
			desc: "{concurrency} writers share one {buffer} bufio.Writer on one file, one mutex around each {record} record"},
		{name: "shared-pwrite", knobs: knobs, write: writePwrite,
			desc: "{concurrency} writers reserve offsets in one shared file with an atomic counter and pwrite whole {record} records ({buffer} per write)"},
		{name: "shared-queue", knobs: knobs, write: writeQueue,
			desc: "{concurrency} writers send {record} records over a channel to one writer goroutine with a {buffer} bufio.Writer (queue)"},
	} {
		Register(s)
	}
}

var _ RecordVerifier = (*sharedStrategy)(nil)
