package main

import (
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

// addExecFlags adds the flags of external strategies to run's flag set.
func addExecFlags(f *runFlags) {
	fs := f.fs
	fs.StringArrayVar(&f.exec, "exec", nil, "add a strategy run by another program: NAME=COMMAND or NAME[knob,...]=COMMAND (repeatable; see docs/protocol.md); name it in --strategies, or give no --strategies to run only these")
	fs.StringArrayVar(&f.execFile, "exec-file", nil, "read NAME=COMMAND lines from FILE (repeatable), e.g. scripts/python.exec")
	fs.DurationVar(&f.execTimeout, "exec-timeout", external.DefaultTimeout, "time limit of one repetition of an external strategy; a program that takes longer is killed and its cell fails")
}

// execStrategies returns the external strategies of --exec-file and
// --exec (in that order) followed by f.custom.
func (f *runFlags) execStrategies() ([]strategies.Strategy, error) {
	var execs []*external.Exec
	for _, path := range f.execFile {
		e, err := external.ParseExecFile(path)
		if err != nil {
			return nil, usagef("run: --exec-file: %v", err)
		}
		execs = append(execs, e...)
	}
	for _, def := range f.exec {
		e, err := external.ParseExec(def)
		if err != nil {
			return nil, usagef("run: --exec: %v", err)
		}
		execs = append(execs, e)
	}
	if f.execTimeout <= 0 {
		return nil, usagef("run: --exec-timeout: %v is not positive", f.execTimeout)
	}
	seen := map[string]bool{}
	for _, e := range execs {
		if seen[e.Name()] {
			return nil, usagef("run: external strategy %s is defined twice", e.Name())
		}
		if _, err := strategies.Lookup(e.Name()); err == nil {
			return nil, usagef("run: external strategy %s has the name of a built-in strategy; choose another name", e.Name())
		}
		seen[e.Name()] = true
		e.Timeout = f.execTimeout
	}
	return append(external.AsStrategies(execs), f.custom...), nil
}
