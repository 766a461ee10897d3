//go:build wb_slowdown

package strategies

import (
	"context"
	"os"
	"strconv"
	"time"
)

// A build made with -tags wb_slowdown slows the chunked writer by the
// fraction in WRITEBENCH_SLOWDOWN (e.g. 0.2: every file's write takes 20%
// longer, by spinning after it): a known truth to measure `writebench ab`
// against (scripts/ab-figures.sh). Ordinary builds never include this file.
func init() {
	frac, err := strconv.ParseFloat(os.Getenv("WRITEBENCH_SLOWDOWN"), 64)
	if err != nil || !(frac > 0) {
		return
	}
	body := chunkedWriter.body
	chunkedWriter.body = func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		t0 := time.Now()
		err := body(ctx, b, i, f, w)
		spin := time.Duration(float64(time.Since(t0)) * frac)
		for end := time.Now().Add(spin); time.Now().Before(end); {
		}
		return err
	}
}
