package external

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/writebench/writebench/internal/safefs"
	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Defaults of Exec's time limits.
const (
	// DefaultTimeout bounds one repetition (one request and its reply). A
	// program that takes longer is killed and its cell fails.
	DefaultTimeout = 10 * time.Minute
	// DefaultStartTimeout bounds start-up: from starting the program to its
	// "ready" (or "skip") line.
	DefaultStartTimeout = time.Minute
	// closeGrace is how long Close waits for the program to exit after its
	// standard input is closed before killing it.
	closeGrace = 5 * time.Second
	// termGrace is how long a kill waits after SIGTERM (which lets a
	// program remove its temporary files) before SIGKILL.
	termGrace = time.Second
	// waitDelay bounds every wait for the program once it was killed: its
	// exit (a process blocked in the kernel dies only when the call
	// returns) and the pipes a descendant may hold (exec.Cmd.WaitDelay).
	waitDelay = 3 * time.Second
	// pipeGrace is how long Close waits for the program's pipes to reach
	// their end after it exited before searching for processes that hold
	// them.
	pipeGrace = 200 * time.Millisecond
)

// knownKnobs are the parameters an exec line may declare: every knob of
// strategies.Params but sync, which every strategy takes.
func knownKnobs() []string {
	return slices.DeleteFunc(strategies.ParamNames(), func(n string) bool { return n == "sync" })
}

// Exec is a strategy run by an external program that speaks the protocol
// of docs/protocol.md. Fields may be changed before the first cell starts.
type Exec struct {
	name    string
	command string
	argv    []string

	// Target is the strategy name sent in every request (default: the
	// exec's own name). `writebench ab` sets it to the built-in strategy a
	// worker should run.
	Target string
	// KnobList is what Knobs returns: the parameters whose sweep makes
	// separate cells (from NAME[knob,...]=COMMAND). Every parameter is
	// sent in every request regardless.
	KnobList []string
	// Timeout bounds each repetition (default DefaultTimeout).
	Timeout time.Duration
	// StartTimeout bounds start-up (default DefaultStartTimeout).
	StartTimeout time.Duration
	// Sources, when set, are files the program needs (its scripts):
	// each cell copies them under SourcesDir of a fresh directory, which
	// is the program's working directory, so relative paths in the
	// command name these copies and never a file of the directory
	// writebench was started in.
	Sources    fs.FS
	SourcesDir string

	scratch string // from UseScratch
}

var (
	_ strategies.Strategy      = (*Exec)(nil)
	_ strategies.CellOpener    = (*Exec)(nil)
	_ strategies.ScratchUser   = (*Exec)(nil)
	_ strategies.VerifyLimiter = (*Exec)(nil)
	_ strategies.Aborter       = (*session)(nil)
)

// VerifyLimit is Timeout: the verification of a batch's files gets as
// long as the program had to write them.
func (e *Exec) VerifyLimit() time.Duration { return e.timeout() }

// UseScratch makes every later cell keep its files under dir (see
// OpenCell).
func (e *Exec) UseScratch(dir string) { e.scratch = dir }

// NameRule says which names an external strategy may have: the result
// set loader's rule for strategy names (resultset.ValidName), in lower case.
const NameRule = "1 to 64 lower-case ASCII letters, digits, '.', '_', '+', '-', starting with a letter or digit"

// CheckName returns an error naming NameRule when name cannot name an
// external strategy: a name the result set loader would refuse makes a run
// whose set cannot be reported.
func CheckName(name string) error {
	if !resultset.ValidName(name) || strings.ToLower(name) != name {
		return fmt.Errorf("exec strategy name %+q: want %s", truncate(name, 80), NameRule)
	}
	return nil
}

