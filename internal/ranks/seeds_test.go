package ranks

import (
	"strconv"
	"testing"

	"github.com/writebench/writebench/strategies"
)

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
		shared := &Group{c: fakeRank{rank: r, size: 64}, Shared: true}
		own := &Group{c: fakeRank{rank: r, size: 64}}
		if got, want := shared.Prefix(), "r"+strconv.Itoa(r)+"-"; got != want {
			t.Errorf("rank %d: prefix %q, want %q", r, got, want)
		}
		if got := own.Prefix(); got != "" {
			t.Errorf("rank %d without --shared-dir: prefix %q, want none", r, got)
		}
		s := shared.ContentSeed()
		if q, dup := seen[s]; dup {
			t.Errorf("ranks %d and %d share content seed %d", q, r, s)
		}
		seen[s] = r
		if own.ContentSeed() != s {
			t.Errorf("rank %d: content seed depends on --shared-dir", r)
		}
		if shared.HostRanks() != 64 {
			t.Errorf("rank %d: the space check counts %d ranks under --shared-dir, want all 64", r, shared.HostRanks())
		}
	}
	if seen[1] != 0 {
		t.Errorf("rank 0's content seed is not 1")
	}
	// Two ranks' file 0 differ beyond the header (which names only file
	// and block).
	a, b := make([]byte, 8192), make([]byte, 8192)
	strategies.NewContent((&Group{c: fakeRank{rank: 0, size: 2}}).ContentSeed()).Expected(a, 0, 0)
	strategies.NewContent((&Group{c: fakeRank{rank: 1, size: 2}}).ContentSeed()).Expected(b, 0, 0)
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
