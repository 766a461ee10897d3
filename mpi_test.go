//go:build mpi && cgo

package writebench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench/internal/ranks"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// mpirunCommand returns the command that starts np ranks of args under
// Open MPI's mpirun, or skips t saying why it cannot.
func mpirunCommand(t *testing.T, np int, args ...string) *exec.Cmd {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("skipping the MPI tests: mpirun not found in PATH (install openmpi-bin)")
	}
	out, _ := exec.Command(mpirun, "--version").CombinedOutput()
	if !strings.Contains(string(out), "Open MPI") {
		t.Skipf("skipping the MPI tests: %s is not Open MPI's mpirun (%q)", mpirun, strings.TrimSpace(string(out)))
	}
	full := append([]string{"--allow-run-as-root", "--oversubscribe", "-np", fmt.Sprint(np)}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, mpirun, full...)
}

// TestMPICoordinator runs TestMPICoordinatorRank as 4 ranks under mpirun.
func TestMPICoordinator(t *testing.T) {
	cmd := mpirunCommand(t, 4, os.Args[0], "-test.run=^TestMPICoordinatorRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := range 4 {
		if want := fmt.Sprintf("rank %d of 4: collectives ok", r); !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestMPICoordinatorRank is one rank of TestMPICoordinator.
func TestMPICoordinatorRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPICoordinator")
	}
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	c := ranks.CoordinatorOf(job)
	ctx := context.Background()
	rank, size := c.Rank(), c.Size()
	if size != 4 || rank < 0 || rank >= 4 {
		t.Fatalf("rank %d of %d, want one of 4", rank, size)
	}
	if err := c.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := c.MaxFloat64(ctx, float64(rank)*1.5); err != nil || m != 4.5 {
		t.Errorf("MaxFloat64 = %v, %v; want 4.5", m, err)
	}
	all, err := c.GatherFloat64s(ctx, []float64{float64(rank), float64(10 * rank)})
	if err != nil {
		t.Fatal(err)
	}
	for r, vs := range all {
		if !slices.Equal(vs, []float64{float64(r), float64(10 * r)}) {
			t.Errorf("GatherFloat64s[%d] = %v", r, vs)
		}
	}
	if v, err := c.BcastUint64(ctx, uint64(100+rank)); err != nil || v != 100 {
		t.Errorf("BcastUint64 = %v, %v; want rank 0's 100", v, err)
	}
	if s, err := c.BcastString(ctx, 3, fmt.Sprint("from rank ", rank)); err != nil || s != "from rank 3" {
		t.Errorf("BcastString = %q, %v; want rank 3's", s, err)
	}
	if r, msg, err := c.AnyError(ctx, nil); err != nil || r != -1 || msg != "" {
		t.Errorf("AnyError(nil everywhere) = %d, %q, %v", r, msg, err)
	}
	var mine error
	if rank >= 2 {
		mine = errors.New(fmt.Sprint("disk full on rank ", rank))
	}
	if r, msg, err := c.AnyError(ctx, mine); err != nil || r != 2 || msg != "disk full on rank 2" {
		t.Errorf("AnyError = %d, %q, %v; want rank 2's error", r, msg, err)
	}
	hosts, err := c.Hostnames(ctx)
	if h, _ := os.Hostname(); err != nil || len(hosts) != 4 || hosts[rank] != h {
		t.Errorf("Hostnames = %q, %v; want 4 names, mine %q", hosts, err, h)
	}
	if err := job.Finalize(); err != nil {
		t.Fatal(err)
	}
	if !t.Failed() {
		fmt.Printf("rank %d of %d: collectives ok\n", rank, size)
	}
}

// rankStrategy writes each file with os.WriteFile, except that on rank
// failOn it fails and on rank skipOn it skips (-1: never).
type rankStrategy struct {
	name           string
	job            *Job
	failOn, skipOn int
}

