package charts

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
	"gonum.org/v1/plot"
)

// synthCell is a successful cell with n samples around sec seconds (spread
// by ±10% so intervals have width) and one write syscall per 4 KiB.
func synthCell(strategy string, files int, size int64, sec float64, n int) resultset.Cell {
	c := resultset.Cell{Strategy: strategy, Files: files, FileSize: size, Sync: "none", Verified: true}
	for i := range n {
		s := sec * (0.9 + 0.2*float64(i)/float64(max(n-1, 1)))
		c.Seconds = append(c.Seconds, s)
		c.WriteSyscalls = append(c.WriteSyscalls, int64(files)*size/4096+1)
		c.StorageBytes = append(c.StorageBytes, int64(files)*size)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, s/10)
		c.SysSeconds = append(c.SysSeconds, s/2)
		c.Allocs = append(c.Allocs, 10)
		c.AllocBytes = append(c.AllocBytes, 1000)
		c.LatencyP99 = append(c.LatencyP99, s/float64(files))
	}
	return c
}

func synthSet(cells ...resultset.Cell) *resultset.Set {
	return &resultset.Set{Schema: 1, Tool: "writebench", Complete: true, Results: cells}
}

func chartByName(t *testing.T, sets []*resultset.Set, labels []string, name string) *figure {
	t.Helper()
	sums := summary.Summarize(sets, labels)
	setOrder := map[string]int{}
	for i := range sets {
		setOrder[summary.Label(labels, i)] = i
	}
	dims := sweepDims(setOrder)
	for _, m := range chartMetrics {
		for _, x := range xOrder(m, dims) {
			if chartName(m, x) != name {
				continue
			}
			minX := 2
			if x.name == m.primary {
				minX = m.minX
			}
			fig, why := lineChart(sums, dims, m, m.stats(sums), x, minX)
			if fig == nil {
				t.Fatalf("%s not drawn: %s", name, why)
			}
			return fig
		}
	}
	t.Fatalf("no chart %s", name)
	return nil
}

func legendNames(f *figure) string {
	var out []string
	for _, e := range f.legend {
		out = append(out, e.name)
	}
	return strings.Join(out, ", ")
}

func panelTitles(f *figure) string {
	var out []string
	for _, p := range f.panels {
		out = append(out, p.Title.Text)
	}
	return strings.Join(out, ", ")
}

// xLabels is the labelled x ticks of a panel, in axis order.
func xLabels(p *plot.Plot) string {
	var out []string
	ticks := p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)
	slices.SortFunc(ticks, func(a, b plot.Tick) int {
		switch {
		case a.Value < b.Value:
			return -1
		case a.Value > b.Value:
			return 1
		}
		return 0
	})
	for _, tk := range ticks {
		if tk.Label != "" {
			out = append(out, tk.Label)
		}
	}
	return strings.Join(out, ",")
}

