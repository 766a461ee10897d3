//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/report/charts"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// tinyRun is a run of one 4 KiB cell, one repetition.
var tinyRun = []string{"--progress", "never", "--strategies", "chunked", "--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0"}

// inputSet copies a committed fixture set into dir and returns its path.
func inputSet(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "basic.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "set.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// nodeID is what must not change about a planted node: type, mode, inode,
// device numbers and, for regular files, content.
func nodeID(t *testing.T, p string) string {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		return "missing"
	}
	sys := st.Sys().(*syscall.Stat_t)
	id := fmt.Sprintf("%v ino=%d rdev=%d size=%d", st.Mode(), sys.Ino, sys.Rdev, st.Size())
	if st.Mode().IsRegular() {
		b, _ := os.ReadFile(p)
		id += " " + string(b)
	}
	return id
}

// TestOutputsNeverReplaceNonFiles plants, for real, a character device
// (mknod 1,3: /dev/null's numbers), a FIFO, a directory and symlinks to
// each (and a dangling one) where run --out, report --markdown and a chart
// of report --plots would go: each must be refused with exit 2 and one
// line, before anything is measured or rendered, and the node must stay
// exactly as it was.
func TestOutputsNeverReplaceNonFiles(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: mknod needs root")
	}
	dir := t.TempDir()
	set := inputSet(t, t.TempDir())
	nodes := map[string]func(string) error{
		"chardev": func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3) },
		"fifo":    func(p string) error { return syscall.Mkfifo(p, 0o666) },
		"dir":     func(p string) error { return os.Mkdir(p, 0o755) },
	}
	var targets []string
	for name, mk := range nodes {
		p := filepath.Join(dir, name)
		if err := mk(p); err != nil {
			t.Fatal(err)
		}
		os.Symlink(p, p+"-link")
		targets = append(targets, p, p+"-link")
	}
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling"))
	targets = append(targets, filepath.Join(dir, "dangling"))

	for _, target := range targets {
		for _, args := range [][]string{
			append([]string{"run", "--dir", t.TempDir(), "--out", target}, tinyRun...),
			{"report", set, "--markdown", target},
		} {
			t.Run(args[0]+"/"+filepath.Base(target), func(t *testing.T) {
				before := nodeID(t, target)
				code, stdout, stderr := runCLI(t, args...)
				if code != 2 || strings.Count(stderr, "\n") != 1 || stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing on stdout, one line", code, stdout, stderr)
				}
				if after := nodeID(t, target); after != before {
					t.Errorf("%s changed: %s -> %s", target, before, after)
				}
				if args[0] == "run" {
					if ents, _ := os.ReadDir(args[2]); len(ents) != 0 {
						t.Errorf("--dir holds %d entries: the run started", len(ents))
					}
				}
			})
		}
	}

	// A chart file planted as a FIFO: refused before any chart is drawn.
	plots := t.TempDir()
	fifo := filepath.Join(plots, charts.All()[len(charts.All())-1].Name+".svg")
	syscall.Mkfifo(fifo, 0o666)
	code, _, stderr := runCLI(t, "report", set, "--plots", plots)
	if code != 2 || !strings.Contains(stderr, "FIFO") {
		t.Errorf("--plots with a FIFO chart: exit %d, stderr %q; want 2 naming the FIFO", code, stderr)
	}
	if ents, _ := os.ReadDir(plots); len(ents) != 1 {
		t.Errorf("--plots holds %d entries, want only the FIFO (no chart drawn)", len(ents))
	}

	// --markdown into a missing directory: exit 2, and no chart written.
	plots2 := filepath.Join(t.TempDir(), "plots")
	code, _, stderr = runCLI(t, "report", set, "--plots", plots2, "--markdown", filepath.Join(dir, "missing", "page.md"))
	if code != 2 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("--markdown in a missing directory: exit %d, stderr %q; want 2", code, stderr)
	}
	if _, err := os.Stat(plots2); err == nil {
		t.Error("charts were written before --markdown was refused")
	}
}

