package writebench_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/strategies"
)

// faulty is a deliberately broken strategy: it writes each file with
// os.WriteFile after letting fault corrupt the batch's correct content.
type faulty struct {
	name  string
	fault func(b *strategies.Batch, files [][]byte) [][]byte
	// extra, when set, names a file written next to the batch's files.
	extra string
}

func (f *faulty) Name() string     { return f.name }
func (f *faulty) Describe() string { return "deliberately faulty: " + f.name }
func (f *faulty) Knobs() []string  { return nil }
func (f *faulty) Write(ctx context.Context, b *strategies.Batch) error {
	files := make([][]byte, b.Files)
	for i := range files {
		files[i] = make([]byte, b.Size)
		b.Content.Expected(files[i], i, 0)
	}
	files = f.fault(b, files)
	for i, data := range files {
		if data == nil {
			continue // a missing file
		}
		if err := os.WriteFile(b.Path(i), data, 0o644); err != nil {
			return err
		}
	}
	if f.extra != "" {
		return os.WriteFile(filepath.Join(b.Dir, f.extra), []byte("x"), 0o644)
	}
	return nil
}

const (
	bs        = strategies.BlockSize
	faultSize = 3*bs + 100 // three whole blocks and a short one
)

// verifyCase is one fault and what Verify must say about it.
type verifyCase struct {
	s      *faulty
	size   int64
	file   int    // index of the file the error must name; -1 for an extra file
	extra  string // base name of the extra file
	offset int64  // offset the error must name; -1 when no offset applies
	found  []byte // bytes the error must report as found (nil: do not check)
	detail string // substring of the error's detail
}

func verifyCases() []verifyCase {
	return []verifyCase{
		{
			// Block 2's data (header included) written at block 1's
			// offset: the first wrong byte is the last hex digit of the
			// block number in block 1's header.
			s: &faulty{name: "wrong-offset", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				copy(f[1][bs:2*bs], f[1][2*bs:3*bs])
				return f
			}},
			size: faultSize, file: 1, offset: bs + 22, found: []byte("2\n"),
			detail: fmt.Sprintf("the block at offset %d holds data of file 1 offset %d", bs, 2*bs),
		},
		{
			s: &faulty{name: "short-write", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[2] = f[2][:len(f[2])-1]
				return f
			}},
			size: faultSize, file: 2, offset: faultSize - 1, found: []byte{},
			detail: fmt.Sprintf("short write: file is %d bytes, expected %d", faultSize-1, faultSize),
		},
		{
			s: &faulty{name: "too-long", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[0] = append(f[0], 'Z', 'Z')
				return f
			}},
			size: faultSize, file: 0, offset: faultSize, found: []byte("ZZ"),
			detail: fmt.Sprintf("file too long: file is %d bytes, expected %d", faultSize+2, faultSize),
		},
		{
			// The first wrong byte is the last hex digit of the file index
			// in block 0's header.
			s: &faulty{name: "swapped", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[0], f[1] = f[1], f[0]
				return f
			}},
			size: faultSize, file: 0, offset: 9, found: []byte("1@000000000000\n"),
			detail: "the block at offset 0 holds data of file 1 offset 0",
		},
		{
			s: &faulty{name: "stale-byte", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[1][5000] ^= 0x55
				return f
			}},
			size: faultSize, file: 1, offset: 5000,
		},
		{
			s: &faulty{name: "zero-byte", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[2][faultSize-1] = 0
				return f
			}},
			size: faultSize, file: 2, offset: faultSize - 1, found: []byte{0},
		},
		{
			// A stale byte beyond Verify's first 1 MiB read.
			s: &faulty{name: "stale-byte-late", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[0][1<<20+1] ^= 0x01
				return f
			}},
			size: 1<<20 + 3, file: 0, offset: 1<<20 + 1,
		},
		{
			s: &faulty{name: "hole", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				clear(f[2][bs : 2*bs])
				return f
			}},
			size: faultSize, file: 2, offset: bs, found: make([]byte, 16),
			detail: "zero bytes: never written",
		},
		{
			s: &faulty{name: "missing-file", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[1] = nil
				return f
			}},
			size: faultSize, file: 1, offset: -1, detail: "missing",
		},
		{
			s: &faulty{name: "extra-file", extra: "f3", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				return f
			}},
			size: faultSize, file: -1, extra: "f3", offset: -1, detail: "unexpected file",
		},
		{
			s: &faulty{name: "misnamed-file", extra: "f+1", fault: func(b *strategies.Batch, f [][]byte) [][]byte {
				f[1] = nil
				return f
			}},
			size: faultSize, file: -1, extra: "f+1", offset: -1, detail: "unexpected file",
		},
	}
}