// NewExec returns the strategy name that runs command, a program and its
// arguments split like a shell does (quotes and backslashes, no
// expansion, no pipes: write `sh -c '...'` for those). name follows
// NameRule.
func NewExec(name, command string) (*Exec, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	argv, err := SplitCommand(command)
	if err != nil {
		return nil, fmt.Errorf("exec strategy %s: %w", name, err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("exec strategy %s: empty command", name)
	}
	return &Exec{name: name, command: command, argv: argv}, nil
}

// ParseExec parses one NAME=COMMAND or NAME[knob,...]=COMMAND definition,
// the value of --exec and a line of an --exec-file.
func ParseExec(def string) (*Exec, error) {
	head, command, ok := strings.Cut(def, "=")
	if !ok {
		return nil, fmt.Errorf("exec definition %q: want NAME=COMMAND", truncate(def, 80))
	}
	head = strings.TrimSpace(head)
	var knobs []string
	if i := strings.IndexByte(head, '['); i >= 0 {
		if !strings.HasSuffix(head, "]") {
			return nil, fmt.Errorf("exec definition %q: knob list must end with ]", truncate(def, 80))
		}
		for _, k := range strings.Split(head[i+1:len(head)-1], ",") {
			k = strings.TrimSpace(k)
			if k == "" {
				continue
			}
			if !slices.Contains(knownKnobs(), k) {
				return nil, fmt.Errorf("exec definition %q: unknown knob %q (known: %s)", truncate(def, 80), k, strings.Join(knownKnobs(), ", "))
			}
			knobs = append(knobs, k)
		}
		head = strings.TrimSpace(head[:i])
	}
	e, err := NewExec(head, strings.TrimSpace(command))
	if err != nil {
		return nil, err
	}
	e.KnobList = knobs
	return e, nil
}

// MaxExecFile is the largest exec file ParseExecFile reads, in bytes.
const MaxExecFile = 64 << 10

// ParseExecFile reads exec definitions from path: one NAME=COMMAND (or
// NAME[knob,...]=COMMAND) per line; blank lines and lines starting with #
// are ignored. Errors name the file and line. The file names commands
// that will run, so it is refused unless it is a regular file of at most
// MaxExecFile bytes, owned by this user or root and writable by nobody
// else; a FIFO or a device is refused without blocking or reading it.
func ParseExecFile(path string) ([]*Exec, error) {
	data, err := readExecFile(path)
	if err != nil {
		return nil, err
	}
	return parseExecs(path, string(data))
}

// ParseExecFS reads exec definitions from the file name of fsys (a file
// built into the program, such as scripts.Python's python.exec), as
// ParseExecFile does.
func ParseExecFS(fsys fs.FS, name string) ([]*Exec, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return parseExecs(name, string(data))
}

func parseExecs(path, data string) ([]*Exec, error) {
	var out []*Exec
	seen := map[string]int{}
	for i, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := ParseExec(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		if prev, dup := seen[e.name]; dup {
			return nil, fmt.Errorf("%s:%d: strategy %s already defined on line %d", path, i+1, e.name, prev)
		}
		seen[e.name] = i + 1
		out = append(out, e)
	}
	return out, nil
}

// AsStrategies converts execs for writebench.Config.Custom.
func AsStrategies(execs []*Exec) []strategies.Strategy {
	out := make([]strategies.Strategy, len(execs))
	for i, e := range execs {
		out[i] = e
	}
	return out
}

// SplitCommand splits a command line into words: whitespace separates
// words, single quotes keep everything literally, double quotes keep
// everything but a backslash before " or \, and a backslash outside quotes
// keeps the next character. Nothing is expanded.
func SplitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("command ends with a lone backslash")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated ' in command")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '"' {
					closed = true
					break
				}
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if !closed {
				return nil, errors.New("unterminated \" in command")
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Name is the exec's strategy name.
func (e *Exec) Name() string { return e.name }

// Command is the command line the exec runs.
func (e *Exec) Command() string { return e.command }

// Describe names the program.
func (e *Exec) Describe() string { return "external program: " + e.command }

// Knobs returns KnobList.
func (e *Exec) Knobs() []string { return e.KnobList }

// Identity is everything that decides what this strategy does, on one
// line: the program and its arguments (with the size and SHA-256 of each
// that names a regular file, the program found in PATH included, so two
// hosts running different scripts under one command line differ), the
// target, the knobs and the timeouts. The ranks of an MPI run compare it.
func (e *Exec) Identity() string {
	var b strings.Builder
	fmt.Fprintf(&b, "argv=%q target=%q knobs=%q timeout=%v start_timeout=%v", e.argv, e.Target, e.KnobList, e.timeout(), e.startTimeout())
	if e.Sources != nil {
		// Built-in sources run from their copy in scratch: what decides
		// the program is their content, not a file of the same name in
		// the current directory.
		fmt.Fprintf(&b, " sources=%s", sourcesSum(e.Sources))
		return b.String()
	}
	for i, a := range e.argv {
		path := a
		if i == 0 {
			if p, err := exec.LookPath(a); err == nil {
				path = p
			}
		}
		if sum, ok := fileSum(path); ok {
			fmt.Fprintf(&b, " file%d=%s", i, sum)
		}
	}
	return b.String()
}

// sourcesSum is the SHA-256 of every file of fsys, names and contents,
// walked in lexical order.
func sourcesSum(fsys fs.FS) string {
	h := sha256.New()
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(data))
		h.Write(data)
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil))
}

