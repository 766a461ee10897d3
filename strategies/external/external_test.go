package external_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

// repoRoot is the repository root (two levels up from this package).
func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// needPython returns the python3 to use or skips the test.
func needPython(t *testing.T, modules ...string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		p, err := exec.LookPath("python3")
		if err != nil {
			t.Skip("python3 not installed (apt-get install -y python3)")
		}
		py = p
	}
	for _, m := range modules {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			t.Skipf("python3 module %s missing (scripts/setup-python.sh)", m)
		}
	}
	return py
}

var (
	workerOnce sync.Once
	workerBin  string
	workerErr  error
)

// buildWriteBench builds cmd/writebench once per test binary.
func buildWriteBench(t *testing.T) string {
	t.Helper()
	workerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "writebench-exec-test-*")
		if err != nil {
			workerErr = err
			return
		}
		workerBin = filepath.Join(dir, "writebench")
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", workerBin, "./cmd/writebench")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			workerErr = errors.New(string(out))
		}
	})
	if workerErr != nil {
		t.Fatalf("go build ./cmd/writebench: %v", workerErr)
	}
	return workerBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if workerBin != "" {
		os.RemoveAll(filepath.Dir(workerBin))
	}
	os.Exit(code)
}

func batch(t *testing.T, files int, size int64, p strategies.Params) *strategies.Batch {
	t.Helper()
	return &strategies.Batch{Dir: t.TempDir(), Files: files, Size: size, Params: p.WithDefaults(),
		Content: strategies.NewContent(1), Latency: make([]time.Duration, files), SyncTime: make([]time.Duration, files),
		Issued: &strategies.Issued{}}
}