// TestSweepCharts: a sweep of one knob gets a chart against it, with lines
// and panels in numeric order.
func TestSweepCharts(t *testing.T) {
	chunks := []int{16 << 20, 1 << 20, 256 << 20, 4 << 10, 64 << 10} // given out of order
	var chunkCells []resultset.Cell
	for _, ch := range chunks {
		for _, st := range []string{"mmap", "chunked"} {
			c := synthCell(st, 1, 64<<20, 0.01*float64(ch>>10+1), 6)
			c.Chunk = ch
			chunkCells = append(chunkCells, c)
		}
	}
	var concCells []resultset.Cell
	for _, n := range []int{100, 1, 10, 2} {
		for _, size := range []int64{64 << 10, 4 << 10} {
			c := synthCell("pool", 1000, size, 0.1*float64(n), 6)
			c.Concurrency = n
			concCells = append(concCells, c)
		}
	}
	for _, c := range []struct {
		name   string
		set    *resultset.Set
		chart  string
		legend string
		panels string
		xticks string
		title  string
	}{
		{"chunk", synthSet(chunkCells...), "throughput-vs-chunk", "chunked, mmap", "", "4KiB,64KiB,1MiB,16MiB,256MiB", "Throughput vs chunk size"},
		// One strategy: the other swept parameter makes the lines.
		{"concurrency", synthSet(concCells...), "throughput-vs-concurrency", "4KiB per file, 64KiB per file", "", "1,2,10,100", "Throughput vs concurrency (pool)"},
		{"size by concurrency", synthSet(concCells...), "throughput", "concurrency=1, concurrency=2, concurrency=10, concurrency=100", "", "4KiB,64KiB", "Throughput vs file size (pool)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fig := chartByName(t, []*resultset.Set{c.set}, []string{c.name}, c.chart)
			if got := legendNames(fig); got != c.legend {
				t.Errorf("legend %q, want %q", got, c.legend)
			}
			if got := panelTitles(fig); got != c.panels {
				t.Errorf("panels %q, want %q", got, c.panels)
			}
			if got := xLabels(fig.panels[0]); got != c.xticks {
				t.Errorf("x ticks %q, want %q", got, c.xticks)
			}
			if fig.title != c.title {
				t.Errorf("title %q, want %q", fig.title, c.title)
			}
			if !slices.Contains(fig.footnotes, "Error bars: 95% confidence interval of the median.") {
				t.Errorf("no error-bar footnote: %q", fig.footnotes)
			}
		})
	}

	// Through Write: the chunk sweep's charts are files, the missing
	// file-size sweep is a note pointing at them.
	dir := t.TempDir()
	written, notes, err := Write(dir, []*resultset.Set{synthSet(chunkCells...)}, []string{"chunk"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"throughput-vs-chunk", "files-per-second-vs-chunk", "syscalls-per-mib-vs-chunk", "latency-p99-vs-chunk", "winner-map"} {
		if !slices.Contains(written, filepath.Join(dir, name+".png")) {
			t.Errorf("%s not written (notes %v)", name, notes)
		}
	}
	// One file size: syscalls and latency against it would be a column of
	// dots beside their -vs-chunk charts.
	for _, name := range []string{"syscalls-per-mib", "latency-p99"} {
		if slices.Contains(written, filepath.Join(dir, name+".png")) {
			t.Errorf("%s drawn against a single file size", name)
		}
	}
	if j := strings.Join(notes, "\n"); !strings.Contains(j, "chart throughput skipped") || !strings.Contains(j, "(see throughput-vs-chunk)") {
		t.Errorf("notes %q", j)
	}
}

// TestSweepPanels: strategies are lines, parameters every cell has are
// panels, strategy-specific knobs join the line names; all in numeric order.
func TestSweepPanels(t *testing.T) {
	var cells []resultset.Cell
	for _, files := range []int{256, 16, 1} {
		for _, size := range []int64{1 << 20, 4 << 10} {
			cells = append(cells, synthCell("bufio", files, size, 0.01, 6))
			for _, ch := range []int{64 << 10, 4 << 10} {
				c := synthCell("chunked", files, size, 0.01, 6)
				c.Chunk = ch
				cells = append(cells, c)
			}
		}
	}
	fig := chartByName(t, []*resultset.Set{synthSet(cells...)}, nil, "throughput")
	if got, want := legendNames(fig), "bufio, chunked chunk=4KiB, chunked chunk=64KiB"; got != want {
		t.Errorf("legend %q, want %q", got, want)
	}
	if got, want := panelTitles(fig), "1 file, 16 files, 256 files"; got != want {
		t.Errorf("panels %q, want %q", got, want)
	}
	// Only chunked has a chunk: the first other swept parameter (files)
	// makes the lines, the next (size) the panels.
	fig = chartByName(t, []*resultset.Set{synthSet(cells...)}, nil, "throughput-vs-chunk")
	if got, want := legendNames(fig), "1 file, 16 files, 256 files"; got != want {
		t.Errorf("legend %q, want %q", got, want)
	}
	if got, want := panelTitles(fig), "4KiB per file, 1MiB per file"; got != want {
		t.Errorf("panels %q, want %q", got, want)
	}
	// A parameter with one value where it applies (record=256B for both
	// bufio and unbuffered) is not swept and stays out of line names.
	fig = chartByName(t, []*resultset.Set{loadFixture(t, "basic")}, nil, "throughput")
	if got, want := legendNames(fig), "bufio, unbuffered"; got != want {
		t.Errorf("basic legend %q, want %q", got, want)
	}
	// Two sets: the set label leads each line name.
	fig = chartByName(t, []*resultset.Set{synthSet(cells...), synthSet(cells...)}, []string{"old", "new"}, "throughput")
	if got := legendNames(fig); !strings.HasPrefix(got, "old: bufio, old: chunked chunk=4KiB") || !strings.Contains(got, "new: bufio") {
		t.Errorf("two-set legend %q", got)
	}
}

