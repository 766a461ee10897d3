package writebench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
)

// Setting is one entry of a run's normalised configuration, which the
// ranks of an MPI run compare before any work: Field names a Config field
// or an axis as a ConfigError does ("repeat", "no_verify", "size"), Value
// is its value with defaults applied, in one canonical spelling.
type Setting struct{ Field, Value string }

// Identifier is implemented by a strategy whose behaviour depends on more
// than its name (an external program: its command, the files it runs,
// its timeouts). Identity returns all of it on one line, so the ranks of an
// MPI run can check that each runs the same thing under the name.
type Identifier interface {
	Identity() string
}

// RankError is a rank's refusal of the run, known to every rank: its own
// usage error, or a setting in which it differs from rank 0. Err is a
// *ConfigError when a field is at fault.
type RankError struct {
	Rank int
	Host string
	Err  error
}

func (e *RankError) Error() string {
	return fmt.Sprintf("rank %d (%s): %v", e.Rank, e.Host, e.Err)
}
func (e *RankError) Unwrap() error { return e.Err }

// settings returns cfg's normalised configuration (cfg with defaults
// applied and valid, cells its expansion). It holds every field that
// decides what is measured and how it is recorded: the build, the
// strategies (an Identifier's identity included), every axis's values, the
// repetitions and budget, the decision margins, verification and the
// checks. Not compared: Seed (rank 0's is used), Preset and Command (rank
// 0's are recorded), the outputs (rank 0 writes them), and Dir, which
// names each rank's own scratch place, unless SharedDir makes it one
// directory for all.
func (cfg *Config) settings(cells []cell) []Setting {
	s := []Setting{{"version", Version()}}
	s = append(s, Setting{"strategies", strings.Join(cfg.Strategies, ",")})
	for _, name := range cfg.Strategies {
		st, err := cfg.lookup(name)
		if err != nil {
			continue
		}
		if id, ok := st.(Identifier); ok {
			s = append(s, Setting{"exec", name + ": " + id.Identity()})
		}
	}
	// Every axis's values as expanded (defaults included), in table order.
	vals := map[string][]string{}
	for _, a := range resultset.Axes {
		seen := map[string]bool{}
		for _, c := range cells {
			v := a.Format(c.res)
			if !seen[v] {
				seen[v] = true
				vals[a.Name] = append(vals[a.Name], v)
			}
		}
		s = append(s, Setting{a.Name, strings.Join(vals[a.Name], ",")})
	}
	keys := make([]string, len(cells))
	for i, c := range cells {
		keys[i] = c.res.Key()
	}
	s = append(s,
		Setting{"cells", strings.Join(keys, " ")},
		Setting{"repeat", strconv.Itoa(cfg.Repeat)},
		Setting{"warmup", strconv.Itoa(max(cfg.Warmup, 0))},
		Setting{"budget", cfg.Budget.String()},
		Setting{"min_rounds", strconv.Itoa(cfg.MinRounds)},
		Setting{"precision", strconv.FormatFloat(cfg.Precision, 'g', -1, 64)},
		Setting{"tie", strconv.FormatFloat(cfg.Tie, 'g', -1, 64)},
		Setting{"min_sample", max(cfg.MinSample, 0).String()},
		Setting{"no_verify", strconv.FormatBool(cfg.NoVerify)},
		Setting{"drop_caches", strconv.FormatBool(cfg.DropCaches)},
		Setting{"no_space_check", strconv.FormatBool(cfg.NoSpaceCheck)},
		Setting{"memory_limit", strconv.FormatInt(max(cfg.MemoryLimit, -1), 10)},
		Setting{"shared_dir", strconv.FormatBool(cfg.SharedDir)},
	)
	if cfg.SharedDir {
		s = append(s, Setting{"dir", cfg.Dir})
	}
	return s
}

// encodeSettings is the canonical text of a configuration: one
// "field=value" line each, values quoted.
func encodeSettings(s []Setting) string {
	var b strings.Builder
	for _, kv := range s {
		b.WriteString(kv.Field + "=" + strconv.Quote(kv.Value) + "\n")
	}
	return b.String()
}

func decodeSettings(text string) []Setting {
	var s []Setting
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		k, v, _ := strings.Cut(line, "=")
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		s = append(s, Setting{k, v})
	}
	return s
}

