package strategies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/safefs"
	"github.com/writebench/writebench/internal/sysinfo"
)

// verifyChunk is how much of a file Verify reads at once.
const verifyChunk = 1 << 20

// VerifyError is a verification failure: the file, the offset of the first
// wrong byte, and what was expected and found there.
type VerifyError struct {
	Path     string
	Offset   int64
	Expected []byte // up to 16 bytes from Offset
	Found    []byte
	Detail   string // extra context, e.g. what the block header found claims
}

func (e *VerifyError) Error() string {
	if e.Expected == nil && e.Found == nil {
		return fmt.Sprintf("verify %s: %s", e.Path, e.Detail)
	}
	msg := fmt.Sprintf("verify %s: offset %d: expected %q, found %q", e.Path, e.Offset, e.Expected, e.Found)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Verify reads back every file of b and checks it byte for byte against
// b.Content: the directory must hold exactly the batch's files, each of
// exactly b.Size bytes with the expected content. With a b.Prefix, only the
// entries named with it are the batch's: other entries belong to other
// batches sharing the directory (other ranks under --shared-dir) and are
// left alone, except files named as this batch's files without the prefix,
// which only a strategy that ignores Prefix writes. It runs outside the
// timed region and stops early when ctx is cancelled.
func Verify(ctx context.Context, b *Batch) error {
	dir := b.DirFile
	if dir == nil {
		d, err := openDirNoFollow(b.Dir)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		defer d.Close()
		dir = d
	}
	if err := verifyEntries(b, dir); err != nil {
		return err
	}
	buf := make([]byte, min(int64(verifyChunk), max(b.Size, 1)))
	want := b.Content.NewBuffer(len(buf))
	for i := 0; i < b.Files; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := verifyFile(ctx, b, dir, i, buf, want); err != nil {
			return err
		}
	}
	return nil
}

// verifyEntries checks that the directory holds b.Files entries named with
// b.Prefix, all named as the batch names its files (an extra or misnamed
// file is caught here).
func verifyEntries(b *Batch, dir *os.File) error {
	d, err := reopenDir(dir)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer d.Close()
	width := NameWidth(b.Files)
	n := 0
	seen := make([]uint64, (b.Files+63)/64) // bit i: file i is present
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			rest, ours := strings.CutPrefix(name, b.Prefix)
			if !ours {
				if _, ok := parseName(name, width); ok {
					return &VerifyError{Path: filepath.Join(b.Dir, name), Detail: fmt.Sprintf("unexpected file: named as a file of the batch but without its prefix %q (a strategy that ignores Batch.Prefix?)", b.Prefix)}
				}
				continue // another batch's, sharing the directory
			}
			n++
			idx, ok := parseName(rest, width)
			if !ok || idx >= b.Files {
				return &VerifyError{Path: filepath.Join(b.Dir, name), Detail: "unexpected file: the strategy wrote a file that is not in the batch"}
			}
			seen[idx/64] |= 1 << (idx % 64)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("verify: read %s: %w", b.Dir, err)
		}
	}
	if n != b.Files {
		// Name the first missing file, not just the directory.
		for i := 0; i < b.Files; i++ {
			if seen[i/64]&(1<<(i%64)) == 0 {
				return &VerifyError{Path: b.Path(i), Detail: fmt.Sprintf("file is missing (the directory holds %d of %d files)", n, b.Files)}
			}
		}
		return &VerifyError{Path: b.Dir, Detail: fmt.Sprintf("found %d files, expected %d", n, b.Files)}
	}
	return nil
}

func parseName(name string, width int) (int, bool) {
	if len(name) != width+1 || name[0] != 'f' {
		return 0, false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return 0, false // also refuses "f+1", which Atoi would read as 1
		}
	}
	v, err := strconv.Atoi(name[1:])
	return v, err == nil
}

// Clean removes every entry of dir whose name starts with prefix (every
// entry when prefix is ""): what batches named with prefix wrote there.
// Entries of other prefixes (other ranks sharing the directory) stay. dir
// itself must be a directory, not a symlink; entries are removed through
// its descriptor (unlinkat), directories among them entered without
// following links (see internal/safefs), so nothing outside dir is ever
// removed. It runs outside the timed region.
func Clean(dir, prefix string) error {
	if err := CheckPrefix(prefix); err != nil {
		return err
	}
	t, err := safefs.Adopt(dir)
	if err != nil {
		return err
	}
	defer t.Close()
	return t.Empty(".", prefix)
}

