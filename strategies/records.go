package strategies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
	"sort"
)

// Record layout of the strategies whose writers share files (shared-*,
// paired-*; see docs/strategies.md). Every record is a RecordHeaderSize
// header followed by a body of Params.Record bytes:
//
//	"WR" + 4 hex digits of the writer + "#" + 8 hex digits of the sequence
//	     + "+" + 6 hex digits of the body length + "/" + 8 hex digits of the
//	     CRC-32C of the header's first 23 bytes and the body + "\n"
//
// e.g. "WR0003#0000002a+00012c/9f00e1c4\n". The body is the deterministic
// content of the shared file's index at offset (writer*perWriter+seq)*Record,
// so the verifier can tell each record's bytes wherever the record landed.
// Writer numbers count from 0 within one shared file.
const (
	RecordHeaderSize = 32
	// IndexEntrySize is the size of one entry of a paired index file:
	// "IX" + 4 hex writer + "#" + 8 hex sequence + "@" + 14 hex data offset + "\n".
	IndexEntrySize = 31

	maxRecordWriters = 1 << 16 // 4 hex digits
	maxRecordSeq     = 1 << 32 // 8 hex digits
	maxRecordBody    = 1 << 24 // 6 hex digits
	maxIndexOffset   = 1 << 56 // 14 hex digits
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordPlan is how a batch's shared file is divided among its writers.
type recordPlan struct {
	writers   int   // writers per shared file (Params.Concurrency)
	perWriter int64 // records each writer writes
	record    int   // body bytes (Params.Record)
	total     int   // header + body
}

// records is the number of records one shared file receives.
func (pl recordPlan) records() int64 { return int64(pl.writers) * pl.perWriter }

// bodyOffset is the content offset of the body of writer w's record seq.
func (pl recordPlan) bodyOffset(w int, seq int64) int64 {
	return (int64(w)*pl.perWriter + seq) * int64(pl.record)
}

// planRecords divides each shared file of b among its writers: every one
// of the Params.Concurrency writers writes Size / (Concurrency *
// (RecordHeaderSize + Record)) whole records, so a shared file receives at
// most b.Size bytes (less by under one record per writer). A cell that
// cannot hold one record per writer, or whose numbers do not fit the record
// header, is skipped with the reason naming the flag.
func planRecords(b *Batch) (recordPlan, error) {
	p := b.Params
	if reason := sharedRefusesFlags(p.Sync); reason != "" {
		return recordPlan{}, &SkipError{Reason: reason}
	}
	if p.Record < 1 || p.Record >= maxRecordBody {
		return recordPlan{}, Skip("{record} %d: a shared-file record body holds 1 to %d bytes", p.Record, maxRecordBody-1)
	}
	if p.Concurrency < 1 || p.Concurrency > maxRecordWriters {
		return recordPlan{}, Skip("{concurrency} %d: a shared file takes 1 to %d writers", p.Concurrency, maxRecordWriters)
	}
	pl := recordPlan{writers: p.Concurrency, record: p.Record, total: RecordHeaderSize + p.Record}
	pl.perWriter = b.Size / (int64(pl.writers) * int64(pl.total))
	if pl.perWriter < 1 {
		return recordPlan{}, Skip("{sizes} %d bytes is too small for {concurrency} %d writers of one {record} %d record each (%d bytes with its %d-byte header): the shared file needs at least %d bytes",
			b.Size, pl.writers, pl.record, pl.total, RecordHeaderSize, int64(pl.writers)*int64(pl.total))
	}
	if pl.perWriter >= maxRecordSeq {
		return recordPlan{}, Skip("{sizes} %d bytes gives %d records per writer, more than the %d a record header can number; raise {record} or {concurrency}",
			b.Size, pl.perWriter, int64(maxRecordSeq))
	}
	return pl, nil
}

// sharedRefusesFlags is the skip reason of the shared-file strategies for a
// per-write flag mode: their writers write through os.File (bufio, WriteAt,
// O_APPEND descriptors), which passes no RWF_* flags.
func sharedRefusesFlags(m SyncMode) string {
	if !perWriteFlags(m) {
		return ""
	}
	return fmt.Sprintf("{sync} %s: the shared-file strategies do not pass per-write flags (their writers write through os.File); use {sync} data, close or end", m)
}

// encodeRecord writes writer w's record seq with body into dst, which has
// room for RecordHeaderSize + len(body) bytes; body may not alias dst.
func encodeRecord(dst []byte, w int, seq int64, body []byte) {
	_ = dst[RecordHeaderSize+len(body)-1]
	dst[0], dst[1] = 'W', 'R'
	putHex(dst[2:6], uint64(w))
	dst[6] = '#'
	putHex(dst[7:15], uint64(seq))
	dst[15] = '+'
	putHex(dst[16:22], uint64(len(body)))
	dst[22] = '/'
	copy(dst[RecordHeaderSize:], body)
	crc := crc32.Update(crc32.Update(0, castagnoli, dst[:23]), castagnoli, body)
	putHex(dst[23:31], uint64(crc))
	dst[31] = '\n'
}

// recordHeader is a decoded record header.
type recordHeader struct {
	writer int
	seq    int64
	length int
	crc    uint32
}

// parseRecordHeader decodes the header at the start of p; ok is false when
// p does not start with one.
func parseRecordHeader(p []byte) (h recordHeader, ok bool) {
	if len(p) < RecordHeaderSize || p[0] != 'W' || p[1] != 'R' || p[6] != '#' || p[15] != '+' || p[22] != '/' || p[31] != '\n' {
		return h, false
	}
	w, ok1 := parseHex(p[2:6])
	s, ok2 := parseHex(p[7:15])
	n, ok3 := parseHex(p[16:22])
	c, ok4 := parseHex(p[23:31])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return h, false
	}
	return recordHeader{writer: int(w), seq: int64(s), length: int(n), crc: uint32(c)}, true
}

