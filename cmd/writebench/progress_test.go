package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
)

// lastFrame is the last line the bar drew.
func lastFrame(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestBarEndsAtWhatRan: a bar counts toward what will run and a sweep that
// ends normally ends it at 100%, whether it ran every planned repetition,
// fewer (a failed cell stops early), or (adaptive) stopped within its
// budget after a small share of the repetition cap.
func TestBarEndsAtWhatRan(t *testing.T) {
	c := &resultset.Cell{Strategy: "bufio", Files: 1, FileSize: 4096, Sync: "none"}
	for _, tt := range []struct {
		name          string
		total, steps  int
		budget        time.Duration
		complete      bool
		want, notWant []string
	}{
		{"fixed rounds, all ran", 40, 40, 0, true, []string{"40/40 reps", "100 %", "ETA 0s"}, nil},
		{"fixed rounds, a cell failed", 40, 31, 0, true, []string{"31/31 reps", "100 %", "ETA 0s"}, nil},
		{"adaptive, budget cap far above what ran", 4824, 360, 45 * time.Second, true, []string{"100 %"}, []string{"4824", "reps", " 7 %"}},
		{"interrupted", 40, 10, 0, false, []string{"10/40 reps", "25 %"}, []string{"100 %"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := &barProgress{w: &b}
			p.Start(tt.total, 45*time.Second, tt.budget)
			for range tt.steps {
				p.Step(c, true, nil)
			}
			p.Done(tt.complete)
			last := lastFrame(b.String())
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("last frame %q lacks %q", last, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(last, w) {
					t.Errorf("last frame %q holds %q", last, w)
				}
			}
		})
	}
}

// TestLineProgressAdaptive: plain progress lines of an adaptive sweep
// count time toward the budget, not repetitions of the cap.
func TestLineProgressAdaptive(t *testing.T) {
	var b bytes.Buffer
	l := &lineProgress{w: &b}
	l.Start(4824, 45*time.Second, 45*time.Second)
	c := &resultset.Cell{Strategy: "bufio", Files: 1, FileSize: 4096, Sync: "none"}
	l.Step(c, false, nil)
	l.Done(true)
	out := b.String()
	if strings.Contains(out, "4824") || !strings.Contains(out, "/45s] warmup ") || !strings.Contains(out, "[done] 1 repetition in ") {
		t.Errorf("progress lines:\n%s", out)
	}
}
