package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bounds on one chart, so a set with thousands of distinct values of one
// parameter still renders in time and memory linear in its size: what is
// left out is named in the chart's footnote and in WritePlots' notes.
const (
	maxPanels = 9   // panels per line chart
	maxSeries = 8   // lines per line chart (each with its own colour, marker and dash)
	maxPoints = 200 // points per line (evenly spaced by rank, ends kept)
)

// chartMetric is one metric of resultset.Metrics() (the one table of metrics:
// unit, better direction, samples) that the line charts plot against every
// swept parameter, with how its charts are named and titled.
type chartMetric struct {
	metric string // name in resultset.Metrics()
	name   string // file name prefix
	title  string // "Throughput"
	yLabel string
	// primary is the x dimension of the chart that keeps the bare name
	// (throughput.png is throughput against file size); minX is the number
	// of distinct x values that chart needs.
	primary string
	minX    int
	about   string
}

var chartMetrics = []chartMetric{
	{metric: "bytes_per_second", name: "throughput", title: "Throughput", yLabel: "throughput (logical bytes per second)",
		primary: "size", minX: 2,
		about: "Median logical throughput (files × size per second, decimal units) per line, log-log."},
	{metric: "files_per_second", name: "files-per-second", title: "Files per second", yLabel: "files per second",
		primary: "files", minX: 2,
		about: "Median files written per second, log-log; flat lines mean the per-file cost (open, close, sync) dominates."},
	{metric: "write_syscalls_per_mib", name: "syscalls-per-mib", title: "Write syscalls per MiB", yLabel: "write syscalls per MiB",
		primary: "size", minX: 1,
		about: "Write-family system calls per MiB written (/proc/self/io syscw); small records without a buffer cost one syscall each."},
	{metric: "latency_p99", name: "latency-p99", title: "Per-file p99 latency", yLabel: "p99 time to write one file",
		primary: "size", minX: 1,
		about: "Median over repetitions of the 99th percentile of the time to write one file."},
}

// def is m's entry in resultset.Metrics().
func (m chartMetric) def() *resultset.Metric { return resultset.MetricByName(m.metric) }

// tick labels y values in the metric's unit.
func (m chartMetric) tick() func(float64) string {
	if d := m.def(); d != nil {
		switch d.Unit {
		case "B/s":
			return rateTick
		case "s":
			return durationTick
		}
	}
	return countTick
}

// better is "Higher is better." or "Lower is better.", from the table.
func (m chartMetric) better() string {
	if d := m.def(); d != nil && d.Better == resultset.HigherIsBetter {
		return "Higher is better."
	}
	return "Lower is better."
}

// stats is the metric's summary for every cell of sums: the one estimate
// the tables use too (for a contender of a comparison group, anchored to
// its group's fastest by the paired per-round ratios; see pairSummaries).
func (m chartMetric) stats(sums []*Summary) func(*Summary) Stat {
	return func(s *Summary) Stat { return s.Metrics[m.metric] }
}

// chartName is the file name (without extension) of metric m against x.
func chartName(m chartMetric, x *dim) string {
	if x.name == m.primary {
		return m.name
	}
	return m.name + "-vs-" + x.fileName()
}

// allCharts lists every chart WritePlots can draw, in page order: every
// metric against every numeric dimension, then the winner map.
func allCharts() []Chart {
	var out []Chart
	for _, m := range chartMetrics {
		for _, x := range xOrder(m, numericDims()) {
			out = append(out, Chart{Name: chartName(m, x), Title: m.title + " vs " + x.short,
				About: m.about + " " + m.better() + " Error bars are the 95% confidence interval of the median."})
		}
	}
	return append(out, Chart{"winner-map", "Winner map: fastest strategy per (files, size)",
		"Each square names the verdict's fastest contender for that file count and size and its paired lead over the runner-up; strong colours are winners, medium ones ties (none more than the tie margin faster), pale ones undecided or uncontested."})
}