// fileSum is "SIZE:SHA256" of a regular file of at most 256 MiB (read
// through one descriptor opened without blocking: a FIFO or a device is
// not read), ok false for anything else.
func fileSum(path string) (string, bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return "", false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > 256<<20 {
		return "", false
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, 256<<20)); err != nil {
		return "", false
	}
	return fmt.Sprintf("%d:%x", st.Size(), h.Sum(nil)), true
}

// PeakThreads is the threads and processes this strategy adds to the
// user's count (RLIMIT_NPROC) while a cell runs: the program, its worker
// threads (one per unit of concurrency, at most one per file) and those a
// runtime or interpreter starts for itself (a Go worker: one per CPU and
// four more; Python's executor: CPUs + 4).
func (e *Exec) PeakThreads(files int, p strategies.Params) int {
	return 1 + min(max(p.Concurrency, 1), max(files, 1)) + runtime.NumCPU() + 4
}

// Write fails: an external strategy keeps its program running across the
// repetitions of a cell, so it needs a runner that calls OpenCell.
func (e *Exec) Write(ctx context.Context, b *strategies.Batch) error {
	return fmt.Errorf("strategy %s runs an external program and needs a runner that calls OpenCell (strategies.CellOpener)", e.name)
}

func (e *Exec) timeout() time.Duration {
	if e.Timeout > 0 {
		return e.Timeout
	}
	return DefaultTimeout
}

func (e *Exec) startTimeout() time.Duration {
	if e.StartTimeout > 0 {
		return e.StartTimeout
	}
	return DefaultStartTimeout
}

