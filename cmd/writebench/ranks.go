package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
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
		if ue := rankUsage(err); ue != nil {
			return ue
		}
		var ce *writebench.ConfigError
		if errors.As(err, &ce) && ce.Field != "" {
			return usagef("run: rank %d: %s", job.Rank(), flagText(ce))
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

// agreeRanks is the ranks' agreement before any work: every rank builds
// and checks its configuration from its own command line (perr is its
// flag-parsing error, if any), and writebench.Job.Agree tells every rank
// of the lowest rank at fault and the first setting in which a rank
// differs from rank 0. The error, the same on every rank, is a usage error
// naming the rank, its host and the flag; endJob then ends the job.
func agreeRanks(ctx context.Context, f *runFlags, args []string, job *writebench.Job, perr error) error {
	var cfg writebench.Config
	err := perr
	if err == nil {
		cfg, err = f.config(args)
	}
	var mine error
	if err != nil {
		// The rank's own usage error, without the command's prefix: the
		// message every rank prints names the rank first.
		mine = &writebench.ConfigError{Msg: textfmt.EscapeBraces(strings.TrimPrefix(err.Error(), "run: "))}
	}
	extra := []writebench.Setting{{Field: "dry_run", Value: strconv.FormatBool(f.dryRun)}}
	if err := writebench.Agree(ctx, job, cfg, mine, extra...); err != nil {
		if ue := rankUsage(err); ue != nil {
			return ue
		}
		return fmt.Errorf("run: rank %d: the ranks could not agree on the run: %w", job.Rank(), err)
	}
	return nil
}

// rankUsage turns a *writebench.RankError (a rank's usage error or a
// setting in which it differs, known to every rank) into the usage error
// every rank returns: "run: rank 1 (node7): --repeat: 5 here, 3 on rank 0
// (node1): ...". It returns nil for any other error.
func rankUsage(err error) error {
	var re *writebench.RankError
	if !errors.As(err, &re) {
		return nil
	}
	msg := re.Err.Error()
	var ce *writebench.ConfigError
	if errors.As(re.Err, &ce) {
		msg = flagText(ce)
	}
	return usagef("run: rank %d (%s): %s", re.Rank, resultset.Printable(re.Host), msg)
}

// abortGrace is how long a rank other than 0 waits for rank 0 to end the
// job after a usage error every rank knows, before it ends it itself.
const abortGrace = 5 * time.Second

// endJob ends this process's part in the job. In an MPI job a usage error
// (which the ranks agreed on: every rank has the same) is printed once, by
// rank 0, and ends every rank with exit status 2 through MPI_Abort, so no
// rank waits in MPI_Finalize for one that will never join it; a rank other
// than 0 waits abortGrace for rank 0 to do so, then prints it and aborts
// itself. Anything else finalizes MPI as usual.
func endJob(ctx context.Context, job *writebench.Job, err error, stderr io.Writer) error {
	var ue *usageError
	if job.Size() > 1 && errors.As(err, &ue) {
		if job.Rank() == 0 {
			fmt.Fprintln(stderr, "writebench: "+ue.msg)
			job.Abort(2)
		}
		select {
		case <-time.After(abortGrace):
			fmt.Fprintf(stderr, "writebench: rank %d: %s\n", job.Rank(), ue.msg)
		case <-ctx.Done(): // rank 0's abort reached this rank first
		}
		job.Abort(2)
	}
	if ferr := job.Finalize(); ferr != nil {
		fmt.Fprintf(stderr, "writebench: rank %d: %v\n", job.Rank(), ferr)
	}
	return err
}
