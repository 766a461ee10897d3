package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
	"github.com/writebench/writebench/strategies"
)

// command is one subcommand: its name, one-line summary, usage text, the
// function that runs it and a constructor of its flag set (for help; nil
// when it has no flags). Each runs from its own file (run.go, report.go,
// ...).
type command struct {
	name    string
	summary string
	usage   string // shown by "help CMD" above the flag list; includes examples
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	flags   func() *pflag.FlagSet
}

// commandTable lists every subcommand, sorted by name. It is a function, not
// a variable, because the commands' own run functions look commands up (for
// their help text).
func commandTable() []*command {
	return []*command{
		{name: "ab", summary: "A/B two builds (or writer programs) in one interleaved run; exit 1 if NEW is slower",
			usage: abUsage, run: abCmd, flags: func() *pflag.FlagSet { f, _ := newABFlags(); return f.fs }},
		{name: "compare", summary: "compare two result sets; exit 1 on a significant regression",
			usage: compareUsage, run: runCompare, flags: func() *pflag.FlagSet {
				var c compareConfig
				var th string
				return compareFlags(&c, &th)
			}},
		{name: "list", summary: "list the strategies (and presets) with a one-line description",
			usage: "Usage: writebench list\n\nExample:\n  writebench list", run: listCmd},
		{name: "report", summary: "render saved result sets as tables, Markdown, CSV, JSON, benchfmt and charts",
			usage: reportUsage, run: runReport, flags: func() *pflag.FlagSet { return reportFlags(&reportConfig{}) }},
		{name: "run", summary: "run a sweep of write strategies and save the raw samples",
			usage: runUsage, run: runCmd, flags: func() *pflag.FlagSet { return newRunFlags().fs }},
		{name: "version", summary: "print writebench's version and the Go toolchain it was built with",
			usage: "Usage: writebench version\n\nPrints the version (from the module's build information), the Go toolchain and GOOS/GOARCH.\n\nExample:\n  writebench version",
			run:   versionCmd},
		{name: "worker", summary: "serve the built-in strategies over the external-writer protocol (for ab)",
			usage: workerUsage, run: workerCmd},
	}
}

// lookupCommand returns the subcommand named name.
func lookupCommand(name string) (*command, bool) {
	for _, c := range commandTable() {
		if c.name == name {
			return c, true
		}
	}
	return nil, false
}

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

// inconclusiveError means a comparison could not have failed: no cell
// could detect a change of the threshold's size (exit status
// exitInconclusive). The details were already printed.
type inconclusiveError struct{ msg string }

func (e *inconclusiveError) Error() string { return e.msg }

// exitInconclusive is compare's exit status when it found no regression but
// could not have found one either (every cell too noisy or without
// samples): neither a pass (0) nor a regression (1).
const exitInconclusive = 3

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
			topic := args[1]
			if topic == "-h" || topic == "--help" || topic == "help" {
				printTopHelp(stdout)
				return nil
			}
			c, ok := lookupCommand(topic)
			if !ok {
				return usagef("help: unknown command %q (known: %s)%s", topic, strings.Join(commandNames(), ", "), didYouMean(topic, commandNames()))
			}
			printCommandHelp(stdout, topic, c, nil)
			return nil
		}
		printTopHelp(stdout)
		return nil
	case "-v", "--version":
		name = "version"
	}
	c, ok := lookupCommand(name)
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("unknown flag %q before the command (usage: writebench COMMAND [flags]; known commands: %s)", name, strings.Join(commandNames(), ", "))
		}
		return usagef("unknown command %q (known: %s)%s", name, strings.Join(commandNames(), ", "), didYouMean(name, commandNames()))
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func commandNames() []string {
	var names []string
	for _, c := range commandTable() {
		names = append(names, c.name)
	}
	return names
}