// OpenCell starts the program, waits for its "ready" line and returns the
// cell's session. A program that cannot be found, or that answers "skip
// REASON", makes a *strategies.SkipError; one that exits, says anything
// else or stays silent past StartTimeout makes an error with the tail of
// its standard error.
//
// The session's files (the content pattern, the program's sources when
// Sources is set, and a directory the program's TMPDIR names) live in a
// directory of their own under the directory UseScratch gave, which the
// runner removes with its scratch directory whatever happens to the
// program; without UseScratch, under a new writebench-exec-* directory of
// the system's temporary directory, marked like a scratch directory so a
// later run names it if this process is killed.
func (e *Exec) OpenCell(ctx context.Context, p strategies.Params) (strategies.Session, error) {
	path, err := exec.LookPath(e.argv[0])
	if e.Sources != nil && !filepath.IsAbs(e.argv[0]) && strings.Contains(e.argv[0], "/") {
		path, err = e.argv[0], nil // resolved in the materialised sources below
	}
	if err != nil {
		return nil, strategies.Skip("%s: program %q not found (%v); install it or fix the command %q", e.name, e.argv[0], unwrapExec(err), e.command)
	}
	s := &session{e: e, params: p, lines: make(chan string, 4), exited: make(chan struct{}), errDone: make(chan struct{}), outDone: make(chan struct{}), done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	if err := s.makeDir(); err != nil {
		return nil, err
	}
	// The runner's content seed is 1; Write rewrites the pattern if a
	// batch brings another seed.
	c1 := strategies.NewContent(1)
	if s.pattern, err = s.writePattern(c1); err != nil {
		return nil, err
	}
	s.patSeed = 1
	cmd := exec.Command(path, e.argv[1:]...)
	cmd.Env = append(os.Environ(), "WRITEBENCH_PROTOCOL=1", "TMPDIR="+filepath.Join(s.dir, "tmp"))
	if e.Sources != nil {
		src := filepath.Join(s.dir, "src")
		if err := materialise(e.Sources, filepath.Join(src, e.SourcesDir)); err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		cmd.Dir = src
	}
	cmd.SysProcAttr = sysProcAttr()
	// A descendant that keeps a pipe open must not make Wait wait for it.
	cmd.WaitDelay = waitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	// Our own pipes rather than StdoutPipe or an io.Writer as Stderr:
	// Wait closes the first as soon as the program exits, which could
	// lose a last line still unread, and waits for the second's copy to
	// end, which a helper the program started and that keeps the pipe
	// open would delay for ever. With our own, Wait returns when the
	// program exits, and Close closes the read ends.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	s.outR, s.errR = outR, errR
	s.pipes = []uint64{pipeInode(outR.Fd()), pipeInode(errR.Fd())}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		outW.Close()
		errW.Close()
		return nil, fmt.Errorf("%s: start %q: %w", e.name, e.command, err)
	}
	outW.Close()
	errW.Close()
	s.cmd, s.stdin = cmd, stdin
	go s.readLines(outR)
	go func() {
		io.Copy(&s.stderr, errR)
		close(s.errDone)
	}()
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	r, err := s.await(ctx, e.startTimeout(), "start-up", "{exec_start_timeout}")
	if err != nil {
		return nil, err
	}
	switch r.Verb {
	case "ready":
	case "skip":
		return nil, strategies.Skip("%s: %s", e.name, r.Text)
	case "error":
		return nil, fmt.Errorf("%s: start-up failed: %s%s", e.name, r.Text, s.stderrTail())
	default:
		return nil, fmt.Errorf("%s: first line %q is not ready or skip%s", e.name, r.Verb, s.stderrTail())
	}
	ok = true
	return s, nil
}

// makeDir makes the session's private directory (see OpenCell) with its
// tmp subdirectory.
func (s *session) makeDir() error {
	e := s.e
	var err error
	if e.scratch != "" {
		// Made here, or by an earlier cell: a real directory either way
		// (a program may have put a symlink in its place).
		if err = os.Mkdir(e.scratch, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
			var st os.FileInfo
			if st, err = os.Lstat(e.scratch); err == nil && !st.IsDir() {
				err = fmt.Errorf("%s is no longer a directory", e.scratch)
			}
		}
		if err == nil {
			s.tree, err = safefs.MkdirTemp(e.scratch, "cell-")
		}
	} else {
		s.tree, err = safefs.MkdirTemp(os.TempDir(), scratch.ExecPrefix)
		if err == nil {
			// The marker of a scratch directory: a later run's scan names
			// this directory if the process dies before Close.
			err = s.tree.WriteFile(strategies.ScratchMarker, []byte(strconv.Itoa(os.Getpid())+"\n"))
		}
	}
	if s.tree != nil {
		s.dir = s.tree.Path()
	}
	if err == nil {
		_, err = s.tree.Mkdir("tmp")
	}
	if err != nil {
		return fmt.Errorf("%s: make the writer's directory: %w", e.name, err)
	}
	return nil
}

// materialise copies every file of fsys under dst (made as needed).
func materialise(fsys fs.FS, dst string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return fmt.Errorf("write the writer's sources: %w", err)
		}
		return nil
	})
}

// session is one cell's running program.
type session struct {
	e       *Exec
	params  strategies.Params
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan string // stdout lines; closed at EOF
	readErr error       // set before lines is closed
	exited  chan struct{}
	errDone chan struct{} // closed when the program's stderr reaches its end
	outDone chan struct{} // closed when its stdout does
	waitErr error         // set before exited is closed
	stderr  tailBuffer
	dir     string       // the session's private directory (makeDir)
	tree    *safefs.Tree // dir, removed through its descriptor
	outR    *os.File     // read ends of the program's stdout and stderr
	errR    *os.File
	pipes   []uint64 // their inodes, to find processes holding them
	pattern string   // path of the pattern file, once written for seed patSeed
	patSeed uint64
	dead    error // the program was killed or lost; every later Write fails with it
	closed  bool
	done    chan struct{} // closed by Close: the line reader stops delivering
}