// checkVerifyError checks err against tc: a *VerifyError naming wantPath, the
// offset, and the expected and found bytes.
func checkVerifyError(t *testing.T, err error, tc verifyCase, b *strategies.Batch, wantPath string) {
	t.Helper()
	var ve *strategies.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *VerifyError", err, err)
	}
	if ve.Path != wantPath {
		t.Errorf("Path = %q, want %q", ve.Path, wantPath)
	}
	msg := err.Error()
	if !strings.Contains(msg, wantPath) {
		t.Errorf("error %q does not name %s", msg, wantPath)
	}
	if tc.detail != "" && !strings.Contains(msg, tc.detail) {
		t.Errorf("error %q does not contain %q", msg, tc.detail)
	}
	if tc.offset < 0 {
		return
	}
	if ve.Offset != tc.offset {
		t.Errorf("Offset = %d, want %d", ve.Offset, tc.offset)
	}
	for _, w := range []string{fmt.Sprintf("offset %d:", tc.offset), "expected ", "found "} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
	// Expected holds the correct bytes from Offset, cut at the file's end.
	n := min(int64(16), max(b.Size-tc.offset, 0))
	want := make([]byte, n)
	b.Content.Expected(want, tc.file, tc.offset)
	if !bytes.Equal(ve.Expected, want) {
		t.Errorf("Expected = %q, want %q", ve.Expected, want)
	}
	if ve.Found == nil {
		t.Errorf("Found is nil, want the bytes found at offset %d", tc.offset)
	}
	if tc.found != nil && !bytes.HasPrefix(ve.Found, tc.found) {
		t.Errorf("Found = %q, want it to start with %q", ve.Found, tc.found)
	}
	if len(ve.Found) > 0 && bytes.Equal(ve.Found, ve.Expected) {
		t.Errorf("Found = Expected = %q: the report shows no difference", ve.Found)
	}
}

// TestVerifyCatchesFaults runs each faulty strategy on a batch and checks
// Verify's error directly.
func TestVerifyCatchesFaults(t *testing.T) {
	for _, tc := range verifyCases() {
		t.Run(tc.s.name, func(t *testing.T) {
			b := &strategies.Batch{Dir: t.TempDir(), Files: 3, Size: tc.size,
				Params: strategies.Params{}.WithDefaults(), Content: strategies.NewContent(1)}
			if err := tc.s.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			err := strategies.Verify(context.Background(), b)
			if err == nil {
				t.Fatal("Verify accepted a faulty batch")
			}
			want := filepath.Join(b.Dir, tc.extra)
			if tc.file >= 0 {
				want = b.Path(tc.file)
			}
			checkVerifyError(t, err, tc, b, want)
		})
	}
}

