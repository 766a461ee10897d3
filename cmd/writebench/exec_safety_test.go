package main

import (
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/resultset"
)

// hangGuard is how long a child writebench may take before a test calls it
// hung and kills it. Not a measurement: every run here takes seconds, and
// the old behaviour these tests catch is a wait for ever.
const hangGuard = 90 * time.Second

// runGuarded runs writebench (this test binary in TestHelperMain) in dir
// with env and args, kills it (and its process group) if it is still
// running after hangGuard, and returns its exit status and stderr; hung
// reports whether it had to be killed.
func runGuarded(t *testing.T, dir string, env []string, args ...string) (code int, stderr string, hung bool) {
	t.Helper()
	cmd, errb := writebenchCmd(t, env, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitStatus(t, err), errb.String(), false
	case <-time.After(hangGuard):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return -1, errb.String(), true
	}
}

// findMarked lists the live processes whose command line holds mark
// (processes a test's writer started and that may outlive it).
func findMarked(mark string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(b, []byte(mark)) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && bytes.Contains(st, []byte(") Z ")) {
			continue // a zombie: already dead
		}
		pids = append(pids, pid)
	}
	return pids
}

// killMarked kills the processes findMarked lists and returns how many
// there were.
func killMarked(t *testing.T, mark string) int {
	t.Helper()
	pids := findMarked(mark)
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids)
}

// TestSeedsPresetTrustsNoFileInCwd runs --preset seeds from a directory
// holding a planted scripts/python.exec and planted writers, owned by
// another user (uid 65534), whose commands create a file: nothing planted
// may run (the preset's writers are built in), and the preset must work
// the same from a directory without any scripts/.
func TestSeedsPresetTrustsNoFileInCwd(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("skipped: python3 not installed")
	}
	cwd := t.TempDir()
	pwned := filepath.Join(cwd, "PWNED")
	plant := func(rel, body string) {
		p := filepath.Join(cwd, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			os.Chown(p, 65534, 65534)
		}
	}
	plant("scripts/python.exec", "py-open-buffered[record,buffer]=/bin/sh -c 'touch "+pwned+"; exit 1'\n")
	plant("scripts/writers/open_buffered.py", "open('"+pwned+"', 'w')\n")
	plant("scripts/writers/wbproto.py", "open('"+pwned+"', 'w')\n")
	plant("scripts/content.py", "open('"+pwned+"', 'w')\n")
	for _, dir := range []string{cwd, t.TempDir()} {
		scratch, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
		code, stderr, hung := runGuarded(t, dir, nil, "run", "--preset", "seeds", "--strategies", "py-open-buffered",
			"--sizes", "8KiB", "--repeat", "1", "--warmup", "0", "--dir", scratch, "--out", out, "--progress", "never")
		if hung || code != 0 {
			t.Fatalf("in %s: exit %d (hung %v), stderr:\n%s", dir, code, hung, stderr)
		}
		if _, err := os.Stat(pwned); err == nil {
			t.Fatalf("a planted file in the current directory ran (it made %s)", pwned)
		}
		set, err := resultset.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Results) != 1 || set.Results[0].Failed() || (set.Results[0].Skipped == "" && len(set.Results[0].Seconds) != 1) {
			t.Errorf("in %s: results %+v, want one py-open-buffered cell measured or skipped", dir, set.Results)
		}
		if ents, _ := os.ReadDir(scratch); len(ents) != 0 {
			t.Errorf("in %s: scratch left: %v", dir, ents)
		}
	}
}

