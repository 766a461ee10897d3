package report

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// cmpJitter is a fixed, deterministic noise pattern (±2%) applied to the
// synthetic samples.
var cmpJitter = []float64{1.000, 1.012, 0.991, 1.020, 0.983, 1.006, 0.996, 1.015, 0.988, 1.003, 0.980, 1.009}

// cmpSamples returns n samples around median v with cmpJitter.
func cmpSamples(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v * cmpJitter[i%len(cmpJitter)]
	}
	return out
}

// cmpCell builds a successful cell with the given seconds samples and
// plausible other arrays of the same length.
func cmpCell(strategy string, files int, size int64, seconds []float64) resultset.Cell {
	n := len(seconds)
	c := resultset.Cell{Strategy: strategy, Files: files, FileSize: size, Sync: "none", Seconds: seconds, Verified: true}
	for i := 0; i < n; i++ {
		c.WriteSyscalls = append(c.WriteSyscalls, int64(files*4))
		c.StorageBytes = append(c.StorageBytes, 0)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, seconds[i]/4)
		c.SysSeconds = append(c.SysSeconds, seconds[i]/2)
		c.Allocs = append(c.Allocs, uint64(files))
		c.AllocBytes = append(c.AllocBytes, uint64(files)*64)
	}
	if strategy == "bufio" {
		c.Buffer = 64 << 10
		c.Record = 4 << 10
	}
	if strategy == "pool" {
		c.Concurrency = 4
		c.PerFile = "chunked"
	}
	return c
}

func cmpEnv() resultset.Env {
	return resultset.Env{GOOS: "linux", GOARCH: "amd64", Kernel: "6.1.0", CPU: "Test CPU", Cores: 2, Hostname: "ci-1",
		Dir: "/tmp", FSType: "ext4", Device: "/dev/vda1", MountOptions: "rw,relatime", Repeat: 8}
}

// cmpSet builds a set with three cells whose medians are scaled by the
// factors (one per cell), n samples each.
func cmpSet(n int, factors [3]float64) *resultset.Set {
	return &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Env: cmpEnv(), Complete: true, Results: []resultset.Cell{
		cmpCell("bufio", 16, 64<<10, cmpSamples(0.010*factors[0], n)),
		cmpCell("pool", 16, 64<<10, cmpSamples(0.004*factors[1], n)),
		cmpCell("unbuffered", 1, 1<<20, cmpSamples(0.002*factors[2], n)),
	}}
}

func mustCompare(t *testing.T, base, new *resultset.Set, opt judge.Options) *judge.Comparison {
	t.Helper()
	if opt.Threshold == 0 {
		opt.Threshold = judge.DefaultCompareThreshold
	}
	c, err := judge.Compare(base, new, opt)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	return c
}

func verdicts(c *judge.Comparison) map[string]judge.CompareVerdict {
	m := map[string]judge.CompareVerdict{}
	for _, cc := range c.Cells {
		m[cc.Base.Strategy] = cc.Verdict
	}
	return m
}

func tableText(t *testing.T, c *judge.Comparison, markdown bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteComparison(&b, c, markdown); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	return b.String()
}

