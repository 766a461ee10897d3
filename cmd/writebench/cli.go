package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand: its one-line summary, its usage text and the
// function that runs it.
type command struct {
	summary string
	usage   string // shown by "help CMD" above the flag list; includes examples
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is filled by each subcommand's file (run.go, report.go, ...).
var commands = map[string]*command{}

// usageError is a bad flag, argument or input file: exit status 2, one line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// failedError means the command ran but something it measured or compared
// failed (a cell, a regression): exit status 1. The details were already
// printed.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

// errHelpShown means -h/--help printed the help: exit 0.
var errHelpShown = errors.New("help shown")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printTopHelp(stderr)
		return usagef("no command given (try: writebench run)")
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			c, ok := commands[args[1]]
			if !ok {
				return usagef("help: unknown command %q (known: %s)", args[1], strings.Join(commandNames(), ", "))
			}
			printCommandHelp(stdout, args[1], c, nil)
			return nil
		}
		printTopHelp(stdout)
		return nil
	case "-v", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		return usagef("unknown command %q (known: %s)", name, strings.Join(commandNames(), ", "))
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printTopHelp(w io.Writer) {
	fmt.Fprintln(w, "writebench: which way of writing files is fastest, and safe, on this disk for this workload?")
	fmt.Fprintln(w, "\nUsage: writebench COMMAND [flags]\n\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'writebench help COMMAND' for a command's flags and examples.")
	fmt.Fprintln(w, "Exit status: 0 ok, 1 a cell failed, a regression was found, the scratch directory was left or stdout failed, 2 usage error, 128+N ended by signal N (129 SIGHUP, 130 SIGINT, 141 closed pipe, 143 SIGTERM).")
}

func printCommandHelp(w io.Writer, name string, c *command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "writebench %s: %s\n\n%s\n", name, c.summary, strings.TrimSpace(c.usage))
	if fs == nil {
		fs = c.flags()
	}
	if fs != nil && fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// flags returns the command's flag set for help output, by asking its run
// function to print help into a buffer-free path: commands register a flag
// constructor through flagSets.
func (c *command) flags() *pflag.FlagSet {
	for n, cc := range commands {
		if cc == c {
			if mk, ok := flagSets[n]; ok {
				return mk()
			}
		}
	}
	return nil
}

// flagSets maps a command name to a constructor of its flag set (for help).
var flagSets = map[string]func() *pflag.FlagSet{}

// parseFlags parses args with fs; -h prints the command's help to stdout and
// returns errHelpShown; any other flag error becomes a usage error naming the
// command.
func parseFlags(name string, fs *pflag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(stdout, name, commands[name], fs)
			return errHelpShown
		}
		return usagef("%s: %v", name, err)
	}
	return nil
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var fe *failedError
	var ie *interruptedError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "writebench: "+ue.msg)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "writebench: "+ie.Error())
		return ie.exitCode()
	case errors.As(err, &fe):
		if fe.msg != "" {
			fmt.Fprintln(stderr, "writebench: "+fe.msg)
		}
		return 1
	default:
		fmt.Fprintln(stderr, "writebench: "+err.Error())
		return 1
	}
}
