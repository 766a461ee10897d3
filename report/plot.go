package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure geometry, in points (PNG is drawn at 96 DPI, so 1pt = 4/3 px).
const (
	panelW     = vg.Length(300) // one panel: 400 px
	panelH     = vg.Length(240) // 320 px
	titleH     = vg.Length(28)
	figPad     = vg.Length(8)
	maxCols    = 2
	pngDPI     = 96
	legendFont = 11
)

// WritePlots draws every chart the sets have enough points for into dir,
// each as PNG and SVG, and returns the files written (in chart order) and a
// note for every chart it skipped. dir must exist. labels name the sets as
// in Render. A chart that cannot be drawn for lack of data is a note, not an
// error; errors are I/O failures.
func WritePlots(dir string, sets []*Set, labels []string) (written []string, notes []string, err error) {
	sums := Summarize(sets, labels)
	st := newStyler(sums, len(sets) > 1)
	for _, ch := range Charts {
		fig, note := buildChart(ch.Name, sums, st)
		if fig == nil {
			notes = append(notes, fmt.Sprintf("chart %s skipped: %s", ch.Name, note))
			continue
		}
		fig.title = ch.Title
		files, err := fig.save(filepath.Join(dir, ch.Name))
		written = append(written, files...)
		if err != nil {
			return written, notes, err
		}
	}
	return written, notes, nil
}

func buildChart(name string, sums []*Summary, st *styler) (*figure, string) {
	switch name {
	case "throughput":
		return lineChart(sums, st, lineSpec{
			panelBy: byFiles, xOf: bySize, xLabel: "file size", yLabel: "throughput (MB/s)",
			y: func(s *Summary) Stat { return scaleStat(s.BytesPerSec, 1e-6) }, errBars: true, minX: 2,
			what: "file sizes",
		})
	case "files-per-second":
		return lineChart(sums, st, lineSpec{
			panelBy: bySizePanel, xOf: byFilesX, xLabel: "files per repetition", yLabel: "files/s",
			y: func(s *Summary) Stat { return s.FilesPerSec }, minX: 2, what: "file counts",
		})
	case "syscalls-per-mib":
		return lineChart(sums, st, lineSpec{
			panelBy: byFiles, xOf: bySize, xLabel: "file size", yLabel: "write syscalls / MiB",
			y: func(s *Summary) Stat { return s.SyscallsPerMiB }, minX: 1, what: "file sizes with syscall counts",
		})
	case "latency-p99":
		return lineChart(sums, st, lineSpec{
			panelBy: byFiles, xOf: bySize, xLabel: "file size", yLabel: "p99 per file (ms)",
			y: func(s *Summary) Stat { return scaleStat(s.LatencyP99, 1e3) }, minX: 1, what: "file sizes with latency samples",
		})
	case "winner-map":
		return winnerMap(sums, st)
	}
	return nil, "unknown chart"
}

func scaleStat(s Stat, f float64) Stat {
	s.Median *= f
	s.Lo *= f
	s.Hi *= f
	return s
}

// styler gives each series a stable colour (by strategy), glyph and dash
// (by variant), the same in every chart.
type styler struct {
	multi      bool
	varying    []string
	strategies []string       // sorted
	series     map[string]int // series name -> variant index within its strategy
}

func newStyler(sums []*Summary, multi bool) *styler {
	st := &styler{multi: multi, varying: varyingParams(sums), series: map[string]int{}}
	seen := map[string]bool{}
	variants := map[string]int{}
	for _, s := range sums {
		if !seen[s.Cell.Strategy] {
			seen[s.Cell.Strategy] = true
			st.strategies = append(st.strategies, s.Cell.Strategy)
		}
	}
	sort.Strings(st.strategies)
	for _, s := range sums {
		name := st.name(s)
		if _, ok := st.series[name]; !ok {
			key := s.Cell.Strategy
			st.series[name] = variants[key]
			variants[key]++
		}
	}
	return st
}

func (st *styler) name(s *Summary) string { return seriesName(s, st.varying, st.multi) }

func (st *styler) strategyIndex(name string) int {
	return sort.SearchStrings(st.strategies, name)
}

// palette is the Okabe-Ito colour-blind-safe palette, yellow last.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // green
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
	color.RGBA{0xF0, 0xE4, 0x42, 0xff}, // yellow
}

func paletteColor(i int) color.Color { return palette[i%len(palette)] }

func (st *styler) color(strategy string) color.Color { return paletteColor(st.strategyIndex(strategy)) }

