package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/writebench/writebench/scripts"
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

// addExecFlags adds the flags of external strategies to run's flag set.
func addExecFlags(f *runFlags) {
	fs := f.fs
	fs.StringArrayVar(&f.exec, "exec", nil, "add a strategy run by another program: NAME=COMMAND or NAME[knob,...]=COMMAND (repeatable; see docs/protocol.md); name it in --strategies, or give no --strategies to run only these. NAME: "+external.NameRule)
	fs.StringArrayVar(&f.execFile, "exec-file", nil, "read NAME=COMMAND lines from FILE (repeatable), e.g. scripts/python.exec; FILE must be a regular file of at most 64KiB, owned by you or root, writable by nobody else")
	fs.DurationVar(&f.execTimeout, "exec-timeout", external.DefaultTimeout, "time limit of one repetition of an external strategy, and of the verification of its files; a program that takes longer is killed and its cell fails")
	fs.DurationVar(&f.execStartTimeout, "exec-start-timeout", external.DefaultStartTimeout, "time limit of an external strategy's start-up (until its ready line); a program that takes longer is killed and its cell fails")
}

// execStrategies returns the external strategies of --exec-file and
// --exec (in that order), or the writers built in for the preset (preset
// is its Writers field) when neither is given, followed by f.custom. user
// lists the names of the strategies --exec and --exec-file declared.
func (f *runFlags) execStrategies(preset string) (all []strategies.Strategy, user []string, err error) {
	if f.execTimeout <= 0 {
		return nil, nil, usagef("run: --exec-timeout: %v is not positive", f.execTimeout)
	}
	if f.execStartTimeout <= 0 {
		return nil, nil, usagef("run: --exec-start-timeout: %v is not positive", f.execStartTimeout)
	}
	var execs []*external.Exec
	for _, path := range f.execFile {
		e, err := external.ParseExecFile(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = fmt.Errorf("%s: %v", pe.Path, pe.Err)
			}
			return nil, nil, usagef("run: --exec-file: %v", err)
		}
		execs = append(execs, e...)
	}
	for _, def := range f.exec {
		e, err := external.ParseExec(def)
		if err != nil {
			return nil, nil, usagef("run: --exec: %v", err)
		}
		execs = append(execs, e)
	}
	for _, e := range execs {
		user = append(user, e.Name())
	}
	if len(f.execFile) == 0 && preset == "python" {
		// Built in and run from copies in the scratch directory: nothing
		// of the current directory is read or run.
		builtin, err := external.ParseExecFS(scripts.Python, scripts.PythonExec)
		if err != nil {
			return nil, nil, fmt.Errorf("run: the built-in Python writers: %w", err)
		}
		for _, e := range builtin {
			e.Sources, e.SourcesDir = scripts.Python, scripts.PythonDir
		}
		execs = append(execs, builtin...)
	}
	seen := map[string]bool{}
	for _, e := range execs {
		if seen[e.Name()] {
			return nil, nil, usagef("run: external strategy %s is defined twice", e.Name())
		}
		if _, err := strategies.Lookup(e.Name()); err == nil {
			return nil, nil, usagef("run: external strategy %s has the name of a built-in strategy; choose another name", e.Name())
		}
		seen[e.Name()] = true
		e.Timeout = f.execTimeout
		e.StartTimeout = f.execStartTimeout
	}
	return append(external.AsStrategies(execs), f.custom...), user, nil
}