func TestCompareVerdicts(t *testing.T) {
	one := [3]float64{1, 1, 1}
	tests := []struct {
		name        string
		n           int
		new         [3]float64
		want        map[string]judge.CompareVerdict
		regressions []string // strategies
	}{
		{"same set", 8, one, map[string]judge.CompareVerdict{"bufio": judge.VerdictUnchanged, "pool": judge.VerdictUnchanged, "unbuffered": judge.VerdictUnchanged}, nil},
		{"one cell 1.5x slower", 8, [3]float64{1, 1.5, 1}, map[string]judge.CompareVerdict{"bufio": judge.VerdictUnchanged, "pool": judge.VerdictRegression, "unbuffered": judge.VerdictUnchanged}, []string{"pool"}},
		{"1% slower everywhere", 8, [3]float64{1.01, 1.01, 1.01}, nil, nil},
		{"one cell 2x faster", 8, [3]float64{0.5, 1, 1}, map[string]judge.CompareVerdict{"bufio": judge.VerdictImprovement, "pool": judge.VerdictUnchanged, "unbuffered": judge.VerdictUnchanged}, nil},
		{"too few samples, 2x slower", 3, [3]float64{2, 2, 2}, map[string]judge.CompareVerdict{"bufio": judge.VerdictTooFewSamples, "pool": judge.VerdictTooFewSamples, "unbuffered": judge.VerdictTooFewSamples}, nil},
		// 5+5 is the fewest that survives the Holm correction over 3 cells
		// (smallest p 0.0079 x 3 < 0.05); 4+4 is in TestCompareHolm.
		{"5 samples, 2x slower", 5, [3]float64{2, 1, 1}, map[string]judge.CompareVerdict{"bufio": judge.VerdictRegression}, []string{"bufio"}},
		{"12 samples, 10% slower", 12, [3]float64{1, 1, 1.10}, map[string]judge.CompareVerdict{"unbuffered": judge.VerdictRegression}, []string{"unbuffered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompare(t, cmpSet(tt.n, one), cmpSet(tt.n, tt.new), judge.Options{})
			got := verdicts(c)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: verdict %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			var regs []string
			for _, cc := range c.Regressions() {
				regs = append(regs, cc.Base.Strategy)
			}
			if strings.Join(regs, ",") != strings.Join(tt.regressions, ",") {
				t.Errorf("regressions %v, want %v", regs, tt.regressions)
			}
			out := tableText(t, c, false)
			for _, cc := range c.Regressions() {
				if !strings.Contains(out, "regression: "+cc.Key+": seconds ") {
					t.Errorf("output does not name regression %s on its own line:\n%s", cc.Key, out)
				}
			}
			// Without a verdict in any cell the comparison could not
			// have failed: it says so instead of passing.
			inconclusive := len(tt.want) > 0
			for _, v := range tt.want {
				inconclusive = inconclusive && v == judge.VerdictTooFewSamples
			}
			if c.Inconclusive() != inconclusive {
				t.Errorf("Inconclusive() = %v, want %v", c.Inconclusive(), inconclusive)
			}
			switch {
			case len(tt.regressions) > 0:
			case inconclusive && !strings.Contains(out, "result: INCONCLUSIVE (no cell could detect a change of 5%)"):
				t.Errorf("output lacks result: INCONCLUSIVE:\n%s", out)
			case !inconclusive && !strings.Contains(out, "result: PASS"):
				t.Errorf("output lacks result: PASS:\n%s", out)
			}
			if len(tt.regressions) > 0 && !strings.Contains(out, "result: FAIL") {
				t.Errorf("output lacks result: FAIL:\n%s", out)
			}
		})
	}
}

