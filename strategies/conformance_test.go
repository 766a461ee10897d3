package strategies_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// variant is one way a registered strategy can run: pool and semaphore once
// per --per-file writer, every other strategy once.
type variant struct {
	s       strategies.Strategy
	perFile string // "" for strategies without the per_file knob
}

func (v variant) name() string {
	if v.perFile == "" {
		return v.s.Name()
	}
	return v.s.Name() + "/per-file=" + v.perFile
}

func variants() []variant {
	var vs []variant
	for _, s := range strategies.All() {
		if slices.Contains(s.Knobs(), "per_file") {
			for _, pf := range strategies.PerFileNames() {
				vs = append(vs, variant{s, pf})
			}
			continue
		}
		vs = append(vs, variant{s, ""})
	}
	return vs
}

// newBatch returns a prepared batch of files × size in a fresh temporary
// directory, with latency and sync-time slices.
func newBatch(t *testing.T, files int, size int64, p strategies.Params) *strategies.Batch {
	t.Helper()
	b := &strategies.Batch{
		Dir: t.TempDir(), Files: files, Size: size, Params: p.WithDefaults(),
		Content:  strategies.NewContent(1),
		Latency:  make([]time.Duration, files),
		SyncTime: make([]time.Duration, files),
	}
	return b
}

// checkWritten checks what s wrote into b: byte for byte with
// strategies.Verify, or, for strategies whose writers share files, record by
// record with VerifyRecords (safety is TestSharedSafeVariantsClean's and
// TestUnsafeVariantsCorrupt's: here only what every such strategy
// guarantees, see checkSharedFiles).
func checkWritten(t *testing.T, s strategies.Strategy, b *strategies.Batch) {
	t.Helper()
	rv, ok := s.(strategies.RecordVerifier)
	if !ok {
		if err := strategies.Verify(context.Background(), b); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	c, err := rv.VerifyRecords(context.Background(), b)
	if err != nil {
		t.Fatalf("VerifyRecords: %v", err)
	}
	checkSharedFiles(t, s, b, c)
}

// writeOrSkip runs s.Write on b. A strategy whose writers share files
// skips a cell too small for one record per writer, and only such a cell;
// writeOrSkip then reports false.
func writeOrSkip(t *testing.T, s strategies.Strategy, b *strategies.Batch) bool {
	t.Helper()
	err := s.Write(context.Background(), b)
	if _, ok := s.(strategies.RecordVerifier); ok {
		tooSmall := expectedRecords(b.Size, b.Params.Concurrency, b.Params.Record) == 0
		if reason, skipped := strategies.SkipReason(err); skipped || tooSmall {
			if !skipped || !tooSmall || !strings.Contains(reason, "{sizes}") {
				t.Fatalf("Write = %v; a cell too small for one record per writer: %v", err, tooSmall)
			}
			return false
		}
	}
	if reason, ok := strategies.SkipReason(err); ok {
		t.Skipf("%s cannot run here: %s", s.Name(), reason)
	}
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return true
}

// forRecords gives strategies whose writers share files 2 writers of
// 3-byte records, so the tiny files of the generic tests hold records.
func forRecords(s strategies.Strategy, p strategies.Params) strategies.Params {
	if _, ok := s.(strategies.RecordVerifier); ok {
		p.Concurrency, p.Record = 2, 3
	}
	return p
}

// oddParams has record, buffer and chunk sizes that are not powers of two,
// so writes straddle the 4 KiB block headers of the content.
var oddParams = strategies.Params{Record: 1000, Buffer: 3000, Chunk: 5003, Concurrency: 3}

// TestConformance writes every strategy over a range of sizes and file counts
// and reads every byte back with strategies.Verify.
func TestConformance(t *testing.T) {
	const mib3 = 1<<20 + 3
	type shape struct {
		files int
		size  int64
		sync  strategies.SyncMode
		p     strategies.Params
	}
	var shapes []shape
	for _, size := range []int64{0, 1, 4095, 4097, mib3} {
		shapes = append(shapes, shape{1, size, strategies.SyncNone, strategies.Params{}})
	}
	shapes = append(shapes,
		shape{3, mib3, strategies.SyncNone, oddParams},
		shape{20, 4097, strategies.SyncNone, oddParams},
		shape{3, 4097, strategies.SyncClose, strategies.Params{}},
		shape{2, 4095, strategies.SyncData, strategies.Params{}},
	)
	// Creating 1000 files is slow on a loaded disk, so each variant writes
	// 1000 files of one small size, the sizes taking turns across variants.
	bigSizes := []int64{0, 1, 4097}
	for vi, v := range variants() {
		vshapes := append(slices.Clip(shapes), shape{1000, bigSizes[vi%len(bigSizes)], strategies.SyncNone, strategies.Params{}})
		for _, sh := range vshapes {
			p := sh.p
			p.Sync = sh.sync
			p.PerFile = v.perFile
			name := fmt.Sprintf("%s/files=%d/size=%d/sync=%s", v.name(), sh.files, sh.size, sh.sync)
			if sh.p != (strategies.Params{}) {
				name += "/odd-params"
			}
			t.Run(name, func(t *testing.T) {
				b := newBatch(t, sh.files, sh.size, p)
				if !writeOrSkip(t, v.s, b) {
					return
				}
				checkWritten(t, v.s, b)
				for i, d := range b.Latency {
					if d <= 0 {
						t.Fatalf("Latency[%d] = %v, want > 0 (every file's latency recorded)", i, d)
					}
				}
				for i, d := range b.SyncTime {
					synced := sh.sync == strategies.SyncClose || sh.sync == strategies.SyncData
					if synced && d <= 0 {
						t.Fatalf("SyncTime[%d] = %v with --sync %s, want > 0", i, d, sh.sync)
					}
					if !synced && d != 0 {
						t.Fatalf("SyncTime[%d] = %v with --sync %s, want 0", i, d, sh.sync)
					}
					if d > b.Latency[i] {
						t.Fatalf("SyncTime[%d] = %v > Latency[%d] = %v: sync must be inside the file's latency", i, d, i, b.Latency[i])
					}
				}
			})
		}
	}
}

// TestWriteWithoutLatencySlices checks that Latency and SyncTime are
// optional.
func TestWriteWithoutLatencySlices(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name(), func(t *testing.T) {
			b := newBatch(t, 5, 4097, forRecords(v.s, strategies.Params{PerFile: v.perFile, Sync: strategies.SyncClose}))
			b.Latency, b.SyncTime = nil, nil
			if err := writeSkipping(t, v.s, context.Background(), b); err != nil {
				t.Fatalf("Write: %v", err)
			}
			checkWritten(t, v.s, b)
		})
	}
}

