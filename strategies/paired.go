package strategies

import (
	"context"
	"io"
	"sync"
)

// The paired-* strategies write two related files per pair: every record
// goes to a shared data file (data file b.Path(i)) and a fixed-size entry
// pointing at it (see IndexEntrySize) to a shared index file (b.Path(i) +
// ".idx"). Each writer opens both files O_APPEND itself and, for every
// record, does what naive code does: it asks the data file where its end is
// (lseek(SEEK_END), like Python's f.seek(0, 2); f.tell()), appends the
// record there with one write(2), and appends an index entry holding that
// offset with one more. Every write is whole (one atomic O_APPEND write);
// what can go wrong is the pair:
//
//	paired-unlocked  the three steps are not under one lock: another
//	                 writer's append can land between this writer's lseek
//	                 and its write, so the entry points at the other
//	                 writer's record
//	paired-locked    one mutex per pair held around all three steps
//
// Records are written unbuffered (a buffered writer could not know its
// records' offsets), so the knobs are record and concurrency.

// writePaired writes pair sf's records; locked says whether the writes that
// belong together are made under one lock.
func writePaired(ctx context.Context, sf *sharedFile, locked bool) error {
	var mu sync.Mutex
	return sf.runWriters(ctx, func(rw *recWriter) (err error) {
		data, err := openAppend(sf.path)
		if err != nil {
			return err
		}
		defer closeInto(data, &err)
		index, err := openAppend(sf.path + indexSuffix)
		if err != nil {
			return err
		}
		defer closeInto(index, &err)
		var entry [IndexEntrySize]byte
		dw, iw := sf.b.Probe.writer(data), sf.b.Probe.writer(index)
		for seq := int64(0); seq < sf.pl.perWriter; seq++ {
			rec := rw.record(seq)
			if locked {
				mu.Lock()
			}
			err := appendPair(dw, iw, data, rec, entry[:], rw.w, seq)
			if locked {
				mu.Unlock()
			}
			if err != nil {
				return err
			}
			if err := rw.tick(sf.pl.total); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendPair finds the data file's end (seeker is the data file), appends
// rec and then the index entry naming that offset.
func appendPair(data, index io.Writer, seeker io.Seeker, rec, entry []byte, w int, seq int64) error {
	off, err := seeker.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if off >= maxIndexOffset {
		return Skip("the data file passed %d bytes, the largest offset an index entry holds", int64(maxIndexOffset))
	}
	if _, err := data.Write(rec); err != nil {
		return err
	}
	encodeIndex(entry, w, seq, off)
	_, err = index.Write(entry)
	return err
}

func init() {
	knobs := []string{"record", "concurrency"}
	Register(&sharedStrategy{name: "paired-unlocked", knobs: knobs, paired: true,
		write: func(ctx context.Context, sf *sharedFile) error { return writePaired(ctx, sf, false) },
		desc:  "{concurrency} writers append each {record} record to a shared data file and its offset to a shared index file, the pair not under one lock"})
	Register(&sharedStrategy{name: "paired-locked", knobs: knobs, paired: true,
		write: func(ctx context.Context, sf *sharedFile) error { return writePaired(ctx, sf, true) },
		desc:  "{concurrency} writers append each {record} record to a shared data file and its offset to a shared index file under one lock"})
}
