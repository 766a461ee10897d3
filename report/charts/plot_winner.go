package charts

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bounds on the winner map: at most maxWinnerPanels (set, sync) panels and
// maxWinnerAxis file counts and sizes per panel (evenly spaced, ends kept);
// squares are labelled only up to maxLabelledAxis per axis.
const (
	maxWinnerPanels = 6
	maxWinnerAxis   = 12
	maxLabelledAxis = 6
)

// squareVerdict is how sure the winner of one square is.
type squareVerdict int

const (
	verdictClear     squareVerdict = iota // a winner: faster than every other contender beyond the tie margin
	verdictTie                            // the leaders are equivalent within the tie margin
	verdictUndecided                      // the intervals are too wide to say
	verdictAlone                          // only one strategy succeeded: nothing to beat
)

// squareDecision is the verdict of one square: its fastest contender
// (strategy for the colour, label for the text), for a tie the other
// leaders, and the margin over the runner-up.
type squareDecision struct {
	v        squareVerdict
	strategy string // the fastest contender's strategy
	label    []string
	tiedWith []string
	margin   float64 // fastest speed / runner-up speed - 1; NaN when unknown
	runnerUp string
	tie      float64 // the group's tie margin (0 without a paired verdict)
}

// verdictIndex holds the paired verdict (judge.Verdicts) of every
// comparison group, by set label, files, size and sync mode.
type verdictIndex map[string]*judge.Verdict

func verdictKey(label, files, size, sync string) string {
	return label + "\x00" + files + "\x00" + size + "\x00" + sync
}

// indexVerdicts decides every comparison group of the sets, with the
// options each set was sampled with.
func indexVerdicts(sets []*resultset.Set, labels []string) verdictIndex {
	vi := verdictIndex{}
	for _, sv := range summary.Verdicts(sets, labels) {
		for i := range sv.Verdicts {
			v := &sv.Verdicts[i]
			files, size, sync, _ := summary.Workload(v)
			vi[verdictKey(sv.Label, files, size, sync)] = v
		}
	}
	return vi
}

// winnerVerdict decides one square: from the group's paired verdict when
// there is one (its fastest contender, winner, tie or undecided), else from
// the medians and whether the winner's 95% interval clears the
// runner-up's. It is the one place the winner map asks who won a square and
// how sure the win is, so the map never names another strategy than the
// verdict lines do.
func winnerVerdict(w summary.Winner, vi verdictIndex, kv *summary.KnobView) squareDecision {
	d := squareDecision{margin: w.Margin}
	if w.Best != nil {
		d.strategy, d.label = w.Best.Cell.Strategy, []string{w.Best.Cell.Strategy}
		var vals []string
		if kv != nil {
			for _, name := range kv.Varying {
				if v := kv.Value(w.Best.Cell, name); v != "-" {
					vals = append(vals, name+"="+v)
				}
			}
		}
		if len(vals) > 0 {
			d.label = append(d.label, strings.Join(vals, " "))
		}
	}
	if w.RunnerUp == nil {
		d.v = verdictAlone
		return d
	}
	if w.RunnerUp.Cell != nil {
		d.runnerUp = w.RunnerUp.Cell.Strategy
	}
	v := vi[verdictKey(w.Label, strconv.Itoa(w.Files), resultset.FormatBytes(w.FileSize), w.Sync)]
	if v == nil || v.Fastest == "" {
		d.v = verdictUndecided
		if w.Clear {
			d.v = verdictClear
		}
		return d
	}
	fc := v.Contenders[0] // the fastest comes first
	d.strategy, d.label, d.tie = fc.Strategy, strings.SplitN(fc.Label, " ", 2), v.Tie
	d.margin, d.runnerUp = math.NaN(), ""
	// The same leaders as the answer's line: the fastest and those tied
	// with it or not told apart from it.
	leaders := summary.Leaders(v)
	for _, c := range leaders[1:] {
		d.tiedWith = append(d.tiedWith, c.Label)
	}
	for i := range v.Contenders[1:] {
		c := &v.Contenders[1+i]
		if c.Ratio > 0 && !math.IsNaN(c.Ratio) && c.Verdict != judge.Unsafe && !slices.Contains(leaders, c) {
			d.margin, d.runnerUp = 1/c.Ratio-1, c.Label
			break
		}
	}
	switch v.Verdict {
	case judge.Winner:
		d.v = verdictClear
	case judge.Tie:
		d.v = verdictTie
	default:
		d.v = verdictUndecided
	}
	return d
}

// squareText is the text of a square below its winner's label.
func squareText(d squareDecision) []string {
	vs := func() string {
		if math.IsNaN(d.margin) || d.runnerUp == "" {
			return ""
		}
		return summary.Margin(d.margin) + " vs " + d.runnerUp
	}
	together := func() string {
		t := "≈ " + strings.Join(d.tiedWith[:min(2, len(d.tiedWith))], ", ")
		if len(d.tiedWith) > 2 {
			t += fmt.Sprintf(" +%d", len(d.tiedWith)-2)
		}
		return t
	}
	switch d.v {
	case verdictAlone:
		return []string{"only one ran"}
	case verdictClear:
		return []string{vs()}
	case verdictTie:
		if len(d.tiedWith) == 0 {
			return []string{"none >" + resultset.FormatPercent(d.tie) + " faster"}
		}
		return []string{together()}
	}
	if len(d.tiedWith) > 0 {
		return []string{together(), "(undecided)"}
	}
	if m := vs(); m != "" {
		return []string{m, "(undecided)"}
	}
	return []string{"(undecided)"}
}