// TestWriteRefusesExistingFile checks that a strategy never overwrites or
// follows what is already at a file's path.
func TestWriteRefusesExistingFile(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name(), func(t *testing.T) {
			b := newBatch(t, 3, 100, forRecords(v.s, strategies.Params{PerFile: v.perFile}))
			target := b.Dir + "/target"
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Fatal(err)
			}
			victim := target + "/victim"
			if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, b.Path(1)); err != nil {
				t.Fatal(err)
			}
			err := writeSkipping(t, v.s, context.Background(), b)
			if err == nil {
				t.Fatal("Write succeeded although file 1's path was a symlink")
			}
			if !strings.Contains(err.Error(), b.Path(1)) {
				t.Errorf("error %q does not name %s", err, b.Path(1))
			}
			if got, _ := os.ReadFile(victim); string(got) != "keep me" {
				t.Errorf("symlink target changed to %q", got)
			}
		})
	}
}

// countdownCtx is a context that cancels itself on the n-th call of Err,
// so a strategy that checks between files is cancelled at a known point.
type countdownCtx struct {
	context.Context
	cancel context.CancelFunc
	left   atomic.Int64
}

func newCountdown(n int64) *countdownCtx {
	ctx, cancel := context.WithCancel(context.Background())
	c := &countdownCtx{Context: ctx, cancel: cancel}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) <= 0 {
		c.cancel()
	}
	return c.Context.Err()
}

