package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"
	"slices"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart names one chart Write draws: Name is the file name without
// extension (Name.png and Name.svg), Title its heading, About one sentence
// on how to read it.
type Chart struct {
	Name, Title, About string
}

// chartList lists every chart Write can draw, in page order: every
// metric against every parameter a set can sweep, then the winner map.
var chartList = allCharts()

// All returns every chart Write can draw (a copy), in page order.
func All() []Chart { return slices.Clone(chartList) }

// Figure geometry, in points (1pt = 1/72 inch).
const (
	panelW     = vg.Length(300)
	panelH     = vg.Length(240)
	titleH     = vg.Length(28)
	figPad     = vg.Length(8)
	legendFont = 11
	footFont   = 9
	footH      = vg.Length(13) // one footnote line
)

// DefaultDPI is the resolution of PNG charts: twice the 96 DPI of a
// plain screen, so they stay sharp on high-density displays (a one-panel
// chart of 300pt is 800 px wide).
const DefaultDPI = 192

// Options tunes WriteWith. The zero value means the defaults.
type Options struct {
	// DPI is the PNG resolution; 0 means DefaultDPI. SVG is
	// resolution-independent.
	DPI int
}

// Write draws every chart the sets have enough points for into dir,
// each as PNG and SVG, and returns the files written (in chart order) and a
// note for every chart it skipped or cut short. dir must exist. labels name
// the sets as in Render. A chart that cannot be drawn for lack of data is a
// note, not an error; errors are I/O failures.
//
// Every metric (throughput, files/s, syscalls per MiB, p99 latency) is drawn
// against every parameter the sets sweep (files, size, record, buffer, chunk,
// concurrency, batch, queue depth): NAME.png against the metric's usual axis
// (file size, or file count for files/s) and NAME-vs-PARAM.png against the
// others. The winner map shades each (files, size) square by its fastest
// strategy.
func Write(dir string, sets []*resultset.Set, labels []string) (written []string, notes []string, err error) {
	return WriteWith(dir, sets, labels, Options{})
}

// WriteWith is Write with options.
func WriteWith(dir string, sets []*resultset.Set, labels []string, opt Options) (written []string, notes []string, err error) {
	if opt.DPI <= 0 {
		opt.DPI = DefaultDPI
	}
	sums := summary.Summarize(sets, labels)
	setOrder := map[string]int{}
	for i := range sets {
		setOrder[summary.Label(labels, i)] = i
	}
	dims := sweepDims(setOrder)
	save := func(name string, fig *figure) error {
		for _, n := range fig.notes {
			notes = append(notes, fmt.Sprintf("chart %s: %s", name, n))
		}
		files, err := fig.save(filepath.Join(dir, name), opt.DPI)
		written = append(written, files...)
		return err
	}
	for _, m := range chartMetrics {
		y := m.stats(sums)
		type drawn struct {
			name string
			fig  *figure
		}
		var figs []drawn
		var primary *figure
		primaryNote, primaryValues := "", 0
		for _, x := range xOrder(m, dims) {
			minX := 2
			if x.name == m.primary {
				minX = m.minX
				primaryValues = distinctValues(sums, x)
			}
			fig, why := lineChart(sums, dims, m, y, x, minX)
			switch {
			case fig == nil && x.name == m.primary:
				primaryNote = why
			case fig == nil:
			case x.name == m.primary:
				primary = fig
			default:
				figs = append(figs, drawn{chartName(m, x), fig})
			}
		}
		// The chart against the usual axis comes first; with a single
		// value there it is a column of dots, left out when the metric is
		// drawn against a parameter that was swept.
		if primary != nil && !(primaryValues < 2 && len(figs) > 0) {
			figs = append([]drawn{{m.name, primary}}, figs...)
		}
		for _, d := range figs {
			if err := save(d.name, d.fig); err != nil {
				return written, notes, err
			}
		}
		if primaryNote != "" {
			n := fmt.Sprintf("chart %s skipped: %s", m.name, primaryNote)
			if len(figs) > 0 {
				n += " (see " + figs[0].name + ")"
			}
			notes = append(notes, n)
		}
	}
	for _, charts := range []func([]*resultset.Set, []string) ([]string, []*figure){timelineCharts, latencyCharts} {
		names, figs := charts(sets, labels)
		for i, fig := range figs {
			if err := save(names[i], fig); err != nil {
				return written, notes, err
			}
		}
	}
	fig, why := winnerMap(sums, indexVerdicts(sets, labels), summary.NewKnobView(sums), len(sets) > 1)
	if fig == nil {
		notes = append(notes, "chart winner-map skipped: "+why)
		return written, notes, nil
	}
	if err := save("winner-map", fig); err != nil {
		return written, notes, err
	}
	return written, notes, nil
}

// palette is the Okabe-Ito colour-blind-safe palette, yellow last.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
	color.RGBA{0xF0, 0xE4, 0x42, 0xff}, // yellow
}

