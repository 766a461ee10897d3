package writebench

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/timeline"
)

// TestSustainedPreset checks the sustained preset's cells (chunked, bufio,
// direct without sync, and chunked with --sync end only), its size (about
// twice the dirty limit, or --sizes), and that a filesystem too small to
// pass the dirty limit is refused with one line naming --dir.
func TestSustainedPreset(t *testing.T) {
	lim := timeline.DirtyLimits()
	if lim == nil {
		t.Skip("no /proc/sys/vm/dirty_*: the preset refuses to size itself here")
	}
	cfg := Presets["sustained"].Config()
	cfg.Dir = t.TempDir()
	c := cfg.withDefaults()
	cells, err := c.check()
	if errors.As(err, new(*ConfigError)) && strings.Contains(err.Error(), "free") {
		t.Skipf("the test directory's filesystem is too small: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, cl := range cells {
		keys = append(keys, cl.res.Strategy+"/"+cl.res.Sync)
		if got := cl.res.FileSize; got < lim.LimitBytes || got > 2*lim.LimitBytes+512<<20 || cl.res.Files != 1 {
			t.Errorf("%s: %d files of %d bytes, want 1 of about 2 × the dirty limit %d", cl.res.Key(), cl.res.Files, got, lim.LimitBytes)
		}
	}
	slices.Sort(keys)
	if got := strings.Join(keys, " "); got != "bufio/none chunked/end chunked/none direct/none" {
		t.Errorf("cells %s", got)
	}
	if !c.Timeline {
		t.Error("the sustained preset does not turn timelines on")
	}

	// --sizes overrides the computed size.
	cfg.Sizes = []int64{1 << 20}
	c = cfg.withDefaults()
	if cells, err = c.check(); err != nil || cells[0].res.FileSize != 1<<20 {
		t.Fatalf("with Sizes: %v, size %d", err, cells[0].res.FileSize)
	}

	// A filesystem that cannot hold 1.25× the limit is refused.
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	cfg = Presets["sustained"].Config()
	cfg.Dir = small
	err = cfg.Validate()
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "dir" || !strings.Contains(err.Error(), "2× the dirty limit") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Validate on a 64 MiB tmpfs = %v, want one line about --dir and the dirty limit", err)
	}
	if ents, _ := os.ReadDir(small); len(ents) != 0 {
		t.Fatalf("the refused run left %d entries", len(ents))
	}
}
