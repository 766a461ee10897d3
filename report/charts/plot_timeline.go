package charts

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// probedCell is a cell with timelines or write-latency histograms, and the
// line label it gets in the charts of its workload.
type probedCell struct {
	c     *resultset.Cell
	set   *resultset.Set
	label string
}

// workloadsOf groups the cells of the sets that have() by workload (files
// and size: the sync mode and every other parameter tell the lines of one
// chart apart), in files-then-size order, and labels every cell by what
// tells it from the others of its workload.
func workloadsOf(sets []*resultset.Set, labels []string, have func(c *resultset.Cell) bool) (keys []string, byKey map[string][]probedCell) {
	byKey = map[string][]probedCell{}
	type wk struct {
		files int
		size  int64
	}
	shape := map[string]wk{}
	for i, s := range sets {
		for k := range s.Results {
			c := &s.Results[k]
			if c.Failed() || c.Skipped != "" || !have(c) {
				continue
			}
			key := strconv.Itoa(c.Files) + " × " + resultset.FormatBytes(c.FileSize)
			if _, ok := shape[key]; !ok {
				shape[key] = wk{c.Files, c.FileSize}
				keys = append(keys, key)
			}
			label := c.Strategy
			for _, p := range c.Params() {
				if p.Name == "sync" && p.Value == "none" {
					continue
				}
				label += " " + p.Name + "=" + p.Value
			}
			if len(sets) > 1 {
				label = summary.Label(labels, i) + ": " + label
			}
			byKey[key] = append(byKey[key], probedCell{c: c, set: s, label: label})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := shape[keys[i]], shape[keys[j]]
		if a.files != b.files {
			return a.files < b.files
		}
		return a.size < b.size
	})
	// A label names only the parameters that differ within the workload.
	for _, k := range keys {
		shortenLabels(byKey[k])
	}
	return keys, byKey
}

// shortenLabels drops from every label the words all labels share (except
// the first, the strategy), when the labels stay distinct.
func shortenLabels(cs []probedCell) {
	if len(cs) < 2 {
		return
	}
	common := map[string]int{}
	for _, pc := range cs {
		for _, w := range strings.Fields(pc.label)[1:] {
			common[w]++
		}
	}
	short := make([]string, len(cs))
	seen := map[string]bool{}
	for i, pc := range cs {
		ws := strings.Fields(pc.label)
		out := ws[:1]
		for _, w := range ws[1:] {
			if common[w] < len(cs) {
				out = append(out, w)
			}
		}
		short[i] = strings.Join(out, " ")
		if seen[short[i]] {
			return
		}
		seen[short[i]] = true
	}
	for i := range cs {
		cs[i].label = short[i]
	}
}

// medianSample is the index of the sample of c whose time is the median
// (the lower of the two middle ones).
func medianSample(c *resultset.Cell) int {
	idx := make([]int, len(c.Seconds))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.Seconds[idx[a]] < c.Seconds[idx[b]] })
	return idx[(len(idx)-1)/2]
}

// fileName makes a workload key part of a chart's file name.
func fileName(key string) string {
	return strings.NewReplacer(" × ", "x", " ", "-").Replace(key)
}

