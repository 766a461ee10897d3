package external

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/writebench/writebench/strategies"
)

// Serve answers the protocol on in and out for strategies found by lookup
// (the request's strategy field names one): it prints "ready BANNER", then
// runs each "write" request's batch with the named strategy and replies
// "ok" (with the time it spent syncing), "error MESSAGE" or "skip REASON".
// It returns nil at the end of in, ctx's error when ctx is cancelled, and
// an error when out cannot be written. A failing strategy is a reply, not a
// return: the parent decides what a failure means.
//
// Strategies that implement strategies.CellOpener get one session per
// distinct strategy and parameters, opened on their first request (the
// parent's warm-up repetition) and closed at the end. Strategies that
// implement strategies.RecordVerifier are refused: their records are
// verified in-process, which a parent reading files cannot do.
func Serve(ctx context.Context, in io.Reader, out io.Writer, lookup func(name string) (strategies.Strategy, error), banner string) error {
	return ServeChecked(ctx, in, out, lookup, nil, banner)
}

// ServeChecked is Serve with a check of every request before it runs:
// when check returns an error the reply is "error MESSAGE" and nothing is
// written. `writebench worker` checks that the batch fits this process's
// memory and limits (writebench.CheckCell), so no request can make it die
// in the allocator or the thread library.
func ServeChecked(ctx context.Context, in io.Reader, out io.Writer, lookup func(name string) (strategies.Strategy, error),
	check func(s strategies.Strategy, r *Request) error, banner string) error {
	w := bufio.NewWriter(out)
	reply := func(s string) error {
		if _, err := w.WriteString(oneLine(s) + "\n"); err != nil {
			return fmt.Errorf("worker: write reply: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("worker: write reply: %w", err)
		}
		return nil
	}
	if err := reply("ready " + banner); err != nil {
		return err
	}
	sv := &server{lookup: lookup, check: check, contents: map[uint64]*strategies.Content{}, sessions: map[string]strategies.Session{}}
	defer sv.close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		resp := sv.handle(ctx, line)
		if err := reply(resp); err != nil {
			return err
		}
		collectIfNeeded()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("worker: read request: %w", err)
	}
	return nil
}

type server struct {
	lookup   func(string) (strategies.Strategy, error)
	check    func(strategies.Strategy, *Request) error
	contents map[uint64]*strategies.Content
	sessions map[string]strategies.Session
	latency  []time.Duration
	syncTime []time.Duration
}

func (sv *server) close() {
	for _, s := range sv.sessions {
		s.Close()
	}
}

// handle runs one request and returns the reply line.
func (sv *server) handle(ctx context.Context, line string) (resp string) {
	req, err := ParseRequest(line)
	if err != nil {
		return "error bad request: " + err.Error()
	}
	s, err := sv.lookup(req.Strategy)
	if err != nil {
		return "error " + err.Error()
	}
	if _, ok := s.(strategies.RecordVerifier); ok {
		return fmt.Sprintf("skip strategy %s shares files between writers and verifies its records in-process; a worker cannot serve it", s.Name())
	}
	if sv.check != nil {
		if err := sv.check(s, req); err != nil {
			return "error " + err.Error()
		}
	}
	c := sv.contents[req.Seed]
	if c == nil {
		c = strategies.NewContent(req.Seed)
		sv.contents[req.Seed] = c
	}
	if cap(sv.latency) < req.Files {
		sv.latency = make([]time.Duration, req.Files)
		sv.syncTime = make([]time.Duration, req.Files)
	}
	b := &strategies.Batch{Dir: req.Dir, Files: req.Files, Size: req.Size, Params: req.Params, Content: c, Prefix: req.Prefix,
		Latency: sv.latency[:req.Files], SyncTime: sv.syncTime[:req.Files], Issued: &strategies.Issued{}}
	clear(b.Latency)
	clear(b.SyncTime)
	write := s.Write
	if op, ok := s.(strategies.CellOpener); ok {
		key := line // every field but dir identifies the cell; dir is per cell too
		sess := sv.sessions[key]
		if sess == nil {
			sess, err = op.OpenCell(ctx, req.Params)
			if err != nil {
				return errorReply(err)
			}
			sv.sessions[key] = sess
		}
		write = sess.Write
	}
	defer func() {
		if r := recover(); r != nil {
			resp = fmt.Sprintf("error strategy %s panicked: %v", s.Name(), r)
		}
	}()
	if err := write(ctx, b); err != nil {
		return errorReply(err)
	}
	var sync time.Duration
	for _, d := range b.SyncTime {
		sync += d
	}
	return FormatOK(sync.Seconds(), b.Issued.RingSubmissions.Load(), b.Issued.RingEnters.Load())
}

func errorReply(err error) string {
	if reason, ok := strategies.SkipReason(err); ok {
		return "skip " + reason
	}
	return "error " + err.Error()
}

// collectIfNeeded runs a garbage collection between requests (outside the
// parent's timed region) when the heap in use is past half of the
// collector's goal, as the runner does before each timed region.
func collectIfNeeded() {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[1].Value.Kind() == metrics.KindUint64 &&
		s[1].Value.Uint64() < s[0].Value.Uint64()/2 {
		return
	}
	runtime.GC()
}
