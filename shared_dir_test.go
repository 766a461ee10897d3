package writebench

import (
	"context"
	"os"
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