// OpenRegular opens path for reading as a file a strategy (or an external
// program) wrote, which may be anything; see openRegular.
func OpenRegular(path string) (*os.File, os.FileInfo, error) {
	return openRegular(nil, "", path)
}

// openRegular opens the file name of the directory dir (or, with dir nil,
// path) for reading as a file a strategy wrote, which may be anything: it
// does not follow a symlink, does not block (a FIFO with no writer opens
// at once instead of waiting for one for ever) and checks with fstat that
// what it opened is a regular file before anything is read from it. A
// missing file and anything but a regular file (named by its kind: a
// FIFO, a socket, a device, a directory, a symbolic link) are a
// *VerifyError; path names the file in errors.
func openRegular(dir *os.File, name, path string) (*os.File, os.FileInfo, error) {
	var f *os.File
	var err error
	if dir != nil {
		f, err = openFileIn(dir, name, path)
	} else {
		f, err = os.OpenFile(path, os.O_RDONLY|sysinfo.ONoFollow|sysinfo.ONonBlock|sysinfo.ONoCTTY, 0)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, &VerifyError{Path: path, Detail: detailMissing}
		}
		// A symlink (ELOOP under O_NOFOLLOW) or a socket (ENXIO) cannot be
		// opened: name what is there instead (for the message only).
		if st, lerr := os.Lstat(path); lerr == nil && !st.Mode().IsRegular() {
			return nil, nil, &VerifyError{Path: path, Detail: "not a regular file: " + safefs.KindOf(st.Mode())}
		}
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &VerifyError{Path: path, Detail: "not a regular file: " + safefs.KindOf(st.Mode())}
	}
	return f, st, nil
}

// detailMissing is the VerifyError detail of a file that does not exist.
const detailMissing = "file is missing"

func verifyFile(ctx context.Context, b *Batch, dir *os.File, i int, buf []byte, want *Buffer) error {
	path := b.Path(i)
	f, st, err := openRegular(dir, b.Prefix+FileName(i, NameWidth(b.Files)), path)
	if err != nil {
		return err
	}
	defer f.Close()
	if st.Size() != b.Size {
		kind := "short write"
		if st.Size() > b.Size {
			kind = "file too long"
		}
		// Show the bytes at the first offset where the lengths differ:
		// the missing expected bytes, or the extra bytes found.
		at := min(st.Size(), b.Size)
		exp := make([]byte, min(16, b.Size-at))
		b.Content.Expected(exp, i, at)
		found := make([]byte, min(16, st.Size()-at))
		if n, err := f.ReadAt(found, at); n < len(found) {
			return fmt.Errorf("verify %s: read at offset %d: %w", path, at, err)
		}
		return &VerifyError{Path: path, Offset: at, Expected: exp, Found: found,
			Detail: fmt.Sprintf("%s: file is %d bytes, expected %d", kind, st.Size(), b.Size)}
	}
	for off := int64(0); off < b.Size; {
		n := int(min(int64(len(buf)), b.Size-off))
		if _, err := io.ReadFull(f, buf[:n]); err != nil {
			return fmt.Errorf("verify %s: read at offset %d: %w", path, off, err)
		}
		exp := want.Bytes(i, off, n)
		if !bytes.Equal(buf[:n], exp) {
			return mismatch(path, b, i, off, buf[:n], exp)
		}
		off += int64(n)
		if off < b.Size && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// mismatch builds the error for the first differing byte between got and
// exp, which start at offset off of file i.
func mismatch(path string, b *Batch, i int, off int64, got, exp []byte) error {
	j := 0
	for j < len(got) && got[j] == exp[j] {
		j++
	}
	at := off + int64(j)
	end := min(j+16, len(got))
	e := &VerifyError{Path: path, Offset: at,
		Expected: append([]byte(nil), exp[j:end]...), Found: append([]byte(nil), got[j:end]...)}
	// Say what the block holding the bad byte claims to be: the usual cause
	// of a mismatch is data of another file or offset.
	bs := int((at/BlockSize)*BlockSize - off)
	var details []string
	if bs >= 0 && bs+HeaderSize <= len(got) {
		if pf, pb, ok := ParseHeader(got[bs:]); ok && (pf != i || pb != at/BlockSize) {
			details = append(details, fmt.Sprintf("the block at offset %d holds data of file %d offset %d", at/BlockSize*BlockSize, pf, pb*BlockSize))
		}
	}
	if allZero(got[j:end]) {
		details = append(details, "zero bytes: never written (a hole or stale data)")
	}
	e.Detail = strings.Join(details, "; ")
	return e
}

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return len(p) > 0
}
