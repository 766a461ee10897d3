// Package external runs write strategies in another program: a Python
// script, a shell script, another build of writebench, or any program that
// speaks writebench's line protocol on its standard input and output (see
// docs/protocol.md).
//
// An Exec is a strategies.Strategy and a strategies.CellOpener: the runner
// calls OpenCell once per cell, outside the timed region, which starts the
// program and waits for its "ready" line (interpreter start-up and imports
// are never timed); each repetition's Session.Write sends one "write"
// request and returns when the program replies, which is what the runner
// times; Session.Usage reads the program's /proc/PID/io and CPU times so
// the syscall, storage and CPU columns mean the same as for a built-in
// strategy; Close closes the program's standard input and waits for it.
//
// Serve is the other side of the protocol: `writebench worker` uses it to
// serve the built-in strategies, so two builds of writebench can be two
// strategies of one run (`writebench ab`).
package external

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// ProtocolVersion is the version of the line protocol, sent in every
// request as "protocol=1".
const ProtocolVersion = 1

// Request is one "write" request: write Files files of Size bytes into Dir.
// On the wire it is the word "write" followed by tab-separated key=value
// fields, one line.
type Request struct {
	Strategy string // strategy name the program should run (the exec name, or the built-in for a worker)
	Dir      string // existing empty directory; no tab or newline
	Files    int
	Size     int64
	Width    int    // digits of the zero-padded file index in names: Dir/<Prefix>f<index>
	Prefix   string // starts every file name (Batch.Prefix, "r3-" under --shared-dir); sent only when not empty
	Seed     uint64 // content seed (scripts/content.py, strategies.NewContent)
	Pattern  string // path of a file holding the 4096-byte block pattern of Seed (header bytes included, to be overwritten)
	Params   strategies.Params
}

// fields returns the request's key=value pairs in wire order.
func (r *Request) fields() [][2]string {
	p := r.Params
	f := [][2]string{
		{"protocol", strconv.Itoa(ProtocolVersion)},
		{"strategy", r.Strategy},
		{"dir", r.Dir},
		{"files", strconv.Itoa(r.Files)},
		{"size", strconv.FormatInt(r.Size, 10)},
		{"width", strconv.Itoa(r.Width)},
		{"seed", strconv.FormatUint(r.Seed, 10)},
	}
	for _, name := range strategies.ParamNames() {
		v, _ := p.Get(name)
		f = append(f, [2]string{name, v})
	}
	if r.Pattern != "" {
		f = append(f, [2]string{"pattern", r.Pattern})
	}
	if r.Prefix != "" {
		f = append(f, [2]string{"prefix", r.Prefix})
	}
	return f
}

// Encode returns the request line, without the trailing newline. Values
// must not hold a tab or newline.
func (r *Request) Encode() (string, error) {
	var b strings.Builder
	b.WriteString("write")
	for _, kv := range r.fields() {
		if strings.ContainsAny(kv[1], "\t\n\r") {
			return "", fmt.Errorf("request field %s=%q holds a tab or newline, which the protocol cannot carry", kv[0], kv[1])
		}
		b.WriteString("\t" + kv[0] + "=" + kv[1])
	}
	return b.String(), nil
}