// TestReportRefusesToOverwriteInput names the input set as the output in
// every way that reaches the same file: the same path, ./path, a symlink,
// a hard link, and a chart name under --plots. Each is exit 2 and the set
// is unchanged.
func TestReportRefusesToOverwriteInput(t *testing.T) {
	dir := t.TempDir()
	set := inputSet(t, dir)
	t.Chdir(dir)
	orig, _ := os.ReadFile(set)
	os.Symlink("set.json", filepath.Join(dir, "link.json"))
	os.Link(set, filepath.Join(dir, "hard.json"))
	plots := filepath.Join(dir, "plots")
	os.Mkdir(plots, 0o755)
	os.Link(set, filepath.Join(plots, charts.All()[0].Name+".png"))
	for _, args := range [][]string{
		{"report", "set.json", "--markdown", "set.json"},
		{"report", "set.json", "--markdown", "./set.json"},
		{"report", set, "--markdown", "link.json"},
		{"report", "link.json", "--markdown", set},
		{"report", set, "--markdown", "hard.json"},
		{"report", set, "--plots", plots},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "refusing to overwrite an input") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and the refusal", args, code, stderr)
		}
		if got, _ := os.ReadFile(set); !bytes.Equal(got, orig) {
			t.Fatalf("%v: the input set was changed", args)
		}
	}
}

// TestDefaultOutNeverCollides plants result sets under the default names
// of this second and the next ten (as runs started in the same second
// would have written): a run with the default --out must keep them all and
// save its own set under a new name.
func TestDefaultOutNeverCollides(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("results", 0o755)
	now := time.Now().UTC()
	planted := map[string]string{}
	for s := -1; s <= 60; s++ {
		p := filepath.Join("results", now.Add(time.Duration(s)*time.Second).Format("20060102T150405Z")+".json")
		os.WriteFile(p, []byte("planted "+p), 0o644)
		planted[p] = "planted " + p
	}
	code, _, stderr := runCLI(t, append([]string{"run", "--dir", t.TempDir()}, tinyRun...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for p, want := range planted {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s was overwritten", p)
		}
	}
	all, _ := filepath.Glob(filepath.Join("results", "*.json"))
	if len(all) != len(planted)+1 {
		t.Fatalf("results holds %d sets, want %d", len(all), len(planted)+1)
	}
	for _, p := range all {
		if _, ok := planted[p]; ok {
			continue
		}
		if !strings.Contains(p, "-2.json") || !strings.Contains(stderr, "saved to "+p) {
			t.Errorf("new set %s: want a -2 suffix named on stderr:\n%s", p, stderr)
		}
		if _, err := resultset.Load(p); err != nil {
			t.Error(err)
		}
	}
}

// TestBrokenPipeEndsRun runs writebench as a real child with stdout and
// stderr on one pipe (writebench run ... 2>&1 | head) and closes the
// reading end after the first progress line: the next write fails with
// EPIPE and the run must end as on a signal (exit 141), with its partial
// set saved and its scratch directory removed.
func TestBrokenPipeEndsRun(t *testing.T) {
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
	cmd, _ := writebenchCmd(t, nil, "run", "--dir", dir, "--out", out, "--progress", "always",
		"--strategies", "chunked", "--files", "16", "--sizes", "64KiB", "--repeat", "5000", "--warmup", "0")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("no first progress line: %v", err)
	}
	r.Close() // like head exiting
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 20s after its output pipe closed (first line %q)", line)
	}
	if code := exitStatus(t, err); code != 141 {
		t.Fatalf("exit %d, want 141 (ended by a closed pipe)", code)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("--dir holds %d entries: scratch directory left", len(ents))
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatalf("no partial set saved: %v", err)
	}
	if set.Complete || set.Interrupted != "SIGPIPE" {
		t.Errorf("set complete=%v interrupted=%q; want incomplete, SIGPIPE", set.Complete, set.Interrupted)
	}
}