func (s *session) readLines(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue // comments and blank lines are for humans debugging a writer
		}
		select {
		case s.lines <- line:
		case <-s.done:
			// Closed: nobody reads any more. Keep draining so the
			// program is not blocked writing to a full pipe.
		}
	}
	s.readErr = sc.Err()
	close(s.lines)
	close(s.outDone)
}

// await waits for the program's next line, its exit, the timeout or ctx.
// On anything but a well-formed line it kills the program and marks the
// session dead.
// flag names the flag that sets timeout.
func (s *session) await(ctx context.Context, timeout time.Duration, what, flag string) (Reply, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	var line string
	var ok bool
	select {
	case line, ok = <-s.lines:
	case <-s.exited:
		// It exited: take a line it wrote just before, if any.
		select {
		case line, ok = <-s.lines:
		case <-time.After(time.Second):
		}
	case <-t.C:
		s.kill()
		s.dead = textfmt.Errorf("%s: no reply within %v during %s: killed the program (raise the limit with "+flag+")%s", s.e.name, timeout, what, s.stderrTail())
		return Reply{}, s.dead
	case <-ctx.Done():
		s.kill()
		s.dead = fmt.Errorf("%s: %w", s.e.name, context.Cause(ctx))
		return Reply{}, ctx.Err()
	}
	if !ok {
		s.kill()
		msg := "exited"
		if s.readErr != nil {
			msg = "sent an unreadable line: " + s.readErr.Error()
		}
		s.dead = fmt.Errorf("%s: program %s during %s without replying (%s)%s", s.e.name, msg, what, exitStatus(s.waitErr), s.stderrTail())
		return Reply{}, s.dead
	}
	r, err := ParseReply(line)
	if err != nil {
		s.kill()
		s.dead = fmt.Errorf("%s: during %s: %w%s", s.e.name, what, err, s.stderrTail())
		return Reply{}, s.dead
	}
	return r, nil
}

// Write sends the batch and waits for the reply; this is the timed call.
func (s *session) Write(ctx context.Context, b *strategies.Batch) error {
	if s.dead != nil {
		return s.dead
	}
	seed := b.Content.Seed()
	if s.pattern == "" || s.patSeed != seed {
		// Normally written once per cell, on the first (warm-up)
		// repetition; a few microseconds.
		p, err := s.writePattern(b.Content)
		if err != nil {
			return err
		}
		s.pattern, s.patSeed = p, seed
	}
	// A line waiting before the request is sent is a second reply to the
	// previous request: taking it as this one's would time nothing.
	select {
	case line, ok := <-s.lines:
		if ok {
			s.kill()
			s.dead = fmt.Errorf("%s: program sent %q between requests (one reply line per request)%s", s.e.name, truncate(line, 80), s.stderrTail())
			return s.dead
		}
	default:
	}
	target := s.e.Target
	if target == "" {
		target = s.e.name
	}
	req := &Request{Strategy: target, Dir: b.Dir, Files: b.Files, Size: b.Size,
		Width: strategies.NameWidth(b.Files), Prefix: b.Prefix, Seed: seed, Pattern: s.pattern, Params: b.Params}
	line, err := req.Encode()
	if err != nil {
		return fmt.Errorf("%s: %w", s.e.name, err)
	}
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.kill()
		s.dead = fmt.Errorf("%s: send request: program gone (%s)%s", s.e.name, exitStatus(s.waitErr), s.stderrTail())
		return s.dead
	}
	r, err := s.await(ctx, s.e.timeout(), "a repetition", "{exec_timeout}")
	if err != nil {
		return err
	}
	switch r.Verb {
	case "ok":
		if len(b.SyncTime) > 0 && r.SyncSeconds > 0 {
			b.SyncTime[0] += time.Duration(r.SyncSeconds * float64(time.Second))
		}
		if b.Issued != nil {
			b.Issued.RingSubmissions.Add(r.RingSubmissions)
			b.Issued.RingEnters.Add(r.RingEnters)
		}
		return nil
	case "skip":
		return strategies.Skip("%s: %s", s.e.name, r.Text)
	case "error":
		return fmt.Errorf("%s: %s", s.e.name, r.Text)
	}
	s.kill()
	s.dead = fmt.Errorf("%s: replied %q to a write request (want ok, error or skip)%s", s.e.name, r.Verb, s.stderrTail())
	return s.dead
}