func (st *styler) styles(s *Summary) (draw.LineStyle, draw.GlyphStyle) {
	i := st.strategyIndex(s.Cell.Strategy)
	v := st.series[st.name(s)]
	ls := draw.LineStyle{Color: paletteColor(i), Width: vg.Points(1.5), Dashes: plotutil.Dashes(v)}
	gs := draw.GlyphStyle{Color: paletteColor(i), Radius: vg.Points(2.5), Shape: plotutil.Shape(i)}
	return ls, gs
}

// lineSpec describes a chart of one metric against file size or file count,
// one line per series, one panel per value of the other dimension.
type lineSpec struct {
	panelBy        func(*Summary) (key int64, title string)
	xOf            func(*Summary) (x float64, label func(float64) string)
	xLabel, yLabel string
	y              func(*Summary) Stat
	errBars        bool
	minX           int    // distinct x values needed in at least one panel
	what           string // for the skip note
}

func byFiles(s *Summary) (int64, string) {
	return int64(s.Cell.Files), plural(s.Cell.Files, "file")
}

func bySize(s *Summary) (float64, func(float64) string) {
	return float64(s.Cell.FileSize), func(v float64) string { return FormatBytes(int64(v)) }
}

func byFilesX(s *Summary) (float64, func(float64) string) {
	return float64(s.Cell.Files), func(v float64) string { return strconv.FormatInt(int64(math.Round(v)), 10) }
}

func bySizePanel(s *Summary) (int64, string) {
	return s.Cell.FileSize, FormatBytes(s.Cell.FileSize) + " per file"
}

// panelData is the points of one panel, by series.
type panelData struct {
	key    int64
	title  string
	series map[string][]point
	order  []string
	xs     map[float64]bool
}

type point struct {
	x     float64
	y     Stat
	style *Summary
}

