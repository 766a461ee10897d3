package charts

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

func TestWritePlots(t *testing.T) {
	dir := t.TempDir()
	written, notes, err := Write(dir, []*resultset.Set{loadFixture(t, "basic")}, []string{"basic"})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 {
		t.Errorf("unexpected notes for a full set: %v", notes)
	}
	// basic sweeps files and sizes: every metric against both, and the map.
	var names []string
	for _, p := range written {
		if strings.HasSuffix(p, ".png") {
			names = append(names, strings.TrimSuffix(filepath.Base(p), ".png"))
		}
	}
	want := "throughput throughput-vs-files files-per-second files-per-second-vs-size syscalls-per-mib syscalls-per-mib-vs-files latency-p99 latency-p99-vs-files winner-map"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("charts:\n got %s\nwant %s", got, want)
	}
	if len(written) != 2*len(names) {
		t.Errorf("wrote %d files, want PNG+SVG for each of %d charts", len(written), len(names))
	}
	for _, path := range written {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(path) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			b := img.Bounds()
			// 2x for high-density screens: a 300pt panel is 800 px.
			if b.Dx() < 800 || b.Dx() > 3000 || b.Dy() < 600 || b.Dy() > 3000 {
				t.Errorf("%s: %dx%d px, want between 800x600 and 3000x3000", path, b.Dx(), b.Dy())
			}
		case ".svg":
			checkSVG(t, path, data)
		default:
			t.Errorf("unexpected file %s", path)
		}
	}
}

func checkSVG(t *testing.T, path string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", path, root)
	}
	// Text names a font a viewer may lack: it needs a generic fallback.
	for _, m := range regexp.MustCompile(`font-family:([^;"]*)`).FindAllStringSubmatch(string(data), -1) {
		if !strings.HasSuffix(strings.TrimSpace(m[1]), "serif") {
			t.Errorf("%s: font-family %q has no generic fallback", path, m[1])
			break
		}
	}
}

// TestWritePlotsEdgeSets renders sets with failed cells, one strategy and
// one sample per cell: no panic, and charts that cannot be drawn are notes.
func TestWritePlotsEdgeSets(t *testing.T) {
	for _, c := range []struct {
		fixture string
		skipped []string // charts that must be skipped with a note
		drawn   []string // charts that must be drawn
	}{
		{"failed", []string{"throughput", "files-per-second", "winner-map"}, nil},
		{"single", []string{"winner-map"}, []string{"throughput", "files-per-second", "syscalls-per-mib", "latency-p99"}},
		{"onesample", []string{"files-per-second", "latency-p99"}, []string{"throughput", "winner-map"}},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			dir := t.TempDir()
			written, notes, err := Write(dir, []*resultset.Set{loadFixture(t, c.fixture)}, []string{c.fixture})
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(notes, "\n")
			for _, name := range c.skipped {
				if !strings.Contains(joined, "chart "+name+" skipped") {
					t.Errorf("no skip note for %s; notes: %v", name, notes)
				}
				if _, err := os.Stat(filepath.Join(dir, name+".png")); err == nil {
					t.Errorf("%s drawn although it was skipped", name)
				}
			}
			for _, name := range c.drawn {
				if _, err := os.Stat(filepath.Join(dir, name+".png")); err != nil {
					t.Errorf("%s not drawn: %v (notes %v)", name, err, notes)
				}
			}
			for _, p := range written {
				if strings.HasSuffix(p, ".png") {
					f, _ := os.Open(p)
					if _, err := png.Decode(f); err != nil {
						t.Errorf("%s: %v", p, err)
					}
					f.Close()
				}
			}
		})
	}
}

func TestWritePlotsTwoSets(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Write(dir, []*resultset.Set{loadFixture(t, "basic"), loadFixture(t, "onesample")}, []string{"old", "new"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "winner-map.svg")); err != nil {
		t.Error(err)
	}
}

func TestWritePlotsMissingDir(t *testing.T) {
	_, _, err := Write(filepath.Join(t.TempDir(), "nope"), []*resultset.Set{loadFixture(t, "basic")}, nil)
	if err == nil {
		t.Fatal("no error writing into a missing directory")
	}
}

func TestPow2Ticks(t *testing.T) {
	lab := func(v float64) string { return resultset.FormatBytes(int64(v)) }
	ticks := pow2Ticks{label: lab}.Ticks(3000, 300000)
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "4KiB,16KiB,64KiB,256KiB" {
		t.Errorf("labels = %s", got)
	}
	ticks = pow2Ticks{label: lab, data: map[float64]bool{4096: true, 32768: true}}.Ticks(3000, 40000)
	labels = nil
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "4KiB,32KiB" {
		t.Errorf("data labels = %s", got)
	}
}

func TestLogTicksNarrowRange(t *testing.T) {
	n := 0
	for _, tk := range (logTicks{}).Ticks(210, 490) {
		if tk.Label != "" {
			n++
		}
	}
	if n < 2 {
		t.Errorf("narrow range got %d labels, want at least 2", n)
	}
}

// TestPlotsDeterministic: the same set renders to the same bytes every
// time (tick values came from ranging over a map, so the SVG of a chart
// with a files axis of 1, 16 and 64 changed from render to render, and
// every re-render of the committed charts showed up as a diff).
func TestPlotsDeterministic(t *testing.T) {
	var cells []resultset.Cell
	for _, files := range []int{1, 16, 64} {
		for _, size := range []int64{4096, 65536} {
			cells = append(cells, synthCell("bufio", files, size, 0.001*float64(files), 8),
				synthCell("chunked", files, size, 0.0012*float64(files), 8))
		}
	}
	render := func() map[string][]byte {
		dir := t.TempDir()
		if _, _, err := WriteWith(dir, []*resultset.Set{synthSet(cells...)}, []string{"s"}, Options{DPI: 72}); err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = b
		}
		return out
	}
	first := render()
	if len(first) == 0 {
		t.Fatal("no charts written")
	}
	for range 5 {
		for name, b := range render() {
			if !bytes.Equal(b, first[name]) {
				t.Fatalf("%s differs between two renders of the same set", name)
			}
		}
	}
}
