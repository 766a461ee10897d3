package ranks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
)

// Setting is one entry of a run's normalised configuration, which the
// ranks of an MPI run compare before any work: Field names a Config field
// or an axis as a ConfigError does ("repeat", "no_verify", "size"), Value
// is its value with defaults applied, in one canonical spelling. Field
// "version" is the build; "cells" the expanded cell keys.
type Setting struct{ Field, Value string }

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
	// A field may repeat (one "exec" setting per external writer): the
	// n-th occurrence of a field is compared with rank 0's n-th.
	type key struct {
		field string
		n     int
	}
	keys := func(s []Setting) []key {
		seen := map[string]int{}
		out := make([]key, len(s))
		for i, kv := range s {
			out[i] = key{kv.Field, seen[kv.Field]}
			seen[kv.Field]++
		}
		return out
	}
	theirs := map[key]string{}
	for i, k := range keys(root) {
		theirs[k] = root[i].Value
	}
	for i, k := range keys(mine) {
		if v, found := theirs[k]; !found || v != mine[i].Value {
			return k.field, mine[i].Value, v, true
		}
		delete(theirs, k)
	}
	for i, k := range keys(root) { // a setting rank 0 has and this rank lacks
		if _, left := theirs[k]; left {
			return k.field, "", root[i].Value, true
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
	return textfmt.EscapeBraces(resultset.Printable(v)) // ConfigError text
}

// AgreeConfig is the ranks' first exchange, before any work: every rank
// passes the error of its own validation (nil when valid; a *ConfigError
// keeps its field) and its normalised configuration. When some rank
// failed, every rank returns a *RankError with the lowest such rank's
// error; otherwise rank 0's configuration is sent to every rank, each
// compares its own with it, and when any differs every rank returns a
// *RankError naming the lowest such rank, its host and the first differing
// field. It also gathers the hosts. With one rank it returns err unchanged.
func (g *Group) AgreeConfig(ctx context.Context, err error, mine []Setting) error {
	if !g.Multi() {
		return err
	}
	if g.hosts == nil {
		hosts, cerr := g.c.Hostnames(ctx)
		if cerr != nil {
			return &CollectiveError{cerr}
		}
		g.hosts = hosts
	}
	if e := g.anyRankError(ctx, err); e != nil {
		return e
	}
	text, cerr := g.c.BcastString(ctx, 0, encodeSettings(mine))
	if cerr != nil {
		return &CollectiveError{cerr}
	}
	var differ error
	if field, a, b, ok := diffSettings(mine, decodeSettings(text)); ok {
		msg := fmt.Sprintf("%s here, %s on rank 0 (%s): every rank must be given the same flags, strategies and writer programs",
			shorten(a), shorten(b), g.host(0))
		switch field {
		case "version":
			msg = fmt.Sprintf("writebench %s here, %s on rank 0 (%s): every rank must run the same build", shorten(a), shorten(b), g.host(0))
			field = ""
		case "cells":
			field = "" // the flags agree, the expansion does not: name no one flag
		}
		differ = &ConfigError{Field: field, Msg: msg}
	}
	return g.anyRankError(ctx, differ)
}

// anyRankError returns, on every rank, a *RankError holding the lowest
// failing rank's err (a *ConfigError keeps its field), nil when no rank
// failed.
func (g *Group) anyRankError(ctx context.Context, err error) error {
	msg := ""
	if err != nil {
		msg = "E" + err.Error()
		var ce *ConfigError
		if errors.As(err, &ce) {
			msg = "C" + ce.Field + "\x00" + ce.Msg
		}
	}
	r, got, xerr := g.exchange(ctx, err, msg)
	if xerr != nil || r < 0 {
		return xerr
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

// Abort ends every rank of the job with exit status code (MPI_Abort), for
// an error every rank knows of before any work: in an MPI job it does not
// return. In a single process it does nothing.
func (j *Job) Abort(code int) { j.coord().Abort(code) }