// xOrder is the numeric dimensions of dims with m's primary one first.
func xOrder(m chartMetric, dims []*dim) []*dim {
	var out, rest []*dim
	for _, d := range dims {
		switch {
		case d.num == nil:
		case d.name == m.primary:
			out = append(out, d)
		default:
			rest = append(rest, d)
		}
	}
	return append(out, rest...)
}

func numericDims() []*dim {
	var out []*dim
	for _, d := range sweepDims(nil) {
		if d.num != nil {
			out = append(out, d)
		}
	}
	return out
}

// series is one line of a line chart.
type series struct {
	key  string
	vals []dimVal
	name string
}

type sweepPanel struct {
	key    string
	vals   []dimVal
	title  string
	series map[string][]point // by series key
	xs     map[float64]bool
}

type point struct {
	x float64
	y Stat
}

func tupleLess(a, b []dimVal) bool {
	for i := range a {
		if dimLess(a[i], b[i]) {
			return true
		}
		if dimLess(b[i], a[i]) {
			return false
		}
	}
	return false
}

func tupleKey(vs []dimVal) string {
	var b []byte
	for _, v := range vs {
		b = strconv.AppendInt(b, v.n, 10)
		b = append(b, 0)
		b = append(b, v.s...)
		b = append(b, 1)
	}
	return string(b)
}

// lineChart draws metric m against dimension x: one line per series, one
// panel per combination of the remaining swept dimensions. Series are the
// set (when several are shown), the strategy and the parameters that only
// some strategies have; panels are the parameters every cell has (files,
// size, sync...). With one strategy and nothing else to tell lines apart,
// the first other swept parameter makes the lines. It returns nil and a
// reason when the set has fewer than minX distinct x values.
func lineChart(sums []*Summary, dims []*dim, m chartMetric, y func(*Summary) Stat, x *dim, minX int) (*figure, string) {
	in, zeros, xs := chartCells(sums, x, y)
	if len(xs) < minX || len(in) == 0 {
		return nil, fmt.Sprintf("needs at least %d distinct %s values > 0 with %s measured, the set has %d", minX, x.short, strings.ToLower(m.title), len(xs))
	}
	seriesDims, panelDims, singleStrategy := splitDims(in, dims, x)
	panels, allSeries := groupPanels(in, seriesDims, panelDims, x, y)
	order, notes := orderSeries(allSeries)
	plist, more := pickPanels(panels, order, minX)
	if len(plist) == 0 {
		return nil, fmt.Sprintf("needs at least %d distinct %s values in one panel", minX, x.short)
	}
	notes = append(notes, more...)

	fig := &figure{}
	styleIndex := map[string]int{}
	for i, sr := range order {
		styleIndex[sr.key] = i
	}
	thumbs := map[string][]plot.Thumbnailer{}
	hasErr := false
	thinned := 0 // most points a thinned line had
	for _, pd := range plist {
		p, bars, th := sweepPlot(pd, order, styleIndex, thumbs, x, m)
		hasErr = hasErr || bars
		thinned = max(thinned, th)
		fig.panels = append(fig.panels, p)
	}
	for _, sr := range order {
		if t, ok := thumbs[sr.key]; ok {
			fig.legend = append(fig.legend, legendEntry{sr.name, t})
		}
	}
	fig.title = m.title + " vs " + x.short
	if singleStrategy != "" {
		fig.title += " (" + singleStrategy + ")"
	}
	if hasErr {
		fig.footnotes = append(fig.footnotes, "Error bars: 95% confidence interval of the median.")
	}
	if len(zeros) > 0 {
		fig.footnotes = append(fig.footnotes, "Not shown (0, off a log axis): "+strings.Join(sortedKeys(zeros), ", ")+".")
	}
	if thinned > 0 {
		notes = append(notes, fmt.Sprintf("lines with more than %d points (up to %d) thinned to %d evenly spaced ones; the tables list every cell", maxPoints, thinned, maxPoints))
	}
	for _, n := range notes {
		fig.footnotes = append(fig.footnotes, n+".")
	}
	fig.notes = notes
	return fig, ""
}

