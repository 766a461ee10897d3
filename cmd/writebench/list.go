package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/strategies"
)

func listCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if helpRequested(args) {
		printCommandHelp(stdout, "list", commandNamed("list"), nil)
		return nil
	}
	if len(args) > 0 {
		return usagef("list: unexpected argument %q", args[0])
	}
	fmt.Fprintln(stdout, "Strategies:")
	for _, s := range strategies.All() {
		knobs := ""
		if k := s.Knobs(); len(k) > 0 {
			knobs = " [" + strings.Join(k, ", ") + "]"
		}
		fmt.Fprintf(stdout, "  %-11s %s%s\n", s.Name(), textfmt.FieldRefs(s.Describe(), flagRef), knobs)
	}
	fmt.Fprintln(stdout, "\nPresets (--preset):")
	for _, n := range presetNames() {
		fmt.Fprintf(stdout, "  %-11s %s\n", n, presets[n].Description)
	}
	return nil
}
