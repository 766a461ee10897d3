package writebench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

// swapper is a strategy that writes its batch correctly and then, as a
// hostile or buggy writer could, replaces its batch directory: by a symlink
// to victim, or by a new directory of its own holding a file.
type swapper struct {
	name   string
	victim string // symlink target; "" for a new directory instead
	swaps  int
}

func (s *swapper) Name() string     { return s.name }
func (s *swapper) Describe() string { return "writes, then swaps its directory" }
func (s *swapper) Knobs() []string  { return nil }
func (s *swapper) Write(ctx context.Context, b *strategies.Batch) error {
	w, err := strategies.Lookup("chunked")
	if err != nil {
		return err
	}
	if err := w.Write(ctx, b); err != nil {
		return err
	}
	s.swaps++
	if err := os.Rename(b.Dir, b.Dir+".moved"); err != nil {
		return err
	}
	if s.victim != "" {
		return os.Symlink(s.victim, b.Dir)
	}
	if err := os.Mkdir(b.Dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.Dir, "f0"), []byte("planted"), 0o644)
}

// makeVictim makes a directory of someone else's files, named like a
// batch's (f0, f1) and not.
func makeVictim(t *testing.T) string {
	v := filepath.Join(t.TempDir(), "victim")
	for _, p := range []string{"f0", "f1", "notes.txt", "sub/f0"} {
		p = filepath.Join(v, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("precious "+p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// TestCleanNeverFollowsASwappedCellDir runs writers that replace their
// cell directory after writing (by a symlink to a victim directory, by
// another directory, from Go and from a real external program): the cell
// fails naming the directory, the victim's files all survive, every
// repetition after the swap is refused, and the scratch directory goes.
func TestCleanNeverFollowsASwappedCellDir(t *testing.T) {
	script := filepath.Join(t.TempDir(), "swap.sh")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
echo ready
while IFS= read -r line; do
	dir=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^dir=//p')
	mv "$dir" "$dir.moved" && ln -s "$VICTIM" "$dir" && echo ok || echo "error swap failed"
done
`), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		external bool
		link     bool
	}{
		{"symlink", false, true},
		{"other-directory", false, false},
		{"external-symlink", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			victim := makeVictim(t)
			before := statSnapshot(t, victim)
			dir := t.TempDir()
			cfg := quick(dir)
			cfg.Repeat = 3
			cfg.Files = []int{2}
			cfg.Sizes = []int64{4096}
			var log bytes.Buffer
			cfg.Log = &log
			if tt.external {
				t.Setenv("VICTIM", victim)
				e, err := external.NewExec("swap-sh", "/bin/sh "+script)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Custom = []strategies.Strategy{e}
			} else {
				s := &swapper{name: "swapper"}
				if tt.link {
					s.victim = victim
				}
				cfg.Custom = []strategies.Strategy{s}
			}
			set, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			assertUnchanged(t, before, statSnapshot(t, victim))
			c := set.Results[0]
			if !c.Failed() || !strings.Contains(c.Error, "left alone") {
				t.Errorf("cell error %q, want the swapped directory named and left alone", c.Error)
			}
			t.Logf("cell error: %s", c.Error)
			assertEmptyDir(t, dir)
		})
	}
}

// TestSharedDirSwapBySecondUser has another user (uid 65534, via setpriv)
// swap the run's scratch directory for a symlink to a victim directory in
// a --dir its group can write to without the sticky bit, from inside a
// repetition: nothing of the victim's is removed, the run warns about the
// directory up front and names the scratch directory it could not remove.
func TestSharedDirSwapBySecondUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to act as a second user")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("skipped: setpriv not installed")
	}
	base, err := os.MkdirTemp("", "wb-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	dir := filepath.Join(base, "shared")
	if err := os.Mkdir(dir, 0o770); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o770)
	if err := os.Chown(dir, 0, 65534); err != nil {
		t.Fatal(err)
	}
	// The victim mirrors the scratch layout, so a removal that follows
	// the link lands on files.
	victim := filepath.Join(base, "victim")
	for _, p := range []string{"d0/l0/f0", "d0/l0/f1", "d0/notes.txt", "keep.txt"} {
		p = filepath.Join(victim, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := statSnapshot(t, victim)

	attack := &hostileUser{victim: victim}
	cfg := quick(dir)
	cfg.Repeat = 2
	cfg.Files = []int{2}
	cfg.Sizes = []int64{4096}
	cfg.Custom = []strategies.Strategy{attack}
	var log bytes.Buffer
	cfg.Log = &log
	_, err = Run(context.Background(), cfg)
	if attack.err != nil {
		t.Fatalf("the second user's swap failed: %v", attack.err)
	}
	assertUnchanged(t, before, statSnapshot(t, victim))
	var left *ScratchLeftError
	if !errors.As(err, &left) || !strings.Contains(err.Error(), "left alone") {
		t.Errorf("Run: %v, want the swapped scratch directory named and left alone", err)
	}
	t.Logf("Run: %v\nlog:\n%s", err, log.String())
	if !strings.Contains(log.String(), "writable by its group") {
		t.Errorf("no warning about the group-writable --dir:\n%s", log.String())
	}
}

// hostileUser writes its batch, then has uid 65534 rename the run's scratch
// directory away and put a symlink to victim in its place.
type hostileUser struct {
	victim string
	done   bool
	err    error
}

func (h *hostileUser) Name() string { return "hostile-user" }
func (h *hostileUser) Describe() string {
	return "writes, then another user swaps the scratch directory"
}
func (h *hostileUser) Knobs() []string { return nil }
func (h *hostileUser) Write(ctx context.Context, b *strategies.Batch) error {
	w, err := strategies.Lookup("chunked")
	if err != nil {
		return err
	}
	if err := w.Write(ctx, b); err != nil || h.done {
		return err
	}
	h.done = true
	scratch := filepath.Dir(filepath.Dir(b.Dir))
	out, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"sh", "-c", `mv "$1" "$1.moved" && ln -s "$2" "$1"`, "sh", scratch, h.victim).CombinedOutput()
	if err != nil {
		h.err = errors.New(err.Error() + ": " + string(out))
	}
	return nil
}

// TestWorldWritableDirRefused: a --dir every user can write to without the
// sticky bit, or one inside such a directory, is refused before anything
// is made in it, naming the flag; the same directory with the sticky bit
// (as /tmp) is accepted.
func TestWorldWritableDirRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	cfg := quick(dir, "chunked")
	cfg.Files = []int{1}
	cfg.Sizes = []int64{4096}
	_, err := Run(context.Background(), cfg)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "dir" || !strings.Contains(err.Error(), "sticky") {
		t.Errorf("Run in a mode 0777 --dir: %v, want a refusal naming --dir and the sticky bit", err)
	}
	assertEmptyDir(t, dir)
	// A directory of one's own inside it: the parent's other users can
	// rename it away all the same.
	sub := filepath.Join(dir, "mine")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = sub
	if _, err := Run(context.Background(), cfg); !errors.As(err, &ce) || ce.Field != "dir" || !strings.Contains(err.Error(), "inside "+dir) {
		t.Errorf("Run in a mode 0700 --dir inside a mode 0777 one: %v, want a refusal naming the parent", err)
	}
	assertEmptyDir(t, sub)
	os.Remove(sub)
	cfg.Dir = dir
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Errorf("Run in a mode 01777 --dir: %v", err)
	}
	assertEmptyDir(t, dir)
}
