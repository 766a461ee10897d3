package report

import (
	"testing"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// A win counts as clear only when the two 95% intervals are disjoint: the
// basic fixture's bufio beats unbuffered by 50% with tight samples, while a
// cell with one sample has no interval and so no clear win.
func TestWinnerClear(t *testing.T) {
	for _, tt := range []struct {
		file  string
		clear bool
	}{{"testdata/basic.json", true}, {"testdata/onesample.json", false}} {
		set, err := resultset.Load(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		ws := summary.Winners(summary.Summarize([]*resultset.Set{set}, []string{"x"}))
		if len(ws) == 0 {
			t.Fatalf("%s: no winners", tt.file)
		}
		compared := 0
		for _, w := range ws {
			if w.RunnerUp == nil {
				continue
			}
			compared++
			if w.Clear != tt.clear {
				t.Errorf("%s: %d files × %d B: Clear = %v, want %v (best %v, runner-up %v)", tt.file, w.Files, w.FileSize,
					w.Clear, tt.clear, w.Best.FilesPerSec, w.RunnerUp.FilesPerSec)
			}
		}
		if compared == 0 {
			t.Errorf("%s: no group has a runner-up, nothing was checked", tt.file)
		}
	}
}