// script writes a shell script into a temp dir and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func open(t *testing.T, e *external.Exec) strategies.Session {
	t.Helper()
	s, err := e.OpenCell(context.Background(), strategies.Params{}.WithDefaults())
	if err != nil {
		t.Fatalf("OpenCell: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContentPythonMatchesGo(t *testing.T) {
	py := needPython(t)
	cases := []struct {
		seed  uint64
		file  int
		size  int64
		label string
	}{
		{1, 0, 0, "empty"},
		{1, 0, 1, "one byte"},
		{1, 3, 23, "inside the header"},
		{1, 7, 4096, "one block"},
		{1, 42, 4097, "block and a byte"},
		{2, 0xabcdef, 3 * 4096, "another seed, large index"},
		{1, 1, 100_000, "unaligned tail"},
	}
	for _, c := range cases {
		t.Run(c.label, func(t *testing.T) {
			out, err := exec.Command(py, filepath.Join(repoRoot(t), "scripts", "content.py"),
				strconv.FormatUint(c.seed, 10), strconv.Itoa(c.file), strconv.FormatInt(c.size, 10)).Output()
			if err != nil {
				t.Fatalf("content.py: %v", err)
			}
			want := make([]byte, c.size)
			strategies.NewContent(c.seed).Expected(want, c.file, 0)
			if !bytes.Equal(out, want) {
				i := 0
				for i < len(out) && i < len(want) && out[i] == want[i] {
					i++
				}
				t.Fatalf("content.py gave %d bytes, Go %d; first difference at offset %d", len(out), len(want), i)
			}
		})
	}
}

func TestRoundTripRealChildren(t *testing.T) {
	root := repoRoot(t)
	py := needPython(t)
	type tc struct {
		name, command string
		p             strategies.Params
		files         int
		size          int64
	}
	cases := []tc{
		{"py-open-buffered", py + " " + root + "/scripts/writers/open_buffered.py", strategies.Params{Record: 100}, 3, 10_000},
		{"py-mmap", py + " " + root + "/scripts/writers/mmap_writer.py", strategies.Params{Chunk: 4096, Sync: strategies.SyncData}, 2, 9000},
		{"sh-writer", "sh " + root + "/scripts/writers/writer.sh", strategies.Params{}, 2, 5000},
	}
	if exec.Command(py, "-c", "import aiofiles").Run() == nil {
		cases = append(cases, tc{"py-gather", py + " " + root + "/scripts/writers/gather_semaphore.py", strategies.Params{Concurrency: 2}, 5, 5000})
	}
	if testing.Short() {
		t.Log("-short: not building the Go worker")
	} else {
		bin := buildWriteBench(t)
		cases = append(cases, tc{"go-worker", bin + " worker chunked", strategies.Params{Chunk: 1000, Sync: strategies.SyncClose}, 4, 12_345})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := external.NewExec(c.name, c.command)
			if err != nil {
				t.Fatal(err)
			}
			s := open(t, e)
			for rep := 0; rep < 2; rep++ {
				b := batch(t, c.files, c.size, c.p)
				if err := s.Write(context.Background(), b); err != nil {
					t.Fatalf("rep %d: Write: %v", rep, err)
				}
				if err := strategies.Verify(context.Background(), b); err != nil {
					t.Fatalf("rep %d: Verify: %v", rep, err)
				}
				if c.p.Sync == strategies.SyncClose || c.p.Sync == strategies.SyncData {
					if b.SyncTime[0] <= 0 {
						t.Errorf("sync mode %s: no sync time reported", c.p.Sync)
					}
				}
			}
			// Two ranks sharing one directory (--shared-dir): each batch
			// named with its rank's prefix and written with its own seed.
			dir := t.TempDir()
			var ranks []*strategies.Batch
			for r := range 2 {
				b := batch(t, c.files, c.size, c.p)
				b.Dir, b.Prefix, b.Content = dir, strategies.RankPrefix(r), strategies.NewContent(uint64(1+r))
				if err := s.Write(context.Background(), b); err != nil {
					t.Fatalf("rank %d's batch: Write: %v", r, err)
				}
				ranks = append(ranks, b)
			}
			for r, b := range ranks {
				if err := strategies.Verify(context.Background(), b); err != nil {
					t.Fatalf("rank %d's batch in a shared directory: Verify: %v", r, err)
				}
			}
			u, ok := s.Usage()
			if runtime.GOOS == "linux" {
				if !ok {
					t.Fatal("Usage: not available on Linux")
				}
				if c.name != "py-mmap" && u.WriteSyscalls < int64(2*c.files) { // mmap copies without write(2)
					t.Errorf("Usage: %d write syscalls, want at least one per file (%d)", u.WriteSyscalls, 2*c.files)
				}
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	cases := []struct {
		name    string
		body    string // shell script
		timeout time.Duration
		want    string // substring of the Write error
	}{
		{"hung", "echo ready\nread l\nexec sleep 60\n", 300 * time.Millisecond, "no reply within 300ms"},
		{"dies", "echo ready\nread l\necho 'boom on stderr' >&2\nexit 3\n", 0, "exit status 3"},
		{"stderr shown", "echo ready\nread l\necho 'disk on fire' >&2\nexit 1\n", 0, "disk on fire"},
		{"garbage reply", "echo ready\nread l\necho 'hello there'\nsleep 5\n", 0, `unexpected line "hello there"`},
		{"error reply", "echo ready\nread l\necho 'error cannot write: EACCES'\nread l\n", 0, "cannot write: EACCES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := external.NewExec("x", "sh "+script(t, c.body))
			if err != nil {
				t.Fatal(err)
			}
			e.Timeout = c.timeout
			s := open(t, e)
			start := time.Now()
			err = s.Write(context.Background(), batch(t, 1, 10, strategies.Params{}))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Write error = %v, want it to contain %q", err, c.want)
			}
			if _, skipped := strategies.SkipReason(err); skipped {
				t.Fatalf("a failure was reported as a skip: %v", err)
			}
			if time.Since(start) > 20*time.Second {
				t.Fatalf("Write took %v: the child was not killed", time.Since(start))
			}
			// The session stays failed rather than talking to a dead
			// program.
			if err2 := s.Write(context.Background(), batch(t, 1, 10, strategies.Params{})); err2 == nil {
				t.Fatal("second Write after a failure succeeded")
			}
		})
	}
}

func TestTwoRepliesToOneRequest(t *testing.T) {
	e, _ := external.NewExec("x", "sh "+script(t, "echo ready\nread l\necho ok\necho ok\nread l\necho ok\nread l\n"))
	s := open(t, e)
	if err := s.Write(context.Background(), batch(t, 1, 0, strategies.Params{})); err != nil {
		t.Fatalf("first Write: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // let the extra line arrive
	err := s.Write(context.Background(), batch(t, 1, 0, strategies.Params{}))
	if err == nil || !strings.Contains(err.Error(), `sent "ok" between requests`) {
		t.Fatalf("second Write error = %v, want the extra reply named", err)
	}
}

func TestGarbageContentFailsVerification(t *testing.T) {
	// Writes the right file names with the wrong bytes.
	e, err := external.NewExec("garbage", "sh "+script(t, `echo ready
while IFS= read -r line; do
  dir=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^dir=//p')
  printf 'not the content' > "$dir/f0"
  echo ok
done
`))
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, e)
	b := batch(t, 1, 15, strategies.Params{})
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
	var ve *strategies.VerifyError
	if err := strategies.Verify(context.Background(), b); !errors.As(err, &ve) {
		t.Fatalf("Verify = %v, want a *VerifyError", err)
	}
}

func TestSkips(t *testing.T) {
	type tc struct {
		name, command, want string
	}
	cases := []tc{
		{"program missing", "no-such-writer-program-xyz --flag", `program "no-such-writer-program-xyz" not found`},
		{"child says skip", "sh " + script(t, "echo 'skip python3 module aiofiles missing; apt-get install -y python3-aiofiles'\n"), "aiofiles missing"},
	}
	if py, err := exec.LookPath("python3"); err == nil {
		// -S drops site-packages, where aiofiles lives: a real missing
		// module, reported by the real writer.
		cases = append(cases, tc{"python module missing", py + " -S " + repoRoot(t) + "/scripts/writers/aiofiles_buffered.py", "apt-get install -y python3-aiofiles"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := external.NewExec("x", c.command)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.OpenCell(context.Background(), strategies.Params{}.WithDefaults())
			reason, ok := strategies.SkipReason(err)
			if !ok || !strings.Contains(reason, c.want) {
				t.Fatalf("OpenCell error = %v, want a skip containing %q", err, c.want)
			}
		})
	}
	// A skip reply to one request (a sync mode the writer lacks).
	e, _ := external.NewExec("x", "sh "+script(t, "echo ready\nread l\necho 'skip sync mode dsync not implemented'\nread l\n"))
	s := open(t, e)
	err := s.Write(context.Background(), batch(t, 1, 1, strategies.Params{Sync: strategies.SyncDsync}))
	if reason, ok := strategies.SkipReason(err); !ok || !strings.Contains(reason, "dsync") {
		t.Fatalf("Write error = %v, want a skip naming dsync", err)
	}
}

func TestStartupFailures(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"exits at once", "echo 'cannot start' >&2\nexit 2\n", "cannot start"},
		{"wrong first line", "echo hello\nsleep 5\n", `unexpected line "hello"`},
		{"silent", "exec sleep 60\n", "no reply within"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := external.NewExec("x", "sh "+script(t, c.body))
			e.StartTimeout = 300 * time.Millisecond
			_, err := e.OpenCell(context.Background(), strategies.Params{}.WithDefaults())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("OpenCell error = %v, want %q", err, c.want)
			}
			if _, skipped := strategies.SkipReason(err); skipped {
				t.Fatalf("reported as a skip: %v", err)
			}
		})
	}
}