// TestStdoutWriteErrors: a summary that cannot be written is exit 1,
// never silent. stdout is a pipe closed before the summary (| head that
// already exited) or /dev/full (ENOSPC); the set is still saved and the
// scratch directory removed.
func TestStdoutWriteErrors(t *testing.T) {
	for _, kind := range []string{"closed-pipe", "dev-full"} {
		t.Run(kind, func(t *testing.T) {
			dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
			cmd, stderr := writebenchCmd(t, nil, append([]string{"run", "--dir", dir, "--out", out}, tinyRun...)...)
			switch kind {
			case "closed-pipe":
				r, w, _ := os.Pipe()
				r.Close()
				defer w.Close()
				cmd.Stdout = w
			case "dev-full":
				f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
				if err != nil {
					t.Skipf("skipped: no /dev/full: %v", err)
				}
				defer f.Close()
				cmd.Stdout = f
			}
			code := exitStatus(t, cmd.Run())
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			if kind == "dev-full" && !strings.Contains(stderr.String(), "write to stdout failed") {
				t.Errorf("stderr does not say stdout failed:\n%s", stderr)
			}
			if _, err := resultset.Load(out); err != nil {
				t.Errorf("set not saved: %v", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("scratch directory left")
			}
		})
	}
}

// TestBothSavesFailSummaryPrinted: --out on a full tmpfs and $TMPDIR a
// directory that does not exist, so neither save can succeed: the summary
// table must still be printed (it is all that is left of the
// measurements) and the exit status is 1.
func TestBothSavesFailSummaryPrinted(t *testing.T) {
	full := mountTmpfs(t, "size=64k")
	filler, _ := os.Create(filepath.Join(full, "filler"))
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	filler.Close()
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	code, stdout, stderr := runCLI(t, append([]string{"run", "--dir", t.TempDir(), "--out", filepath.Join(full, "out.json")}, tinyRun...)...)
	if code != 1 || !strings.Contains(stderr, "NOT saved") {
		t.Errorf("exit %d, stderr %q; want 1 and NOT saved", code, stderr)
	}
	if !strings.Contains(stdout, "chunked") || !strings.Contains(stdout, "4KiB") {
		t.Errorf("summary not printed:\n%s", stdout)
	}
}

// TestReportStopsOnFirstInterrupt renders charts of a big set (thousands
// of cells, many seconds of drawing) in a real child and sends one SIGINT
// once the table is out: report must exit 130 at once, without drawing
// the remaining charts.
func TestReportStopsOnFirstInterrupt(t *testing.T) {
	base, err := resultset.Load(filepath.Join("..", "..", "report", "testdata", "basic.json"))
	if err != nil {
		t.Fatal(err)
	}
	big := *base
	big.Results = nil
	seen := map[string]bool{} // 10 files × 10 is 100 files × 1: Load refuses a cell twice
	for k := 1; k <= 400; k++ {
		for _, c := range base.Results {
			c.Files = c.Files * k
			if !seen[c.Key()] {
				seen[c.Key()] = true
				big.Results = append(big.Results, c)
			}
		}
	}
	setPath := filepath.Join(t.TempDir(), "big.json")
	data, _ := json.Marshal(&big)
	os.WriteFile(setPath, data, 0o644)
	plots := t.TempDir()
	cmd, stderr := writebenchCmd(t, nil, "report", setPath, "--plots", plots)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { io.Copy(io.Discard, stdout); done <- cmd.Wait() }()
	// The table goes to stdout before the charts; wait for it to end
	// (the pipe drains), then give the charts a moment to start.
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("report still running 10s after the first SIGINT; stderr:\n%s", stderr)
	}
	if code := exitStatus(t, err); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	ents, _ := os.ReadDir(plots)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Logf("temporary chart file left: %s", e.Name())
		}
	}
	if len(ents) >= 2*len(charts.All()) {
		t.Errorf("all %d chart files were drawn after the SIGINT", len(ents))
	}
}

// TestLowFDLimit starts writebench (this test binary re-executed into
// TestHelperMain, which runs main's body) with open-file limits below what
// it needs: exit 2 with one clear line, no Go crash, nothing written.
//
// The limit is set in two ways. First by the child itself, before main's
// body runs (WRITEBENCH_TEST_NOFILE): deterministic whatever the binary,
// for every limit down to 4, where a dynamically linked binary's loader
// could not even start under prlimit. Then under prlimit from the first
// instruction, as ulimit -n would (at 6 the Go runtime used to crash in
// netpollinit), for the limits at which this binary can start at all: a
// dynamically linked test binary whose loader fails is skipped for that
// limit, with the loader's message.
func TestLowFDLimit(t *testing.T) {
	check := func(how string, n int, cmd *exec.Cmd, dir, out string) {
		t.Helper()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		code := exitStatus(t, cmd.Run())
		if how == "prlimit" && code == 127 && strings.Contains(stderr.String(), "error while loading shared libraries") {
			t.Logf("prlimit nofile=%d: skipped: this dynamically linked binary cannot load: %s", n, strings.TrimSpace(stderr.String()))
			return
		}
		if code != 2 || !strings.Contains(stderr.String(), "open-file limit") || strings.Contains(stderr.String(), "fatal error") {
			t.Errorf("%s nofile=%d: exit %d, stderr:\n%s\nwant 2 and the open-file limit named", how, n, code, stderr.String())
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s nofile=%d: --dir written", how, n)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s nofile=%d: --out written", how, n)
		}
	}
	args := func(dir, out string) []string {
		return []string{"run", "--dir", dir, "--out", out, "--strategies", "chunked", "--files", "1", "--sizes", "4KiB"}
	}
	for _, n := range []int{4, 5, 6, 8, 12, 15} {
		dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
		cmd, _ := writebenchCmd(t, []string{"WRITEBENCH_TEST_NOFILE=" + strconv.Itoa(n)}, args(dir, out)...)
		check("setrlimit", n, cmd, dir, out)
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("skipped the prlimit half: prlimit (util-linux) not installed")
	}
	for _, n := range []int{6, 8, 12, 15} {
		dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
		cmd := exec.Command(prlimit, append([]string{fmt.Sprintf("--nofile=%d:%d", n, n), os.Args[0], "-test.run=^TestHelperMain$", "--"}, args(dir, out)...)...)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		check("prlimit", n, cmd, dir, out)
	}
}

