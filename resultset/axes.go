package resultset

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Role says what an axis is to a comparison: part of the workload (what the
// application does and needs: files, size, record, sync) or a choice of how
// to write it (a strategy's knobs). Cells equal in every workload axis form a
// comparison group; they compete on the choices.
type Role int

// The axis roles.
const (
	Workload Role = iota // a fact of the application: cells that differ in it are not rivals
	Choice               // a way to write: cells that differ in it compete
)

// StrategyAxis is the name --vs and Env.Vs use for the strategy itself,
// which is a choice but not an entry of Axes (it has no Cell number).
const StrategyAxis = "strategy"

// DefaultVs lists the contender axes of a comparison by role: the strategy
// and every Choice axis of Axes, in table order.
func DefaultVs() []string {
	out := []string{StrategyAxis}
	for _, a := range axisTable {
		if a.Role == Choice {
			out = append(out, a.Name)
		}
	}
	return out
}

// AxisKind says how an axis's values are written and parsed.
type AxisKind int

// The axis kinds.
const (
	KindSize  AxisKind = iota // bytes, written in IEC units ("64KiB")
	KindCount                 // a plain count ("10")
	KindName                  // one of a fixed set of names ("fallocate")
)

// Axis is one parameter a sweep can vary, beyond the strategy itself. Axes is
// the single table of them: sweep expansion, validation, CLI flags and help,
// cell keys, JSON/CSV columns, compare keys and chart axes all read it, so a
// new knob is one entry here plus a Cell field, a strategies.Params field and
// the strategy code that uses it.
type Axis struct {
	Name string   // field name in the JSON and in cell keys, e.g. "queue_depth"
	Flag string   // command-line flag without dashes, e.g. "queue-depth"
	Kind AxisKind // how values are written and parsed
	Help string   // one line for --help, without the default
	// Default is the value a cell takes when the axis is not swept, written as
	// on the command line ("64KiB", "10", "none").
	Default string
	// Min and Max bound numeric values (inclusive).
	Min, Max int64
	// Names lists the valid values of a KindName axis, in their natural
	// order (used for validation, help and ordering of groups).
	Names []string
	// Knob is true when the axis applies only to strategies that list it in
	// Knobs() (record, chunk, ...); false for axes every strategy has (sync)
	// and for the batch shape (files, size).
	Knob bool
	// Omit is a value left out of keys and parameter lists: the value every
	// set measured before the axis existed, so keys stay comparable.
	Omit string
	// Role is Workload or Choice: whether cells that differ in the axis
	// are different workloads or rival ways of writing one (see Role).
	Role Role

	get func(c *Cell) (int64, string)
	set func(c *Cell, n int64, s string)
}

// axisTable is the table of every axis, in the order keys, columns and flags list
// them. Files and size come first; "sync" and "dir" are last.
var axisTable = []*Axis{
	{Name: "files", Flag: "files", Kind: KindCount, Default: "1,16,64", Min: 1, Max: MaxFiles,
		Help: "file counts per cell (for shared-file strategies: shared files or pairs)",
		get:  func(c *Cell) (int64, string) { return int64(c.Files), "" },
		set:  func(c *Cell, n int64, _ string) { c.Files = int(n) }},
	{Name: "size", Flag: "sizes", Kind: KindSize, Default: "4KiB,64KiB,1MiB", Min: 0, Max: MaxFileSize,
		Help: "bytes per file",
		get:  func(c *Cell) (int64, string) { return c.FileSize, "" },
		set:  func(c *Cell, n int64, _ string) { c.FileSize = n }},
	{Name: "record", Flag: "record", Kind: KindSize, Default: "256", Min: 1, Max: MaxParam, Knob: true,
		Help: "bytes per application record (unbuffered, bufio, offload, writev, shared writers)"},
	{Name: "buffer", Role: Choice, Flag: "buffer", Kind: KindSize, Default: "8KiB", Min: 1, Max: MaxParam, Knob: true,
		Help: "bufio.Writer size (bufio, shared-*)"},
	{Name: "chunk", Role: Choice, Flag: "chunk", Kind: KindSize, Default: "64KiB", Min: 1, Max: MaxParam, Knob: true,
		Help: "bytes per write (chunked, direct, uring) and per copy (mmap)"},
	{Name: "concurrency", Role: Choice, Flag: "concurrency", Kind: KindCount, Default: "10", Min: 1, Max: MaxConcurrency, Knob: true,
		Help: "workers (pool, offload), files in flight (semaphore), writers per shared file"},
	{Name: "per_file", Role: Choice, Flag: "per-file", Kind: KindName, Default: "chunked", Knob: true,
		Help: "how pool and semaphore write each file"},
	{Name: "batch", Role: Choice, Flag: "batch", Kind: KindCount, Default: "64", Min: 1, Max: MaxBatch, Knob: true,
		Help: "records gathered into one writev(2) (writev)"},
	{Name: "queue_depth", Role: Choice, Flag: "queue-depth", Kind: KindCount, Default: "32", Min: 1, Max: MaxQueueDepth, Knob: true,
		Help: "io_uring writes in flight (uring)"},
	{Name: "prealloc", Role: Choice, Flag: "prealloc", Kind: KindName, Default: "none", Knob: true, Omit: "none",
		Names: []string{"none", "fallocate", "truncate"},
		Help:  "space reservation after create, inside the timing: none, fallocate, truncate"},
	{Name: "sync", Flag: "sync", Kind: KindName, Default: "none",
		Names: []string{"none", "data", "close", "end", "dsync", "uncached"},
		Help:  "durability, inside the timing: none (page cache only), data (fdatasync before close), close (fsync before close), end (one syncfs after all files), dsync (RWF_DSYNC on every write), uncached (RWF_DONTCACHE on every write)"},
	// dir is set only in runs of several directories (--dir A,B): a cell
	// of a single-directory run has none, so its key is what it was
	// before the axis existed. Its values are paths, not Names.
	{Name: "dir", Flag: "dir", Kind: KindName,
		Help: "directories to run every cell in, round by round (each gets its own scratch directory writebench-*)"},
}

// Axes returns the table of every axis (a copy), in the order keys,
// columns and flags list them. Files and size come first; "sync" and "dir"
// are last.
func Axes() []*Axis { return slices.Clone(axisTable) }

// Limits of the numeric axes, checked before anything is written.
const (
	MaxFiles       = 10_000_000
	MaxFileSize    = 1 << 50
	MaxParam       = 1 << 30 // record, buffer, chunk
	MaxConcurrency = 100_000
	MaxBatch       = 1024 // IOV_MAX on Linux
	MaxQueueDepth  = 4096 // io_uring's largest ring
)

// AxisByName returns the axis named name (e.g. "queue_depth"), or nil.
func AxisByName(name string) *Axis {
	for _, a := range axisTable {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// FlagOf is the command-line flag (without dashes) of a field a message
// names as {field}: the axis's flag, else the field with dashes
// (memory_limit: memory-limit).
func FlagOf(field string) string {
	if a := AxisByName(field); a != nil {
		return a.Flag
	}
	return strings.ReplaceAll(field, "_", "-")
}

// FlagRef names a field by its flag, "--chunk": the renderer
// textfmt.FieldRefs takes for text shown on the command line.
func FlagRef(field string) string { return "--" + FlagOf(field) }

// Get returns c's value on the axis: a number for numeric axes, a name for
// KindName. A zero number or empty name means the axis does not apply.
func (a *Axis) Get(c *Cell) (int64, string) {
	if a.get != nil {
		return a.get(c)
	}
	f := cellField(c, a.Name)
	if f.Kind() == reflect.String {
		return 0, f.String()
	}
	return f.Int(), ""
}

// Set stores a value on the axis in c.
func (a *Axis) Set(c *Cell, n int64, s string) {
	if a.set != nil {
		a.set(c, n, s)
		return
	}
	f := cellField(c, a.Name)
	if f.Kind() == reflect.String {
		f.SetString(s)
	} else {
		f.SetInt(n)
	}
}

// cellField is the field of c whose JSON name is name: where a knob's axis
// finds its value (files and size name their fields themselves). A knob
// without a Cell field is a programming error caught by every test that
// expands a sweep.
func cellField(c *Cell, name string) reflect.Value {
	i, ok := cellFields[name]
	if !ok {
		panic("resultset: no Cell field for axis " + name)
	}
	return reflect.ValueOf(c).Elem().Field(i)
}

// cellFields maps the JSON name of every Cell field to its index.
var cellFields = func() map[string]int {
	t := reflect.TypeFor[Cell]()
	m := map[string]int{}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	return m
}()

// Applies reports whether the axis has a value in c (knobs that do not apply
// to a cell's strategy are zero).
func (a *Axis) Applies(c *Cell) bool {
	n, s := a.Get(c)
	if a.Kind == KindName {
		return s != ""
	}
	if a.Name == "size" {
		return true // 0 is a valid size
	}
	return n != 0
}

// Format returns c's value on the axis as written in keys and tables.
func (a *Axis) Format(c *Cell) string {
	n, s := a.Get(c)
	return a.FormatValue(n, s)
}

// FormatValue writes a value of the axis as keys and tables show it.
func (a *Axis) FormatValue(n int64, s string) string {
	switch a.Kind {
	case KindSize:
		return FormatBytes(n)
	case KindCount:
		return strconv.FormatInt(n, 10)
	}
	return s
}

// Less orders two cells' values on the axis: numerically for numeric axes,
// by the order of Names for named axes (then alphabetically).
func (a *Axis) Less(x, y *Cell) bool { return a.Compare(x, y) < 0 }

// Compare is -1, 0 or +1 as x's value on the axis is before, equal to or
// after y's (see Less).
func (a *Axis) Compare(x, y *Cell) int {
	xn, xs := a.Get(x)
	yn, ys := a.Get(y)
	if a.Kind != KindName {
		switch {
		case xn < yn:
			return -1
		case xn > yn:
			return 1
		}
		return 0
	}
	xi, yi := a.nameIndex(xs), a.nameIndex(ys)
	switch {
	case xi != yi:
		if xi < yi {
			return -1
		}
		return 1
	case xs < ys:
		return -1
	case xs > ys:
		return 1
	}
	return 0
}

func (a *Axis) nameIndex(s string) int {
	for i, n := range a.Names {
		if n == s {
			return i
		}
	}
	return len(a.Names)
}

// CheckNumber returns an error when n is outside the axis's range.
func (a *Axis) CheckNumber(n int64) error {
	if n < a.Min || n > a.Max {
		lo, hi := a.FormatValue(a.Min, ""), a.FormatValue(a.Max, "")
		if a.Kind == KindSize {
			return fmt.Errorf("%s is out of range (%s to %s)", FormatBytes(n), lo, hi)
		}
		return fmt.Errorf("%d is out of range (%s to %s)", n, lo, hi)
	}
	return nil
}

// Settings reads the values that tell the cells of one view apart (a
// table, a comparison group, a benchmark file): every axis beyond files and
// size, sync included. Unlike Params it keeps a value equal to its axis's
// Omit value, so cells with prealloc "none" and "fallocate" show two
// values of prealloc, not one value and one blank. A cell that leaves an
// axis with an Omit value empty (a set written before the axis existed, or
// by hand) reads as that value when another cell of its strategy in the
// view has the axis: Key treats the two alike, and that is the value such
// a cell measured. An axis no cell of a strategy has does not apply to it.
type Settings struct {
	has map[string]map[*Axis]bool // strategy -> axes some of its cells have
}

// NewSettings returns the Settings of a view made of cells.
func NewSettings(cells []*Cell) *Settings {
	s := &Settings{has: map[string]map[*Axis]bool{}}
	for _, c := range cells {
		for _, a := range axisTable {
			if a.Omit == "" || !a.Applies(c) {
				continue
			}
			if s.has[c.Strategy] == nil {
				s.has[c.Strategy] = map[*Axis]bool{}
			}
			s.has[c.Strategy][a] = true
		}
	}
	return s
}

// Value returns c's value on a as keys and tables write it, and whether a
// applies to c (see Settings). A nil Settings reads only what c has.
func (s *Settings) Value(c *Cell, a *Axis) (string, bool) {
	if a.Applies(c) {
		return a.Format(c), true
	}
	if s != nil && a.Omit != "" && s.has[c.Strategy][a] {
		return a.Omit, true
	}
	return "", false
}

// Of lists c's values on every axis beyond files and size that applies to
// it (sync last), in the order of Axes.
func (s *Settings) Of(c *Cell) []Param {
	var ps []Param
	for _, a := range axisTable {
		if a.Name == "files" || a.Name == "size" {
			continue
		}
		if v, ok := s.Value(c, a); ok {
			ps = append(ps, Param{a.Name, v})
		}
	}
	return ps
}
