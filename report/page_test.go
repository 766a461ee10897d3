package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/report/charts"
	"github.com/writebench/writebench/resultset"
)

func TestMarkdownPage(t *testing.T) {
	dir := t.TempDir()
	plots := filepath.Join(dir, "plots")
	if err := os.Mkdir(plots, 0o755); err != nil {
		t.Fatal(err)
	}
	sets := []*resultset.Set{loadFixture(t, "basic")}
	if _, _, err := charts.Write(plots, sets, []string{"basic"}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "README.md")
	if err := WriteMarkdownPage(page, sets, []string{"basic"}, plots); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{"## Environment", "/dev/vda1", "ext4", "6.8.0-test", "Test CPU", "caches not dropped", "sync mode",
		"## Results", "| strategy", "![Throughput vs file size](plots/throughput.png)", "(plots/winner-map.svg)", "## How to read this"} {
		if !strings.Contains(md, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Without plots: no chart section, still a page.
	if err := WriteMarkdownPage(page, sets, []string{"basic"}, ""); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(page)
	if strings.Contains(string(data), "## Charts") {
		t.Error("chart section without --plots")
	}
}

// TestMarkdownPageWorkloadCharts: the page shows the per-workload charts
// (timeline-*, write-latency-*) it finds in the charts directory.
func TestMarkdownPageWorkloadCharts(t *testing.T) {
	plots := t.TempDir()
	for _, n := range []string{"timeline-1x8GiB", "write-latency-1x8GiB"} {
		for _, ext := range []string{".png", ".svg"} {
			if err := os.WriteFile(filepath.Join(plots, n+ext), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	page := filepath.Join(t.TempDir(), "page.md")
	if err := WriteMarkdownPage(page, []*resultset.Set{loadFixture(t, "basic")}, []string{"p"}, plots); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"timeline-1x8GiB.png", "write-latency-1x8GiB.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the markdown page does not show %s", want)
		}
	}
}