func (s *rankStrategy) Name() string     { return s.name }
func (s *rankStrategy) Describe() string { return "test strategy that fails on one rank" }
func (s *rankStrategy) Knobs() []string  { return nil }
func (s *rankStrategy) Write(ctx context.Context, b *strategies.Batch) error {
	switch s.job.Rank() {
	case s.failOn:
		return errors.New("injected failure")
	case s.skipOn:
		return strategies.Skip("injected skip")
	}
	data := make([]byte, b.Size)
	for i := 0; i < b.Files; i++ {
		b.Content.Expected(data, i, 0)
		if err := os.WriteFile(b.Path(i), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestMPIRun runs TestMPIRunRank as 3 ranks under mpirun: one sweep, one
// set per rank that every rank agrees on.
func TestMPIRun(t *testing.T) {
	dir := t.TempDir()
	cmd := mpirunCommand(t, 3, os.Args[0], "-test.run=^TestMPIRunRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1", "WRITEBENCH_MPI_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := range 3 {
		if want := fmt.Sprintf("rank %d of 3: run ok", r); !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	assertEmptyDir(t, dir)
}

// TestMPIRunRank is one rank of TestMPIRun.
func TestMPIRunRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPIRun")
	}
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	defer job.Finalize()
	host, _ := os.Hostname()
	cfg := Config{
		Job: job,
		Custom: []strategies.Strategy{
			&rankStrategy{name: "ok", job: job, failOn: -1, skipOn: -1},
			&rankStrategy{name: "fails-on-1", job: job, failOn: 1, skipOn: -1},
			&rankStrategy{name: "skips-on-2", job: job, failOn: -1, skipOn: 2},
		},
		Files: []int{1, 3}, Sizes: []int64{5000}, Repeat: 3, Warmup: -1,
		Dir: os.Getenv("WRITEBENCH_MPI_DIR"),
	}
	if job.Rank() != 0 {
		cfg.Seed = 99 // ignored: rank 0 chooses
	}
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if set.Env.Ranks != 3 || len(set.Env.Hosts) != 3 || set.Env.Hosts[job.Rank()] != host {
		t.Errorf("env ranks %d hosts %q", set.Env.Ranks, set.Env.Hosts)
	}
	if err := set.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	for _, c := range set.Results {
		switch c.Strategy {
		case "ok":
			if c.Failed() || c.Ranks != 3 || len(c.Seconds) != 3 || len(c.RankSeconds) != 3 || !c.Verified {
				t.Errorf("%s: error %q, ranks %d, %d samples, %d rank samples, verified %v",
					c.Key(), c.Error, c.Ranks, len(c.Seconds), len(c.RankSeconds), c.Verified)
				continue
			}
			for k, rs := range c.RankSeconds {
				if slices.Max(rs) != c.Seconds[k] {
					t.Errorf("%s sample %d: seconds %v is not the slowest rank's of %v", c.Key(), k, c.Seconds[k], rs)
				}
			}
			if c.Bytes() != 3*int64(c.Files)*c.FileSize {
				t.Errorf("%s: Bytes() = %d, want every rank's", c.Key(), c.Bytes())
			}
		case "fails-on-1":
			if want := "rank 1 (" + set.Env.Hosts[1] + "): "; !strings.HasPrefix(c.Error, want) || !strings.Contains(c.Error, "injected failure") {
				t.Errorf("%s: error %q, want it to start %q and give rank 1's reason", c.Key(), c.Error, want)
			}
		case "skips-on-2":
			// Skipped on every rank, naming rank 2 and its reason.
			if want := "rank 2 (" + set.Env.Hosts[2] + "): injected skip"; c.Skipped != want || c.Failed() {
				t.Errorf("%s: skipped %q error %q, want skipped %q", c.Key(), c.Skipped, c.Error, want)
			}
		}
	}
	// Every rank used rank 0's seed.
	seeds, err := ranks.CoordinatorOf(job).GatherFloat64s(context.Background(), []float64{float64(set.Env.Seed)})
	if err != nil {
		t.Fatal(err)
	}
	for r, s := range seeds {
		if s[0] != seeds[0][0] {
			t.Errorf("rank %d used seed %v, rank 0 %v", r, s[0], seeds[0][0])
		}
	}
	if !t.Failed() {
		fmt.Printf("rank %d of %d: run ok\n", job.Rank(), job.Size())
	}
}

// dyingStrategy writes like rankStrategy but kills its own process (SIGKILL,
// no cleanup, no MPI_Finalize) on rank dieOn at its dieAt-th call.
type dyingStrategy struct {
	rankStrategy
	dieOn, dieAt, calls int
}

func (s *dyingStrategy) Write(ctx context.Context, b *strategies.Batch) error {
	s.calls++
	if s.job.Rank() == s.dieOn && s.calls == s.dieAt {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return s.rankStrategy.Write(ctx, b)
}

// TestMPIRankDies: when a rank dies mid-sweep, mpirun ends the job with
// SIGTERM and rank 0 saves the partial set (given time by
// odls_base_sigkill_timeout, see docs/mpi.md).
func TestMPIRankDies(t *testing.T) {
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "partial.json")
	cmd := mpirunCommand(t, 3, "--mca", "odls_base_sigkill_timeout", "3", os.Args[0], "-test.run=^TestMPIRankDiesRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1", "WRITEBENCH_MPI_DIR="+dir, "WRITEBENCH_MPI_OUT="+out)
	log, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("mpirun exited 0 although rank 1 died:\n%s", log)
	}
	set, lerr := resultset.Load(out)
	if lerr != nil {
		t.Fatalf("rank 0 saved no valid partial set: %v\nmpirun: %v\n%s", lerr, err, log)
	}
	if set.Complete || set.Env.Ranks != 3 || !strings.Contains(set.Interrupted, "terminated") {
		t.Errorf("partial set: complete %v, ranks %d, interrupted %q", set.Complete, set.Env.Ranks, set.Interrupted)
	}
	n := len(set.Results[0].Seconds)
	if n < 1 || n >= 50 {
		t.Errorf("partial set holds %d samples, want some but not all 50", n)
	}
}

// TestMPIRankDiesRank is one rank of TestMPIRankDies.
func TestMPIRankDiesRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPIRankDies")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	s := &dyingStrategy{rankStrategy: rankStrategy{name: "dies", job: job, failOn: -1, skipOn: -1}, dieOn: 1, dieAt: 5}
	set, err := Run(ctx, Config{Job: job, Custom: []strategies.Strategy{s}, Files: []int{1}, Sizes: []int64{4096},
		Repeat: 50, Warmup: -1, MinSample: -1, Dir: os.Getenv("WRITEBENCH_MPI_DIR")})
	if !errors.Is(err, ErrInterrupted) {
		t.Errorf("Run = %v, want ErrInterrupted", err)
	}
	if job.Rank() == 0 && set != nil {
		if err := resultset.Save(os.Getenv("WRITEBENCH_MPI_OUT"), set); err != nil {
			t.Fatal(err)
		}
	}
	if err := job.Finalize(); err == nil {
		t.Errorf("Finalize after an abandoned collective = nil, want it skipped with a reason")
	}
}

