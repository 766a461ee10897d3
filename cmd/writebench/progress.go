package main

import (
	"fmt"
	"io"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/writebench/writebench"
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

type barProgress struct {
	w       io.Writer
	p       *mpb.Progress
	bar     *mpb.Bar
	refresh chan any
	label   string
	// start and estimate give the ETA: the sweep's estimate (the same
	// figure --dry-run prints) minus the time spent, or, once the sweep has
	// outrun its estimate, the average time per repetition so far.
	start    time.Time
	estimate time.Duration
}

func (b *barProgress) eta(st decor.Statistics) string {
	spent := time.Since(b.start)
	left := b.estimate - spent
	if left <= 0 && st.Current > 0 {
		left = time.Duration(float64(spent) / float64(st.Current) * float64(st.Total-st.Current))
	}
	return max(left, 0).Round(time.Second).String()
}

func (b *barProgress) Start(total int, estimate time.Duration) {
	b.start, b.estimate = time.Now(), estimate
	b.refresh = make(chan any)
	b.p = mpb.New(mpb.WithOutput(b.w), mpb.WithManualRefresh(b.refresh), mpb.WithWidth(40))
	b.bar = b.p.AddBar(int64(total),
		mpb.PrependDecorators(
			decor.Name("writebench ", decor.WC{}),
			decor.CountersNoUnit("%d/%d reps", decor.WCSyncWidth),
		),
		mpb.AppendDecorators(
			decor.Percentage(decor.WC{W: 5}),
			decor.Any(func(st decor.Statistics) string { return " ETA " + b.eta(st) }),
			decor.Any(func(decor.Statistics) string { return "  " + b.label }),
		),
	)
}

func (b *barProgress) Step(c *resultset.Cell, counted bool, err error) {
	b.label = c.Key()
	b.bar.Increment()
	select {
	case b.refresh <- struct{}{}:
	default:
	}
}

func (b *barProgress) Done() {
	if !b.bar.Completed() {
		b.bar.Abort(false)
	}
	b.p.Wait()
}

type lineProgress struct {
	w           io.Writer
	total, done int
}

func (l *lineProgress) Start(total int, _ time.Duration) { l.total = total }
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
	fmt.Fprintf(l.w, "[%d/%d] %s %s %s\n", l.done, l.total, kind, c.Key(), status)
}
func (l *lineProgress) Done() {}