// squareShade is the palette index of a square won by strategy si of n:
// its strong colour for a clear win, a medium one for a tie, a pale one
// when undecided or uncontested.
func squareShade(si, n int, v squareVerdict) float64 {
	switch v {
	case verdictClear:
		return float64(si)
	case verdictTie:
		return float64(n + si)
	}
	return float64(2*n + si)
}

// colorBox is a legend thumbnail: a filled square.
type colorBox struct{ c color.Color }

func (b colorBox) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(b.c, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// lighten mixes c with white so black text stays readable on it.
func lighten(c color.Color, f float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(float64(v>>8)*(1-f) + 255*f) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}

type fixedPalette []color.Color

func (p fixedPalette) Colors() []color.Color { return p }

// winnerGrid is the heat-map grid of one winner-map panel: column c is the
// c-th file size, row r the r-th file count, Z the palette index (NaN when
// no cell of the group succeeded).
type winnerGrid struct {
	sizes []int64
	files []int
	z     map[[2]int]float64
}

func (g winnerGrid) Dims() (c, r int) { return len(g.sizes), len(g.files) }
func (g winnerGrid) X(c int) float64  { return float64(c) }
func (g winnerGrid) Y(r int) float64  { return float64(r) }
func (g winnerGrid) Z(c, r int) float64 {
	if v, ok := g.z[[2]int{c, r}]; ok {
		return v
	}
	return math.NaN()
}

// thin keeps at most n of the sorted values, evenly spaced, first and last
// included.
func thin[T any](vs []T, n int) []T {
	if len(vs) <= n {
		return vs
	}
	out := make([]T, n)
	for i := range out {
		out[i] = vs[i*(len(vs)-1)/(n-1)]
	}
	return out
}

// winnerMap draws, per set and sync mode, a grid over file count × file
// size coloured by the fastest strategy: a strong colour when the win is
// clear, a pale one when it is within noise or uncontested. Squares name
// the winner and its margin over the runner-up.
func winnerMap(sums []*summary.Summary, vi verdictIndex, kv *summary.KnobView, multi bool) (*figure, string) {
	ws := summary.Winners(sums)
	contested := 0
	var strategies []string
	seen := map[string]bool{}
	for _, w := range ws {
		if w.Candidates >= 2 {
			contested++
		}
	}
	for _, s := range sums {
		if !seen[s.Cell.Strategy] {
			seen[s.Cell.Strategy] = true
			strategies = append(strategies, s.Cell.Strategy)
		}
	}
	if contested == 0 {
		return nil, "needs at least two strategies that succeeded at the same files and size"
	}
	sort.Strings(strategies)
	index := func(s string) int { return sort.SearchStrings(strategies, s) }
	keys, byPanel := winnerPanels(ws)
	fig := &figure{}
	if len(keys) > maxWinnerPanels {
		var left []string
		for _, k := range keys[maxWinnerPanels:] {
			left = append(left, strings.TrimPrefix(k.label+" ", " ")+"sync="+k.sync)
		}
		fig.notes = append(fig.notes, fmt.Sprintf("%d of %d panels shown, left out: %s", maxWinnerPanels, len(keys), listSome(left, 4)))
		keys = keys[:maxWinnerPanels]
	}
	// Palette: strong colours for clear wins, then pale ones.
	n := len(strategies)
	pal := make(fixedPalette, 3*n)
	for i := range strategies {
		pal[i] = lighten(paletteColor(i), 0.3)
		pal[n+i] = lighten(paletteColor(i), 0.6)
		pal[2*n+i] = lighten(paletteColor(i), 0.85)
	}
	tie := 0.0
	inLegend := map[string]bool{}
	anyPale := false
	noSync := *kv
	noSync.Varying = slices.DeleteFunc(slices.Clone(kv.Varying), func(n string) bool { return n == "sync" })
	kv = &noSync
	cutAxes := 0
	for _, k := range keys {
		pw := byPanel[k]
		g, cut := newWinnerGrid(pw)
		if cut {
			cutAxes++
		}
		labelled := len(g.sizes) <= maxLabelledAxis && len(g.files) <= maxLabelledAxis
		var labels plotter.XYLabels
		for _, w := range pw {
			c := sort.Search(len(g.sizes), func(i int) bool { return g.sizes[i] >= w.FileSize })
			r := sort.SearchInts(g.files, w.Files)
			if c == len(g.sizes) || g.sizes[c] != w.FileSize || r == len(g.files) || g.files[r] != w.Files {
				continue // thinned out
			}
			d := winnerVerdict(w, vi, kv)
			si := index(d.strategy)
			if d.v != verdictClear {
				anyPale = true
			}
			if v := vi[verdictKey(w.Label, strconv.Itoa(w.Files), resultset.FormatBytes(w.FileSize), w.Sync)]; v != nil {
				tie = v.Tie
			}
			g.z[[2]int{c, r}] = squareShade(si, n, d.v)
			inLegend[d.strategy] = true
			if !labelled {
				continue
			}
			lines := append(d.label, squareText(d)...)
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, strings.Join(lines, "\n"))
		}
		var title []string
		if multi {
			title = append(title, k.label)
		}
		title = append(title, "sync="+k.sync)
		p := winnerPanel(g, pal, labels, strings.Join(title, ", "))
		fig.panels = append(fig.panels, p)
	}
	if cutAxes > 0 {
		fig.notes = append(fig.notes, fmt.Sprintf("%d panel(s) show at most %d file counts and %d sizes, evenly spaced; the tables list every group", cutAxes, maxWinnerAxis, maxWinnerAxis))
	}
	for i, s := range strategies {
		if inLegend[s] {
			fig.legend = append(fig.legend, legendEntry{s, []plot.Thumbnailer{colorBox{pal[i]}}})
		}
	}
	fig.title = "Fastest strategy per (files, size)"
	if anyPale {
		t := "the tie margin"
		if tie > 0 {
			t = fmt.Sprintf("%.0f%%", 100*tie)
		}
		fig.footnotes = append(fig.footnotes, "Strong colour: a winner (paired verdict). Medium: a tie (none more than "+t+" faster). Pale: undecided, or only one strategy ran. Grey: all failed.")
	}
	for _, n := range fig.notes {
		fig.footnotes = append(fig.footnotes, n+".")
	}
	fig.cols = min(len(fig.panels), 2)
	return fig, ""
}