func TestInterruptKillsChild(t *testing.T) {
	e, _ := external.NewExec("x", "sh "+script(t, "echo ready\nread l\nexec sleep 60\n"))
	s := open(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	err := s.Write(ctx, batch(t, 1, 1, strategies.Params{}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Write error = %v, want context.Canceled", err)
	}
}

func TestParseExec(t *testing.T) {
	cases := []struct {
		def     string
		name    string
		knobs   []string
		argv0   string
		wantErr string
	}{
		{def: "py=python3 w.py", name: "py", argv0: "python3"},
		{def: " py-buf[record, buffer] = python3 'my dir/w.py' --x", name: "py-buf", knobs: []string{"record", "buffer"}, argv0: "python3"},
		{def: "noequals", wantErr: "want NAME=COMMAND"},
		{def: "Py=python3", wantErr: "lower-case"},
		{def: "py[colour]=python3", wantErr: `unknown knob "colour"`},
		{def: "py=", wantErr: "empty command"},
		{def: "py=python3 'unterminated", wantErr: "unterminated"},
	}
	for _, c := range cases {
		e, err := external.ParseExec(c.def)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseExec(%q) error = %v, want %q", c.def, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseExec(%q): %v", c.def, err)
			continue
		}
		if e.Name() != c.name || strings.Join(e.Knobs(), ",") != strings.Join(c.knobs, ",") {
			t.Errorf("ParseExec(%q) = name %q knobs %v, want %q %v", c.def, e.Name(), e.Knobs(), c.name, c.knobs)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{`python3 'my dir/w.py' "x \"y\"" a\ b`, []string{"python3", "my dir/w.py", `x "y"`, "a b"}},
		{`sh -c 'echo $HOME'`, []string{"sh", "-c", "echo $HOME"}},
		{`''`, []string{""}},
	}
	for _, c := range cases {
		got, err := external.SplitCommand(c.in)
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseExecFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.exec")
	os.WriteFile(p, []byte("# comment\n\na=prog1\nb[chunk]=prog2 x\na=prog3\n"), 0o644)
	_, err := external.ParseExecFile(p)
	if err == nil || !strings.Contains(err.Error(), ":5: strategy a already defined on line 3") {
		t.Fatalf("duplicate: error = %v", err)
	}
	os.WriteFile(p, []byte("# comment\n\na=prog1\nb[chunk]=prog2 x\n"), 0o644)
	execs, err := external.ParseExecFile(p)
	if err != nil || len(execs) != 2 || execs[1].Name() != "b" || execs[1].Command() != "prog2 x" {
		t.Fatalf("ParseExecFile = %v, %v", execs, err)
	}
	// The committed exec file parses.
	if _, err := external.ParseExecFile(filepath.Join(repoRoot(t), "scripts", "python.exec")); err != nil {
		t.Fatal(err)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	r := &external.Request{Strategy: "chunked", Dir: "/tmp/a b", Files: 12, Size: 1 << 20, Width: 2, Seed: 7,
		Pattern: "/tmp/p", Params: strategies.Params{Chunk: 4096, Sync: strategies.SyncClose, Prealloc: strategies.PreallocTruncate}.WithDefaults()}
	line, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := external.ParseRequest(line + "\tfuture_field=1")
	if err != nil {
		t.Fatal(err)
	}
	if *got != *r {
		t.Fatalf("round trip:\n got %+v\nwant %+v", *got, *r)
	}
	if strings.Contains(line, "prefix=") {
		t.Errorf("a request without a prefix sends one (the protocol before prefixes has none): %q", line)
	}
	r.Prefix = strategies.RankPrefix(3)
	line, err = r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := external.ParseRequest(line); err != nil || *got != *r || !strings.Contains(line, "\tprefix=r3-") {
		t.Fatalf("round trip with a prefix: %q gave %+v, %v", line, got, err)
	}
	r.Dir = "/tmp/tab\there"
	if _, err := r.Encode(); err == nil {
		t.Fatal("a dir with a tab was encoded")
	}
	for _, bad := range []string{"read\tdir=/x", "write\tdir=/x\tfiles=two", "write\tfiles=1", "write\tdir=/x\tfiles=1\tprotocol=9", "write\tdir=/x\tfiles=1\tprefix=../../etc/",
		// Numbers outside their axes' ranges, which no run sends.
		"write\tdir=/x\tfiles=1\tsize=1099511627776\tchunk=1099511627776", "write\tdir=/x\tfiles=1\tconcurrency=-3",
		"write\tdir=/x\tfiles=1\tsize=-1", "write\tdir=/x\tfiles=1\tqueue_depth=100000000",
		"write\tdir=/x\tfiles=1\twidth=99"} {
		if _, err := external.ParseRequest(bad); err == nil {
			t.Errorf("ParseRequest(%q) accepted", bad)
		}
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	req := &external.Request{Strategy: "chunked", Dir: dir, Files: 3, Size: 5000, Width: 1, Seed: 1,
		Params: strategies.Params{Sync: strategies.SyncData}.WithDefaults()}
	line, _ := req.Encode()
	bad := *req
	bad.Strategy = "nosuch"
	badLine, _ := bad.Encode()
	in := strings.NewReader(line + "\n" + badLine + "\nnonsense\n")
	var out bytes.Buffer
	if err := external.Serve(context.Background(), in, &out, strategies.Lookup, "test"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || lines[0] != "ready test" || !strings.HasPrefix(lines[1], "ok sync_seconds=") ||
		!strings.Contains(lines[2], `error unknown strategy "nosuch"`) || !strings.HasPrefix(lines[3], "error bad request") {
		t.Fatalf("replies:\n%s", out.String())
	}
	b := &strategies.Batch{Dir: dir, Files: 3, Size: 5000, Content: strategies.NewContent(1)}
	if err := strategies.Verify(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}
