package writebench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/writebench/writebench/strategies"
)

// prefixSpy writes its batch with the chunked strategy and records the
// prefix and seed of every batch it was given, and any entry of the
// batch's directory that is not its own file right after writing.
type prefixSpy struct {
	mu       sync.Mutex
	prefixes map[string]bool
	seeds    map[uint64]bool
	strays   []string
}

func (s *prefixSpy) Name() string     { return "spy" }
func (s *prefixSpy) Describe() string { return "records the batch's prefix" }
func (s *prefixSpy) Knobs() []string  { return nil }
func (s *prefixSpy) Write(ctx context.Context, b *strategies.Batch) error {
	chunked, _ := strategies.Lookup("chunked")
	if err := chunked.Write(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefixes[b.Prefix] = true
	s.seeds[b.Content.Seed()] = true
	ents, err := os.ReadDir(b.Dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), b.Prefix+"f") {
			s.strays = append(s.strays, e.Name())
		}
	}
	return nil
}

// TestSharedDirSingleProcess: a single process accepts SharedDir; its
// files are named as rank 0's of a shared run (r0-f…), the set records
// shared_dir, every cell verifies, and nothing is left under Dir. Without
// SharedDir names carry no prefix and the set does not say shared_dir.
func TestSharedDirSingleProcess(t *testing.T) {
	for _, shared := range []bool{false, true} {
		dir := t.TempDir()
		spy := &prefixSpy{prefixes: map[string]bool{}, seeds: map[uint64]bool{}}
		set, err := Run(context.Background(), Config{
			Custom: []strategies.Strategy{spy}, Strategies: []string{"spy", "bufio", "paired-locked"},
			Files: []int{1, 5}, Sizes: []int64{5000}, Repeat: 2, Warmup: -1, MinSample: -1,
			Dir: dir, SharedDir: shared,
		})
		if err != nil {
			t.Fatalf("shared %v: %v", shared, err)
		}
		if err := set.Validate(); err != nil {
			t.Errorf("shared %v: Validate: %v", shared, err)
		}
		if set.Env.SharedDir != shared {
			t.Errorf("shared %v: env.shared_dir %v", shared, set.Env.SharedDir)
		}
		for _, c := range set.Results {
			if c.Failed() || !c.Verified || len(c.Seconds) != 2 {
				t.Errorf("shared %v: %s: error %q verified %v samples %d", shared, c.Key(), c.Error, c.Verified, len(c.Seconds))
			}
		}
		want := ""
		if shared {
			want = "r0-"
		}
		if len(spy.prefixes) != 1 || !spy.prefixes[want] {
			t.Errorf("shared %v: batches had prefixes %v, want only %q", shared, spy.prefixes, want)
		}
		if len(spy.seeds) != 1 || !spy.seeds[1] {
			t.Errorf("shared %v: content seeds %v, want 1 (rank 0's, as ever)", shared, spy.seeds)
		}
		if len(spy.strays) > 0 {
			t.Errorf("shared %v: the batch directory held other entries: %q", shared, spy.strays)
		}
		assertEmptyDir(t, dir)
	}
}

// fakeRank is rank r of size ranks, for what needs only Rank and Size.
type fakeRank struct {
	solo
	rank, size int
}

func (f fakeRank) Rank() int { return f.rank }
func (f fakeRank) Size() int { return f.size }

// TestRankNamesAndSeeds: under --shared-dir rank r names its files
// r<r>-f…; every rank writes content of its own seed (rank 0's is 1, the
// seed of a single process), so no two ranks' files hold the same bytes.
func TestRankNamesAndSeeds(t *testing.T) {
	seen := map[uint64]int{}
	for r := range 64 {
		shared := &group{c: fakeRank{rank: r, size: 64}, shared: true}
		own := &group{c: fakeRank{rank: r, size: 64}}
		if got, want := shared.prefix(), "r"+strconv.Itoa(r)+"-"; got != want {
			t.Errorf("rank %d: prefix %q, want %q", r, got, want)
		}
		if got := own.prefix(); got != "" {
			t.Errorf("rank %d without --shared-dir: prefix %q, want none", r, got)
		}
		s := shared.contentSeed()
		if q, dup := seen[s]; dup {
			t.Errorf("ranks %d and %d share content seed %d", q, r, s)
		}
		seen[s] = r
		if own.contentSeed() != s {
			t.Errorf("rank %d: content seed depends on --shared-dir", r)
		}
		if shared.hostRanks() != 64 {
			t.Errorf("rank %d: the space check counts %d ranks under --shared-dir, want all 64", r, shared.hostRanks())
		}
	}
	if seen[1] != 0 {
		t.Errorf("rank 0's content seed is not 1")
	}
	// Two ranks' file 0 differ beyond the header (which names only file
	// and block).
	a, b := make([]byte, 8192), make([]byte, 8192)
	strategies.NewContent((&group{c: fakeRank{rank: 0, size: 2}}).contentSeed()).Expected(a, 0, 0)
	strategies.NewContent((&group{c: fakeRank{rank: 1, size: 2}}).contentSeed()).Expected(b, 0, 0)
	same := 0
	for i := strategies.HeaderSize; i < len(a); i++ {
		if a[i] == b[i] {
			same++
		}
	}
	if same > len(a)/16 {
		t.Errorf("ranks 0 and 1 write %d equal bytes of %d in file 0", same, len(a))
	}
}