// TestRunRecordsFaults runs each faulty strategy through the runner (as a
// Config.Custom strategy) with a correct one beside it: the faulty cell
// records an error naming the file and offset, and the sweep goes on.
func TestRunRecordsFaults(t *testing.T) {
	for _, tc := range verifyCases() {
		t.Run(tc.s.name, func(t *testing.T) {
			dir := t.TempDir()
			set, err := writebench.Run(context.Background(), writebench.Config{
				Strategies: []string{tc.s.name, "chunked"},
				Custom:     []strategies.Strategy{tc.s},
				Files:      []int{3}, Sizes: []int64{tc.size},
				Repeat: 2, Warmup: -1, Dir: dir, Seed: 1,
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(set.Results) != 2 {
				t.Fatalf("%d cells, want 2", len(set.Results))
			}
			bad, good := set.Results[0], set.Results[1]
			if !bad.Failed() || bad.Verified || len(bad.Seconds) != 0 {
				t.Errorf("faulty cell: Failed %v, Verified %v, %d samples; want failed, unverified, no samples",
					bad.Failed(), bad.Verified, len(bad.Seconds))
			}
			name := tc.extra
			if tc.file >= 0 {
				name = strategies.FileName(tc.file, 1)
			}
			pathRE := "verify " + regexp.QuoteMeta(dir) + "/" + regexp.QuoteMeta(writebench.ScratchPrefix) + `[^/]+/(?:[^/]+/)+` + regexp.QuoteMeta(name) + "[: ]"
			if !regexp.MustCompile(pathRE).MatchString(bad.Error) {
				t.Errorf("cell error %q does not name the file (want a match for %s)", bad.Error, pathRE)
			}
			if tc.offset >= 0 {
				for _, w := range []string{fmt.Sprintf("offset %d:", tc.offset), "expected ", "found "} {
					if !strings.Contains(bad.Error, w) {
						t.Errorf("cell error %q does not contain %q", bad.Error, w)
					}
				}
			}
			if tc.detail != "" && !strings.Contains(bad.Error, tc.detail) {
				t.Errorf("cell error %q does not contain %q", bad.Error, tc.detail)
			}
			if good.Failed() || !good.Verified || len(good.Seconds) != 2 {
				t.Errorf("chunked cell after the faulty one: error %q, Verified %v, %d samples; want 2 verified samples",
					good.Error, good.Verified, len(good.Seconds))
			}
		})
	}
}

// TestRunNoVerify checks that --no-verify lets a faulty strategy through
// and marks its cell unverified.
func TestRunNoVerify(t *testing.T) {
	s := verifyCases()[0].s
	set, err := writebench.Run(context.Background(), writebench.Config{
		Custom: []strategies.Strategy{s}, Files: []int{3}, Sizes: []int64{faultSize},
		Repeat: 1, Warmup: -1, Dir: t.TempDir(), NoVerify: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := set.Results[0]
	if c.Failed() || c.Verified || len(c.Seconds) != 1 {
		t.Errorf("cell with --no-verify: error %q, Verified %v, %d samples; want no error, unverified, 1 sample", c.Error, c.Verified, len(c.Seconds))
	}
	if set.Env.Verify {
		t.Error("Env.Verify is true with NoVerify")
	}
}

// TestVerifyAcceptsCorrectBatch is the control: a correct batch, including
// empty files, passes.
func TestVerifyAcceptsCorrectBatch(t *testing.T) {
	ok := &faulty{name: "correct", fault: func(b *strategies.Batch, f [][]byte) [][]byte { return f }}
	for _, size := range []int64{0, 1, faultSize, 1<<20 + 3} {
		for _, files := range []int{1, 11} {
			b := &strategies.Batch{Dir: t.TempDir(), Files: files, Size: size, Content: strategies.NewContent(1)}
			if err := ok.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			if err := strategies.Verify(context.Background(), b); err != nil {
				t.Errorf("files %d size %d: Verify of a correct batch: %v", files, size, err)
			}
		}
	}
}

func TestVerifyCancelled(t *testing.T) {
	b := &strategies.Batch{Dir: t.TempDir(), Files: 2, Size: 10, Content: strategies.NewContent(1)}
	ok := &faulty{name: "correct", fault: func(b *strategies.Batch, f [][]byte) [][]byte { return f }}
	if err := ok.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := strategies.Verify(ctx, b); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestVerifyRefusesSymlink checks that a symlink in place of a file fails
// verification even when its target holds the right bytes.
func TestVerifyRefusesSymlink(t *testing.T) {
	b := &strategies.Batch{Dir: t.TempDir(), Files: 1, Size: 100, Content: strategies.NewContent(1)}
	data := make([]byte, 100)
	b.Content.Expected(data, 0, 0)
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(target, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, b.Path(0)); err != nil {
		t.Fatal(err)
	}
	err := strategies.Verify(context.Background(), b)
	if err == nil || !strings.Contains(err.Error(), b.Path(0)) {
		t.Errorf("Verify of a symlink = %v, want an error naming %s", err, b.Path(0))
	}
}