// sharingStrategy writes like rankStrategy, then, still inside Write,
// waits (up to 10 s) until the batch's directory holds a file of every
// rank's prefix: it proves that the ranks write into one directory. It
// records what it saw in seen.
type sharingStrategy struct {
	rankStrategy
	seen map[string]bool // prefixes found next to this rank's files
}

func (s *sharingStrategy) Write(ctx context.Context, b *strategies.Batch) error {
	if err := s.rankStrategy.Write(ctx, b); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		found := map[string]bool{}
		ents, err := os.ReadDir(b.Dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if p, _, ok := strings.Cut(e.Name(), "-"); ok {
				found[p+"-"] = true
			}
		}
		if len(found) == s.job.Size() || time.Now().After(deadline) {
			for p := range found {
				s.seen[p] = true
			}
			return nil
		}
		time.Sleep(time.Millisecond)
	}
}

// TestMPISharedDir runs TestMPISharedDirRank as 4 ranks under mpirun with
// SharedDir: the ranks' files meet in one directory, every cell verifies on
// every rank, and nothing is left under Dir.
func TestMPISharedDir(t *testing.T) {
	dir := t.TempDir()
	cmd := mpirunCommand(t, 4, os.Args[0], "-test.run=^TestMPISharedDirRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1", "WRITEBENCH_MPI_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := range 4 {
		if want := fmt.Sprintf("rank %d of 4: shared directory ok", r); !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	assertEmptyDir(t, dir)
}

// TestMPISharedDirRank is one rank of TestMPISharedDir.
func TestMPISharedDirRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPISharedDir")
	}
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	defer job.Finalize()
	spy := &sharingStrategy{rankStrategy: rankStrategy{name: "sharing", job: job, failOn: -1, skipOn: -1}, seen: map[string]bool{}}
	set, err := Run(context.Background(), Config{
		Job: job, Custom: []strategies.Strategy{spy}, Strategies: []string{"sharing", "bufio", "uring", "paired-locked"},
		Files: []int{1, 7}, Sizes: []int64{5000}, Repeat: 2, Warmup: -1, MinSample: -1,
		Dir: os.Getenv("WRITEBENCH_MPI_DIR"), SharedDir: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if !set.Env.SharedDir || set.Env.Ranks != 4 || !set.Complete {
		t.Errorf("env shared_dir %v ranks %d complete %v", set.Env.SharedDir, set.Env.Ranks, set.Complete)
	}
	for _, c := range set.Results {
		if c.Failed() || c.Ranks != 4 || len(c.RankSeconds) != 2 || !c.Verified {
			t.Errorf("%s: error %q skipped %q ranks %d rank samples %d verified %v", c.Key(), c.Error, c.Skipped, c.Ranks, len(c.RankSeconds), c.Verified)
		}
	}
	for r := range 4 {
		if p := strategies.RankPrefix(r); !spy.seen[p] {
			t.Errorf("rank %d never saw a file named %s… in its batch directory (saw %v)", job.Rank(), p, spy.seen)
		}
	}
	if !t.Failed() {
		fmt.Printf("rank %d of %d: shared directory ok\n", job.Rank(), job.Size())
	}
}

// TestMPIConfigAgreement runs TestMPIConfigAgreementRank as 2 ranks: a Go
// program whose ranks disagree gets the same *RankError on every rank from
// Run, naming the rank and the field, before any work (it used to hang in
// a collective or deadlock in MPI_Finalize), and the ranks can go on.
func TestMPIConfigAgreement(t *testing.T) {
	dir := t.TempDir()
	cmd := mpirunCommand(t, 2, os.Args[0], "-test.run=^TestMPIConfigAgreementRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1", "WRITEBENCH_MPI_DIR="+dir)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := range 2 {
		if want := fmt.Sprintf("rank %d of 2: agreement ok", r); !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	assertEmptyDir(t, dir)
}

// TestMPIConfigAgreementRank is one rank of TestMPIConfigAgreement.
func TestMPIConfigAgreementRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPIConfigAgreement")
	}
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	defer job.Finalize()
	dir := os.Getenv("WRITEBENCH_MPI_DIR")
	base := Config{Job: job, Strategies: []string{"chunked"}, Files: []int{1}, Sizes: []int64{4096}, Repeat: 2, Warmup: -1, Dir: dir}
	for _, tc := range []struct {
		name  string
		on1   func(*Config)
		field string
	}{
		{"repeat", func(c *Config) { c.Repeat = 5 }, "repeat"},
		{"warmup", func(c *Config) { c.Warmup = 2 }, "warmup"},
		{"no verify", func(c *Config) { c.NoVerify = true }, "no_verify"},
		{"dir missing", func(c *Config) { c.Dir = filepath.Join(dir, "nope") }, "dir"},
		{"sizes", func(c *Config) { c.Sizes = []int64{8192} }, "size"},
	} {
		cfg := base
		if job.Rank() == 1 {
			tc.on1(&cfg)
		}
		set, err := Run(context.Background(), cfg)
		var re *RankError
		var ce *ConfigError
		if set != nil || !errors.As(err, &re) || re.Rank != 1 || !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: set %v, error %v; want a *RankError of rank 1 on field %s", tc.name, set != nil, err, tc.field)
		}
	}
	if _, err := Run(context.Background(), base); err != nil {
		t.Errorf("the same configuration after the refusals: %v", err)
	}
	if !t.Failed() {
		fmt.Printf("rank %d of %d: agreement ok\n", job.Rank(), job.Size())
	}
}