// glyphs and dashes give every one of maxSeries lines its own marker and
// dash pattern, so lines stay apart in print and in grey.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{},
}

var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(2)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(1), vg.Points(1.5)},
	{vg.Points(10), vg.Points(3)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
	{vg.Points(12), vg.Points(2), vg.Points(4), vg.Points(2)},
}

func paletteColor(i int) color.Color { return palette[i%len(palette)] }

// seriesStyle is the line and marker style of the i-th line of a chart.
func seriesStyle(i int) (draw.LineStyle, draw.GlyphStyle) {
	c := paletteColor(i)
	ls := draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: dashes[i%len(dashes)]}
	gs := draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: glyphs[i%len(glyphs)]}
	return ls, gs
}

// legendEntry is one line of a figure's shared legend.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// figure is one chart: panels laid out in a grid under a title, with one
// legend to the right of the panels (or in the empty last tile) so it never
// covers data, and footnotes under them.
type figure struct {
	title     string
	panels    []*plot.Plot
	legend    []legendEntry
	cols      int
	footnotes []string // one line of small text each, under the panels
	// notes say what a capped chart left out (also in the footnotes);
	// Write returns them.
	notes []string
}

func textStyle(size float64) text.Style {
	return text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(size)), Handler: plot.DefaultTextHandler}
}

func (f *figure) size() (w, h, legendW vg.Length, cols, rows int) {
	cols = f.cols
	if cols == 0 {
		cols = min(len(f.panels), 2)
		if len(f.panels) > 4 {
			cols = 3
		}
	}
	rows = (len(f.panels) + cols - 1) / cols
	if len(f.legend) > 0 && !f.legendInTile(cols, rows) {
		sty := textStyle(legendFont)
		for _, e := range f.legend {
			legendW = max(legendW, sty.Width(e.name))
		}
		legendW += vg.Points(20) + vg.Points(18) // thumbnail, gaps
	}
	w = vg.Length(cols)*panelW + legendW + 2*figPad
	fsty := textStyle(footFont)
	for _, n := range f.footnotes {
		w = max(w, fsty.Width(n)+2*figPad)
	}
	h = vg.Length(rows)*panelH + titleH + 2*figPad + vg.Length(len(f.footnotes))*footH
	return w, h, legendW, cols, rows
}

// legendInTile reports whether the legend goes in the empty last tile
// (when there is one and the legend fits in it) rather than in a strip to
// the right of the panels.
func (f *figure) legendInTile(cols, rows int) bool {
	if len(f.panels) >= cols*rows {
		return false
	}
	sty := textStyle(legendFont)
	for _, e := range f.legend {
		if sty.Width(e.name)+vg.Points(40+24+12) > panelW {
			return false
		}
	}
	return true
}

func (f *figure) newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle = textStyle(legendFont)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	l.ThumbnailWidth = vg.Points(24)
	for _, e := range f.legend {
		l.Add(e.name, e.thumbs...)
	}
	return l
}

func (f *figure) draw(c vg.CanvasSizer) {
	w, h, legendW, cols, rows := f.size()
	dc := draw.New(c)
	dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}})
	tsty := textStyle(13)
	tsty.XAlign = draw.XCenter
	tsty.YAlign = draw.YTop
	dc.FillText(tsty, vg.Point{X: (w - legendW) / 2, Y: h - figPad}, f.title)

	bottom := figPad
	fsty := textStyle(footFont)
	fsty.YAlign = draw.YBottom
	for i := len(f.footnotes) - 1; i >= 0; i-- {
		dc.FillText(fsty, vg.Point{X: figPad, Y: bottom}, f.footnotes[i])
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

// save writes base.png (at dpi) and base.svg and returns their paths.
func (f *figure) save(base string, dpi int) ([]string, error) {
	w, h, _, _, _ := f.size()
	var written []string

	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	f.draw(img)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return written, fmt.Errorf("encode %s.png: %w", base, err)
	}
	if err := resultset.WriteFileAtomic(base+".png", buf.Bytes()); err != nil {
		return written, err
	}
	written = append(written, base+".png")

	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	f.draw(svg)
	buf.Reset()
	if _, err := svg.WriteTo(&buf); err != nil {
		return written, fmt.Errorf("encode %s.svg: %w", base, err)
	}
	if err := resultset.WriteFileAtomic(base+".svg", svgFontFallback(buf.Bytes())); err != nil {
		return written, err
	}
	return append(written, base+".svg"), nil
}

// svgFontFallback gives every font-family in an SVG written by vgsvg a
// generic fallback: vgsvg names the font it measured text with (Liberation
// Serif), which a viewer without it would replace by an arbitrary default;
// with "serif" after it, the text keeps metrics close to those measured.
func svgFontFallback(svg []byte) []byte {
	svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Serif;"), []byte("font-family:'Liberation Serif','Times New Roman',Times,serif;"))
	return bytes.ReplaceAll(svg, []byte(`font-family:"Liberation Serif";`), []byte(`font-family:'Liberation Serif','Times New Roman',Times,serif;`))
}
