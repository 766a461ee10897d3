package writebench
import (
 _ "github.com/spf13/pflag"
 _ "github.com/olekukonko/tablewriter"
 _ "gonum.org/v1/plot"
 _ "golang.org/x/sys/unix"
 _ "golang.org/x/sync/semaphore"
 _ "golang.org/x/perf/benchfmt"
 _ "golang.org/x/perf/benchmath"
 _ "github.com/vbauerster/mpb/v8"
)