// writeOrSkip runs s.Write and skips the test when the strategy reports
// that this machine cannot run it (strategies.Skip: O_DIRECT refused,
// io_uring disabled, a per-write flag the kernel lacks).
func writeSkipping(t *testing.T, s strategies.Strategy, ctx context.Context, b *strategies.Batch) error {
	t.Helper()
	err := s.Write(ctx, b)
	if reason, ok := strategies.SkipReason(err); ok {
		t.Skipf("%s cannot run here: %s", s.Name(), reason)
	}
	return err
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestCancellation checks that a cancelled context makes Write return
// context.Canceled without writing the rest of the batch.
func TestCancellation(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name()+"/pre-cancelled", func(t *testing.T) {
			const files = 1000
			b := newBatch(t, files, 10, strategies.Params{PerFile: v.perFile, Concurrency: 2})
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := v.s.Write(ctx, b)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Write with a cancelled context = %v, want context.Canceled", err)
			}
			// Every strategy looks at the context before each file, so
			// nothing at all is created.
			if n := countFiles(t, b.Dir); n != 0 {
				t.Errorf("Write with a cancelled context created %d files, want 0", n)
			}
		})
		if v.perFile != "" {
			continue
		}
		// Sequential strategies look at the context before every file.
		t.Run(v.name()+"/mid-way", func(t *testing.T) {
			b := newBatch(t, 50, 100, forRecords(v.s, strategies.Params{}))
			ctx := newCountdown(5)
			defer ctx.cancel()
			err := writeSkipping(t, v.s, ctx, b)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Write cancelled mid-way = %v, want context.Canceled", err)
			}
			if n := countFiles(t, b.Dir); n == 0 || n >= 50 {
				t.Errorf("Write cancelled on the 5th check created %d of 50 files, want some but not all", n)
			}
		})
		// A large file is abandoned part way, not finished.
		t.Run(v.name()+"/mid-file", func(t *testing.T) {
			const size = 8 << 20
			b := newBatch(t, 1, size, forRecords(v.s, strategies.Params{Chunk: 4096, Record: 4096}))
			ctx := newCountdown(3)
			defer ctx.cancel()
			err := writeSkipping(t, v.s, ctx, b)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Write cancelled inside a file = %v, want context.Canceled", err)
			}
		})
	}
}

// TestNamesSorted checks the registry's listings against each other:
// Names sorted and unique, All in the same order, every --per-file writer
// also a strategy of its own (registerWriter).
func TestNamesSorted(t *testing.T) {
	names := strategies.Names()
	if len(names) == 0 {
		t.Fatal("Names() is empty")
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("Names() = %v, want sorted and unique", names)
	}
	var all []string
	for _, s := range strategies.All() {
		all = append(all, s.Name())
	}
	if !slices.Equal(all, names) {
		t.Errorf("All() names = %v, want Names() = %v", all, names)
	}
	pf := strategies.PerFileNames()
	if len(pf) == 0 || !slices.IsSorted(pf) {
		t.Errorf("PerFileNames() = %v, want sorted and non-empty", pf)
	}
	for _, n := range pf {
		if !slices.Contains(names, n) {
			t.Errorf("per-file writer %q is not also a strategy", n)
		}
	}
	for _, n := range []string{"pool", "semaphore"} {
		if slices.Contains(pf, n) {
			t.Errorf("PerFileNames() contains %q", n)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, n := range strategies.Names() {
		s, err := strategies.Lookup(n)
		if err != nil || s.Name() != n {
			t.Errorf("Lookup(%q) = %v, %v", n, s, err)
		}
	}
	tests := []struct {
		name    string
		want    []string // substrings of the error
		notWant string
	}{
		{"bogus", []string{`unknown strategy "bogus"`, "known: " + strings.Join(strategies.Names(), ", ")}, "did you mean"},
		{"bufoi", []string{`unknown strategy "bufoi"`, `did you mean "bufio"?`}, ""},
		{"semaphor", []string{`did you mean "semaphore"?`}, ""},
		{"Chunked", []string{`unknown strategy "Chunked"`, `did you mean "chunked"?`}, ""},
		{"", []string{`unknown strategy ""`}, "did you mean"},
	}
	for _, tt := range tests {
		s, err := strategies.Lookup(tt.name)
		if err == nil {
			t.Errorf("Lookup(%q) = %v, want an error", tt.name, s.Name())
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Lookup(%q) error %q does not contain %q", tt.name, err, w)
			}
		}
		if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
			t.Errorf("Lookup(%q) error %q contains %q", tt.name, err, tt.notWant)
		}
	}
}

