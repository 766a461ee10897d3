package main

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
)

// newProgress returns the progress reporter for --progress mode: an mpb bar
// with ETA on a terminal, plain lines when "always" is asked for on a
// non-terminal, nothing otherwise. The runner calls it only between
// repetitions, and the bar refreshes only when told (manual refresh), so no
// drawing happens inside a timed region.
func newProgress(mode string, stderr io.Writer) writebench.Progress {
	tty := isTerminal(stderr)
	switch {
	case mode == "never", mode == "auto" && !tty:
		return nil
	case !tty:
		return &lineProgress{w: stderr}
	}
	return &barProgress{w: stderr}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd())
}

// barProgress is the terminal's progress bar. It counts toward what will
// run: the repetitions of a sweep of fixed rounds, or the time of an
// adaptive sweep's budget (whose repetition count is only a cap, most of
// which never runs), and a sweep that ends normally ends at 100%.
type barProgress struct {
	w       io.Writer
	p       *mpb.Progress
	bar     *mpb.Bar
	refresh chan any
	label   atomic.Value // string: the cell of the last step, read by the drawing goroutine
	// start and estimate give the ETA: the sweep's estimate (the same
	// figure --dry-run prints) minus the time spent, or, once the sweep has
	// outrun its estimate, the average time per step so far.
	start    time.Time
	estimate time.Duration
	// timed is set for an adaptive sweep: the bar counts milliseconds
	// toward the estimate (the budget, or the warm-ups and first round
	// when they alone exceed it) instead of repetitions.
	timed bool
	total int64 // the bar's total as set at Start
}

func (b *barProgress) eta(st decor.Statistics) string {
	if st.Completed {
		return "0s"
	}
	spent := time.Since(b.start)
	left := b.estimate - spent
	if left <= 0 && st.Current > 0 && !b.timed {
		left = time.Duration(float64(spent) / float64(st.Current) * float64(st.Total-st.Current))
	}
	return max(left, 0).Round(time.Second).String()
}

// counter is the bar's count: "360/4824 reps", or for a timed bar "12s/45s".
func (b *barProgress) counter(st decor.Statistics) string {
	if b.timed {
		return fmt.Sprintf("%s/%s", (time.Duration(st.Current) * time.Millisecond).Round(time.Second),
			(time.Duration(st.Total) * time.Millisecond).Round(time.Second))
	}
	return fmt.Sprintf("%d/%d reps", st.Current, st.Total)
}

func (b *barProgress) Start(total int, estimate, budget time.Duration) {
	b.start, b.estimate = time.Now(), estimate
	b.timed = budget > 0
	if b.timed {
		total = max(int(estimate.Milliseconds()), 1)
	}
	b.total = int64(total)
	b.refresh = make(chan any)
	b.p = mpb.New(mpb.WithOutput(b.w), mpb.WithManualRefresh(b.refresh), mpb.WithWidth(40))
	b.bar = b.p.AddBar(int64(total),
		mpb.PrependDecorators(
			decor.Name("writebench ", decor.WC{}),
			decor.Any(b.counter, decor.WCSyncWidth),
		),
		mpb.AppendDecorators(
			decor.Percentage(decor.WC{W: 6}),
			decor.Any(func(st decor.Statistics) string { return " ETA " + b.eta(st) }),
			decor.Any(func(decor.Statistics) string { l, _ := b.label.Load().(string); return "  " + l }),
		),
	)
}

func (b *barProgress) Step(c *resultset.Cell, counted bool, err error) {
	b.label.Store(c.Key())
	if b.timed {
		// Short of the end until Done: the sweep may outrun its estimate.
		b.bar.SetCurrent(min(time.Since(b.start).Milliseconds(), b.total-1))
	} else {
		b.bar.Increment()
	}
	select {
	case b.refresh <- struct{}{}:
	default:
	}
}

// Done ends the bar: at 100% when the sweep ran to its end (all it had to
// run, however many repetitions or how much of the budget that was), where
// it stopped when it was interrupted.
func (b *barProgress) Done(complete bool) {
	if complete {
		if b.timed {
			// The sweep's time is the whole: a budget not used up
			// (every group decided early) ends the bar too.
			b.bar.SetCurrent(max(time.Since(b.start).Milliseconds(), b.bar.Current(), 1))
		}
		// Fewer repetitions than planned ran when cells failed or were
		// skipped, and an adaptive sweep may not use all its budget: what
		// ran was all there was to run.
		b.bar.SetTotal(-1, true) // total = current, complete
	}
	if !b.bar.Completed() {
		b.bar.Abort(false)
	}
	b.p.Wait()
}

// lineProgress prints one line per repetition when progress is asked for
// on a non-terminal: "[12/40] rep KEY ok", or for an adaptive sweep the
// time spent toward the budget, "[12.3s/45s] rep KEY ok".
type lineProgress struct {
	w           io.Writer
	total, done int
	start       time.Time
	estimate    time.Duration
	timed       bool
}

func (l *lineProgress) Start(total int, estimate, budget time.Duration) {
	l.total, l.start, l.estimate, l.timed = total, time.Now(), estimate, budget > 0
}

func (l *lineProgress) Step(c *resultset.Cell, counted bool, err error) {
	l.done++
	kind := "rep"
	if !counted {
		kind = "warmup"
	}
	status := "ok"
	if err != nil {
		status = "FAILED"
	}
	pos := fmt.Sprintf("%d/%d", l.done, l.total)
	if l.timed {
		pos = fmt.Sprintf("%s/%s", time.Since(l.start).Round(100*time.Millisecond), l.estimate.Round(time.Second))
	}
	fmt.Fprintf(l.w, "[%s] %s %s %s\n", pos, kind, c.Key(), status)
}

func (l *lineProgress) Done(complete bool) {
	if complete {
		fmt.Fprintf(l.w, "[done] %s in %s\n", textfmt.Plural(l.done, "repetition"), time.Since(l.start).Round(100*time.Millisecond))
	}
}
