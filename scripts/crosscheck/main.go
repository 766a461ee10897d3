// Command crosscheck summarises the samples of scripts/fio-crosscheck.sh:
// for every case, the median throughput of writebench, fio and the bare
// loop, and the medians of their paired per-round ratios (writebench / loop,
// fio / loop, writebench / fio) with writebench's own interval for a median
// of paired ratios (stats.RatioInterval, at judge.DefaultConfidence).
//
// Input, on stdin, one sample per line (other lines are ignored):
//
//	case=buffered tool=wb round=3 seconds=0.1834 bytes=1073741824 user=0.001 sys=0.17 reported=0
//
// tool is wb, fio or loop; seconds is one timed pass, bytes what it wrote,
// user and sys (optional) the CPU seconds of the pass, reported (optional)
// the KiB of free memory the VM's free page reporting returned to the host
// while the tool ran (both its passes). Output: Markdown tables on stdout,
// one row per case in the order the cases first appear: throughputs and
// ratios, the median CPU seconds per pass, and, when samples carry
// reported, how many runs of each tool saw memory returned to the host
// (such a run's kept pass may have written into memory the host had to
// fault in again). Throughput
// is in MB/s (10^6 bytes per second); a ratio above 1 means the first tool
// moved more bytes per second in the same round.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/stats"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crosscheck:", err)
		os.Exit(1)
	}
}

// caseSamples holds one case's throughputs (bytes/s) and CPU seconds by
// tool and round.
type caseSamples struct {
	name      string
	tput      map[string]map[int]float64
	user, sys map[string][]float64
	// reported counts, by tool, the runs that carried reported= and
	// those of them during which memory was returned to the host.
	reported map[string]*[2]int
}

// tools are the columns, in order.
var tools = []string{"wb", "fio", "loop"}

// parse reads the sample lines of r.
func parse(r io.Reader) ([]*caseSamples, error) {
	var cases []*caseSamples
	byName := map[string]*caseSamples{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		kv := map[string]string{}
		for _, f := range strings.Fields(sc.Text()) {
			if k, v, ok := strings.Cut(f, "="); ok {
				kv[k] = v
			}
		}
		if kv["case"] == "" || kv["tool"] == "" {
			continue
		}
		round, err1 := strconv.Atoi(kv["round"])
		secs, err2 := strconv.ParseFloat(kv["seconds"], 64)
		bytes, err3 := strconv.ParseFloat(kv["bytes"], 64)
		if err := errors.Join(err1, err2, err3); err != nil || !(secs > 0) || !(bytes > 0) {
			return nil, fmt.Errorf("line %d: want round=N seconds=S bytes=B with S, B > 0: %q", line, sc.Text())
		}
		c := byName[kv["case"]]
		if c == nil {
			c = &caseSamples{name: kv["case"], tput: map[string]map[int]float64{},
				user: map[string][]float64{}, sys: map[string][]float64{}, reported: map[string]*[2]int{}}
			byName[c.name] = c
			cases = append(cases, c)
		}
		if c.tput[kv["tool"]] == nil {
			c.tput[kv["tool"]] = map[int]float64{}
		}
		c.tput[kv["tool"]][round] = bytes / secs
		if u, err := strconv.ParseFloat(kv["user"], 64); err == nil {
			c.user[kv["tool"]] = append(c.user[kv["tool"]], u)
		}
		if v, err := strconv.ParseFloat(kv["sys"], 64); err == nil {
			c.sys[kv["tool"]] = append(c.sys[kv["tool"]], v)
		}
		if v, err := strconv.ParseInt(kv["reported"], 10, 64); err == nil {
			n := c.reported[kv["tool"]]
			if n == nil {
				n = &[2]int{}
				c.reported[kv["tool"]] = n
			}
			n[0]++
			if v > 0 {
				n[1]++
			}
		}
	}
	return cases, sc.Err()
}