func TestClosest(t *testing.T) {
	names := strategies.Names()
	tests := []struct{ in, want string }{
		{"bufio", "bufio"},
		{"bufi", "bufio"},
		{"chunkd", "chunked"},
		{"MMAP", "mmap"},
		{"pol", "pool"},
		{"unbufferd", "unbuffered"},
		{"sempahore", "semaphore"},
		{"xyzzyqq", ""},
		{"completely-different", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strategies.Closest(tt.in, names); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// knobNames are the parameters a strategy may list as knobs.
var knobNames = []string{"record", "buffer", "chunk", "concurrency", "per_file", "batch", "queue_depth", "prealloc"}

func TestKnobs(t *testing.T) {
	// The built-in strategies' knobs; strategies registered elsewhere are
	// checked against knobNames only.
	want := map[string][]string{
		"unbuffered":      {"record", "prealloc"},
		"bufio":           {"record", "buffer", "prealloc"},
		"chunked":         {"chunk", "prealloc"},
		"mmap":            {"chunk", "prealloc"},
		"pool":            {"concurrency", "per_file"},
		"semaphore":       {"concurrency", "per_file"},
		"offload":         {"record", "concurrency", "prealloc"},
		"unbounded":       {"chunk", "prealloc"},
		"writev":          {"record", "batch", "prealloc"},
		"shared-unlocked": {"record", "buffer", "concurrency"},
		"shared-locked":   {"record", "buffer", "concurrency"},
		"shared-pwrite":   {"record", "buffer", "concurrency"},
		"shared-queue":    {"record", "buffer", "concurrency"},
		"paired-unlocked": {"record", "concurrency"},
		"paired-locked":   {"record", "concurrency"},
		"direct":          {"chunk", "prealloc"},
		"uring":           {"chunk", "queue_depth", "prealloc"},
	}
	for _, s := range strategies.All() {
		got := s.Knobs()
		if w, ok := want[s.Name()]; ok && !slices.Equal(got, w) {
			t.Errorf("%s.Knobs() = %v, want %v", s.Name(), got, w)
		}
		for _, k := range got {
			if !slices.Contains(knobNames, k) {
				t.Errorf("%s.Knobs() lists %q, not a parameter (%v)", s.Name(), k, knobNames)
			}
		}
		if s.Describe() == "" || strings.Contains(s.Describe(), "\n") {
			t.Errorf("%s.Describe() = %q, want one non-empty line", s.Name(), s.Describe())
		}
	}
	// Every strategy that creates one file of b.Size bytes per index itself
	// (not delegating to a --per-file writer, and not one whose writers
	// share files: a shared file receives whole records, up to a record per
	// writer less than b.Size, and the appending writers' records would
	// land after a reserved size) reserves space as --prealloc asks.
	for _, s := range strategies.All() {
		k := s.Knobs()
		_, sharesFiles := s.(strategies.RecordVerifier)
		if !sharesFiles && !slices.Contains(k, "per_file") && !slices.Contains(k, "prealloc") {
			t.Errorf("%s.Knobs() = %v lacks prealloc", s.Name(), k)
		}
	}
	pool, _ := strategies.Lookup("pool")
	bufio, _ := strategies.Lookup("bufio")
	tests := []struct {
		s       strategies.Strategy
		perFile string
		want    []string
	}{
		{pool, "chunked", []string{"concurrency", "per_file", "chunk", "prealloc"}},
		{pool, "bufio", []string{"concurrency", "per_file", "record", "buffer", "prealloc"}},
		{pool, "unbuffered", []string{"concurrency", "per_file", "record", "prealloc"}},
		{pool, "writev", []string{"concurrency", "per_file", "record", "batch", "prealloc"}},
		{pool, "nonsense", []string{"concurrency", "per_file"}},
		{bufio, "chunked", []string{"record", "buffer", "prealloc"}}, // no per_file knob: perFile ignored
	}
	for _, tt := range tests {
		got := strategies.Knobs(tt.s, tt.perFile)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Knobs(%s, %q) = %v, want %v", tt.s.Name(), tt.perFile, got, tt.want)
		}
	}
	// Knobs must not modify the strategy's own list.
	strategies.Knobs(pool, "bufio")
	if got := pool.Knobs(); !slices.Equal(got, want["pool"]) {
		t.Errorf("pool.Knobs() changed to %v after Knobs(pool, bufio)", got)
	}
}

func TestRegisterPanics(t *testing.T) {
	before := strategies.Names()
	bufio, _ := strategies.Lookup("bufio")
	tests := []struct {
		name string
		s    strategies.Strategy
	}{
		{"duplicate", bufio},
		{"empty name", named{""}},
		{"upper case", named{"Fancy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", tt.s.Name())
				}
			}()
			strategies.Register(tt.s)
		})
	}
	if !slices.Equal(strategies.Names(), before) {
		t.Errorf("a refused Register changed the registry: %v", strategies.Names())
	}
}

