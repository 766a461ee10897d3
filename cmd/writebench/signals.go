package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// endSignals are the signals that end a run. The first one cancels the
// command's context: run stops between writes, removes its scratch
// directory, saves the partial set and exits 128+signal; report stops at
// once. A second one exits at once. SIGPIPE is handled apart (see
// outWriter): it is caught so that a closed pipe on stdout or stderr
// becomes a write error instead of killing the process.
var endSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGABRT}

// interruptedError means a signal stopped the command: exit 128+signal.
// Its message is the signal's name alone ("SIGINT"): the runner records it
// as the set's Interrupted field, which renderers print after
// "interrupted by ".
type interruptedError struct{ sig os.Signal }

func (e *interruptedError) Error() string { return signalName(e.sig) }

func (e *interruptedError) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// signalName is the conventional name of a signal, e.g. "SIGINT".
func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	}
	return s.String()
}

// notifyContext returns a context cancelled, with an interruptedError as
// its cause, by the first of endSignals; a second one exits at once.
func notifyContext(parent context.Context) (context.Context, func()) {
	ctx, stop, _ := notifyContextPipe(parent)
	return ctx, stop
}

// notifyContextPipe is notifyContext that also returns interrupt, which
// cancels the context as a signal would (outWriter calls it with SIGPIPE
// when stdout or stderr is a closed pipe). SIGPIPE itself is caught and
// dropped, so writes to a closed pipe fail with EPIPE, on any descriptor,
// instead of killing the process.
func notifyContextPipe(parent context.Context) (context.Context, func(), func(os.Signal)) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 4)
	// A signal ignored when writebench started (nohup ignores SIGHUP, a
	// shell's background job SIGINT) stays ignored: Notify would install
	// a handler and end a run the user asked to survive it.
	var sigs []os.Signal
	for _, s := range endSignals {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	signal.Notify(ch, sigs...)
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	internal := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-pipe: // a write got EPIPE; outWriter decides
			case <-done:
				return
			}
		}
	}()
	go func() {
		select {
		case s := <-ch:
			cancel(&interruptedError{sig: s})
		case s := <-internal:
			cancel(&interruptedError{sig: s})
		case <-done:
			return
		}
		select {
		case s := <-ch:
			note := ""
			if p := secondNote.Load(); p != nil {
				note = "; " + *p
			}
			fmt.Fprintf(os.Stderr, "writebench: second %v, exiting at once (%s)%s\n", s, signalName(s), note)
			os.Exit((&interruptedError{sig: s}).exitCode())
		case <-done:
		}
	}()
	var once sync.Once
	interrupt := func(s os.Signal) {
		once.Do(func() {
			select {
			case internal <- s:
			default:
			}
		})
	}
	return ctx, func() { close(done); signal.Stop(ch); signal.Stop(pipe); cancel(nil) }, interrupt
}

// secondNote says what exiting at a second signal leaves undone; run sets
// it (setSecondNote) once it knows where its scratch directory goes.
var secondNote atomic.Pointer[string]

func setSecondNote(s string) { secondNote.Store(&s) }

// interruption returns the interruptedError that cancelled ctx, or nil.
func interruption(ctx context.Context) error {
	var ie *interruptedError
	if errors.As(context.Cause(ctx), &ie) {
		return ie
	}
	return nil
}

// outWriter is stdout or stderr as the commands see it: it remembers the
// first write error, so main can turn a lost summary into exit status 1,
// and on EPIPE (the reader of a pipe went away, e.g. `| head`) it ends the
// command as SIGPIPE would, but through the context, so a run still saves
// its partial set and removes its scratch directory.
type outWriter struct {
	f       *os.File
	onEPIPE func(os.Signal)
	mu      sync.Mutex
	err     error
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.f.Write(p)
	if err != nil {
		o.mu.Lock()
		if o.err == nil {
			o.err = err
		}
		o.mu.Unlock()
		if errors.Is(err, syscall.EPIPE) && o.onEPIPE != nil {
			o.onEPIPE(syscall.SIGPIPE)
		}
	}
	return n, err
}

// Fd lets terminal detection see the file behind the writer.
func (o *outWriter) Fd() uintptr { return o.f.Fd() }

func (o *outWriter) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// minFDs is the fewest open files writebench starts with: the three
// standard streams, the Go runtime's poller (epoll and an eventfd), the
// scratch directory and its marker, a cell directory, a file being written
// and one being verified, /proc/self/io, and a few spare. Below it the Go
// runtime itself crashes on its first file (netpollinit fails with EMFILE).
const minFDs = 16

// checkFDLimit refuses to start below minFDs open files.
func checkFDLimit() error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return nil // cannot tell: go on
	}
	if rl.Cur < minFDs {
		return usagef("the open-file limit (ulimit -n) is %d; writebench needs at least %d: raise it (ulimit -n 1024)", rl.Cur, minFDs)
	}
	return nil
}

// mainExit is main's body: it runs the command with signals handled and
// stdout and stderr watched, and returns the exit status.
func mainExit(args []string, stdout, stderr *os.File) int {
	if err := checkFDLimit(); err != nil {
		return exitCode(err, stderr)
	}
	ctx, stop, interrupt := notifyContextPipe(context.Background())
	defer stop()
	out := &outWriter{f: stdout, onEPIPE: interrupt}
	errw := &outWriter{f: stderr, onEPIPE: interrupt}
	err := run(ctx, args, out, errw)
	if err == nil {
		if werr := out.Err(); werr != nil {
			err = &failedError{msg: "write to stdout failed: " + werr.Error() + "; output is incomplete"}
		}
	}
	return exitCode(err, io.Writer(errw))
}