// chartCells returns the cells a chart of y against x draws (measured,
// both values > 0), the strategies left out for a zero y, and the
// distinct x values drawn.
func chartCells(sums []*Summary, x *dim, y func(*Summary) Stat) (in []*Summary, zeros map[string]bool, xs map[int64]bool) {
	zeros, xs = map[string]bool{}, map[int64]bool{}
	for _, s := range sums {
		if s.Failed() || s.Cell.Skipped != "" {
			continue
		}
		xv := x.num(s.Cell)
		ys := y(s)
		if xv <= 0 || !ys.OK() {
			continue
		}
		if !(ys.Median > 0) {
			zeros[s.Cell.Strategy] = true
			continue
		}
		in = append(in, s)
		xs[xv] = true
	}
	return in, zeros, xs
}

// dimInfo is a dimension other than x with the values it takes among the
// cells drawn, and whether it applies to all of them.
type dimInfo struct {
	d         *dim
	values    map[dimVal]bool
	universal bool
}

// splitDims sorts the dimensions that vary among the cells in into those
// that make lines (series) and those that make panels; singleStrategy
// names the strategy when only one is drawn.
func splitDims(in []*Summary, dims []*dim, x *dim) (seriesDims, panelDims []*dim, singleStrategy string) {
	var varying []*dimInfo
	for _, d := range dims {
		if d == x {
			continue
		}
		di := &dimInfo{d: d, values: map[dimVal]bool{}, universal: true}
		for _, s := range in {
			v := d.value(s)
			di.values[v] = true
			if !v.applies() {
				di.universal = false
			}
		}
		// A parameter is swept when it takes two values where it applies;
		// one value (e.g. chunk=64KiB for chunked, n/a for the others) is
		// not a sweep.
		applicable := 0
		for v := range di.values {
			if v.applies() {
				applicable++
			}
		}
		if applicable > 1 {
			varying = append(varying, di)
		} else if d.name == "strategy" {
			singleStrategy = in[0].Cell.Strategy
		}
	}
	seriesDims, panelDims = assignDims(varying, false)
	seen := map[string]bool{}
	for _, s := range in {
		seen[tupleKey(valuesOf(seriesDims, s))] = true
	}
	if len(seen) > maxSeries {
		seriesDims, panelDims = assignDims(varying, true)
	}
	return seriesDims, panelDims, singleStrategy
}

// assignDims makes the set and the strategy lines, the parameters only
// some cells have lines too (panels when moveKnobsToPanels), and the rest
// panels; with no line dimension, the first panel dimension makes lines.
func assignDims(varying []*dimInfo, moveKnobsToPanels bool) (seriesDims, panelDims []*dim) {
	for _, di := range varying {
		switch {
		case di.d.name == "set" || di.d.name == "strategy":
			seriesDims = append(seriesDims, di.d)
		case !di.universal && !moveKnobsToPanels:
			seriesDims = append(seriesDims, di.d)
		default:
			panelDims = append(panelDims, di.d)
		}
	}
	if len(seriesDims) == 0 && len(panelDims) > 0 {
		seriesDims, panelDims = panelDims[:1], panelDims[1:]
	}
	return seriesDims, panelDims
}