type named struct{ n string }

func (s named) Name() string                                       { return s.n }
func (named) Describe() string                                     { return "test" }
func (named) Knobs() []string                                      { return nil }
func (named) Write(ctx context.Context, b *strategies.Batch) error { return nil }

func TestParseSync(t *testing.T) {
	for _, m := range strategies.SyncModes() {
		got, err := strategies.ParseSync(string(m))
		if err != nil || got != m {
			t.Errorf("ParseSync(%q) = %q, %v", m, got, err)
		}
	}
	for _, bad := range []string{"", "None", "fsync", "maybe"} {
		_, err := strategies.ParseSync(bad)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) || !strings.Contains(err.Error(), "none, data, close, end, dsync, uncached") {
			t.Errorf("ParseSync(%q) error = %v, want one naming the value and the known modes", bad, err)
		}
	}
}

func TestParamsWithDefaults(t *testing.T) {
	got := strategies.Params{}.WithDefaults()
	want := strategies.Params{Record: 256, Buffer: 8 << 10, Chunk: 64 << 10, Concurrency: 10, PerFile: "chunked", Batch: 64, QueueDepth: 32, Prealloc: strategies.PreallocNone, Sync: strategies.SyncNone}
	if got != want {
		t.Errorf("Params{}.WithDefaults() = %+v, want %+v", got, want)
	}
	set := strategies.Params{Record: 1, Buffer: 2, Chunk: 3, Concurrency: 4, PerFile: "mmap", Batch: 5, QueueDepth: 6, Prealloc: strategies.PreallocTruncate, Sync: strategies.SyncEnd}
	if got := set.WithDefaults(); got != set {
		t.Errorf("WithDefaults changed set fields: %+v, want %+v", got, set)
	}
	if got := (strategies.Params{Record: -5}).WithDefaults().Record; got != strategies.DefaultRecord {
		t.Errorf("negative Record became %d, want the default %d", got, strategies.DefaultRecord)
	}
}

func TestBatchPath(t *testing.T) {
	tests := []struct {
		files, i int
		want     string
	}{
		{1, 0, "/d/f0"},
		{10, 9, "/d/f9"},
		{11, 0, "/d/f00"},
		{11, 10, "/d/f10"},
		{1000, 42, "/d/f042"},
		{1000, 999, "/d/f999"},
		{1001, 7, "/d/f0007"},
	}
	for _, tt := range tests {
		b := &strategies.Batch{Dir: "/d", Files: tt.files}
		if got := b.Path(tt.i); got != tt.want {
			t.Errorf("Batch{Files: %d}.Path(%d) = %q, want %q", tt.files, tt.i, got, tt.want)
		}
		if w := strategies.NameWidth(tt.files); w != len(tt.want)-len("/d/f") {
			t.Errorf("NameWidth(%d) = %d, want %d", tt.files, w, len(tt.want)-len("/d/f"))
		}
	}
}

