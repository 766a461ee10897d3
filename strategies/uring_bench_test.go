package strategies

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkKernelPaths times one 16 MiB file per iteration through uring at
// depths 1 and 32 and through direct, next to chunked, with the same chunk,
// in a real directory under $TMPDIR (no sync: the page cache for all but
// direct). Names are key=value so benchstat can slice them; ring_enters/op
// and sqes/op are reported for uring.
func BenchmarkKernelPaths(b *testing.B) {
	const size = 16 << 20
	cases := []struct {
		s  Strategy
		qd int
	}{
		{registry["chunked"], 0},
		{uringStrategy{}, 1},
		{uringStrategy{}, 32},
		{directStrategy{}, 0},
	}
	for _, chunk := range []int{4 << 10, 1 << 20} {
		for _, c := range cases {
			name := fmt.Sprintf("strategy=%s/chunk=%d", c.s.Name(), chunk)
			if c.qd > 0 {
				name += "/queue_depth=" + strconv.Itoa(c.qd)
			}
			b.Run(name, func(b *testing.B) {
				root := b.TempDir()
				b.SetBytes(size)
				iss := &Issued{}
				n := 0
				for b.Loop() {
					b.StopTimer()
					dir := filepath.Join(root, strconv.Itoa(n))
					if n > 0 {
						os.RemoveAll(filepath.Join(root, strconv.Itoa(n-1)))
					}
					if err := os.Mkdir(dir, 0o755); err != nil {
						b.Fatal(err)
					}
					bt := &Batch{Dir: dir, Files: 1, Size: size, Content: NewContent(1), Issued: iss,
						Params: Params{Chunk: chunk, QueueDepth: c.qd}.WithDefaults()}
					n++
					b.StartTimer()
					if err := c.s.Write(context.Background(), bt); err != nil {
						if reason, ok := SkipReason(err); ok {
							b.Skip(reason)
						}
						b.Fatal(err)
					}
				}
				if c.qd > 0 {
					b.ReportMetric(float64(iss.RingEnters.Load())/float64(n), "enters/op")
					b.ReportMetric(float64(iss.RingSubmissions.Load())/float64(n), "sqes/op")
				}
			})
		}
	}
}
