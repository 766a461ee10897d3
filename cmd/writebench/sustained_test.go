package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/timeline"
)

// TestSustainedPreset checks the sustained preset's cells (chunked, bufio,
// direct without sync, and chunked with --sync end only), its size (about
// twice the dirty limit, or --sizes), and that a filesystem too small to
// pass the dirty limit is refused with one line naming --dir, leaving
// nothing behind.
func TestSustainedPreset(t *testing.T) {
	lim := timeline.DirtyLimits()
	if lim == nil {
		t.Skip("no /proc/sys/vm/dirty_*: the preset refuses to size itself here")
	}
	dir := t.TempDir()
	f := newRunFlags()
	if err := f.fs.Parse([]string{"--preset", "sustained", "--dir", dir}); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.config(nil)
	if err != nil && strings.Contains(err.Error(), "free") {
		t.Skipf("the test directory's filesystem is too small: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sizes) != 1 || cfg.Sizes[0] < lim.LimitBytes || cfg.Sizes[0] > 2*lim.LimitBytes+512<<20 || !cfg.Timeline {
		t.Fatalf("sizes %v, timeline %v; want one size of about 2 × the dirty limit %d, timelines on", cfg.Sizes, cfg.Timeline, lim.LimitBytes)
	}

	// The cells, from --dry-run's JSON plan, with --sizes overriding.
	code, stdout, stderr := runCLI(t, "run", "--preset", "sustained", "--dir", dir, "--sizes", "1MiB", "--dry-run", "--format", "json")
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	var plan struct {
		Cells []struct {
			Key string `json:"key"`
		} `json:"cells"`
	}
	var keys []string
	if json.Unmarshal([]byte(stdout), &plan) == nil && len(plan.Cells) > 0 {
		for _, c := range plan.Cells {
			keys = append(keys, c.Key)
		}
	} else {
		for _, line := range strings.Split(stdout, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "strategy=") {
				keys = append(keys, f[0])
			}
		}
	}
	var short []string
	for _, k := range keys {
		parts := strings.Split(k, "/")
		if !strings.Contains(k, "size=1MiB") {
			t.Errorf("cell %s: --sizes 1MiB not applied", k)
		}
		short = append(short, strings.TrimPrefix(parts[0], "strategy=")+"/"+parts[len(parts)-1])
	}
	slices.Sort(short)
	if got := strings.Join(short, " "); got != "bufio/sync=none chunked/sync=end chunked/sync=none direct/sync=none" {
		t.Errorf("cells %s", got)
	}

	// A filesystem that cannot hold 1.25× the limit is refused.
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	small := filepath.Join(t.TempDir(), "small")
	os.Mkdir(small, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	code, _, stderr = runCLI(t, "run", "--preset", "sustained", "--dir", small, "--out", filepath.Join(dir, "o.json"))
	if code != 2 || !strings.Contains(stderr, "run: --dir: the sustained preset writes one stream of about 2× the dirty limit") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("on a 64 MiB tmpfs: exit %d, stderr %q; want 2 and one line naming --dir", code, stderr)
	}
	if ents, _ := os.ReadDir(small); len(ents) != 0 {
		t.Fatalf("the refused run left %d entries", len(ents))
	}
	if _, err := os.Stat(filepath.Join(dir, "o.json")); err == nil {
		t.Fatal("the refused run wrote its result set")
	}
}

// TestRunDirList checks --dir A,B and --vs on the command line: the dry
// run lists every cell once per directory, and a bad list is one usage
// line naming its flag.
func TestRunDirList(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--strategies", "chunked", "--files", "2", "--sizes", "4KiB", "--dir", a+","+b, "--vs", "dir", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "/dir="+a) || !strings.Contains(stdout, "/dir="+b) {
		t.Fatalf("dry run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dir", a, "--vs", "dir"}, "run: --vs: dir needs two or more directories"},
		{[]string{"--dir", a + "," + a}, "run: --dir: "},
		{[]string{"--dir", a + "," + b, "--vs", "colour"}, "run: --vs: unknown axis"},
		{[]string{"--dir", a, "--timeline-interval", "10ms"}, "run: --timeline-interval: needs --timeline"},
		{[]string{"--dir", a, "--timeline", "--timeline-interval", "10us"}, "run: --timeline-interval: 10µs is out of range"},
	} {
		args := append([]string{"run", "--strategies", "chunked", "--files", "1", "--sizes", "4KiB", "--out", filepath.Join(a, "o.json")}, tc.args...)
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, stderr, tc.want)
		}
	}
}
