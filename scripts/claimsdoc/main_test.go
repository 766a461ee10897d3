package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// cellOf is a cell of strategy over 1 × 4KiB whose round k took secs[k].
func cellOf(strategy string, secs ...float64) resultset.Cell {
	c := resultset.Cell{Strategy: strategy, Files: 1, FileSize: 4096, Sync: "none", Verified: true}
	for k, s := range secs {
		c.Rounds = append(c.Rounds, k)
		c.Seconds = append(c.Seconds, s)
		c.WriteSyscalls = append(c.WriteSyscalls, 1)
		c.StorageBytes = append(c.StorageBytes, 0)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, 0)
		c.SysSeconds = append(c.SysSeconds, 0)
		c.Allocs = append(c.Allocs, 0)
		c.AllocBytes = append(c.AllocBytes, 0)
	}
	return c
}

// TestClaimsPage: the page's verdicts come from the sets: a check whose
// paired interval is above 1 holds, one below is contradicted, a claim
// without a set is marked as not measured yet, and no text is invented.
func TestClaimsPage(t *testing.T) {
	dir := t.TempDir()
	claims := filepath.Join(dir, "claims.txt")
	os.WriteFile(claims, []byte(`claim 1
text Fast beats slow.
run --strategies fast,slow
expect fast > slow
expect slow > fast

claim 2
text Not run.
run --strategies x
`), 0o644)
	set := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Complete: true,
		Env: resultset.Env{GOOS: "linux", CPU: "cpu", Cores: 2, FSType: "ext4", Device: "/dev/x", Kernel: "6"},
		Results: []resultset.Cell{
			cellOf("fast", 1, 1.1, 0.9, 1, 1.05, 0.95, 1, 1),
			cellOf("slow", 2, 2.1, 1.9, 2, 2.2, 1.8, 2, 2),
		}}
	if err := resultset.Save(filepath.Join(dir, "claim1.json"), set); err != nil {
		t.Fatal(err)
	}
	cs, err := readClaims(claims)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	write(&b, cs, dir)
	page := b.String()
	for _, want := range []string{
		"## 1. Fast beats slow.",
		"**mixed: 1 of 2 checks held, 1 contradicted**",
		"fast faster than slow (1 × 4KiB): 2× [",
		"]: **held**",
		"slow faster than fast (1 × 4KiB): 0.5× [",
		"]: **contradicted**",
		"## 2. Not run.",
		"**not measured yet**",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}
