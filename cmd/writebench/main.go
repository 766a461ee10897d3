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
// Exit status: 0 ok, 1 a cell failed, a regression was found, the scratch
// directory could not be removed or stdout could not be written, 2 usage
// error (nothing was written), 3 compare was inconclusive (no cell could
// have shown a regression), 128+N ended by signal N (129 SIGHUP, 130
// SIGINT, 131 SIGQUIT, 134 SIGABRT, 141 a closed pipe on stdout or stderr,
// 143 SIGTERM).
package main

import "os"

func main() {
	os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr))
}