func lineChart(sums []*Summary, st *styler, spec lineSpec) (*figure, string) {
	if spec.panelBy == nil {
		spec.panelBy = byFiles
	}
	panels := map[int64]*panelData{}
	var keys []int64
	var xLabel func(float64) string
	zeros := map[string]bool{}
	for _, s := range sums {
		if s.Failed() {
			continue
		}
		y := spec.y(s)
		if y.OK() && y.Median == 0 {
			zeros[st.name(s)] = true
		}
		if !y.OK() || !(y.Median > 0) {
			continue
		}
		x, lab := spec.xOf(s)
		if !(x > 0) {
			continue
		}
		xLabel = lab
		k, title := spec.panelBy(s)
		p := panels[k]
		if p == nil {
			p = &panelData{key: k, title: title, series: map[string][]point{}, xs: map[float64]bool{}}
			panels[k] = p
			keys = append(keys, k)
		}
		name := st.name(s)
		if _, ok := p.series[name]; !ok {
			p.order = append(p.order, name)
		}
		p.series[name] = append(p.series[name], point{x: x, y: y, style: s})
		p.xs[x] = true
	}
	best := 0
	for _, p := range panels {
		best = max(best, len(p.xs))
	}
	if len(panels) == 0 || best < spec.minX {
		return nil, fmt.Sprintf("needs at least %d %s > 0 in one panel, the set has %d", spec.minX, spec.what, best)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	fig := &figure{}
	legendSeen := map[string]bool{}
	for _, k := range keys {
		pd := panels[k]
		if len(pd.xs) < spec.minX {
			continue // a panel with too few points would only mislead
		}
		p := plot.New()
		p.Title.Text = pd.title
		p.X.Label.Text = spec.xLabel
		p.Y.Label.Text = spec.yLabel
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = pow2Ticks{label: xLabel, data: pd.xs}
		p.Y.Tick.Marker = log10Axis{}
		p.Add(plotter.NewGrid())
		xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		sort.Strings(pd.order)
		for _, name := range pd.order {
			pts := pd.series[name]
			sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
			xys := make(plotter.XYs, len(pts))
			errs := make(plotter.YErrors, len(pts))
			hasErr := false
			for i, pt := range pts {
				// Y is plotted as log10(value) on a linear axis labelled
				// in values: gonum centres a log axis's label on the
				// arithmetic mean of its range and pads the panel for it.
				xys[i] = plotter.XY{X: pt.x, Y: math.Log10(pt.y.Median)}
				lo, hi := pt.y.Median, pt.y.Median
				if spec.errBars && pt.y.HasCI && pt.y.Lo > 0 {
					lo, hi = pt.y.Lo, pt.y.Hi
					errs[i] = struct{ Low, High float64 }{math.Log10(pt.y.Median) - math.Log10(lo), math.Log10(hi) - math.Log10(pt.y.Median)}
					hasErr = true
				}
				xmin, xmax = math.Min(xmin, pt.x), math.Max(xmax, pt.x)
				ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
			}
			ls, gs := st.styles(pts[0].style)
			line, scatter, err := plotter.NewLinePoints(xys)
			if err != nil {
				continue
			}
			line.LineStyle = ls
			scatter.GlyphStyle = gs
			p.Add(line, scatter)
			if hasErr {
				eb := &plotter.YErrorBars{XYs: xys, YErrors: errs, LineStyle: draw.LineStyle{Color: ls.Color, Width: vg.Points(1)}, CapWidth: vg.Points(4)}
				p.Add(eb)
			}
			if !legendSeen[name] {
				legendSeen[name] = true
				fig.legend = append(fig.legend, legendEntry{name, []plot.Thumbnailer{line, scatter}})
			}
		}
		p.X.Min, p.X.Max = padLog(xmin, xmax, 1.25)
		ylo, yhi := padLog(ymin, ymax, 1.15)
		p.Y.Min, p.Y.Max = math.Log10(ylo), math.Log10(yhi)
		fig.panels = append(fig.panels, p)
	}
	sort.SliceStable(fig.legend, func(i, j int) bool { return fig.legend[i].name < fig.legend[j].name })
	if len(zeros) > 0 {
		fig.footnote = "Not shown (0, off a log axis): " + strings.Join(sortedKeys(zeros), ", ") + "."
	}
	return fig, ""
}

// padLog widens [lo, hi] by factor f on a log scale, and by 2x each way
// when lo == hi so a single point sits mid-axis.
func padLog(lo, hi, f float64) (float64, float64) {
	if lo == hi {
		return lo / 2, hi * 2
	}
	return lo / f, hi * f
}

// pow2Ticks marks powers of two, labelled by label (e.g. 4KiB, 1MiB),
// thinning labels to keep at most about 7.
// When data holds at most 6 values, exactly those are labelled.
type pow2Ticks struct {
	label func(float64) string
	data  map[float64]bool
}

func (t pow2Ticks) Ticks(min, max float64) []plot.Tick {
	lo := int(math.Ceil(math.Log2(min)))
	hi := int(math.Floor(math.Log2(max)))
	step := 1
	for (hi-lo)/step+1 > 5 {
		step *= 2
	}
	useData := len(t.data) > 0 && len(t.data) <= 6
	var ticks []plot.Tick
	if useData {
		for v := range t.data {
			if v >= min && v <= max && v != math.Exp2(math.Round(math.Log2(v))) {
				ticks = append(ticks, plot.Tick{Value: v, Label: t.label(v)})
			}
		}
	}
	for e := lo; e <= hi; e++ {
		v := math.Exp2(float64(e))
		tk := plot.Tick{Value: v}
		if (useData && t.data[v]) || (!useData && (e-lo)%step == 0) {
			tk.Label = t.label(v)
		}
		ticks = append(ticks, tk)
	}
	if len(ticks) == 0 { // range within one octave: label the ends
		ticks = append(ticks, plot.Tick{Value: min, Label: t.label(min)}, plot.Tick{Value: max, Label: t.label(max)})
	}
	return ticks
}

// logTicks labels powers of ten, or 1-2-5 steps when the range spans fewer
// than three decades, or every integer multiple when even that gives fewer
// than two labels; plot.LogTicks can leave a narrow axis without labels.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= 0 {
		return nil
	}
	lo := int(math.Floor(math.Log10(min)))
	hi := int(math.Ceil(math.Log10(max)))
	label := func(v float64) string {
		if v >= 1000 {
			return formatCount(v)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	gen := func(labelled func(m int) bool) ([]plot.Tick, int) {
		var ticks []plot.Tick
		n := 0
		for e := lo; e <= hi; e++ {
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow(10, float64(e))
				if v < min || v > max {
					continue
				}
				tk := plot.Tick{Value: v}
				if labelled(m) {
					tk.Label = label(v)
					n++
				}
				ticks = append(ticks, tk)
			}
		}
		return ticks, n
	}
	for _, rule := range []func(int) bool{
		func(m int) bool { return m == 1 },
		func(m int) bool { return m == 1 || m == 2 || m == 5 },
		func(m int) bool { return true },
	} {
		ticks, n := gen(rule)
		if n >= 3 || (n >= 2 && rule(3)) {
			return ticks
		}
	}
	ticks, _ := gen(func(int) bool { return true })
	return append(ticks, plot.Tick{Value: min, Label: label(min)}, plot.Tick{Value: max, Label: label(max)})
}

