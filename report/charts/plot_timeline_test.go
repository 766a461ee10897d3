package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
)

// probedSet is a set of two strategies of one workload with timelines (a
// fast one that slows down when the dirty memory reaches the limit, and a
// steady slow one) and write-latency histograms.
func probedSet() *resultset.Set {
	const gib = 1 << 30
	lim := &resultset.DirtyLimits{Ratio: 20, BackgroundRatio: 10, DirtyableBytes: 20 * gib, LimitBytes: 4 * gib, BackgroundLimitBytes: 2 * gib}
	cell := func(name string, rate func(t float64) float64) resultset.Cell {
		c := resultset.Cell{Strategy: name, Files: 1, FileSize: 8 * gib, Chunk: 65536, Sync: "none"}
		for k := range 3 {
			var tl resultset.Timeline
			var written float64
			for i := 0; i <= 100; i++ {
				t := float64(i) * 0.1
				if i > 0 {
					written += rate(t) * 0.1
				}
				dirty := min(written, 4*gib)
				tl.Seconds = append(tl.Seconds, t)
				tl.Bytes = append(tl.Bytes, int64(written))
				tl.Dirty = append(tl.Dirty, int64(dirty))
				tl.Writeback = append(tl.Writeback, int64(dirty/8))
			}
			c.Timelines = append(c.Timelines, tl)
			c.Seconds = append(c.Seconds, 10+float64(k)*0.01)
			c.WriteSyscalls = append(c.WriteSyscalls, 1)
			c.StorageBytes = append(c.StorageBytes, 1)
			c.SyncSeconds = append(c.SyncSeconds, 0)
			c.UserSeconds = append(c.UserSeconds, 0)
			c.SysSeconds = append(c.SysSeconds, 0)
			c.Allocs = append(c.Allocs, 0)
			c.AllocBytes = append(c.AllocBytes, 0)
			c.WriteLatency = append(c.WriteLatency, resultset.WriteLatency{
				Buckets: [][3]int64{{8192, 9215, 1000}, {1 << 20, 1<<20 + 131071, 10}}, Max: 0.0011})
		}
		c.Verified = true
		return c
	}
	s := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Complete: true,
		Env: resultset.Env{Start: time.Unix(0, 0).UTC(), Dirty: lim, TimelineIntervalSeconds: 0.1, WriteLatency: true}}
	s.Results = append(s.Results,
		cell("chunked", func(t float64) float64 {
			if t < 2 {
				return 2 * gib
			}
			return 0.2 * gib
		}),
		cell("direct", func(float64) float64 { return 0.5 * gib }))
	return s
}

// TestTimelineAndLatencyCharts decodes the timeline and write-latency
// charts drawn from a set with both and checks what they show: a PNG of
// sensible size with the strategies' colours in both panels of the
// timeline, and the thresholds and strategies named in the SVG.
func TestTimelineAndLatencyCharts(t *testing.T) {
	s := probedSet()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, _, err := Write(dir, []*resultset.Set{s}, []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range written {
		have[filepath.Base(p)] = true
	}
	for _, want := range []string{"timeline-1x8GiB.png", "timeline-1x8GiB.svg", "write-latency-1x8GiB.png", "write-latency-1x8GiB.svg"} {
		if !have[want] {
			t.Fatalf("%s not written (wrote %v)", want, written)
		}
	}
	img := decodePNG(t, filepath.Join(dir, "timeline-1x8GiB.png"))
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 1000 {
		t.Fatalf("timeline chart %dx%d px: want two stacked panels", b.Dx(), b.Dy())
	}
	// Both strategies' colours appear above (throughput) and below
	// (dirty memory) the middle of the chart.
	for i := range 2 {
		top, bottom := countColour(img, paletteColor(i), b.Min.Y, b.Min.Y+b.Dy()/2), countColour(img, paletteColor(i), b.Min.Y+b.Dy()/2, b.Max.Y)
		if top < 50 || bottom < 50 {
			t.Errorf("colour of line %d: %d pixels in the top half, %d in the bottom half", i, top, bottom)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "timeline-1x8GiB.svg"))
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, "timeline", svg)
	for _, want := range []string{"dirty limit: writers throttled above (4.00GiB)", "background threshold: writeback starts above (2.00GiB)", "chunked", "direct", "throughput (MB/s)"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("timeline SVG lacks %q", want)
		}
	}
	svg, err = os.ReadFile(filepath.Join(dir, "write-latency-1x8GiB.svg"))
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, "write-latency", svg)
	for _, want := range []string{"chunked (3.03k calls)", "fraction of calls slower", "10 µs"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("write-latency SVG lacks %q", want)
		}
	}
	lat := decodePNG(t, filepath.Join(dir, "write-latency-1x8GiB.png"))
	if countColour(lat, paletteColor(0), lat.Bounds().Min.Y, lat.Bounds().Max.Y) < 50 {
		t.Error("write-latency chart: no line drawn in the first colour")
	}

	// A set without timelines or histograms gets neither chart.
	plain := loadFixture(t, "basic")
	written, _, err = Write(t.TempDir(), []*resultset.Set{plain}, []string{"basic"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range written {
		if n := filepath.Base(p); strings.HasPrefix(n, "timeline-") || strings.HasPrefix(n, "write-latency-") {
			t.Errorf("%s drawn for a set without timelines or histograms", n)
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// countColour counts the pixels of rows [y0, y1) of img within a small
// distance of c.
func countColour(img image.Image, c color.Color, y0, y1 int) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	for y := y0; y < y1; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near16(r, r0) && near16(g, g0) && near16(b, b0) {
				n++
			}
		}
	}
	return n
}

func near16(a, b uint32) bool { return a+0x1000 >= b && b+0x1000 >= a }
