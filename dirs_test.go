package writebench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// TestRunDirs runs the same cells in a directory of the temporary
// directory's filesystem and in a tmpfs mounted by the test, round by
// round in one sweep: with Vs "dir" the verdict compares the two
// directories, paired by round; without it each directory is a workload
// of its own. Each directory gets its own scratch directory, and nothing
// else in either is touched.
func TestRunDirs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	disk := t.TempDir()
	mem := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(mem, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mem).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mem).Run() })
	// Something of the user's in each directory, which must survive.
	for _, d := range []string{disk, mem} {
		if err := os.WriteFile(filepath.Join(d, "keep.txt"), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{
		Strategies: []string{"chunked"}, Files: []int{16}, Sizes: []int64{64 << 10},
		Repeat: 8, Warmup: 1, Dirs: []string{disk, mem}, Vs: []string{"dir"},
	}
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 2 {
		t.Fatalf("%d cells, want one per directory", len(set.Results))
	}
	fs := map[string]string{}
	for _, d := range set.Env.Dirs {
		fs[d.Dir] = d.FSType
	}
	if fs[mem] != "tmpfs" || fs[disk] == "" || fs[disk] == "tmpfs" {
		t.Fatalf("env.dirs = %+v, want %s on tmpfs and %s on the disk", set.Env.Dirs, mem, disk)
	}
	for _, c := range set.Results {
		if c.Dir != disk && c.Dir != mem || len(c.Seconds) != 8 || !c.Verified {
			t.Fatalf("cell %s: dir %q, %d samples, verified %v", c.Key(), c.Dir, len(c.Seconds), c.Verified)
		}
		if !strings.HasSuffix(c.Key(), "/dir="+c.Dir) {
			t.Errorf("key %s does not name its directory", c.Key())
		}
	}
	checkDirVerdicts(t, set)
	for _, d := range []string{disk, mem} {
		ents, _ := os.ReadDir(d)
		if len(ents) != 1 || ents[0].Name() != "keep.txt" {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("%s holds %v after the run, want only keep.txt", d, names)
		}
	}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	data, err := resultset.Decode(strings.NewReader(mustJSON(t, set)))
	if err != nil || len(data.Env.Dirs) != 2 || data.Results[0].Dir == "" {
		t.Fatalf("round trip: %v", err)
	}
}

// checkDirVerdicts: with vs dir, the two directories are one comparison
// group with eight paired rounds and a named fastest directory; without
// it, each directory is its own workload.
func checkDirVerdicts(t *testing.T, set *resultset.Set) {
	t.Helper()
	vs := judge.Verdicts(set, judge.Options{})
	if len(vs) != 1 || len(vs[0].Contenders) != 2 {
		t.Fatalf("verdicts %+v, want one group of the two directories", vs)
	}
	for _, ct := range vs[0].Contenders {
		if !strings.Contains(ct.Label, "dir=") || ct.Pairs != 8 {
			t.Errorf("contender %q: %d pairs, want a label naming its directory and 8 paired rounds", ct.Label, ct.Pairs)
		}
	}
	if v := vs[0]; v.Fastest == "" || v.Verdict == "" || !strings.Contains(v.Fastest, "dir=") {
		t.Errorf("verdict between the directories: %+v, want the fastest directory named", v)
	}
	// Without --vs dir each directory is its own workload: one cell per
	// group, nothing to compare.
	set.Env.Vs = nil
	if g := judge.Groups(set); len(g) != 0 {
		t.Errorf("without vs dir: %d comparison groups, want none (one cell per directory)", len(g))
	}
}

// TestDirsRefused checks the one-line refusals of bad directory lists.
func TestDirsRefused(t *testing.T) {
	d := t.TempDir()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Dirs: []string{d, d + "/."}}, "are the same directory"},
		{Config{Dirs: []string{d, filepath.Join(d, "missing")}}, "dir: "},
		{Config{Dirs: []string{d}, Vs: []string{"dir"}}, "vs: dir needs two or more directories"},
		{Config{Dirs: []string{d, t.TempDir()}, Vs: []string{"size"}}, "cannot be a contender axis"},
		{Config{Dirs: []string{d, t.TempDir()}, Vs: []string{"color"}}, "unknown axis"},
	} {
		tc.cfg.Strategies, tc.cfg.Files, tc.cfg.Sizes = []string{"chunked"}, []int{1}, []int64{1}
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line with %q", tc.cfg.Dirs, err, tc.want)
		}
	}
}

func mustJSON(t *testing.T, s *resultset.Set) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "set.json")
	if err := resultset.Save(path, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
