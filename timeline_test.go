package writebench

import (
	"context"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// TestRunTimelineAndWriteLatency runs real strategies with --timeline and
// --write-latency and checks what each counted repetition recorded: a
// timeline from 0 s to the end of the timed region ending at every byte
// written, and a histogram of every write call.
func TestRunTimelineAndWriteLatency(t *testing.T) {
	const size = 8 << 20
	cfg := Config{
		Strategies: []string{"chunked", "mmap"}, Files: []int{2}, Sizes: []int64{size},
		Repeat: 2, Warmup: -1, MinSample: -1, Dir: t.TempDir(),
		Timeline: true, TimelineInterval: time.Millisecond, WriteLatency: true,
	}
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if set.Env.TimelineIntervalSeconds != 0.001 || !set.Env.WriteLatency {
		t.Fatalf("env: timeline interval %v, write latency %v", set.Env.TimelineIntervalSeconds, set.Env.WriteLatency)
	}
	if set.Env.Dirty == nil || set.Env.Dirty.LimitBytes <= 0 || set.Env.Dirty.BackgroundLimitBytes <= 0 {
		t.Fatalf("env.dirty = %+v, want the thresholds", set.Env.Dirty)
	}
	for _, c := range set.Results {
		if len(c.Timelines) != len(c.Seconds) || len(c.WriteLatency) != len(c.Seconds) {
			t.Fatalf("%s: %d timelines, %d histograms for %d samples", c.Strategy, len(c.Timelines), len(c.WriteLatency), len(c.Seconds))
		}
		for k, tl := range c.Timelines {
			n := tl.Len()
			if n < 2 || tl.Seconds[0] != 0 {
				t.Fatalf("%s sample %d: %d points starting at %v", c.Strategy, k, n, tl.Seconds)
			}
			if end := tl.Seconds[n-1]; end < c.Seconds[k]*0.999 {
				t.Fatalf("%s sample %d: timeline ends at %v s, the timed region took %v s", c.Strategy, k, end, c.Seconds[k])
			}
			if got := tl.Bytes[n-1]; got != 2*size {
				t.Fatalf("%s sample %d: timeline ends at %d bytes, want %d", c.Strategy, k, got, 2*size)
			}
			if tl.Dirty[0] < 0 || tl.Writeback[0] < 0 {
				t.Fatalf("%s: /proc/meminfo not read: %v %v", c.Strategy, tl.Dirty[0], tl.Writeback[0])
			}
		}
		for k, h := range c.WriteLatency {
			want := int64(2 * size / strategies.DefaultChunk)
			if c.Strategy == "mmap" {
				want = 0 // stores into a mapping are no write calls
			}
			if h.Count() != want {
				t.Fatalf("%s sample %d: %d write calls timed, want %d", c.Strategy, k, h.Count(), want)
			}
		}
	}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}

	// Off by default: nothing recorded.
	cfg.Timeline, cfg.WriteLatency = false, false
	cfg.Strategies = []string{"chunked"}
	set, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := set.Results[0]; len(c.Timelines) != 0 || len(c.WriteLatency) != 0 || set.Env.TimelineIntervalSeconds != 0 {
		t.Fatalf("without the options: %d timelines, %d histograms", len(c.Timelines), len(c.WriteLatency))
	}
}
