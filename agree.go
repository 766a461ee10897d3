package writebench

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/ranks"
	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/resultset"
)

// Setting is one entry of a run's normalised configuration, which the
// ranks of an MPI run compare before any work (see Agree).
type Setting = ranks.Setting

// RankError is a rank's refusal of the run, known to every rank: its own
// usage error, or a setting in which it differs from rank 0. Err is a
// *ConfigError when a field is at fault.
type RankError = ranks.RankError

// Identifier is implemented by a strategy whose behaviour depends on more
// than its name (an external program: its command, the files it runs,
// its timeouts). Identity returns all of it on one line, so the ranks of an
// MPI run can check that each runs the same thing under the name.
type Identifier interface {
	Identity() string
}

// settings returns cfg's normalised configuration (cfg with defaults
// applied and valid, cells its expansion). It holds every field that
// decides what is measured and how it is recorded: the build, the
// strategies (an Identifier's identity included), every axis's values, the
// repetitions and budget, the decision margins, verification and the
// checks. Not compared: Seed (rank 0's is used), Preset and Command (rank
// 0's are recorded), the outputs (rank 0 writes them), and Dir, which
// names each rank's own scratch place, unless SharedDir makes it one
// directory for all. Every field appears once, but "exec" (one per
// external writer).
func (cfg *Config) settings(cells []cell) []Setting {
	s := []Setting{{Field: "version", Value: Version()}}
	s = append(s, Setting{Field: "strategies", Value: strings.Join(cfg.Strategies, ",")})
	for _, name := range cfg.Strategies {
		st, err := cfg.lookup(name)
		if err != nil {
			continue
		}
		if id, ok := st.(Identifier); ok {
			s = append(s, Setting{Field: "exec", Value: name + ": " + id.Identity()})
		}
	}
	// Every axis's values as expanded (defaults included), in table order;
	// not the dir axis: it has values only in a run of several directories,
	// which MPI refuses, and the "dir" setting below is the directory.
	vals := map[string][]string{}
	for _, a := range resultset.Axes() {
		if a.Name == "dir" {
			continue
		}
		seen := map[string]bool{}
		for _, c := range cells {
			v := a.Format(c.res)
			if !seen[v] {
				seen[v] = true
				vals[a.Name] = append(vals[a.Name], v)
			}
		}
		s = append(s, Setting{Field: a.Name, Value: strings.Join(vals[a.Name], ",")})
	}
	keys := make([]string, len(cells))
	for i, c := range cells {
		keys[i] = c.res.Key()
	}
	s = append(s,
		Setting{Field: "cells", Value: strings.Join(keys, " ")},
		Setting{Field: "repeat", Value: strconv.Itoa(cfg.Repeat)},
		Setting{Field: "warmup", Value: strconv.Itoa(max(cfg.Warmup, 0))},
		Setting{Field: "budget", Value: cfg.Budget.String()},
		Setting{Field: "min_rounds", Value: strconv.Itoa(cfg.MinRounds)},
		Setting{Field: "precision", Value: strconv.FormatFloat(cfg.Precision, 'g', -1, 64)},
		Setting{Field: "tie", Value: strconv.FormatFloat(cfg.Tie, 'g', -1, 64)},
		Setting{Field: "min_sample", Value: max(cfg.MinSample, 0).String()},
		Setting{Field: "no_verify", Value: strconv.FormatBool(cfg.NoVerify)},
		Setting{Field: "drop_caches", Value: strconv.FormatBool(cfg.DropCaches)},
		Setting{Field: "no_space_check", Value: strconv.FormatBool(cfg.NoSpaceCheck)},
		Setting{Field: "memory_limit", Value: strconv.FormatInt(max(cfg.MemoryLimit, -1), 10)},
		Setting{Field: "shared_dir", Value: strconv.FormatBool(cfg.SharedDir)},
	)
	if cfg.SharedDir {
		s = append(s, Setting{Field: "dir", Value: cfg.Dir})
	}
	return s
}

// ranksError is err for the ranks' exchange: a *ConfigError becomes the
// *ranks.ConfigError the other ranks receive with its field.
func ranksError(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return &ranks.ConfigError{Field: ce.Field, Msg: ce.Msg}
	}
	return err
}

// rankError is the ranks' verdict as the runner returns it: a *RankError
// whose Err is this package's *ConfigError when a field is at fault, and
// any other error as configError returns it.
func rankError(err error) error {
	var re *RankError
	if errors.As(err, &re) {
		var ce *ranks.ConfigError
		if errors.As(re.Err, &ce) {
			return &RankError{Rank: re.Rank, Host: re.Host, Err: &ConfigError{Field: ce.Field, Msg: ce.Msg}}
		}
		return err
	}
	return configError(err)
}

// Agree is the ranks' agreement on a run, made before any work: every rank
// of job calls it with its Config and the error of its own checks of the
// command line (nil when it has none; Config.Validate is run here too),
// plus any settings of its own that must match (a command's --dry-run).
// Job.Abort ends the job after a refusal. It returns
// nil when every rank is valid and has the same normalised configuration,
// else the same *RankError on every rank, naming the lowest rank at fault,
// its host and its error or the first setting in which it differs from
// rank 0. It is collective: every rank must call it, once, before Run
// (which agrees again, so a program that does not call Agree is checked
// all the same). In a single process it returns err, or cfg's validation
// error.
func Agree(ctx context.Context, j *Job, cfg Config, err error, extra ...Setting) error {
	g := ranks.NewGroup(j)
	g.Shared = cfg.SharedDir
	var mine []Setting
	if err == nil {
		c := cfg.withDefaults()
		cells, cerr := c.check()
		if cerr != nil {
			err = cerr
		} else {
			mine = append(c.settings(cells), extra...)
		}
	}
	return rankError(g.AgreeConfig(ctx, ranksError(err), mine))
}

// Job is this process's place in a writebench run: one process by default;
// in a build with -tags mpi started by an MPI launcher (mpirun, srun), one
// rank of several that all run the same sweep, each timing its own work,
// with rank 0 choosing the seed and collecting one result set. Pass it in
// Config.Job; a nil *Job is a single process. Its methods are Rank, Size
// and Finalize.
type Job = ranks.Job

// StartJob joins the run this process was started in. Without a launcher it
// returns a single-process Job. Under a launcher that started more than one
// rank, the mpi build initialises MPI (call Finalize before exiting), and
// the default build refuses with a *ConfigError naming the launcher variable
// and the build tag, rather than let every rank run the whole sweep unaware
// of the others.
func StartJob() (*Job, error) {
	j, err := ranks.StartJob()
	return j, configError(err)
}

// MPIBuild reports whether this binary was built with -tags mpi (and cgo).
const MPIBuild = ranks.MPIBuild

// ScratchPrefix starts the name of every scratch directory writebench makes
// under Config.Dir; writebench creates and removes entries only inside one.
const ScratchPrefix = scratch.Prefix