// log10Axis marks a linear axis that holds log10 of the data with the
// ticks of logTicks, labelled in data values.
type log10Axis struct{}

func (log10Axis) Ticks(min, max float64) []plot.Tick {
	ticks := logTicks{}.Ticks(math.Pow(10, min), math.Pow(10, max))
	for i := range ticks {
		ticks[i].Value = math.Log10(ticks[i].Value)
	}
	return ticks
}

// legendEntry is one line of a figure's shared legend.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// figure is one chart: panels laid out in a grid under a title, with one
// legend to the right of the panels so it never covers data.
type figure struct {
	title  string
	panels []*plot.Plot
	legend []legendEntry
	cols   int
	// footnote is one line of small text under the panels, if any.
	footnote string
}

const footH = vg.Length(16)

func (f *figure) textStyle(size float64) text.Style {
	return text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(size)), Handler: plot.DefaultTextHandler}
}

func (f *figure) size() (w, h, legendW vg.Length, cols, rows int) {
	cols = f.cols
	if cols == 0 {
		cols = min(len(f.panels), maxCols)
	}
	rows = (len(f.panels) + cols - 1) / cols
	if len(f.legend) > 0 && !f.legendInTile(cols, rows) {
		sty := f.textStyle(legendFont)
		for _, e := range f.legend {
			legendW = max(legendW, sty.Width(e.name))
		}
		legendW += vg.Points(20) + vg.Points(18) // thumbnail, gaps
	}
	w = vg.Length(cols)*panelW + legendW + 2*figPad
	h = vg.Length(rows)*panelH + titleH + 2*figPad
	if f.footnote != "" {
		h += footH
	}
	return w, h, legendW, cols, rows
}

// legendInTile reports whether the legend goes in the empty last tile
// rather than in a strip to the right of the panels.
func (f *figure) legendInTile(cols, rows int) bool { return len(f.panels) < cols*rows }

func (f *figure) newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle = f.textStyle(legendFont)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	for _, e := range f.legend {
		l.Add(e.name, e.thumbs...)
	}
	return l
}

func (f *figure) draw(c vg.CanvasSizer) {
	w, h, legendW, cols, rows := f.size()
	dc := draw.New(c)
	dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}})
	tsty := f.textStyle(13)
	tsty.XAlign = draw.XCenter
	tsty.YAlign = draw.YTop
	dc.FillText(tsty, vg.Point{X: (w - legendW) / 2, Y: h - figPad}, f.title)

	bottom := figPad
	if f.footnote != "" {
		fsty := f.textStyle(9)
		fsty.YAlign = draw.YBottom
		dc.FillText(fsty, vg.Point{X: figPad, Y: figPad}, f.footnote)
		bottom += footH
	}
	area := draw.Crop(dc, figPad, -(figPad + legendW), bottom, -(figPad + titleH))
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range cols {
			if i := r*cols + c; i < len(f.panels) {
				grid[r][c] = f.panels[i]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(12), PadY: vg.Points(10)}
	canvases := plot.Align(grid, tiles, area)
	for r := range grid {
		for c := range grid[r] {
			if grid[r][c] != nil {
				grid[r][c].Draw(canvases[r][c])
			}
		}
	}
	switch {
	case len(f.legend) == 0:
	case f.legendInTile(cols, rows):
		l := f.newLegend()
		last := tiles.At(area, cols-1, rows-1)
		l.Draw(draw.Crop(last, vg.Points(40), 0, 0, -vg.Points(30)))
	default:
		l := f.newLegend()
		lc := draw.Crop(dc, w-figPad-legendW+vg.Points(8), -figPad, figPad, -(figPad + titleH + vg.Points(20)))
		l.Draw(lc)
	}
}