// TestExecFileRefusesUntrusted gives --exec-file what nobody vouched for:
// a real FIFO (a blocking read waits for ever), /dev/zero (an endless
// read), a directory, a file owned by another user, files writable by
// group or others, one over the size bound. Each is exit 2 with one line
// naming the check, without blocking; a root-owned file read by another
// user (uid 65534 via setpriv) and one's own file are accepted.
func TestExecFileRefusesUntrusted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: chown and setpriv need root")
	}
	// Not under t.TempDir(), whose parent only root may enter: uid 65534
	// reads these files too.
	dir := otherUserDir(t, "wbexecfile", 0o755)
	good := "w=/bin/true\n"
	mk := func(name, body string, mode os.FileMode, uid int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
	}{
		{"fifo", fifo, "is a FIFO, not a regular file"},
		{"dev-zero", "/dev/zero", "is a character device, not a regular file"},
		{"directory", dir, "is a directory, not a regular file"},
		{"other owner", mk("other.exec", good, 0o644, 65534), "owned by uid 65534"},
		{"world-writable", mk("ww.exec", good, 0o666, 0), "writable by group or others (mode 0666)"},
		{"group-writable", mk("gw.exec", good, 0o664, 0), "writable by group or others (mode 0664)"},
		{"too big", mk("big.exec", "# "+strings.Repeat("x", 64<<10)+"\n"+good, 0o644, 0), "an exec file is at most 65536"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scratch, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
			code, stderr, hung := runGuarded(t, dir, nil, "run", "--exec-file", c.path, "--files", "1", "--sizes", "4KiB",
				"--repeat", "1", "--warmup", "0", "--dir", scratch, "--out", out, "--progress", "never")
			if hung {
				t.Fatalf("--exec-file %s: hung", c.path)
			}
			if code != 2 || !strings.Contains(stderr, "--exec-file") || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("--exec-file %s: exit %d, stderr %q; want 2 and one line naming %q", c.path, code, stderr, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("--out written")
			}
		})
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("skipped the second-user half: setpriv (util-linux) not installed")
	}
	// The test binary must be reachable by uid 65534.
	bin := filepath.Join(dir, "wb.test")
	if data, err := os.ReadFile(os.Args[0]); err != nil || os.WriteFile(bin, data, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}
	rootOwned := mk("root.exec", "sh-w="+shWriter(t)+"\n", 0o644, 0)
	ownOwned := mk("own.exec", "sh-w="+shWriter(t)+"\n", 0o644, 65534)
	for _, p := range []string{rootOwned, ownOwned, mk("other2.exec", good, 0o644, 4242)} {
		scratch, err := os.MkdirTemp(dir, "scratch")
		if err != nil {
			t.Fatal(err)
		}
		os.Chown(scratch, 65534, 65534)
		cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^TestHelperMain$", "--",
			"run", "--exec-file", p, "--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0",
			"--dir", scratch, "--out", filepath.Join(scratch, "o.json"), "--progress", "never")
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		cmd.Dir = scratch
		var errb bytes.Buffer
		cmd.Stderr = &errb
		code := exitStatus(t, cmd.Run())
		want := 0
		if strings.Contains(p, "other2") {
			want = 2
		}
		if code != want {
			t.Errorf("as uid 65534, --exec-file %s: exit %d, want %d; stderr:\n%s", p, code, want, errb.String())
		}
		if want == 2 && !strings.Contains(errb.String(), "owned by uid 4242, not by you (uid 65534) or root") {
			t.Errorf("as uid 65534: stderr %q does not name the owner", errb.String())
		}
	}
}

