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
		usage:   "Usage: writebench version",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			if len(args) > 0 {
				return usagef("version: unexpected argument %q", args[0])
			}
			fmt.Fprintf(stdout, "writebench %s (%s, %s/%s)\n", writebench.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