// TestContentBytesMatchesExpected checks Buffer.Bytes against Expected for
// random offsets and lengths, including block-straddling ones.
func TestContentBytesMatchesExpected(t *testing.T) {
	c := strategies.NewContent(7)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, capN := range []int{1, 100, 4096, 5003, 70000} {
		buf := c.NewBuffer(capN)
		if buf.Cap() != capN {
			t.Fatalf("NewBuffer(%d).Cap() = %d", capN, buf.Cap())
		}
		for range 300 {
			file := rng.IntN(5000)
			off := rng.Int64N(1 << 30)
			if rng.IntN(4) == 0 {
				off = off / strategies.BlockSize * strategies.BlockSize // block-aligned
			}
			n := 1 + rng.IntN(capN)
			got := buf.Bytes(file, off, n)
			want := make([]byte, n)
			c.Expected(want, file, off)
			if !bytes.Equal(got, want) {
				t.Fatalf("cap %d: Bytes(%d, %d, %d) differs from Expected", capN, file, off, n)
			}
			if i := bytes.IndexByte(got, 0); i >= 0 {
				t.Fatalf("Bytes(%d, %d, %d) has a zero byte at %d", file, off, n, i)
			}
		}
	}
}

func TestContentDeterministic(t *testing.T) {
	a := make([]byte, 3*strategies.BlockSize)
	b := make([]byte, len(a))
	strategies.NewContent(3).Expected(a, 2, 100)
	strategies.NewContent(3).Expected(b, 2, 100)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different content")
	}
	strategies.NewContent(4).Expected(b, 2, 100)
	if bytes.Equal(a, b) {
		t.Error("different seeds gave the same content")
	}
	strategies.NewContent(3).Expected(b, 3, 100)
	if bytes.Equal(a, b) {
		t.Error("files 2 and 3 have the same content")
	}
	// Two blocks of one file differ (their headers name their offsets).
	x := make([]byte, strategies.BlockSize)
	y := make([]byte, strategies.BlockSize)
	strategies.NewContent(3).Expected(x, 0, 0)
	strategies.NewContent(3).Expected(y, 0, strategies.BlockSize)
	if bytes.Equal(x, y) {
		t.Error("blocks 0 and 1 of a file are identical")
	}
}

func TestContentHeaders(t *testing.T) {
	c := strategies.NewContent(1)
	for _, tt := range []struct {
		file int
		blk  int64
	}{{0, 0}, {1, 1}, {42, 7}, {9999999, 1 << 30}, {0xffffffff, 0xffffffffffff}} {
		p := make([]byte, strategies.BlockSize)
		c.Expected(p, tt.file, tt.blk*strategies.BlockSize)
		f, blk, ok := strategies.ParseHeader(p)
		if !ok || f != tt.file || blk != tt.blk {
			t.Errorf("header of file %d block %d parsed as %d, %d, %v", tt.file, tt.blk, f, blk, ok)
		}
		want := fmt.Sprintf("block header of file %d at offset %d", tt.file, tt.blk*strategies.BlockSize)
		if got := strategies.DescribeBlock(p); got != want {
			t.Errorf("DescribeBlock = %q, want %q", got, want)
		}
	}
	body := make([]byte, strategies.BlockSize)
	c.Expected(body, 0, strategies.HeaderSize) // starts after the header
	for _, bad := range [][]byte{nil, []byte("WB"), bytes.Repeat([]byte{0}, 24), body,
		[]byte("WB0000000g@000000000000\n"), []byte("WB00000000@00000000000x\n"), []byte("XB00000000@000000000000\n")} {
		if _, _, ok := strategies.ParseHeader(bad); ok {
			t.Errorf("ParseHeader(%q) ok, want not a header", bad)
		}
	}
	if got := strategies.DescribeBlock([]byte("junk")); got != "no valid block header" {
		t.Errorf("DescribeBlock(junk) = %q", got)
	}
}

func TestBufferBytesPanicsAboveCap(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Bytes(n > Cap) did not panic")
		}
	}()
	strategies.NewContent(1).NewBuffer(10).Bytes(0, 0, 11)
}

// subdir makes a fresh directory under dir, removed when t ends.
func subdir(t *testing.T, dir string) string {
	t.Helper()
	d, err := os.MkdirTemp(dir, "batch-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