// pairedRatios returns a/b of every round both tools have, in round order.
func (c *caseSamples) pairedRatios(a, b string) []float64 {
	var rounds []int
	for k := range c.tput[a] {
		if _, ok := c.tput[b][k]; ok {
			rounds = append(rounds, k)
		}
	}
	sort.Ints(rounds)
	rs := make([]float64, len(rounds))
	for i, k := range rounds {
		rs[i] = c.tput[a][k] / c.tput[b][k]
	}
	return rs
}

// medianMBs is the median throughput of tool in MB/s, or "–".
func (c *caseSamples) medianMBs(tool string) string {
	var xs []float64
	for _, v := range c.tput[tool] {
		xs = append(xs, v)
	}
	if len(xs) == 0 {
		return "–"
	}
	m := stats.Median(xs) / 1e6
	if m < 100 {
		return fmt.Sprintf("%.1f", m)
	}
	return fmt.Sprintf("%.0f", m)
}

// ratioCell formats the median of the paired ratios a/b with its interval.
func (c *caseSamples) ratioCell(a, b string) string {
	rs := c.pairedRatios(a, b)
	if len(rs) == 0 {
		return "–"
	}
	est, lo, hi, ok := stats.RatioInterval(rs, judge.DefaultConfidence)
	if math.IsNaN(est) {
		return "invalid"
	}
	if !ok {
		return fmt.Sprintf("%.2f (%d rounds; an interval needs %d)", est, len(rs), stats.MinPairs(judge.DefaultConfidence))
	}
	return fmt.Sprintf("%.2f [%.2f, %.2f]", est, lo, hi)
}

// cpuCell formats tool's median user and system CPU seconds per pass.
func (c *caseSamples) cpuCell(tool string) string {
	if len(c.user[tool]) == 0 || len(c.sys[tool]) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f + %.3f", stats.Median(c.user[tool]), stats.Median(c.sys[tool]))
}

// reportedCell formats how many of tool's runs saw memory returned to the
// host, of the runs that say.
func (c *caseSamples) reportedCell(tool string) string {
	n := c.reported[tool]
	if n == nil {
		return "–"
	}
	return fmt.Sprintf("%d of %d", n[1], n[0])
}

func run(r io.Reader, w io.Writer) error {
	cases, err := parse(r)
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return errors.New("no samples on stdin (lines like: case=NAME tool=wb round=1 seconds=S bytes=B)")
	}
	conf := judge.DefaultConfidence * 100
	fmt.Fprintf(w, "| case | writebench MB/s | fio MB/s | bare loop MB/s | writebench / loop | fio / loop | writebench / fio |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range cases {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", c.name,
			c.medianMBs(tools[0]), c.medianMBs(tools[1]), c.medianMBs(tools[2]),
			c.ratioCell("wb", "loop"), c.ratioCell("fio", "loop"), c.ratioCell("wb", "fio"))
	}
	fmt.Fprintf(w, "\nCPU seconds per pass, user + system (medians):\n\n")
	fmt.Fprintf(w, "| case | writebench | fio | bare loop |\n|---|---:|---:|---:|\n")
	for _, c := range cases {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c.name, c.cpuCell("wb"), c.cpuCell("fio"), c.cpuCell("loop"))
	}
	if slices.ContainsFunc(cases, func(c *caseSamples) bool { return len(c.reported) > 0 }) {
		fmt.Fprintf(w, "\nRuns during which free page reporting returned memory to the host (their kept pass may have "+
			"written into memory the host had to fault in again):\n\n")
		fmt.Fprintf(w, "| case | writebench | fio | bare loop |\n|---|---:|---:|---:|\n")
		for _, c := range cases {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c.name, c.reportedCell("wb"), c.reportedCell("fio"), c.reportedCell("loop"))
		}
	}
	fmt.Fprintf(w, "\nThroughputs are medians over rounds; each ratio is the median of the per-round ratios of the two tools "+
		"with its %g%% sign-test interval (stats.RatioInterval).\n", conf)
	return nil
}