// TestScratchLeftExit1 mounts a tmpfs inside a running writebench's
// scratch directory, so the directory cannot be removed at the end: the run
// must say so, naming the directory, and exit 1 instead of 0.
func TestScratchLeftExit1(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: mount needs root")
	}
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
	cmd, stderr := writebenchCmd(t, nil, "run", "--dir", dir, "--out", out, "--progress", "never",
		"--strategies", "unbuffered", "--files", "1", "--sizes", "32MiB", "--record", "256", "--repeat", "1", "--warmup", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var mnt string
	deadline := time.Now().Add(10 * time.Second)
	for mnt == "" && time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, writebench.ScratchPrefix+"*", "d0")); len(m) == 1 {
			mnt = filepath.Join(filepath.Dir(m[0]), "mnt")
			if err := os.Mkdir(mnt, 0o755); err != nil {
				t.Fatal(err)
			}
			if o, err := exec.Command("mount", "-t", "tmpfs", "tmpfs", mnt).CombinedOutput(); err != nil {
				cmd.Process.Kill()
				t.Skipf("skipped: mount: %v: %s", err, o)
			}
			t.Cleanup(func() { exec.Command("umount", mnt).Run() })
		}
		time.Sleep(2 * time.Millisecond)
	}
	err := <-done
	if mnt == "" {
		t.Skip("skipped: the run ended before the mount could be made")
	}
	code := exitStatus(t, err)
	if code != 1 || !strings.Contains(stderr.String(), "could not be removed") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and the scratch directory named", code, stderr)
	}
	if _, err := resultset.Load(out); err != nil {
		t.Errorf("set not saved: %v", err)
	}
}

// TestMemoryRefusedUpFront asks for ten 1 GiB buffers per cell across
// 100 workers: the estimate exceeds this machine's memory, so the run is
// refused with exit 2 and the figure, before anything is written.
func TestMemoryRefusedUpFront(t *testing.T) {
	limit, _, ok := sysinfo.MemoryLimit()
	if !ok {
		t.Skip("skipped: no /proc/meminfo")
	}
	s, _ := strategies.Lookup("pool")
	need := writebench.EstimateMemory(s, 100, 1<<30, strategies.Params{Chunk: 1 << 30, Concurrency: 100, PerFile: "chunked"}.WithDefaults(), false)
	if need <= limit {
		t.Skipf("skipped: this machine has %d bytes available, more than the %d the cell needs", limit, need)
	}
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
	code, _, stderr := runCLI(t, "run", "--dir", dir, "--out", out, "--strategies", "pool", "--files", "100",
		"--concurrency", "100", "--sizes", "1GiB", "--chunk", "1GiB")
	if code != 2 || !strings.Contains(stderr, "of memory") || !strings.Contains(stderr, resultset.FormatIEC(need)) {
		t.Errorf("exit %d, stderr %q; want 2 and the estimate %s", code, stderr, resultset.FormatIEC(need))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Error("--dir written")
	}
}