func (s *session) writePattern(c *strategies.Content) (string, error) {
	var blk [strategies.BlockSize]byte
	c.Expected(blk[:], 0, 0)
	name := fmt.Sprintf("pattern-%d", c.Seed())
	path := filepath.Join(s.dir, name)
	err := s.tree.RemoveFile(name) // the program may have changed an earlier one
	if err == nil {
		err = s.tree.WriteFile(name, blk[:])
	}
	if err != nil {
		return "", fmt.Errorf("%s: write content pattern: %w", s.e.name, err)
	}
	return path, nil
}

// Usage reads the program's cumulative /proc/PID/io and CPU times (its
// own and those of children it has waited for).
func (s *session) Usage() (strategies.ChildUsage, bool) {
	if s.cmd == nil || s.cmd.Process == nil || s.dead != nil {
		return strategies.ChildUsage{}, false
	}
	return procUsage(s.cmd.Process.Pid)
}

// Close closes the program's standard input, waits up to closeGrace for it
// to exit, kills it otherwise, then kills whatever it left running (see
// signalTree) and removes the session's directory.
func (s *session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	var err error
	if s.cmd != nil {
		s.stdin.Close()
		select {
		case <-s.exited:
		case <-time.After(closeGrace):
			s.kill()
			err = fmt.Errorf("%s: program did not exit within %v of its input closing; killed it", s.e.name, closeGrace)
		}
		// Helpers it left behind. When nothing holds its pipes any more
		// (both read to their end), its process group is enough, and the
		// cell ends without a scan of every process, which would disturb
		// the next cell's timing; otherwise the whole search (signalTree).
		if s.pipesClosed(pipeGrace) {
			killGroup(s.cmd.Process.Pid)
		} else {
			signalTree(s.cmd.Process.Pid, s.pipes, syscall.SIGKILL)
		}
	}
	if s.outR != nil {
		s.outR.Close()
		s.errR.Close()
	}
	if s.tree != nil {
		// Through the directory's descriptor: a link the program put in
		// it is removed, never followed.
		if rerr := s.tree.RemoveAll(); rerr != nil && err == nil {
			err = fmt.Errorf("%s: remove %s: %w", s.e.name, s.dir, rerr)
		}
	}
	return err
}

// pipesClosed reports whether the program's stdout and stderr both reach
// their end within d (they do at once once no process holds them).
func (s *session) pipesClosed(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for _, c := range []chan struct{}{s.outDone, s.errDone} {
		select {
		case <-c:
		case <-t.C:
			return false
		}
	}
	return true
}

// Abort kills the program and what it started at once (see kill), then
// closes the session.
func (s *session) Abort() error {
	if !s.closed {
		s.kill()
	}
	return s.Close()
}

// kill ends the program and everything it started that signalTree finds:
// SIGTERM first, so a program can remove its temporary files, then, after
// termGrace or as soon as the program is gone, SIGKILL (again to the
// whole tree). It waits at most waitDelay for the program's exit: a
// process blocked in the kernel dies only when the call returns, and a
// signal must not wait for that.
func (s *session) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pid := s.cmd.Process.Pid
	select {
	case <-s.exited:
	default:
		signalTree(pid, s.pipes, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(termGrace):
		}
	}
	signalTree(pid, s.pipes, syscall.SIGKILL)
	s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(waitDelay):
	}
}

// stderrTail is the end of the program's standard error, for messages.
// Once the program has exited it waits briefly for the last of it.
func (s *session) stderrTail() string {
	select {
	case <-s.exited:
		select {
		case <-s.errDone:
		case <-time.After(500 * time.Millisecond):
		}
	default:
	}
	t := strings.TrimSpace(s.stderr.String())
	if t == "" {
		return ""
	}
	return "; its stderr ends: " + oneLine(t)
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// tailBuffer keeps the last tailMax bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 2048

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