// timelineCharts draws one chart per workload whose cells have timelines:
// above, the throughput of each strategy's median repetition over time;
// below, on the same time axis, the kernel's dirty and writeback memory
// during that repetition and the dirty thresholds.
func timelineCharts(sets []*resultset.Set, labels []string) (names []string, figs []*figure) {
	keys, byKey := workloadsOf(sets, labels, func(c *resultset.Cell) bool { return len(c.Timelines) == len(c.Seconds) && len(c.Seconds) > 0 })
	for _, key := range keys {
		cs := byKey[key]
		if len(cs) > maxSeries {
			cs = cs[:maxSeries]
		}
		fig := &figure{cols: 1, title: "Timeline: " + key + " (median repetition of each strategy)"}
		rate, mem := plot.New(), plot.New()
		rate.Y.Label.Text = "throughput (MB/s)"
		mem.Y.Label.Text = "memory (GiB)"
		mem.X.Label.Text = "time since the repetition started (s)"
		rate.Add(plotter.NewGrid())
		mem.Add(plotter.NewGrid())
		xmax, rmax := 0.0, 0.0
		for i, pc := range cs {
			tl := &pc.c.Timelines[medianSample(pc.c)]
			n := tl.Len()
			if n < 2 {
				continue
			}
			xmax = math.Max(xmax, tl.Seconds[n-1])
			ls, _ := seriesStyle(i)
			// Throughput between consecutive points, drawn as steps.
			var rxy plotter.XYs
			for k := 1; k < n; k++ {
				dt := tl.Seconds[k] - tl.Seconds[k-1]
				if dt <= 0 {
					continue
				}
				r := float64(tl.Bytes[k]-tl.Bytes[k-1]) / dt / 1e6
				rmax = math.Max(rmax, r)
				rxy = append(rxy, plotter.XY{X: tl.Seconds[k-1], Y: r}, plotter.XY{X: tl.Seconds[k], Y: r})
			}
			var thumbs []plot.Thumbnailer
			if len(rxy) > 0 {
				l, err := plotter.NewLine(rxy)
				if err == nil {
					l.LineStyle = ls
					rate.Add(l)
					thumbs = append(thumbs, l)
				}
			}
			var dxy, wxy plotter.XYs
			for k := 0; k < n; k++ {
				if tl.Dirty[k] >= 0 {
					dxy = append(dxy, plotter.XY{X: tl.Seconds[k], Y: float64(tl.Dirty[k]) / (1 << 30)})
				}
				if tl.Writeback[k] >= 0 {
					wxy = append(wxy, plotter.XY{X: tl.Seconds[k], Y: float64(tl.Writeback[k]) / (1 << 30)})
				}
			}
			if l, err := plotter.NewLine(dxy); err == nil && len(dxy) > 0 {
				l.LineStyle = draw.LineStyle{Color: ls.Color, Width: vg.Points(1.5)}
				mem.Add(l)
			}
			if l, err := plotter.NewLine(wxy); err == nil && len(wxy) > 0 {
				l.LineStyle = draw.LineStyle{Color: ls.Color, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
				mem.Add(l)
			}
			fig.legend = append(fig.legend, legendEntry{pc.label, thumbs})
		}
		if xmax <= 0 {
			continue
		}
		// The thresholds of the first set that recorded them.
		var lim *resultset.DirtyLimits
		for _, pc := range cs {
			if pc.set.Env.Dirty != nil {
				lim = pc.set.Env.Dirty
				break
			}
		}
		grey := color.Gray{Y: 0x60}
		if lim != nil {
			for _, th := range []struct {
				name   string
				v      int64
				dashes []vg.Length
			}{
				{"dirty limit: writers throttled above", lim.LimitBytes, []vg.Length{vg.Points(8), vg.Points(3)}},
				{"background threshold: writeback starts above", lim.BackgroundLimitBytes, []vg.Length{vg.Points(3), vg.Points(3)}},
			} {
				if th.v <= 0 {
					continue
				}
				y := float64(th.v) / (1 << 30)
				l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: xmax, Y: y}})
				if err != nil {
					continue
				}
				l.LineStyle = draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: th.dashes}
				mem.Add(l)
				fig.legend = append(fig.legend, legendEntry{fmt.Sprintf("%s (%s)", th.name, resultset.FormatIEC(uint64(th.v))), []plot.Thumbnailer{l}})
			}
			fig.footnotes = append(fig.footnotes, fmt.Sprintf("Thresholds: vm.dirty_ratio %d%%, dirty_background_ratio %d%% (dirty_bytes %d, dirty_background_bytes %d) of %s dirtyable memory at the start: estimates.",
				lim.Ratio, lim.BackgroundRatio, lim.Bytes, lim.BackgroundBytes, resultset.FormatIEC(uint64(lim.DirtyableBytes))))
		}
		fig.footnotes = append(fig.footnotes, "Below: solid lines Dirty, dashed Writeback (/proc/meminfo, machine-wide) during each strategy's repetition.")
		if len(byKey[key]) > maxSeries {
			fig.notes = append(fig.notes, fmt.Sprintf("%d of %d lines shown", maxSeries, len(byKey[key])))
			fig.footnotes = append(fig.footnotes, fig.notes[len(fig.notes)-1]+".")
		}
		for _, p := range []*plot.Plot{rate, mem} {
			p.X.Min, p.X.Max = 0, xmax
			p.Y.Min = 0
		}
		if rmax > 0 {
			rate.Y.Max = rmax * 1.08 // the highest step stays off the frame
		}
		fig.panels = []*plot.Plot{rate, mem}
		names = append(names, "timeline-"+fileName(key))
		figs = append(figs, fig)
	}
	return names, figs
}