// groupPanels puts each cell's point into its panel and line.
func groupPanels(in []*Summary, seriesDims, panelDims []*dim, x *dim, y func(*Summary) Stat) (map[string]*sweepPanel, map[string]*series) {
	panels := map[string]*sweepPanel{}
	allSeries := map[string]*series{}
	for _, s := range in {
		pv := valuesOf(panelDims, s)
		pk := tupleKey(pv)
		p := panels[pk]
		if p == nil {
			p = &sweepPanel{key: pk, vals: pv, series: map[string][]point{}, xs: map[float64]bool{}}
			var parts []string
			for i, d := range panelDims {
				if t := d.part(pv[i]); t != "" {
					parts = append(parts, t)
				} else {
					parts = append(parts, "no "+d.name)
				}
			}
			p.title = strings.Join(parts, ", ")
			panels[pk] = p
		}
		sv := valuesOf(seriesDims, s)
		sk := tupleKey(sv)
		if allSeries[sk] == nil {
			allSeries[sk] = &series{key: sk, vals: sv, name: seriesLabel(seriesDims, sv, s)}
		}
		xv := float64(x.num(s.Cell))
		p.series[sk] = append(p.series[sk], point{x: xv, y: y(s)})
		p.xs[xv] = true
	}
	return panels, allSeries
}

// orderSeries orders the lines and keeps at most maxSeries, with a note
// naming those left out.
func orderSeries(allSeries map[string]*series) (order []*series, notes []string) {
	order = make([]*series, 0, len(allSeries))
	for _, sr := range allSeries {
		order = append(order, sr)
	}
	sort.Slice(order, func(i, j int) bool { return tupleLess(order[i].vals, order[j].vals) })
	if len(order) > maxSeries {
		notes = append(notes, fmt.Sprintf("%d of %d lines shown, left out: %s", maxSeries, len(order), listSome(namesOf(order[maxSeries:]), 4)))
		order = order[:maxSeries]
	}
	return order, notes
}

// pickPanels keeps the panels with at least minX x values among the lines
// drawn, in order, at most maxPanels, with a note naming those left out.
func pickPanels(panels map[string]*sweepPanel, order []*series, minX int) (plist []*sweepPanel, notes []string) {
	for _, p := range panels {
		// Count only the x values of lines that are drawn.
		xs := map[float64]bool{}
		for _, sr := range order {
			for _, pt := range p.series[sr.key] {
				xs[pt.x] = true
			}
		}
		p.xs = xs
		if len(p.xs) >= minX {
			plist = append(plist, p)
		}
	}
	sort.Slice(plist, func(i, j int) bool { return tupleLess(plist[i].vals, plist[j].vals) })
	if len(plist) > maxPanels {
		var left []string
		for _, p := range plist[maxPanels:] {
			left = append(left, p.title)
		}
		notes = append(notes, fmt.Sprintf("%d of %d panels shown, left out: %s", maxPanels, len(plist), listSome(left, 4)))
		plist = plist[:maxPanels]
	}
	return plist, notes
}