// TestSeriesStyles: every line of a chart has its own colour, marker and
// dash, and the colours are Okabe-Ito's.
func TestSeriesStyles(t *testing.T) {
	colors, shapes, dashSeen := map[color.Color]bool{}, map[string]bool{}, map[string]bool{}
	okabeIto := map[color.RGBA]bool{{0, 0x72, 0xB2, 0xff}: true, {0xE6, 0x9F, 0, 0xff}: true, {0, 0x9E, 0x73, 0xff}: true,
		{0xD5, 0x5E, 0, 0xff}: true, {0xCC, 0x79, 0xA7, 0xff}: true, {0x56, 0xB4, 0xE9, 0xff}: true, {0, 0, 0, 0xff}: true, {0xF0, 0xE4, 0x42, 0xff}: true}
	for i := range maxSeries {
		ls, gs := seriesStyle(i)
		colors[ls.Color] = true
		if !okabeIto[ls.Color.(color.RGBA)] {
			t.Errorf("series %d colour %v is not Okabe-Ito", i, ls.Color)
		}
		shapes[fmt.Sprintf("%T", gs.Shape)] = true
		dashSeen[fmt.Sprint(ls.Dashes)] = true
	}
	if len(colors) != maxSeries || len(shapes) != maxSeries || len(dashSeen) != maxSeries {
		t.Errorf("%d series: %d colours, %d markers, %d dashes; want all distinct", maxSeries, len(colors), len(shapes), len(dashSeen))
	}
}

// TestNiceLogRange: every value lies within the labelled range of the
// y axis (unbuffered's 4096 syscalls/MiB once sat above the top tick).
func TestNiceLogRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][2]float64{{16, 4096}, {210, 490}, {1000, 1000}, {0.002, 0.0031}, {5e8, 5.2e9}, {1, 1e6}}
	for range 500 {
		lo := math.Pow(10, r.Float64()*12-4)
		cases = append(cases, [2]float64{lo, lo * math.Pow(10, r.Float64()*5)})
	}
	for _, c := range cases {
		min, max := niceLogRange(c[0], c[1])
		ticks := log10Axis{label: countTick}.Ticks(math.Log10(min), math.Log10(max))
		var labelled []float64
		for _, tk := range ticks {
			if tk.Label != "" {
				labelled = append(labelled, math.Pow(10, tk.Value))
			}
		}
		if len(labelled) < 2 {
			t.Errorf("range %v: %d labels", c, len(labelled))
			continue
		}
		if lo, hi := slices.Min(labelled), slices.Max(labelled); lo > c[0]*(1+1e-9) || hi < c[1]*(1-1e-9) {
			t.Errorf("values %v outside labelled range [%g, %g] (axis %g..%g)", c, lo, hi, min, max)
		}
	}
}

func TestTickLabels(t *testing.T) {
	for _, c := range []struct {
		f    func(float64) string
		v    float64
		want string
	}{
		{rateTick, 5e9, "5 GB/s"}, {rateTick, 1.5e9, "1.5 GB/s"}, {rateTick, 5e8, "500 MB/s"}, {rateTick, 999.7e6, "1 GB/s"},
		{rateTick, 2e4, "20 kB/s"}, {countTick, 4096, "4.1k"}, {countTick, 1000, "1k"}, {countTick, 50, "50"},
		{countTick, 0.5, "0.5"}, {countTick, 0.02, "0.02"}, {durationTick, 5e-4, "500 µs"}, {durationTick, 0.002, "2 ms"},
		{durationTick, 1.5, "1.5 s"}, {durationTick, 2e-8, "20 ns"},
	} {
		if got := c.f(c.v); got != c.want {
			t.Errorf("%g: got %q, want %q", c.v, got, c.want)
		}
	}
}

