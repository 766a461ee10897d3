package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/writebench/writebench"
)

// runRank is run on ranks other than 0 of an MPI run (docs/mpi.md): the
// same sweep as rank 0, with nothing saved or printed but errors and
// warnings, each prefixed with the rank; rank 0 reports every cell.
func runRank(ctx context.Context, f *runFlags, args []string, job *writebench.Job, stderr io.Writer) error {
	cfg, err := f.config(args)
	if err != nil {
		return err
	}
	if f.dryRun {
		return nil // rank 0 prints the plan
	}
	cfg.Log = &rankLog{w: stderr, prefix: fmt.Sprintf("writebench: rank %d: ", job.Rank())}
	if _, err := writebench.Run(ctx, cfg); err != nil {
		if ie := interruption(ctx); ie != nil {
			return ie
		}
		// A usage error found by the ranks together (--shared-dir on a
		// --dir some rank cannot see) is one here too: exit 2, the flag named.
		var ce *writebench.ConfigError
		if errors.As(err, &ce) && ce.Field != "" {
			return usagef("run: rank %d: --%s: %s", job.Rank(), flagOf(ce.Field), ce.Msg)
		}
		return fmt.Errorf("rank %d: %w", job.Rank(), err)
	}
	return nil
}

// rankLog passes the runner's warnings through with a rank prefix and drops
// its notes (rank 0 gives them once for the run).
type rankLog struct {
	w      io.Writer
	prefix string
}

func (l *rankLog) Write(p []byte) (int, error) {
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) == 0 || bytes.HasPrefix(line, []byte("note:")) {
			continue
		}
		if _, err := fmt.Fprintf(l.w, "%s%s", l.prefix, line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
