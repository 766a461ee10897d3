// Command writebench measures which way of writing files is fastest, and
// safe, on this disk for this workload.
//
// It runs interchangeable write strategies (unbuffered, bufio, chunked, pool,
// semaphore, mmap) over a sweep of file counts and sizes, verifies every byte
// written, saves raw samples as a JSON result set, and renders saved sets as
// tables, Markdown, CSV, JSON, Go benchmark format and charts.
//
// Usage:
//
//	writebench run [flags]              run a sweep and save a result set
//	writebench list                     list the strategies
//	writebench report FILE... [flags]   render saved result sets
//	writebench compare BASE NEW [flags] compare two sets; exit 1 on a regression
//	writebench ab BASE NEW [flags]      A/B two builds or writer programs in one run
//	writebench worker [STRATEGY]        serve the strategies to another writebench (ab)
//	writebench version                  print the version
//	writebench help [command]           show help
//
// Exit status: 0 ok, 1 a cell failed or a regression was found, 2 usage
// error, 130 or 143 interrupted by SIGINT or SIGTERM.
package main

import (
	"context"
	"os"
)

func main() {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}