// sweepPlot draws one panel: its lines in order, styled by styleIndex,
// with error bars where a median has an interval. The first drawing of
// each line goes into thumbs for the legend. It returns whether it drew
// error bars and the most points a thinned line had (0: none thinned).
func sweepPlot(pd *sweepPanel, order []*series, styleIndex map[string]int, thumbs map[string][]plot.Thumbnailer, x *dim, m chartMetric) (p *plot.Plot, hasErr bool, thinned int) {
	p = plot.New()
	p.Title.Text = pd.title
	p.X.Label.Text = x.label
	p.Y.Label.Text = m.yLabel
	p.X.Scale = plot.LogScale{}
	data := make(map[float64]bool, len(pd.xs))
	for v := range pd.xs {
		data[v] = true
	}
	if x.bytes {
		p.X.Tick.Marker = pow2Ticks{label: func(v float64) string { return resultset.FormatBytes(int64(math.Round(v))) }, data: data}
	} else {
		p.X.Tick.Marker = countTicks{data: data}
	}
	p.Add(plotter.NewGrid())
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, sr := range order {
		pts := pd.series[sr.key]
		if len(pts) == 0 {
			continue
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
		if len(pts) > maxPoints {
			thinned = max(thinned, len(pts))
			pts = thin(pts, maxPoints)
		}
		xys, errs, bars := logPoints(pts)
		for _, pt := range pts {
			lo, hi := pointRange(pt)
			xmin, xmax = math.Min(xmin, pt.x), math.Max(xmax, pt.x)
			ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
		}
		ls, gs := seriesStyle(styleIndex[sr.key])
		line, scatter, err := plotter.NewLinePoints(xys)
		if err != nil {
			continue
		}
		line.LineStyle = ls
		scatter.GlyphStyle = gs
		p.Add(line, scatter)
		if bars {
			hasErr = true
			eb := &plotter.YErrorBars{XYs: xys, YErrors: errs, LineStyle: draw.LineStyle{Color: ls.Color, Width: vg.Points(1)}, CapWidth: vg.Points(4)}
			p.Add(eb)
		}
		if _, ok := thumbs[sr.key]; !ok {
			thumbs[sr.key] = []plot.Thumbnailer{line, scatter}
		}
	}
	p.X.Min, p.X.Max = padLog(xmin, xmax, 1.25)
	ylo, yhi := niceLogRange(ymin, ymax)
	p.Y.Min, p.Y.Max = math.Log10(ylo), math.Log10(yhi)
	p.Y.Tick.Marker = log10Axis{label: m.tick()}
	return p, hasErr, thinned
}

// pointRange is the span of a point's y: its interval when it has a
// usable one, else its median.
func pointRange(pt point) (lo, hi float64) {
	if hasInterval(pt) {
		return pt.y.Lo, pt.y.Hi
	}
	return pt.y.Median, pt.y.Median
}

// hasInterval reports whether a point's median has an interval a log
// axis can draw.
func hasInterval(pt point) bool { return pt.y.HasCI && pt.y.Lo > 0 && pt.y.Hi >= pt.y.Median }

// logPoints is a line's points with y as log10(value), and their error
// bars (bars: whether any point has one). Y is plotted as log10(value) on
// a linear axis labelled in values: gonum centres a log axis's label on
// the arithmetic mean of its range and pads the panel for it.
func logPoints(pts []point) (xys plotter.XYs, errs plotter.YErrors, bars bool) {
	xys = make(plotter.XYs, len(pts))
	errs = make(plotter.YErrors, len(pts))
	for i, pt := range pts {
		ly := math.Log10(pt.y.Median)
		xys[i] = plotter.XY{X: pt.x, Y: ly}
		if hasInterval(pt) {
			errs[i] = struct{ Low, High float64 }{ly - math.Log10(pt.y.Lo), math.Log10(pt.y.Hi) - ly}
			bars = true
		}
	}
	return xys, errs, bars
}

// distinctValues counts the values > 0 of numeric dimension x among the
// cells of sums.
func distinctValues(sums []*Summary, x *dim) int {
	seen := map[int64]bool{}
	for _, s := range sums {
		if v := x.num(s.Cell); v > 0 {
			seen[v] = true
		}
	}
	return len(seen)
}

func valuesOf(ds []*dim, s *Summary) []dimVal {
	out := make([]dimVal, len(ds))
	for i, d := range ds {
		out[i] = d.value(s)
	}
	return out
}

// seriesLabel names a line: "old: bufio chunk=64KiB", or the strategy when
// no series dimension applies.
func seriesLabel(ds []*dim, vs []dimVal, s *Summary) string {
	var b strings.Builder
	for i, d := range ds {
		t := d.part(vs[i])
		if t == "" {
			continue
		}
		if d.name == "set" {
			b.WriteString(t + ":")
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(t)
	}
	if b.Len() == 0 || strings.HasSuffix(b.String(), ":") {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(s.Cell.Strategy)
	}
	return b.String()
}

func namesOf(ss []*series) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.name
	}
	return out
}

// listSome joins the first n names and says how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, "; ")
	}
	return strings.Join(names[:n], "; ") + fmt.Sprintf("; and %d more", len(names)-n)
}