func TestWinnerShading(t *testing.T) {
	// Without a paired verdict: the 95% intervals decide.
	clear := summary.Winner{Clear: true, RunnerUp: &summary.Summary{}}
	noise := summary.Winner{Clear: false, RunnerUp: &summary.Summary{}}
	alone := summary.Winner{}
	if winnerVerdict(clear, nil, nil).v != verdictClear || winnerVerdict(noise, nil, nil).v != verdictUndecided || winnerVerdict(alone, nil, nil).v != verdictAlone {
		t.Fatal("verdicts without a paired verdict")
	}
	// With judge.Verdicts: equal times in every round are a tie, twice as
	// fast in every round is a winner.
	var cells []resultset.Cell
	for _, c := range []struct {
		size     int64
		bufio, u float64
	}{{4096, 0.01, 0.01}, {65536, 0.01, 0.02}} {
		cells = append(cells, synthCell("bufio", 10, c.size, c.bufio, 8), synthCell("unbuffered", 10, c.size, c.u, 8))
	}
	sets := []*resultset.Set{synthSet(cells...)}
	vi := indexVerdicts(sets, []string{"s"})
	got := map[int64]squareDecision{}
	for _, w := range summary.Winners(summary.Summarize(sets, []string{"s"})) {
		got[w.FileSize] = winnerVerdict(w, vi, nil)
	}
	if d := got[4096]; d.v != verdictTie || len(d.tiedWith) != 1 {
		t.Errorf("equal times: %+v, want a tie with one other leader", d)
	}
	if d := got[65536]; d.v != verdictClear || d.strategy != "bufio" || !strings.Contains(strings.Join(squareText(d), "\n"), "vs unbuffered") {
		t.Errorf("twice as fast: %+v (%q), want bufio the winner, its margin over unbuffered", d, squareText(d))
	}
	// A tie decided by "no faster" alone has no other leader to name.
	if got := squareText(squareDecision{v: verdictTie, tie: 0.05}); len(got) != 1 || got[0] != "none >5% faster" {
		t.Errorf("tie with one leader: %q", got)
	}
	if got := squareText(squareDecision{v: verdictTie, tiedWith: []string{"a", "b", "c", "d"}}); got[0] != "≈ a, b +2" {
		t.Errorf("tie with four: %q", got)
	}
	// Three shades per strategy, all distinct.
	n := 3
	seen := map[float64]bool{}
	for si := range n {
		for _, v := range []squareVerdict{verdictClear, verdictTie, verdictUndecided} {
			z := squareShade(si, n, v)
			if seen[z] {
				t.Errorf("strategy %d verdict %d: shade %v reused", si, v, z)
			}
			seen[z] = true
		}
		if squareShade(si, n, verdictAlone) != squareShade(si, n, verdictUndecided) {
			t.Error("an uncontested square is not shaded like an undecided one")
		}
	}
}

// TestPlotsBounded: 20,000 cells with 10,000 distinct values of one
// parameter and 5,000 (files, size) squares render with capped panels,
// lines and points, saying what was left out, in bounded memory.
func TestPlotsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 20,000 synthetic cells")
	}
	n := 20000
	if s := os.Getenv("WB_BOUNDED_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	var cells []resultset.Cell
	for i := range n / 4 { // 100 file counts × n/400 sizes, two strategies each
		files, size := 1+i%100, int64(4096*(1+i/100))
		cells = append(cells, synthCell("bufio", files, size, 0.001*float64(1+i%7), 2),
			synthCell("unbuffered", files, size, 0.001*float64(1+i%5), 2))
	}
	for i := range n / 2 { // one line of n/2 distinct chunk sizes
		c := synthCell("chunked", 1, 1<<20, 0.001*float64(1+i%5), 2)
		c.Chunk = 512 * (i + 1)
		cells = append(cells, c)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	dir := t.TempDir()
	written, notes, err := WriteWith(dir, []*resultset.Set{synthSet(cells...)}, []string{"many"}, Options{DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<30 {
		t.Errorf("allocated %d MiB for %d cells", alloc>>20, n)
	}
	j := strings.Join(notes, "\n")
	for _, want := range []string{
		fmt.Sprintf("chart throughput: %d of 100 panels shown", maxPanels),
		fmt.Sprintf("chart throughput-vs-chunk: lines with more than %d points (up to %d) thinned", maxPoints, n/2),
		"winner-map: 1 panel(s) show at most 12 file counts and 12 sizes",
	} {
		if !strings.Contains(j, want) {
			t.Errorf("notes lack %q:\n%s", want, j)
		}
	}
	if !slices.Contains(written, filepath.Join(dir, "throughput-vs-chunk.png")) || !slices.Contains(written, filepath.Join(dir, "winner-map.png")) {
		t.Errorf("written %v", written)
	}
}

// TestChartMetricsInTable: every charted metric is read from the one table
// of metrics, and every numeric axis of the table of parameters can be an x.
func TestChartMetricsInTable(t *testing.T) {
	for _, m := range chartMetrics {
		if m.def() == nil {
			t.Errorf("chart %s: metric %q is not in resultset.Metrics()", m.name, m.metric)
		}
	}
	var names, want []string
	for _, d := range numericDims() {
		names = append(names, d.name)
	}
	for _, a := range resultset.Axes() {
		if a.Kind != resultset.KindName {
			want = append(want, a.Name)
		}
	}
	if got := strings.Join(names, ","); got != strings.Join(want, ",") {
		t.Errorf("numeric dimensions %s, the axis table's numeric axes %s", got, strings.Join(want, ","))
	}
}
