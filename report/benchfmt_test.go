package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
	"golang.org/x/perf/benchfmt"
)

// TestBenchfmtComparableAcrossMachines: two runs of one experiment on two
// machines (other CPU, kernel, disk, writebench version) render with equal
// configuration, so benchstat compares them instead of splitting them into
// separate tables; the environment is still there, as comments.
func TestBenchfmtComparableAcrossMachines(t *testing.T) {
	a := loadFixture(t, "basic")
	b := loadFixture(t, "basic")
	b.Env.CPU, b.Env.Kernel, b.Env.Device, b.Env.FSType, b.Env.WritebenchVersion = "Other CPU", "5.15.0", "/dev/nvme0n1", "xfs", "v9.9.9"
	configs := map[string]bool{}
	for i, s := range []*resultset.Set{a, b} {
		var buf bytes.Buffer
		if err := Render(&buf, []*resultset.Set{s}, []string{"x"}, "benchfmt"); err != nil {
			t.Fatal(err)
		}
		text := buf.String()
		for _, want := range []string{"# cpu: " + s.Env.CPU, "# kernel: " + s.Env.Kernel, "# device: " + s.Env.Device, "# fs: " + s.Env.FSType} {
			if !strings.Contains(text, want+"\n") {
				t.Errorf("set %d: no comment line %q", i, want)
			}
		}
		r := benchfmt.NewReader(&buf, "x.txt")
		n := 0
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.SyntaxError:
				t.Errorf("set %d: %v", i, rec)
			case *benchfmt.Result:
				n++
				var cfg []string
				for _, c := range rec.Config {
					if c.File {
						cfg = append(cfg, c.Key+"="+string(c.Value))
					}
				}
				configs[strings.Join(cfg, " ")] = true
			}
		}
		if n == 0 {
			t.Fatalf("set %d: no results", i)
		}
	}
	if len(configs) != 1 {
		t.Errorf("file configuration differs between machines, benchstat would not compare: %v", configs)
	}
	for c := range configs {
		if !strings.Contains(c, "goos=linux") {
			t.Errorf("configuration %q lacks goos", c)
		}
	}
}

// TestBenchUnitsFromMetrics: the benchfmt values are the metrics of the
// table that have a benchfmt unit, each with the table's "better"
// direction.
func TestBenchUnitsFromMetrics(t *testing.T) {
	var names []string
	for _, m := range benchMetrics() {
		names = append(names, m.Name)
	}
	if want := []string{"seconds", "bytes_per_second", "files_per_second", "write_syscalls"}; !slices.Equal(names, want) {
		t.Errorf("benchfmt carries %v, want %v", names, want)
	}
	set := loadFixture(t, "ranks")
	var buf bytes.Buffer
	if err := renderBenchfmt(&buf, []*resultset.Set{set}, []string{"ranks"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range benchMetrics() {
		better := map[resultset.Better]string{resultset.LowerIsBetter: "lower", resultset.HigherIsBetter: "higher"}[m.Better]
		if want := "Unit " + m.Bench + " better=" + better; !strings.Contains(buf.String(), want) {
			t.Errorf("benchfmt lacks %q:\n%s", want, buf.String())
		}
	}
}