// checksum is the CRC-32C a record's header should hold for rec, a whole
// record.
func checksum(rec []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, rec[:23]), castagnoli, rec[RecordHeaderSize:])
}

// encodeIndex writes the index entry of writer w's record seq at data
// offset off into dst (IndexEntrySize bytes).
func encodeIndex(dst []byte, w int, seq, off int64) {
	_ = dst[IndexEntrySize-1]
	dst[0], dst[1] = 'I', 'X'
	putHex(dst[2:6], uint64(w))
	dst[6] = '#'
	putHex(dst[7:15], uint64(seq))
	dst[15] = '@'
	putHex(dst[16:30], uint64(off))
	dst[30] = '\n'
}

// parseIndex decodes one index entry.
func parseIndex(p []byte) (w int, seq, off int64, ok bool) {
	if len(p) < IndexEntrySize || p[0] != 'I' || p[1] != 'X' || p[6] != '#' || p[15] != '@' || p[30] != '\n' {
		return 0, 0, 0, false
	}
	wv, ok1 := parseHex(p[2:6])
	sv, ok2 := parseHex(p[7:15])
	ov, ok3 := parseHex(p[16:30])
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, 0, false
	}
	return int(wv), int64(sv), int64(ov), true
}

// parseHex decodes lower-case hex digits (as putHex writes them).
func parseHex(p []byte) (uint64, bool) {
	var v uint64
	for _, c := range p {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint64(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// tally is what the verifier found in one shared file. Records are keyed
// by writer*perWriter+seq.
type tally struct {
	pl       recordPlan
	copies   []int32 // intact copies of each record
	tornSeen []bool  // a torn header names the record
	torn     int64   // torn headers, including ones naming no expected record
	// indexed says the file has an index to check; then intactOff and
	// intactKey list every intact copy by offset, ascending (the scan's
	// order).
	indexed   bool
	intactOff []int64
	intactKey []int64
}

func newTally(pl recordPlan, indexed bool) *tally {
	n := pl.records()
	return &tally{pl: pl, copies: make([]int32, n), tornSeen: make([]bool, n), indexed: indexed}
}

// key returns h's record key, or -1 when h names no expected record.
func (t *tally) key(writer int, seq int64) int64 {
	if writer < 0 || writer >= t.pl.writers || seq < 0 || seq >= t.pl.perWriter {
		return -1
	}
	return int64(writer)*t.pl.perWriter + seq
}

// counts turns the tally into RecordCounts (Mismatched is the index's).
func (t *tally) counts() RecordCounts {
	c := RecordCounts{Expected: int64(len(t.copies)), Torn: t.torn}
	for k, n := range t.copies {
		switch {
		case n > 0:
			c.Intact++
			c.Duplicated += int64(n - 1)
		case !t.tornSeen[k]:
			c.Lost++
		}
	}
	return c
}

// scanData reads a shared data file from r and tallies every record in it.
// It looks for a header at every byte: a header whose record is whole, has
// the expected length, names an expected record, matches its checksum and
// holds the expected body is intact and the scan jumps past it; any other
// parsable header is torn and the scan goes on from its next byte, so a
// record cut by another writer's bytes is found as torn and the records
// inside those bytes are still found.
func scanData(ctx context.Context, r io.Reader, file int, c *Content, t *tally, sc *scanBuffers) error {
	pl := t.pl
	buf, want := sc.get(pl)
	var base int64 // file offset of buf[0]
	start, end := 0, 0
	eof := false
	fill := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := copy(buf, buf[start:end])
		base += int64(start)
		start, end = 0, n
		for end < len(buf) && !eof {
			m, err := r.Read(buf[end:])
			end += m
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	for {
		if end-start < pl.total && !eof {
			if err := fill(); err != nil {
				return err
			}
		}
		if start >= end {
			return nil
		}
		i := bytes.IndexByte(buf[start:end], 'W')
		if i < 0 {
			start = end
			continue
		}
		start += i
		if end-start < pl.total && !eof {
			continue // refill first, then look again
		}
		h, ok := parseRecordHeader(buf[start:end])
		if !ok {
			start++
			continue
		}
		k := t.key(h.writer, h.seq)
		intact := false
		if k >= 0 && h.length == pl.record && end-start >= pl.total {
			rec := buf[start : start+pl.total]
			if checksum(rec) == h.crc {
				c.Expected(want, file, pl.bodyOffset(h.writer, h.seq))
				intact = bytes.Equal(rec[RecordHeaderSize:], want)
			}
		}
		if !intact {
			t.torn++
			if k >= 0 {
				t.tornSeen[k] = true
			}
			start++
			continue
		}
		t.copies[k]++
		if t.indexed {
			t.intactOff = append(t.intactOff, base+int64(start))
			t.intactKey = append(t.intactKey, k)
		}
		start += pl.total
	}
}

// scanBuffers are the read and comparison buffers of a scan, reused from
// one shared file to the next.
type scanBuffers struct{ buf, want []byte }

func (sc *scanBuffers) get(pl recordPlan) (buf, want []byte) {
	if n := max(1<<20, 4*pl.total); len(sc.buf) != n {
		sc.buf = make([]byte, n)
	}
	if len(sc.want) != pl.record {
		sc.want = make([]byte, pl.record)
	}
	return sc.buf, sc.want
}

// checkIndex reads a paired index file from r and returns the mismatched
// count: entries that cannot be parsed or name no expected record, plus
// every record found intact in the data file for which the index does not
// hold exactly one entry, that entry pointing at the record's offset. (A
// record that is torn or lost in the data file is counted there, not
// again here.)
func checkIndex(ctx context.Context, r io.Reader, t *tally, sc *scanBuffers) (int64, error) {
	good := make([]int32, len(t.copies)) // entries pointing at an intact copy
	bad := make([]bool, len(t.copies))   // an entry pointing elsewhere
	var junk int64
	sbuf, _ := sc.get(t.pl)
	buf := sbuf[:len(sbuf)/IndexEntrySize*IndexEntrySize]
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, err := io.ReadFull(r, buf)
		for p := buf[:n]; len(p) > 0; p = p[min(len(p), IndexEntrySize):] {
			w, seq, off, ok := parseIndex(p)
			k := int64(-1)
			if ok {
				k = t.key(w, seq)
			}
			if k < 0 {
				junk++
				continue
			}
			if t.intactAt(off) == k {
				good[k]++
			} else {
				bad[k] = true
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	mismatched := junk
	for k, n := range t.copies {
		if n > 0 && (good[k] != 1 || bad[k]) {
			mismatched++
		}
	}
	return mismatched, nil
}

// intactAt returns the key of the intact record at data offset off, or -1.
func (t *tally) intactAt(off int64) int64 {
	i := sort.Search(len(t.intactOff), func(i int) bool { return t.intactOff[i] >= off })
	if i < len(t.intactOff) && t.intactOff[i] == off {
		return t.intactKey[i]
	}
	return -1
}

// verifyShared tallies the records of shared file i of b (and checks its
// index when paired). A missing file counts as all its records lost (or,
// for an index, all unindexed); any other read error is returned.
func verifyShared(ctx context.Context, b *Batch, i int, pl recordPlan, paired bool, sc *scanBuffers) (RecordCounts, error) {
	t := newTally(pl, paired)
	path := b.Path(i)
	if err := readWith(b, path, func(r io.Reader) error { return scanData(ctx, r, i, b.Content, t, sc) }); err != nil {
		return RecordCounts{}, err
	}
	c := t.counts()
	if paired {
		var mis int64
		err := readWith(b, path+indexSuffix, func(r io.Reader) error {
			var err error
			mis, err = checkIndex(ctx, r, t, sc)
			return err
		})
		if err != nil {
			return RecordCounts{}, err
		}
		c.Mismatched = mis
	}
	return c, nil
}

// readWith opens path, a file of b's directory, read-only without
// following a symlink (through b.DirFile when the runner opened the
// directory) and calls fn; a missing file is read as empty (its records
// are lost, or unindexed).
func readWith(b *Batch, path string, fn func(io.Reader) error) error {
	// As the verifier opens files: no symlink, no blocking, a regular
	// file only.
	f, _, err := openRegular(b.DirFile, filepath.Base(path), path)
	var ve *VerifyError
	if errors.As(err, &ve) && ve.Detail == detailMissing {
		return fn(bytes.NewReader(nil))
	}
	if err != nil {
		return fmt.Errorf("verify records: %w", err)
	}
	defer f.Close()
	if err := fn(f); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("verify records: read %s: %w", path, err)
	}
	return nil
}

// verifyRecords verifies every shared file of b.
func verifyRecords(ctx context.Context, b *Batch, paired bool) (RecordCounts, error) {
	pl, err := planRecords(b)
	if err != nil {
		return RecordCounts{}, err
	}
	var sum RecordCounts
	var sc scanBuffers
	for i := 0; i < b.Files; i++ {
		c, err := verifyShared(ctx, b, i, pl, paired, &sc)
		if err != nil {
			return RecordCounts{}, err
		}
		sum.Expected += c.Expected
		sum.Intact += c.Intact
		sum.Torn += c.Torn
		sum.Lost += c.Lost
		sum.Duplicated += c.Duplicated
		sum.Mismatched += c.Mismatched
	}
	return sum, nil
}