// TestMemoryEstimateHonest runs real cells in child processes and compares
// their peak resident size (env.peak_rss, VmHWM) with EstimateMemory: the
// estimate must never be below the measured peak, nor more than three
// times it plus 64 MiB.
func TestMemoryEstimateHonest(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: writes about 200 MiB")
	}
	if raceEnabled {
		t.Skip("skipped: the race detector's shadow memory inflates resident size several times")
	}
	for _, tc := range []struct {
		strategy string
		files    int
		size     int64
		p        strategies.Params
		extra    []string
	}{
		{"chunked", 1, 4 << 10, strategies.Params{}, nil},
		{"chunked", 1, 48 << 20, strategies.Params{Chunk: 48 << 20}, []string{"--chunk", "48MiB"}},
		{"pool", 4, 24 << 20, strategies.Params{Chunk: 24 << 20, Concurrency: 4, PerFile: "chunked"}, []string{"--chunk", "24MiB", "--concurrency", "4"}},
		{"semaphore", 8, 16 << 20, strategies.Params{Concurrency: 4, PerFile: "bufio", Buffer: 4 << 20}, []string{"--concurrency", "4", "--per-file", "bufio", "--buffer", "4MiB"}},
		{"mmap", 1, 64 << 20, strategies.Params{}, nil},
	} {
		name := fmt.Sprintf("%s/files=%d/size=%s", tc.strategy, tc.files, resultset.FormatBytes(tc.size))
		t.Run(name, func(t *testing.T) {
			dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
			args := append([]string{"run", "--dir", dir, "--out", out, "--progress", "never", "--strategies", tc.strategy,
				"--files", fmt.Sprint(tc.files), "--sizes", resultset.FormatBytes(tc.size), "--repeat", "1", "--warmup", "1"}, tc.extra...)
			cmd, stderr := writebenchCmd(t, nil, args...)
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			// The set's own figure (VmHWM): the child's ru_maxrss would
			// include this test process's size, recorded when the vforked
			// child exec'd.
			set, err := resultset.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			rss := set.Env.PeakRSS
			if rss == 0 {
				t.Skip("skipped: no peak resident size recorded (no /proc/self/status)")
			}
			s, err := strategies.Lookup(tc.strategy)
			if err != nil {
				t.Fatal(err)
			}
			est := writebench.EstimateMemory(s, tc.files, tc.size, tc.p.WithDefaults(), false)
			t.Logf("%s: estimate %s, measured peak RSS %s (ratio %.2f)", name, resultset.FormatIEC(est), resultset.FormatIEC(rss), float64(est)/float64(rss))
			if est < rss {
				t.Errorf("estimate %s below the measured peak %s", resultset.FormatIEC(est), resultset.FormatIEC(rss))
			}
			if est > 3*rss+64<<20 {
				t.Errorf("estimate %s more than 3x the measured peak %s", resultset.FormatIEC(est), resultset.FormatIEC(rss))
			}
		})
	}
}

// TestStickyDirOtherOwner runs report as another user (uid 65534) in a
// real sticky directory, asking it to write its page over a file owned by
// a third user: the kernel would refuse the rename after all the work, so
// writebench must refuse up front with exit 2 and leave the file alone.
func TestStickyDirOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: running a child as another user needs root")
	}
	d := otherUserDir(t, "wbsticky-test-", 0o777|os.ModeSticky)
	bin := copyTestBinary(t, d)
	set := inputSet(t, d)
	victim := filepath.Join(d, "victim.md")
	os.WriteFile(victim, []byte("victim"), 0o666)
	os.Chown(victim, 4242, 4242)
	cmd := exec.Command(bin, "-test.run=^TestHelperMain$", "--", "report", set, "--markdown", victim)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Dir = d
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	code := exitStatus(t, cmd.Run())
	if code != 2 || !strings.Contains(stderr.String(), "sticky directory") {
		t.Errorf("exit %d, stderr %q; want 2 and the sticky directory named", code, stderr.String())
	}
	if b, _ := os.ReadFile(victim); string(b) != "victim" {
		t.Errorf("the other user's file was replaced: %q", b)
	}
}

// TestNohupKeepsSIGHUPIgnored starts a run with SIGHUP ignored, as nohup
// does, and sends it a real SIGHUP mid-cell: the run must go on to the end
// (exit 0, complete set), while the same signal ends a run that did not
// ignore it (TestSignalStopsRun).
func TestNohupKeepsSIGHUPIgnored(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("skipped: nohup not installed")
	}
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command(nohup, os.Args[0], "-test.run=^TestHelperMain$", "--", "run", "--dir", dir, "--out", out,
		"--progress", "never", "--strategies", "unbuffered", "--files", "1", "--sizes", "16MiB", "--record", "256",
		"--repeat", "1", "--warmup", "0")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitForScratch(t, dir, done)
	cmd.Process.Signal(syscall.SIGHUP)
	if code := exitStatus(t, <-done); code != 0 {
		t.Fatalf("exit %d after SIGHUP under nohup, want 0; stderr:\n%s", code, stderr.String())
	}
	if set, err := resultset.Load(out); err != nil || !set.Complete {
		t.Errorf("set %v, %v; want a complete set", set, err)
	}
}

// waitForScratch waits until a cell directory exists under dir.
func waitForScratch(t *testing.T, dir string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, writebench.ScratchPrefix+"*", "d*")); len(m) > 0 {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("writebench ended before writing: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatal("writebench did not start within 20s")
}