func TestCompareFigures(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(8, [3]float64{1, 1.5, 0.5})
	c := mustCompare(t, base, new, judge.Options{})
	pool, unb := c.Cells[1], c.Cells[2]
	if math.Abs(pool.Change-0.5) > 1e-9 {
		t.Errorf("pool change %v, want +0.5 (ratio of medians)", pool.Change)
	}
	if !(pool.ChangeLo < 0.5 && pool.ChangeHi > 0.5 && pool.ChangeLo > 0.4 && pool.ChangeHi < 0.6) {
		t.Errorf("pool change CI [%v, %v] should contain 0.5 and be within ±10 points", pool.ChangeLo, pool.ChangeHi)
	}
	if pool.Confidence < judge.DefaultConfidence {
		t.Errorf("pool CI confidence %v < %v", pool.Confidence, judge.DefaultConfidence)
	}
	if !(pool.P < 0.001) {
		t.Errorf("pool p = %v, want < 0.001 for fully separated 8+8 samples", pool.P)
	}
	if math.Abs(pool.BaseMedian-0.004) > 0.0001 || math.Abs(pool.NewMedian-0.006) > 0.0001 {
		t.Errorf("pool medians %v, %v, want about 4ms and 6ms", pool.BaseMedian, pool.NewMedian)
	}
	if unb.Verdict != judge.VerdictImprovement || math.Abs(unb.Change+0.5) > 1e-9 {
		t.Errorf("unbuffered: %v %v, want improvement -50%%", unb.Verdict, unb.Change)
	}
	out := tableText(t, c, false)
	for _, want := range []string{
		"regression: strategy=pool/files=16/size=64KiB/concurrency=4/per_file=chunked/sync=none: seconds 4.01ms -> 6.02ms, +50.0% [",
		"improvement: strategy=unbuffered/files=1/size=1MiB/sync=none: seconds 2.01ms -> 1.00ms, -50.0% [",
		"REGRESSION", "+50.0%", "-50.0%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCompareSameSetIsExactlyUnchanged(t *testing.T) {
	s := cmpSet(8, [3]float64{1, 1, 1})
	c := mustCompare(t, s, s, judge.Options{})
	for _, cc := range c.Cells {
		if cc.Change != 0 || cc.P != 1 || cc.Verdict != judge.VerdictUnchanged {
			t.Errorf("%s: change %v p %v verdict %v, want 0, 1, ~", cc.Key, cc.Change, cc.P, cc.Verdict)
		}
	}
	if len(c.Warnings) != 0 || len(c.OnlyBase)+len(c.OnlyNew) != 0 {
		t.Errorf("unexpected warnings %v or unmatched cells %v %v", c.Warnings, c.OnlyBase, c.OnlyNew)
	}
}

func TestCompareMissingCells(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(8, [3]float64{1, 1, 1})
	base.Results = append(base.Results, cmpCell("chunked", 4, 4<<10, cmpSamples(0.001, 8)))
	new.Results = new.Results[1:] // drop bufio
	new.Results = append(new.Results, cmpCell("mmap", 4, 4<<10, cmpSamples(0.001, 8)))
	c := mustCompare(t, base, new, judge.Options{})
	wantBase := []string{"strategy=bufio/files=16/size=64KiB/record=4KiB/buffer=64KiB/sync=none", "strategy=chunked/files=4/size=4KiB/sync=none"}
	wantNew := []string{"strategy=mmap/files=4/size=4KiB/sync=none"}
	if strings.Join(c.OnlyBase, " ") != strings.Join(wantBase, " ") || strings.Join(c.OnlyNew, " ") != strings.Join(wantNew, " ") {
		t.Errorf("only base %v, only new %v; want %v, %v", c.OnlyBase, c.OnlyNew, wantBase, wantNew)
	}
	if len(c.Cells) != 2 || len(c.Regressions()) != 0 {
		t.Errorf("%d matched cells, %d regressions; want 2, 0", len(c.Cells), len(c.Regressions()))
	}
	out := tableText(t, c, false)
	for _, k := range wantBase {
		if !strings.Contains(out, "only in base: "+k+"\n") {
			t.Errorf("output does not list %s as only in base:\n%s", k, out)
		}
	}
	if !strings.Contains(out, "only in new: "+wantNew[0]+"\n") {
		t.Errorf("output does not list %s as only in new:\n%s", wantNew[0], out)
	}
}

func TestCompareParametersMatter(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(8, [3]float64{1, 1, 1})
	new.Results[1].Concurrency = 8 // same strategy, files and size; another parameter
	c := mustCompare(t, base, new, judge.Options{})
	if len(c.OnlyBase) != 1 || len(c.OnlyNew) != 1 || !strings.Contains(c.OnlyNew[0], "concurrency=8") {
		t.Errorf("cells differing in concurrency were matched: only base %v, only new %v", c.OnlyBase, c.OnlyNew)
	}
}

func TestCompareTooFewSamplesWarns(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(3, [3]float64{3, 1, 1})
	c := mustCompare(t, base, new, judge.Options{})
	if len(c.Regressions()) != 0 || len(c.Undecided()) != 3 {
		t.Fatalf("regressions %d, undecided %d; want 0, 3", len(c.Regressions()), len(c.Undecided()))
	}
	out := tableText(t, c, false)
	want := "no verdict: strategy=bufio/files=16/size=64KiB/record=4KiB/buffer=64KiB/sync=none: need >= 4 samples per side to decide, have 8+3"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func TestCompareAlphaTooSmallForSamples(t *testing.T) {
	// With 4+4 samples the smallest p is 0.029: at alpha 0.01 no difference
	// can be significant, so there is no verdict rather than "~".
	c := mustCompare(t, cmpSet(4, [3]float64{1, 1, 1}), cmpSet(4, [3]float64{2, 1, 1}), judge.Options{Alpha: 0.01})
	if v := c.Cells[0].Verdict; v != judge.VerdictTooFewSamples {
		t.Errorf("verdict %q, want %q", v, judge.VerdictTooFewSamples)
	}
}

func TestCompareThreshold(t *testing.T) {
	// 12 samples, 3% slower: significant; a regression at threshold 1%, not at 5%.
	base, new := cmpSet(12, [3]float64{1, 1, 1}), cmpSet(12, [3]float64{1.03, 1, 1})
	if v := mustCompare(t, base, new, judge.Options{Threshold: 0.05}).Cells[0].Verdict; v != judge.VerdictWithinThreshold {
		t.Errorf("threshold 5%%: verdict %q, want %q", v, judge.VerdictWithinThreshold)
	}
	if v := mustCompare(t, base, new, judge.Options{Threshold: 0.01}).Cells[0].Verdict; v != judge.VerdictRegression {
		t.Errorf("threshold 1%%: verdict %q, want %q", v, judge.VerdictRegression)
	}
}

func TestCompareFailedCells(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(8, [3]float64{1, 1, 1})
	new.Results[0].Error = "write f0: no space left on device" // newly fails
	base.Results[1].Error = "open: permission denied"          // fixed
	base.Results[2].Error = "mmap: not supported"              // fails in both
	new.Results[2].Error = "mmap: not supported"
	c := mustCompare(t, base, new, judge.Options{})
	want := map[string]judge.CompareVerdict{"bufio": judge.VerdictNewFailure, "pool": judge.VerdictFixed, "unbuffered": judge.VerdictBothFailed}
	if got := verdicts(c); got["bufio"] != want["bufio"] || got["pool"] != want["pool"] || got["unbuffered"] != want["unbuffered"] {
		t.Errorf("verdicts %v, want %v", got, want)
	}
	if len(c.Regressions()) != 1 {
		t.Errorf("%d regressions, want 1 (the new failure)", len(c.Regressions()))
	}
	out := tableText(t, c, false)
	if !strings.Contains(out, "regression: strategy=bufio/files=16/size=64KiB/record=4KiB/buffer=64KiB/sync=none: newly fails: write f0: no space left on device") {
		t.Errorf("output does not name the new failure:\n%s", out)
	}
}

func TestCompareEnvWarning(t *testing.T) {
	base := cmpSet(8, [3]float64{1, 1, 1})
	new := cmpSet(8, [3]float64{1, 1, 1})
	new.Env.Hostname = "laptop"
	new.Env.FSType = "tmpfs"
	new.Env.GoVersion = "go9.9" // not an environment difference worth warning about
	c := mustCompare(t, base, new, judge.Options{})
	if len(c.EnvDiffs) != 2 || c.EnvDiffs[0].Field != "hostname" || c.EnvDiffs[1].Field != "fs_type" {
		t.Fatalf("env diffs %+v, want hostname and fs_type", c.EnvDiffs)
	}
	out := tableText(t, c, false)
	first := strings.SplitN(out, "\n", 2)[0]
	want := `warning: sets were measured in different environments, results may not be comparable: hostname "ci-1" vs "laptop"; fs_type "ext4" vs "tmpfs"`
	if first != want {
		t.Errorf("first line\n%s\nwant\n%s", first, want)
	}
	if len(c.Regressions()) != 0 {
		t.Errorf("env difference alone made a regression")
	}
}

func TestCompareIncompleteSetWarns(t *testing.T) {
	base, new := cmpSet(8, [3]float64{1, 1, 1}), cmpSet(8, [3]float64{1, 1, 1})
	new.Complete, new.Interrupted = false, "interrupt"
	c := mustCompare(t, base, new, judge.Options{})
	if len(c.Warnings) != 1 || c.Warnings[0] != "new set is incomplete (the run was interrupted by interrupt)" {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestCompareMetrics(t *testing.T) {
	base, new := cmpSet(8, [3]float64{1, 1, 1}), cmpSet(8, [3]float64{1, 1, 1})
	for i := range new.Results[0].WriteSyscalls {
		new.Results[0].WriteSyscalls[i] *= 2
	}
	new.Results[1].WriteSyscalls[3] = -1 // unavailable
	c := mustCompare(t, base, new, judge.Options{Metric: "write_syscalls"})
	if got := verdicts(c); got["bufio"] != judge.VerdictRegression || got["pool"] != judge.VerdictNoData || got["unbuffered"] != judge.VerdictUnchanged {
		t.Errorf("write_syscalls verdicts %v", got)
	}
	if c.Cells[0].BaseMedian != 64 || c.Cells[0].NewMedian != 128 {
		t.Errorf("write_syscalls medians %v, %v, want 64, 128", c.Cells[0].BaseMedian, c.Cells[0].NewMedian)
	}
	// sync_seconds is 0 on both sides: 0/0 is no change, not NaN.
	c = mustCompare(t, base, new, judge.Options{Metric: "sync_seconds"})
	if cc := c.Cells[0]; cc.Change != 0 || cc.Verdict != judge.VerdictUnchanged {
		t.Errorf("sync_seconds all zero: change %v verdict %v", cc.Change, cc.Verdict)
	}
	// latency arrays are optional.
	c = mustCompare(t, base, new, judge.Options{Metric: "latency_p99"})
	if v := c.Cells[0].Verdict; v != judge.VerdictNoData {
		t.Errorf("latency_p99 absent: verdict %v", v)
	}
	for _, m := range judge.CompareMetrics() {
		if _, err := judge.Compare(base, new, judge.Options{Metric: m}); err != nil {
			t.Errorf("metric %s: %v", m, err)
		}
	}
}

func TestCompareOptionErrors(t *testing.T) {
	s := cmpSet(8, [3]float64{1, 1, 1})
	for _, opt := range []judge.Options{
		{Metric: "throughput"}, {Alpha: 1}, {Alpha: -0.1}, {Alpha: math.NaN()}, {Threshold: -0.05}, {Threshold: math.Inf(1)},
	} {
		if _, err := judge.Compare(s, s, opt); err == nil {
			t.Errorf("Compare(%+v) succeeded, want an error", opt)
		}
	}
}

func TestCompareMarkdown(t *testing.T) {
	base, new := cmpSet(8, [3]float64{1, 1, 1}), cmpSet(8, [3]float64{1, 1.5, 1})
	new.Env.Hostname = "other"
	out := tableText(t, mustCompare(t, base, new, judge.Options{}), true)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var table []string
	for _, l := range lines {
		if strings.HasPrefix(l, "|") {
			table = append(table, l)
		}
	}
	if len(table) != 5 { // header, separator, 3 cells
		t.Fatalf("markdown table has %d lines, want 5:\n%s", len(table), out)
	}
	if !strings.Contains(table[0], "cell") || !strings.Contains(table[0], "95% CI") || !strings.Contains(table[1], "---") {
		t.Errorf("markdown header:\n%s\n%s", table[0], table[1])
	}
	for _, want := range []string{"- warning: sets were measured", "- regression: strategy=pool", "- result: FAIL"} {
		if !strings.Contains(out, "\n"+want) && !strings.HasPrefix(out, want) {
			t.Errorf("markdown lacks list line %q:\n%s", want, out)
		}
	}
}

func TestCompareJSON(t *testing.T) {
	base, new := cmpSet(8, [3]float64{1, 1, 1}), cmpSet(3, [3]float64{1, 1.5, 1})
	base.Results = append(base.Results, cmpCell("chunked", 1, 4096, cmpSamples(0.001, 8)))
	c := mustCompare(t, base, cmpSet(8, [3]float64{1, 1.5, 1}), judge.Options{})
	var b bytes.Buffer
	if err := WriteComparisonJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metric       string   `json:"metric"`
		Pass         bool     `json:"pass"`
		Inconclusive bool     `json:"inconclusive"`
		Regressions  int      `json:"regressions"`
		OnlyBase     []string `json:"only_in_base"`
		Cells        []struct {
			Key        string   `json:"key"`
			Change     *float64 `json:"change"`
			P          *float64 `json:"p"`
			Verdict    string   `json:"verdict"`
			Regression bool     `json:"regression"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b.String())
	}
	if got.Metric != "seconds" || got.Pass || got.Regressions != 1 || len(got.Cells) != 3 || len(got.OnlyBase) != 1 {
		t.Errorf("JSON summary wrong:\n%s", b.String())
	}
	if !got.Cells[1].Regression || got.Cells[1].Verdict != "regression" || got.Cells[1].Change == nil || math.Abs(*got.Cells[1].Change-0.5) > 1e-9 {
		t.Errorf("JSON pool cell wrong:\n%s", b.String())
	}

	// Too few samples: the p-value was not computed and is null, not NaN.
	c = mustCompare(t, base, new, judge.Options{})
	b.Reset()
	if err := WriteComparisonJSON(&b, c); err != nil {
		t.Fatalf("WriteJSON with NaN fields: %v", err)
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// No cell has a verdict: the comparison is inconclusive, not a pass.
	if got.Cells[0].P != nil || got.Cells[0].Verdict != string(judge.VerdictTooFewSamples) || got.Pass || !got.Inconclusive {
		t.Errorf("JSON too-few-samples cell wrong:\n%s", b.String())
	}
}

func TestCmpFormat(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		unit string
		want string
	}{
		{0.0042, "s", "4.20ms"}, {1.5e-7, "s", "150ns"}, {12.3e-6, "s", "12.3µs"}, {2.5, "s", "2.50s"}, {0, "s", "0s"},
		{1536, "bytes", "1.50KiB"}, {1 << 20, "bytes", "1.00MiB"}, {400, "count", "400"}, {1234.56, "count", "1235"}, {math.NaN(), "s", "-"},
	} {
		if got := cmpFormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("cmpFormatValue(%v, %s) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
	if got := cmpFormatCI(-1, math.Inf(1)); got != "∞" {
		t.Errorf("unbounded CI = %q", got)
	}
	if got := cmpFormatCI(0.1, 0.25); got != "[+10.0%, +25.0%]" {
		t.Errorf("CI = %q", got)
	}
	if got := textfmt.Percent(0.05, false); got != "5%" {
		t.Errorf("threshold = %q", got)
	}
}

func TestCompareHolm(t *testing.T) {
	// 4+4 samples, one cell 2x slower: the smallest possible p (0.029) is
	// significant on its own but not once corrected for the 3 cells tested.
	base, new := cmpSet(4, [3]float64{1, 1, 1}), cmpSet(4, [3]float64{2, 1, 1})
	none := mustCompare(t, base, new, judge.Options{Correction: "none"})
	if v := none.Cells[0].Verdict; v != judge.VerdictRegression {
		t.Errorf("correction none: verdict %q, want %q", v, judge.VerdictRegression)
	}
	holm := mustCompare(t, base, new, judge.Options{})
	if holm.Correction != "holm" {
		t.Errorf("default correction %q, want holm", holm.Correction)
	}
	cc := holm.Cells[0]
	if cc.Verdict != judge.VerdictUnchanged || !(cc.PAdj > cc.P) || math.Abs(cc.PAdj-3*cc.P) > 1e-12 {
		t.Errorf("holm: verdict %q p %v p_adj %v, want ~ with p_adj = 3p", cc.Verdict, cc.P, cc.PAdj)
	}
	if !strings.Contains(tableText(t, holm, false), "Holm-corrected over 3 cells") {
		t.Errorf("table does not say the p-values are corrected")
	}
	if _, err := judge.Compare(base, new, judge.Options{Correction: "bonferoni"}); err == nil {
		t.Errorf("unknown correction accepted")
	}
	// Corrected p-values never fall below the raw ones and keep their order.
	for _, c := range holm.Cells {
		if !math.IsNaN(c.P) && c.PAdj < c.P {
			t.Errorf("%s: p_adj %v < p %v", c.Key, c.PAdj, c.P)
		}
	}
}

// compare knows its power: a cell whose samples scatter by ±30% cannot show
// a 10% change, and says so instead of a plain "~"; the comparison still
// passes. The same cell with ±2% noise is simply unchanged.
func TestCompareTooNoisyForThreshold(t *testing.T) {
	wide := []float64{0.7, 1.3, 0.85, 1.15, 1.0, 0.75, 1.25, 0.95}
	noisy := func(scale float64) *resultset.Set {
		s := cmpSet(8, [3]float64{1, 1, 1})
		s.Results[0].Seconds = make([]float64, len(wide))
		for i, x := range wide {
			s.Results[0].Seconds[i] = 0.010 * scale * x
		}
		return s
	}
	// new is the same pattern in another order: no real change.
	base, new := noisy(1), noisy(1)
	slices.Reverse(new.Results[0].Seconds)
	c := mustCompare(t, base, new, judge.Options{Threshold: 0.10})
	cc := c.Cells[0]
	if cc.Verdict != judge.VerdictInsensitive || cc.Verdict.IsRegression() {
		t.Fatalf("noisy cell: verdict %q (noise %v), want %q", cc.Verdict, cc.Noise, judge.VerdictInsensitive)
	}
	if !(cc.Noise > 0.10) {
		t.Errorf("noise %v, want > 0.10", cc.Noise)
	}
	out := tableText(t, c, false)
	for _, want := range []string{"cannot detect a change of 10% here: noise ±", "take more repetitions", "result: PASS", "1 too noisy to detect 10%"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, q := range c.Cells[1:] {
		if q.Verdict != judge.VerdictUnchanged {
			t.Errorf("%s: quiet cell verdict %q (noise %v), want ~", q.Key, q.Verdict, q.Noise)
		}
	}
	// Any noise exceeds a tiny threshold.
	if v := mustCompare(t, base, new, judge.Options{Threshold: 1e-9}).Cells[0].Verdict; v != judge.VerdictInsensitive {
		t.Errorf("tiny threshold: %q", v)
	}
	var b bytes.Buffer
	if err := WriteComparisonJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TooNoisy int  `json:"too_noisy"`
		Pass     bool `json:"pass"`
		Cells    []struct {
			Verdict string   `json:"verdict"`
			Noise   *float64 `json:"noise"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.TooNoisy != 1 || !doc.Pass || doc.Cells[0].Verdict != "cannot detect" || doc.Cells[0].Noise == nil {
		t.Errorf("json: too_noisy %d, pass %v, cell %+v", doc.TooNoisy, doc.Pass, doc.Cells[0])
	}
}