// save writes base.png and base.svg and returns their paths.
func (f *figure) save(base string) ([]string, error) {
	w, h, _, _, _ := f.size()
	var written []string

	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))
	f.draw(img)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return written, fmt.Errorf("encode %s.png: %w", base, err)
	}
	if err := WriteFileAtomic(base+".png", buf.Bytes()); err != nil {
		return written, err
	}
	written = append(written, base+".png")

	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	f.draw(svg)
	buf.Reset()
	if _, err := svg.WriteTo(&buf); err != nil {
		return written, fmt.Errorf("encode %s.svg: %w", base, err)
	}
	if err := WriteFileAtomic(base+".svg", buf.Bytes()); err != nil {
		return written, err
	}
	return append(written, base+".svg"), nil
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
// c-th file size, row r the r-th file count, Z the winner's strategy index
// (NaN when no cell of the group succeeded).
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

// winnerMap draws, per set and sync mode, a grid over file count × file
// size coloured by the fastest strategy, each cell naming it and its margin
// over the runner-up.
func winnerMap(sums []*Summary, st *styler) (*figure, string) {
	ws := Winners(sums)
	contested := 0
	for _, w := range ws {
		if w.Candidates >= 2 {
			contested++
		}
	}
	if contested == 0 {
		return nil, "needs at least two strategies that succeeded at the same files and size"
	}
	type panelKey struct{ label, sync string }
	var keys []panelKey
	byPanel := map[panelKey][]Winner{}
	for _, w := range ws {
		k := panelKey{w.Label, w.Sync}
		if _, ok := byPanel[k]; !ok {
			keys = append(keys, k)
		}
		byPanel[k] = append(byPanel[k], w)
	}
	fig := &figure{}
	pal := make(fixedPalette, len(st.strategies))
	for i, s := range st.strategies {
		pal[i] = lighten(st.color(s), 0.55)
	}
	inLegend := map[string]bool{}
	varying := dropSync(st.varying)
	for _, k := range keys {
		pw := byPanel[k]
		g := winnerGrid{z: map[[2]int]float64{}}
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
		var labels plotter.XYLabels
		for _, w := range pw {
			c := sort.Search(len(g.sizes), func(i int) bool { return g.sizes[i] >= w.FileSize })
			r := sort.SearchInts(g.files, w.Files)
			g.z[[2]int{c, r}] = float64(st.strategyIndex(w.Best.Cell.Strategy))
			inLegend[w.Best.Cell.Strategy] = true
			lines := []string{w.Best.Cell.Strategy}
			var vals []string
			for _, name := range varying {
				if v := paramValue(w.Best.Cell, name); v != "-" {
					vals = append(vals, name+"="+v)
				}
			}
			if len(vals) > 0 {
				lines = append(lines, strings.Join(vals, " "))
			}
			if w.RunnerUp != nil {
				lines = append(lines, marginString(w.Margin)+" vs "+w.RunnerUp.Cell.Strategy)
				if !w.Clear {
					lines = append(lines, "(within noise)")
				}
			} else {
				lines = append(lines, "only one ran")
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, strings.Join(lines, "\n"))
		}
		hm := plotter.NewHeatMap(g, pal)
		hm.Min, hm.Max = 0, float64(len(pal)-1)
		if len(pal) == 1 {
			hm.Palette = fixedPalette{pal[0], pal[0]}
			hm.Max = 1
		}
		hm.NaN = color.Gray{Y: 230}
		p := plot.New()
		var title []string
		if st.multi {
			title = append(title, k.label)
		}
		title = append(title, "sync="+k.sync)
		p.Title.Text = strings.Join(title, ", ")
		p.X.Label.Text = "file size"
		p.Y.Label.Text = "files"
		p.Add(hm)
		lp, err := plotter.NewLabels(labels)
		if err == nil {
			for i := range lp.TextStyle {
				lp.TextStyle[i].XAlign = draw.XCenter
				lp.TextStyle[i].YAlign = draw.YCenter
				lp.TextStyle[i].Font.Size = vg.Points(9)
			}
			p.Add(lp)
		}
		var sizeNames, fileNames []string
		for _, s := range g.sizes {
			sizeNames = append(sizeNames, FormatBytes(s))
		}
		for _, f := range g.files {
			fileNames = append(fileNames, strconv.Itoa(f))
		}
		p.NominalX(sizeNames...)
		p.NominalY(fileNames...)
		p.X.Min, p.X.Max = -0.5, float64(len(g.sizes))-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(len(g.files))-0.5
		fig.panels = append(fig.panels, p)
	}
	for _, s := range st.strategies {
		if inLegend[s] {
			fig.legend = append(fig.legend, legendEntry{s, []plot.Thumbnailer{colorBox{lighten(st.color(s), 0.55)}}})
		}
	}
	fig.cols = min(len(fig.panels), 2)
	return fig, ""
}