// diffSettings returns the first setting in which mine differs from
// rank 0's (field, mine, theirs), ok false when none does.
func diffSettings(mine, root []Setting) (field, a, b string, ok bool) {
	theirs := map[string]string{}
	for _, kv := range root {
		theirs[kv.Field] = kv.Value
	}
	for _, kv := range mine {
		if v, found := theirs[kv.Field]; !found || v != kv.Value {
			return kv.Field, kv.Value, v, true
		}
		delete(theirs, kv.Field)
	}
	for _, kv := range root { // a setting rank 0 has and this rank lacks
		if _, left := theirs[kv.Field]; left {
			return kv.Field, "", kv.Value, true
		}
	}
	return "", "", "", false
}

// shorten keeps a differing value readable in a one-line message.
func shorten(v string) string {
	if len(v) > 120 {
		v = v[:117] + "..."
	}
	if v == "" {
		return "(none)"
	}
	return resultset.Printable(v)
}

// agreeConfig is the ranks' first exchange, before any work: every rank
// passes the error of its own validation (nil when valid) and its
// normalised configuration. When some rank failed, every rank returns a
// *RankError with the lowest such rank's error; otherwise rank 0's
// configuration is sent to every rank, each compares its own with it, and
// when any differs every rank returns a *RankError naming the lowest such
// rank, its host and the first differing field. With one rank it returns
// err unchanged.
func (g *group) agreeConfig(ctx context.Context, err error, mine []Setting) error {
	if !g.multi() {
		return err
	}
	if g.hosts == nil {
		hosts, cerr := g.c.Hostnames(ctx)
		if cerr != nil {
			return &collectiveError{cerr}
		}
		g.hosts = hosts
	}
	if e := g.anyRankError(ctx, err); e != nil {
		return e
	}
	text, cerr := g.c.BcastString(ctx, 0, encodeSettings(mine))
	if cerr != nil {
		return &collectiveError{cerr}
	}
	var differ error
	if field, a, b, ok := diffSettings(mine, decodeSettings(text)); ok {
		msg := fmt.Sprintf("%s here, %s on rank 0 (%s): every rank must be given the same flags, strategies and writer programs",
			shorten(a), shorten(b), g.host(0))
		if field == "version" {
			msg = fmt.Sprintf("writebench %s here, %s on rank 0 (%s): every rank must run the same build", shorten(a), shorten(b), g.host(0))
			field = ""
		}
		if field == "cells" {
			field = "" // the flags agree, the expansion does not: name no one flag
		}
		differ = &ConfigError{Field: field, Msg: msg}
	}
	return g.anyRankError(ctx, differ)
}

// anyRankError returns, on every rank, a *RankError holding the lowest
// failing rank's err (a *ConfigError keeps its field), nil when no rank
// failed.
func (g *group) anyRankError(ctx context.Context, err error) error {
	var mine error
	if err != nil {
		msg := "E" + err.Error()
		var ce *ConfigError
		if errors.As(err, &ce) {
			msg = "C" + ce.Field + "\x00" + ce.Msg
		}
		mine = errors.New(msg)
	}
	r, got, cerr := g.c.AnyError(ctx, mine)
	if cerr != nil {
		if err != nil {
			return fmt.Errorf("%w (and the other ranks could not be told: %v)", err, cerr)
		}
		return &collectiveError{cerr}
	}
	if r < 0 {
		return nil
	}
	var e error
	if rest, ok := strings.CutPrefix(got, "C"); ok {
		field, msg, _ := strings.Cut(rest, "\x00")
		e = &ConfigError{Field: field, Msg: msg}
	} else {
		e = errors.New(strings.TrimPrefix(got, "E"))
	}
	return &RankError{Rank: r, Host: g.host(r), Err: e}
}

// Agree is the ranks' agreement on a run, made before any work: every rank
// calls it with its Config and the error of its own checks of the command
// line (nil when it has none; Config.Validate is run here too), plus any
// settings of its own that must match (a command's --dry-run). It returns
// nil when every rank is valid and has the same normalised configuration,
// else the same *RankError on every rank, naming the lowest rank at fault,
// its host and its error or the first setting in which it differs from
// rank 0. It is collective: every rank must call it, once, before Run
// (which agrees again, so a program that does not call Agree is checked
// all the same). In a single process it returns err, or cfg's validation
// error.
func (j *Job) Agree(ctx context.Context, cfg Config, err error, extra ...Setting) error {
	g := &group{c: j.coord(), shared: cfg.SharedDir}
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
	return g.agreeConfig(ctx, err, mine)
}

// Abort ends every rank of the job with exit status code (MPI_Abort),
// for an error every rank knows of before any work: in an MPI job it does
// not return. In a single process it does nothing.
func (j *Job) Abort(code int) { j.coord().Abort(code) }
