package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/timeline"
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

const workerUsage = `Usage: writebench worker [--timeline[=INTERVAL]] [--write-latency] [STRATEGY]

Serves the built-in strategies over writebench's external-writer protocol
(docs/protocol.md) on standard input and output: it prints "ready", then
runs each "write" request with the strategy the request names (or with
STRATEGY, whatever the request names) and replies "ok", "error MESSAGE" or
"skip REASON", until its input ends.

A worker is what another writebench starts, never a command to type: it
lets two builds of writebench be two strategies of one run, which is how
'writebench ab' compares them.

--timeline and --write-latency make the worker do, around every write it
serves, the work 'run --timeline' and 'run --write-latency' add to a
repetition (the written-bytes counter, the sampler goroutine reading
/proc/meminfo every INTERVAL, default 100ms; the two clock reads and the
histogram update of every write call), and discard what they record: so
'ab' can measure what the options cost, paired, against a plain worker.
Strategies that keep state per cell (uring) are served without them.

Example:
  writebench ab ./writebench './writebench worker --timeline --write-latency' --strategies chunked --files 1 --sizes 1GiB
  writebench run --exec 'chunked-old=/tmp/old/writebench worker chunked' --strategies chunked,chunked-old
  writebench ab /tmp/old/writebench ./writebench --strategies chunked   # the same, paired and judged`

// workerStdin is the worker's input (a variable for tests).
var workerStdin io.Reader = os.Stdin

func workerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		printCommandHelp(stdout, "worker", commandNamed("worker"), nil)
		return nil
	}
	var probe *strategies.Probe
	interval := time.Duration(0)
	for len(args) > 0 && strings.HasPrefix(args[0], "--") {
		name, val, hasVal := strings.Cut(args[0], "=")
		switch {
		case name == "--timeline":
			interval = writebench.DefaultTimelineInterval
			if hasVal {
				d, err := time.ParseDuration(val)
				if err != nil || d < writebench.MinTimelineInterval || d > time.Hour {
					return usagef("worker: --timeline: %q is not an interval from %v to 1h", val, writebench.MinTimelineInterval)
				}
				interval = d
			}
		case name == "--write-latency" && !hasVal:
			if probe == nil {
				probe = &strategies.Probe{}
			}
			probe.Latency = &strategies.LatencyHist{}
		default:
			return usagef("worker: unknown flag %q (known: --timeline[=INTERVAL], --write-latency)", args[0])
		}
		if probe == nil {
			probe = &strategies.Probe{}
		}
		args = args[1:]
	}
	if len(args) > 1 {
		return usagef("worker: unexpected argument %q (worker takes at most one, a strategy name)", args[1])
	}
	lookup := strategies.Lookup
	if len(args) == 1 {
		s, err := strategies.Lookup(args[0])
		if err != nil {
			return usagef("worker: %v", err)
		}
		lookup = func(string) (strategies.Strategy, error) { return s, nil }
	}
	if probe != nil {
		plain := lookup
		lookup = func(name string) (strategies.Strategy, error) {
			s, err := plain(name)
			if err != nil {
				return nil, err
			}
			return probed(s, probe, interval), nil
		}
	}
	// Every request is checked against this process's memory and limits
	// before it runs: a request is input, and one that cannot fit is an
	// "error" reply, never a crash.
	check := func(s strategies.Strategy, r *external.Request) error {
		if p, ok := s.(*probedStrategy); ok {
			s = p.Strategy // its capabilities (memory estimate) are the strategy's
		}
		err := writebench.CheckCell(s, r.Files, r.Size, r.Params)
		var ce *writebench.ConfigError
		if errors.As(err, &ce) {
			return errors.New(flagText(ce))
		}
		return err
	}
	err := external.ServeChecked(ctx, workerStdin, stdout, lookup, check, "writebench "+writebench.Version())
	if ctx.Err() != nil {
		if ie := interruption(ctx); ie != nil {
			return ie
		}
	}
	return err
}

// probedStrategy runs a strategy with a probe, and with a timeline sampler
// when interval is positive, around every write, as the runner does with
// --timeline and --write-latency; what they record is dropped.
type probedStrategy struct {
	strategies.Strategy
	probe   *strategies.Probe
	sampler *timeline.Sampler
}

// probed wraps s. A strategy with per-cell state (strategies.CellOpener)
// or shared-file records (strategies.RecordVerifier) is returned as it is:
// the worker serves it unprobed, or refuses it as it always does.
func probed(s strategies.Strategy, probe *strategies.Probe, interval time.Duration) strategies.Strategy {
	// Capabilities the server looks for must stay visible: a strategy
	// with per-cell state, or one whose records a worker refuses.
	if _, ok := s.(strategies.CellOpener); ok {
		return s
	}
	if _, ok := s.(strategies.RecordVerifier); ok {
		return s
	}
	p := &probedStrategy{Strategy: s, probe: probe}
	if interval > 0 {
		p.sampler = timeline.NewSampler(interval, probe, timeline.OpenMeminfo())
	}
	return p
}

func (p *probedStrategy) Write(ctx context.Context, b *strategies.Batch) error {
	p.probe.Reset()
	b.Probe = p.probe
	if p.sampler != nil {
		p.sampler.Start()
		t0 := time.Now()
		p.sampler.Mark(t0)
		defer func() { p.sampler.Finish(time.Since(t0)) }()
	}
	return p.Strategy.Write(ctx, b)
}