// winnerPanelKey names one panel of the winner map: a set and a sync mode.
type winnerPanelKey struct{ label, sync string }

// winnerPanels groups the winners by panel, in set order, then sync order.
func winnerPanels(ws []summary.Winner) ([]winnerPanelKey, map[winnerPanelKey][]summary.Winner) {
	var keys []winnerPanelKey
	byPanel := map[winnerPanelKey][]summary.Winner{}
	for _, w := range ws {
		k := winnerPanelKey{w.Label, w.Sync}
		if _, ok := byPanel[k]; !ok {
			keys = append(keys, k)
		}
		byPanel[k] = append(byPanel[k], w)
	}
	labelIdx := map[string]int{} // sums are in set order
	for _, k := range keys {
		if _, ok := labelIdx[k.label]; !ok {
			labelIdx[k.label] = len(labelIdx)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if a, b := labelIdx[keys[i].label], labelIdx[keys[j].label]; a != b {
			return a < b
		}
		return syncRank(keys[i].sync) < syncRank(keys[j].sync)
	})
	return keys, byPanel
}

// newWinnerGrid is the empty grid of a panel's winners: their sizes and
// file counts, sorted, thinned to maxWinnerAxis (cut true) when more.
func newWinnerGrid(pw []summary.Winner) (g winnerGrid, cut bool) {
	g = winnerGrid{z: map[[2]int]float64{}}
	sizeSet, fileSet := map[int64]bool{}, map[int]bool{}
	for _, w := range pw {
		sizeSet[w.FileSize] = true
		fileSet[w.Files] = true
	}
	for s := range sizeSet {
		g.sizes = append(g.sizes, s)
	}
	for f := range fileSet {
		g.files = append(g.files, f)
	}
	sort.Slice(g.sizes, func(i, j int) bool { return g.sizes[i] < g.sizes[j] })
	sort.Ints(g.files)
	if len(g.sizes) > maxWinnerAxis || len(g.files) > maxWinnerAxis {
		cut = true
		g.sizes = thin(g.sizes, maxWinnerAxis)
		g.files = thin(g.files, maxWinnerAxis)
	}
	return g, cut
}

// winnerPanel draws one panel: grid g as a heat map in palette pal, with
// the square labels and the title.
func winnerPanel(g winnerGrid, pal fixedPalette, labels plotter.XYLabels, title string) *plot.Plot {
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = 0, float64(len(pal)-1)
	hm.NaN = color.Gray{Y: 230}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "file size"
	p.Y.Label.Text = "files per repetition"
	p.Add(hm)
	if len(labels.Labels) > 0 {
		if lp, err := plotter.NewLabels(labels); err == nil {
			for i := range lp.TextStyle {
				lp.TextStyle[i].XAlign = draw.XCenter
				lp.TextStyle[i].YAlign = draw.YCenter
				lp.TextStyle[i].Font.Size = vg.Points(9)
			}
			p.Add(lp)
		}
	}
	var sizeNames, fileNames []string
	for _, s := range g.sizes {
		sizeNames = append(sizeNames, resultset.FormatBytes(s))
	}
	for _, f := range g.files {
		fileNames = append(fileNames, strconv.Itoa(f))
	}
	p.NominalX(sizeNames...)
	p.NominalY(fileNames...)
	p.X.Min, p.X.Max = -0.5, float64(len(g.sizes))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.files))-0.5
	return p
}