func printTopHelp(w io.Writer) {
	fmt.Fprintln(w, "writebench: which way of writing files is fastest, and safe, on this disk for this workload?")
	fmt.Fprintln(w, "\nUsage: writebench COMMAND [flags]\n\nCommands:")
	for _, c := range commandTable() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'writebench help COMMAND' for a command's flags and examples.")
	fmt.Fprintln(w, "Exit status: 0 ok, 1 a cell failed, a regression was found, the scratch directory was left or stdout failed, 2 usage error, 128+N ended by signal N (129 SIGHUP, 130 SIGINT, 141 closed pipe, 143 SIGTERM).")
}

func printCommandHelp(w io.Writer, name string, c *command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "writebench %s: %s\n\n%s\n", name, c.summary, strings.TrimSpace(c.usage))
	if fs == nil && c.flags != nil {
		fs = c.flags()
	}
	if fs != nil && fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// parseFlags parses args with fs; -h prints the command's help to stdout and
// returns errHelpShown; any other flag error becomes a usage error naming the
// command.
func parseFlags(name string, fs *pflag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(stdout, name, commandNamed(name), fs)
			return errHelpShown
		}
		return usagef("%s: %s", name, flagErrorText(err, fs))
	}
	return nil
}

// flagErrorText is pflag's error on one line, with a did-you-mean for an
// unknown flag: "unknown flag: --strategy; did you mean --strategies?".
func flagErrorText(err error, fs *pflag.FlagSet) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	var names, shorts []string
	fs.VisitAll(func(f *pflag.Flag) {
		names = append(names, f.Name)
		if f.Shorthand != "" {
			shorts = append(shorts, f.Shorthand)
		}
	})
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		name, _, _ = strings.Cut(name, "=")
		if c := closestFlag(name, names); c != "" {
			return msg + "; did you mean --" + c + "?"
		}
		return msg + " (see 'writebench help " + fs.Name() + "')"
	}
	if sh, ok := strings.CutPrefix(msg, "unknown shorthand flag: "); ok {
		// "'s' in -s": a single dash before a long name is a common slip.
		if _, word, found := strings.Cut(sh, " in -"); found {
			if c := closestFlag(word, names); c != "" {
				return msg + "; did you mean --" + c + "?"
			}
		}
		return msg + " (see 'writebench help " + fs.Name() + "')"
	}
	return msg
}

// closestFlag is the flag name nearest to name: one it is a prefix or
// plural/singular of, else the closest by edit distance if plausible.
func closestFlag(name string, names []string) string {
	singular := func(w string) string {
		if stem, ok := strings.CutSuffix(w, "ies"); ok {
			return stem + "y"
		}
		return strings.TrimSuffix(w, "s")
	}
	for _, n := range names {
		if singular(n) == singular(name) {
			return n
		}
	}
	var prefixed []string
	for _, n := range names {
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return strategies.Closest(name, names)
}

// didYouMean is "; did you mean "x"?" for the candidate closest to s, or "".
func didYouMean(s string, candidates []string) string {
	if c := strategies.Closest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// helpRequested reports whether args is just -h or --help, for commands
// that take no flags.
func helpRequested(args []string) bool {
	return len(args) == 1 && (args[0] == "-h" || args[0] == "--help")
}

// formatElapsed formats a wall time for humans: "850ms" below a second
// (where "0.0s" would say nothing), "27.5s" below a minute, "3m05s" above.
func formatElapsed(sec float64) string {
	switch {
	case sec < 0.9995:
		return fmt.Sprintf("%.0fms", sec*1000)
	case sec < 59.95:
		return fmt.Sprintf("%.1fs", sec)
	}
	m := int(sec) / 60
	return fmt.Sprintf("%dm%02ds", m, int(sec)-60*m)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var fe *failedError
	var ie *interruptedError
	var ne *inconclusiveError
	switch {
	case errors.As(err, &ne):
		fmt.Fprintln(stderr, "writebench: "+ne.msg)
		return exitInconclusive
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "writebench: "+ue.msg)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "writebench: interrupted by "+ie.Error())
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

// commandNamed is the subcommand named name, which the caller knows exists.
func commandNamed(name string) *command {
	c, _ := lookupCommand(name)
	return c
}