// TestExecNamesFollowLoaderRule: --exec names the result-set loader would
// refuse are refused up front, with the loader's rule, exit 2; names it
// accepts run and make a set that loads.
func TestExecNamesFollowLoaderRule(t *testing.T) {
	for _, name := range []string{"my/writer", "a|b", "café", strings.Repeat("w", 65), "-dash", "a;b"} {
		dir := t.TempDir()
		out := filepath.Join(dir, "o.json")
		code, _, stderr := runCLI(t, "run", "--exec", name+"="+shWriter(t), "--files", "1", "--sizes", "4KiB",
			"--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
		if code != 2 || !strings.Contains(stderr, "--exec") || !strings.Contains(stderr, "1 to 64 lower-case ASCII letters") ||
			strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("--exec %q: exit %d, stderr %q; want 2 and the naming rule on one line", name, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--exec %q: --out written", name)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "o.json")
	name := "w.x_y+z-" + strings.Repeat("9", 56) // 64 characters
	code, _, stderr := runCLI(t, "run", "--exec", name+"="+shWriter(t), "--files", "1", "--sizes", "4KiB",
		"--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Fatalf("--exec %q: exit %d, stderr %q", name, code, stderr)
	}
	if _, err := resultset.Load(out); err != nil {
		t.Errorf("the set of --exec %q does not load: %v", name, err)
	}
}

// TestExecWithoutStrategiesRunsOnlyThem: --exec (or --exec-file) without
// --strategies runs the external writers, not the preset's built-ins.
func TestExecWithoutStrategiesRunsOnlyThem(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o.json")
	code, _, stderr := runCLI(t, "run", "--exec", "shw="+shWriter(t), "--files", "1", "--sizes", "4KiB",
		"--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range set.Results {
		names = append(names, c.Strategy)
	}
	if len(names) != 1 || names[0] != "shw" {
		t.Errorf("strategies run: %v, want only shw", names)
	}
}

// helperWriter is a writer (the repository's writer.sh) that first starts
// a helper in a session of its own (setsid) which keeps its standard
// output and error open for 1000 s; mark is in the helper's command line.
func helperWriter(t *testing.T, mark string) string {
	t.Helper()
	ws, err := filepath.Abs("../../scripts/writers/writer.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("skipped: setsid (util-linux) not installed")
	}
	return writeScript(t, "setsid sleep "+mark+" &\nexec sh "+ws+"\n")
}

// TestSetsidHelperHoldingStderr: a writer whose helper left its session
// and holds stderr open must not hang the sweep, must not earn a false
// "did not exit" warning, and the helper must be killed at the end.
func TestSetsidHelperHoldingStderr(t *testing.T) {
	mark := "1000.4242" + strconv.Itoa(os.Getpid()%1000)
	t.Cleanup(func() { killMarked(t, mark) })
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
	code, stderr, hung := runGuarded(t, dir, nil, "run", "--exec", "held="+helperWriter(t, mark), "--strategies", "held", "--files", "2", "--sizes", "8KiB",
		"--repeat", "2", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	if hung || code != 0 {
		t.Fatalf("exit %d (hung %v), stderr:\n%s", code, hung, stderr)
	}
	if strings.Contains(stderr, "did not exit") {
		t.Errorf("false warning: %s", stderr)
	}
	if n := killMarked(t, mark); n != 0 {
		t.Errorf("%d helper(s) of the writer still running after the run", n)
	}
}

// TestSignalWithHelperHoldingStderr: a writer that never replies, whose
// setsid'd helper holds stderr; SIGTERM must end the run (exit 143, set
// saved, scratch removed) and kill the helper.
func TestSignalWithHelperHoldingStderr(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("skipped: setsid (util-linux) not installed")
	}
	mark := "1000.4343" + strconv.Itoa(os.Getpid()%1000)
	stuck := "1000.4444" + strconv.Itoa(os.Getpid()%1000)
	t.Cleanup(func() { killMarked(t, mark); killMarked(t, stuck) })
	w := writeScript(t, "setsid sleep "+mark+" &\necho ready\nread l\nexec sleep "+stuck+"\n")
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
	cmd, errb := writebenchCmd(t, nil, "run", "--exec", "stuck="+w, "--strategies", "chunked,stuck", "--files", "1", "--sizes", "4KiB",
		"--repeat", "3", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Wait until the stuck writer has its request.
	deadline := time.Now().Add(hangGuard)
	for len(findMarked(stuck)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if code := exitStatus(t, err); code != 143 {
			t.Errorf("exit %d, want 143; stderr:\n%s", code, errb.String())
		}
	case <-time.After(hangGuard):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("SIGTERM did not end the run; stderr:\n%s", errb.String())
	}
	if _, err := resultset.Load(out); err != nil {
		t.Errorf("partial set not saved: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("scratch left: %v", ents)
	}
	if n := killMarked(t, mark) + killMarked(t, stuck); n != 0 {
		t.Errorf("%d process(es) of the writer still running after the run", n)
	}
}

// TestWriterPlantsFIFO: an external writer that makes a FIFO (or a link to
// /dev/zero) where a file should be must fail its cell with the kind
// named, not hang the verifier; the run goes on and exits 1.
func TestWriterPlantsFIFO(t *testing.T) {
	for _, c := range []struct{ name, make, want string }{
		{"fifo", `mkfifo "$d/f0"`, "a FIFO"},
		{"zero", `ln -s /dev/zero "$d/f0"`, "a symbolic link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := writeScript(t, `echo ready
while IFS= read -r line; do
	d=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^dir=//p')
	`+c.make+`
	echo ok
done
`)
			dir, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
			code, stderr, hung := runGuarded(t, dir, nil, "run", "--exec", "planter="+w, "--strategies", "planter,chunked", "--files", "1",
				"--sizes", "4KiB", "--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
			if hung {
				t.Fatalf("hung; stderr:\n%s", stderr)
			}
			if code != 1 || !strings.Contains(stderr, "not a regular file: "+c.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant 1 and %q named", code, stderr, c.want)
			}
			set, err := resultset.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range set.Results {
				if r.Strategy == "chunked" && r.Failed() {
					t.Errorf("the other cell failed too: %s", r.Error)
				}
			}
		})
	}
}

// TestExecStartTimeoutFlag: the start-up limit has its own flag, and the
// message of a program that stays silent names it.
func TestExecStartTimeoutFlag(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o.json")
	code, _, stderr := runCLI(t, "run", "--exec", "silent="+writeScript(t, "exec sleep 30\n"), "--strategies", "silent",
		"--exec-start-timeout", "300ms", "--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0",
		"--dir", dir, "--out", out, "--progress", "never")
	if code != 1 || !strings.Contains(stderr, "no reply within 300ms during start-up") || !strings.Contains(stderr, "raise the limit with --exec-start-timeout") {
		t.Errorf("exit %d, stderr %q; want 1 and --exec-start-timeout named", code, stderr)
	}
	code, _, stderr = runCLI(t, "run", "--exec", "silent=/bin/true", "--exec-start-timeout", "0s", "--dir", dir, "--out", out)
	if code != 2 || !strings.Contains(stderr, "--exec-start-timeout") {
		t.Errorf("--exec-start-timeout 0s: exit %d, stderr %q; want 2", code, stderr)
	}
}

// TestKilledRunLeftoversNamed kills (SIGKILL) a run while an external
// writer's cell is open: every scratch or writebench-exec-* directory it leaves, in --dir
// or in the temporary directory, must be named by the next run's scan.
func TestKilledRunLeftoversNamed(t *testing.T) {
	stuck := "1000.4545" + strconv.Itoa(os.Getpid()%1000)
	t.Cleanup(func() { killMarked(t, stuck) })
	dir := t.TempDir()
	w := writeScript(t, "echo ready\nread l\nexec sleep "+stuck+"\n")
	cmd, _ := writebenchCmd(t, []string{"TMPDIR=" + dir}, "run", "--exec", "stuck="+w, "--strategies", "stuck",
		"--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0", "--dir", dir,
		"--out", filepath.Join(t.TempDir(), "o.json"), "--progress", "never")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(hangGuard)
	for len(findMarked(stuck)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	left, _ := filepath.Glob(filepath.Join(dir, writebench.ScratchPrefix+"*"))
	execLeft, _ := filepath.Glob(filepath.Join(dir, "writebench-exec-*"))
	left = append(left, execLeft...)
	if len(left) == 0 {
		t.Fatal("the killed run left nothing: the test did not catch it mid-cell")
	}
	// What older builds left (an unmarked directory of pattern files) is
	// named too; a writebench-exec-* directory holding anything else is
	// not ours and is not.
	legacy := filepath.Join(dir, "writebench-exec-1234567")
	other := filepath.Join(dir, "writebench-exec-notours")
	for _, d := range []string{legacy, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(legacy, "pattern-1"), make([]byte, 4096), 0o644)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	left = append(left, legacy)
	code, _, stderr := runCLI(t, "run", "--strategies", "chunked", "--files", "1", "--sizes", "4KiB", "--repeat", "1",
		"--warmup", "0", "--dir", dir, "--out", filepath.Join(t.TempDir(), "o.json"), "--progress", "never")
	if code != 0 {
		t.Fatalf("second run: exit %d, stderr %q", code, stderr)
	}
	for _, l := range left {
		if !strings.Contains(stderr, "stale scratch directory from an earlier writebench run: "+l) {
			t.Errorf("%s, left by the killed run, is not named; stderr:\n%s", l, stderr)
		}
	}
	if strings.Contains(stderr, other) {
		t.Errorf("%s, not writebench's, is named: %s", other, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(other, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("a directory that is not writebench's was changed")
	}
}

// TestWriterShRemovesTempOnSignal: the repository's sh writer removes its
// temporary directory when a signal ends it, not only at end of input.
func TestWriterShRemovesTempOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		if signal.Ignored(sig) {
			// Ignored here, so ignored in the writer too (nohup, a
			// background job): a non-interactive shell cannot trap a
			// signal ignored at its start.
			t.Logf("%v: skipped: this test process ignores it, and so would writer.sh", sig)
			continue
		}
		tmp := t.TempDir()
		args := strings.Fields(shWriter(t))
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		// SIGINT stays ignored in a background job of a non-interactive
		// shell; start the writer as a job of its own would be.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		if n, err := stdout.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "ready") {
			t.Fatalf("writer.sh said %q, %v", buf[:n], err)
		}
		if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
			t.Fatalf("writer.sh made %d entries in TMPDIR, want its temporary directory", len(ents))
		}
		cmd.Process.Signal(sig)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(hangGuard):
			cmd.Process.Kill()
			<-done
			t.Errorf("%v: writer.sh was still running %v after the signal", sig, hangGuard)
		}
		stdin.Close()
		if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
			t.Errorf("%v: writer.sh left %s in TMPDIR", sig, ents[0].Name())
		}
	}
}

// TestSignalWithStubbornWriters: four cells of external writers that
// ignore SIGTERM and the end of their input are open when SIGTERM comes;
// the run must end within seconds (they are killed together, not given
// their exit grace one after another), with the set saved and no writer
// left running.
func TestSignalWithStubbornWriters(t *testing.T) {
	ws, err := filepath.Abs("../../scripts/writers/writer.sh")
	if err != nil {
		t.Fatal(err)
	}
	mark := "1000.4646" + strconv.Itoa(os.Getpid()%1000)
	t.Cleanup(func() { killMarked(t, mark) })
	w := writeScript(t, "trap '' TERM HUP\nsh "+ws+"\nwhile :; do sleep "+mark+"; done\n")
	script := strings.Fields(w)[1]
	t.Cleanup(func() { killMarked(t, script) })
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "o.json")
	cmd, errb := writebenchCmd(t, nil, "run", "--exec", "stubborn[record]="+w, "--strategies", "stubborn", "--record", "256,512,1024,2048",
		"--files", "1", "--sizes", "4KiB", "--repeat", "50", "--warmup", "0", "--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(hangGuard)
	for len(findMarked(script)) < 4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	signalled := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if code := exitStatus(t, err); code != 143 {
			t.Errorf("exit %d, want 143; stderr:\n%s", code, errb.String())
		}
		// Four writers given 5 s each to exit would take 20 s.
		if d := time.Since(signalled); d > 10*time.Second {
			t.Errorf("the run ended %v after SIGTERM", d.Round(time.Second))
		}
	case <-time.After(hangGuard):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("SIGTERM did not end the run; stderr:\n%s", errb.String())
	}
	if _, err := resultset.Load(out); err != nil {
		t.Errorf("partial set not saved: %v", err)
	}
	if n := killMarked(t, script) + killMarked(t, mark); n != 0 {
		t.Errorf("%d writer process(es) still running after the run", n)
	}
}
