package main

import (
	"context"
	"io"
	"os"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

const workerUsage = `Usage: writebench worker [STRATEGY]

Serves the built-in strategies over writebench's external-writer protocol
(docs/protocol.md) on standard input and output: it prints "ready", then
runs each "write" request with the strategy the request names (or with
STRATEGY, whatever the request names) and replies "ok", "error MESSAGE" or
"skip REASON", until its input ends.

A worker is what another writebench starts, never a command to type: it
lets two builds of writebench be two strategies of one run, which is how
'writebench ab' compares them.

Example:
  writebench run --exec 'chunked-old=/tmp/old/writebench worker chunked' --strategies chunked,chunked-old
  writebench ab /tmp/old/writebench ./writebench --strategies chunked   # the same, paired and judged`

// workerStdin is the worker's input (a variable for tests).
var workerStdin io.Reader = os.Stdin

func workerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		printCommandHelp(stdout, "worker", commandNamed("worker"), nil)
		return nil
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
	// Every request is checked against this process's memory and limits
	// before it runs: a request is input, and one that cannot fit is an
	// "error" reply, never a crash.
	check := func(s strategies.Strategy, r *external.Request) error {
		return writebench.CheckCell(s, r.Files, r.Size, r.Params)
	}
	err := external.ServeChecked(ctx, workerStdin, stdout, lookup, check, "writebench "+writebench.Version())
	if ctx.Err() != nil {
		if ie := interruption(ctx); ie != nil {
			return ie
		}
	}
	return err
}
