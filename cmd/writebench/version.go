package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/writebench/writebench"
)

func init() {
	commands["version"] = &command{
		summary: "print writebench's version and the Go toolchain it was built with",
		usage:   "Usage: writebench version\n\nPrints the version (from the module's build information), the Go toolchain and GOOS/GOARCH.\n\nExample:\n  writebench version",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			if helpRequested(args) {
				printCommandHelp(stdout, "version", commands["version"], nil)
				return nil
			}
			if len(args) > 0 {
				return usagef("version: unexpected argument %q", args[0])
			}
			fmt.Fprintf(stdout, "writebench %s (%s, %s/%s)\n", writebench.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
