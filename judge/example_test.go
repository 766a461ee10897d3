package judge_test

import (
	"fmt"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// Two strategies measured in the same 8 rounds: the per-round ratios say
// bufio ran at about 0.77× chunked's speed, every round, so chunked wins.
func ExampleVerdicts() {
	cell := func(strategy string, seconds ...float64) resultset.Cell {
		return resultset.Cell{Strategy: strategy, Files: 16, FileSize: 64 << 10, Sync: "none", Seconds: seconds}
	}
	set := &resultset.Set{Results: []resultset.Cell{
		cell("chunked", 1.00, 1.50, 0.98, 2.10, 1.02, 1.01, 0.99, 1.20),
		cell("bufio", 1.30, 1.96, 1.27, 2.71, 1.33, 1.31, 1.29, 1.57),
	}}
	for _, v := range judge.Verdicts(set, judge.Options{}) {
		fmt.Println(v.Group, v.Verdict, v.Fastest)
		for _, c := range v.Contenders {
			fmt.Printf("  %s: %.2f [%.2f, %.2f] %s\n", c.Label, c.Ratio, c.CILow, c.CIHigh, c.Verdict)
		}
	}
	// Output:
	// [{files 16} {size 64KiB} {sync none}] winner chunked
	//   chunked: 1.00 [1.00, 1.00] fastest
	//   bufio: 0.77 [0.76, 0.77] slower
}