// ParseRequest decodes a request line (without its newline). Unknown keys
// are ignored, so newer writebench versions can add fields; missing
// parameters take their defaults.
func ParseRequest(line string) (*Request, error) {
	parts := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
	if parts[0] != "write" {
		return nil, fmt.Errorf("not a write request: %q", truncate(line, 80))
	}
	r := &Request{Seed: 1}
	var err error
	num := func(k, v string) int {
		n, e := strconv.Atoi(v)
		if e != nil && err == nil {
			err = fmt.Errorf("field %s=%q: not an integer", k, v)
		}
		return n
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("field %q is not key=value", truncate(kv, 80))
		}
		switch k {
		case "protocol":
			if v != strconv.Itoa(ProtocolVersion) {
				return nil, fmt.Errorf("protocol version %s, this program speaks %d", v, ProtocolVersion)
			}
		case "strategy":
			r.Strategy = v
		case "dir":
			r.Dir = v
		case "files":
			r.Files = num(k, v)
		case "size":
			n, e := strconv.ParseInt(v, 10, 64)
			if e != nil && err == nil {
				err = fmt.Errorf("field size=%q: not an integer", v)
			}
			r.Size = n
		case "width":
			r.Width = num(k, v)
		case "seed":
			n, e := strconv.ParseUint(v, 10, 64)
			if e != nil && err == nil {
				err = fmt.Errorf("field seed=%q: not an integer", v)
			}
			r.Seed = n
		case "pattern":
			r.Pattern = v
		case "prefix":
			if e := strategies.CheckPrefix(v); e != nil && err == nil {
				err = fmt.Errorf("field prefix: %v", e)
			}
			r.Prefix = v
		default:
			if !slices.Contains(strategies.ParamNames(), k) {
				continue // a newer writebench's field
			}
			if e := r.Params.Set(k, v); e != nil && err == nil {
				err = fmt.Errorf("field %v", e)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if r.Dir == "" || r.Files < 1 || r.Size < 0 {
		return nil, fmt.Errorf("request lacks dir, files >= 1 or size >= 0: %q", truncate(line, 120))
	}
	if err := checkRanges(r); err != nil {
		return nil, err
	}
	r.Params = r.Params.WithDefaults()
	if r.Width == 0 {
		r.Width = strategies.NameWidth(r.Files)
	}
	return r, nil
}

// checkRanges refuses numbers outside the ranges of their axes
// (resultset.Axes; a zero knob is its default), which a run could never
// have sent: a request is input like any other, and a 1 TiB chunk must
// not reach an allocator.
func checkRanges(r *Request) error {
	for _, a := range resultset.Axes() {
		if a.Kind == resultset.KindName {
			continue
		}
		var n int64
		switch a.Name {
		case "files":
			n = int64(r.Files)
		case "size":
			n = r.Size
		default:
			v, ok := r.Params.Get(a.Name)
			if !ok {
				continue
			}
			if n, _ = strconv.ParseInt(v, 10, 64); n == 0 {
				continue // zero or missing: the default
			}
		}
		if err := a.CheckNumber(n); err != nil {
			return fmt.Errorf("field %s: %v", a.Name, err)
		}
	}
	if r.Width < 0 || r.Width > 20 {
		return fmt.Errorf("field width=%d is out of range (0 to 20)", r.Width)
	}
	return nil
}

// Reply is a program's answer to a request (or its start-up line).
type Reply struct {
	Verb string // "ready", "ok", "error" or "skip"
	Text string // the rest of the line: the reason, message or banner
	// Fields of an "ok" reply (optional): seconds spent in fsync/fdatasync
	// and io_uring counters, for the columns the parent cannot see.
	SyncSeconds     float64
	RingSubmissions int64
	RingEnters      int64
}

// ParseReply decodes one reply line. Verbs are separated from the rest by
// a space or a tab.
func ParseReply(line string) (Reply, error) {
	line = strings.TrimRight(line, "\r\n")
	verb, rest, _ := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
	r := Reply{Verb: verb, Text: strings.TrimSpace(rest)}
	switch verb {
	case "ready", "error", "skip":
		return r, nil
	case "ok":
		for _, kv := range strings.Fields(rest) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return r, fmt.Errorf("ok reply field %q is not key=value", truncate(kv, 40))
			}
			var err error
			switch k {
			case "sync_seconds":
				r.SyncSeconds, err = strconv.ParseFloat(v, 64)
			case "ring_submissions":
				r.RingSubmissions, err = strconv.ParseInt(v, 10, 64)
			case "ring_enters":
				r.RingEnters, err = strconv.ParseInt(v, 10, 64)
			}
			if err != nil {
				return r, fmt.Errorf("ok reply field %s=%q: %v", k, truncate(v, 40), err)
			}
		}
		return r, nil
	}
	return r, fmt.Errorf("unexpected line %q (want ready, ok, error or skip)", truncate(line, 80))
}

// FormatOK formats an "ok" reply with its optional fields.
func FormatOK(syncSeconds float64, ringSubmissions, ringEnters int64) string {
	s := "ok"
	if syncSeconds > 0 {
		s += " sync_seconds=" + strconv.FormatFloat(syncSeconds, 'g', -1, 64)
	}
	if ringSubmissions > 0 || ringEnters > 0 {
		s += " ring_submissions=" + strconv.FormatInt(ringSubmissions, 10) + " ring_enters=" + strconv.FormatInt(ringEnters, 10)
	}
	return s
}

// oneLine replaces newlines and tabs so s fits in one reply line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " | ", "\r", " ", "\t", " ").Replace(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