// latencyCharts draws one chart per workload whose cells have write
// latency histograms: for each cell, the fraction of write calls slower
// than each latency (all its counted repetitions pooled), both axes
// logarithmic.
func latencyCharts(sets []*resultset.Set, labels []string) (names []string, figs []*figure) {
	keys, byKey := workloadsOf(sets, labels, func(c *resultset.Cell) bool {
		for i := range c.WriteLatency {
			if c.WriteLatency[i].Count() > 0 {
				return true
			}
		}
		return false
	})
	for _, key := range keys {
		cs := byKey[key]
		if len(cs) > maxSeries {
			cs = cs[:maxSeries]
		}
		fig := &figure{cols: 1, title: "Write-call latency: " + key + " (all counted repetitions)"}
		p := plot.New()
		p.X.Label.Text = "latency of one write call"
		p.Y.Label.Text = "fraction of calls slower"
		p.Add(plotter.NewGrid())
		xmin, xmax, ymin := math.Inf(1), math.Inf(-1), 1.0
		for i, pc := range cs {
			h := pooled(pc.c.WriteLatency)
			x, f := h.CCDF()
			var xy plotter.XYs
			for k := range x {
				if x[k] > 0 && f[k] > 0 {
					xy = append(xy, plotter.XY{X: math.Log10(x[k]), Y: math.Log10(f[k])})
					xmin, xmax, ymin = math.Min(xmin, x[k]), math.Max(xmax, x[k]), math.Min(ymin, f[k])
				}
			}
			if len(xy) == 0 {
				continue
			}
			ls, gs := seriesStyle(i)
			l, s, err := plotter.NewLinePoints(xy)
			if err != nil {
				continue
			}
			l.LineStyle = ls
			gs.Radius = vg.Points(2)
			s.GlyphStyle = gs
			p.Add(l, s)
			fig.legend = append(fig.legend, legendEntry{fmt.Sprintf("%s (%s calls)", pc.label, countTick(float64(h.Count()))), []plot.Thumbnailer{l, s}})
		}
		if len(fig.legend) == 0 {
			continue
		}
		lo, hi := niceLogRange(xmin, xmax)
		p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
		flo, _ := niceLogRange(ymin, 1)
		p.Y.Min, p.Y.Max = math.Log10(flo), 0
		p.X.Tick.Marker = log10Axis{label: durationTick}
		p.Y.Tick.Marker = log10Axis{label: func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }}
		fig.panels = []*plot.Plot{p}
		fig.footnotes = append(fig.footnotes, "Log buckets at most 12.5% wide; a point is a bucket's upper bound. Calls: write, pwrite, writev, pwritev2; io_uring: submission to completion.")
		if len(byKey[key]) > maxSeries {
			fig.notes = append(fig.notes, fmt.Sprintf("%d of %d lines shown", maxSeries, len(byKey[key])))
			fig.footnotes = append(fig.footnotes, fig.notes[len(fig.notes)-1]+".")
		}
		names = append(names, "write-latency-"+fileName(key))
		figs = append(figs, fig)
	}
	return names, figs
}

// pooled sums histograms.
func pooled(hs []resultset.WriteLatency) resultset.WriteLatency {
	counts := map[[2]int64]int64{}
	var out resultset.WriteLatency
	for _, h := range hs {
		for _, b := range h.Buckets {
			counts[[2]int64{b[0], b[1]}] += b[2]
		}
		out.Max = math.Max(out.Max, h.Max)
	}
	for k, n := range counts {
		out.Buckets = append(out.Buckets, [3]int64{k[0], k[1], n})
	}
	slices.SortFunc(out.Buckets, func(a, b [3]int64) int { return int(min(max(a[0]-b[0], -1), 1)) })
	return out
}
