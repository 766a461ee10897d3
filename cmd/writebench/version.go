package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/writebench/writebench"
)

// versionCmd prints the version.
func versionCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if helpRequested(args) {
		printCommandHelp(stdout, "version", commandNamed("version"), nil)
		return nil
	}
	if len(args) > 0 {
		return usagef("version: unexpected argument %q", args[0])
	}
	fmt.Fprintf(stdout, "writebench %s (%s, %s/%s)\n", writebench.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
