package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// helperScript writes a shell script that runs this test binary as the
// writebench command, for scripts that take WRITEBENCH=path.
func helperScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "writebench")
	script := "#!/bin/sh\n" + helperEnv + "=1 exec '" + os.Args[0] + "' -test.run='^TestHelperMain$' -- \"$@\"\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCIRegressionScriptInconclusive: scripts/ci-regression.sh on sets too
// small for compare to decide anything (3 samples a cell) must not print
// PASS nor exit 0: the gate could not have failed, so it says
// INCONCLUSIVE and exits 3.
func TestCIRegressionScriptInconclusive(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh in PATH")
	}
	wb := helperScript(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	small := []string{"--strategies", "bufio,chunked", "--files", "1", "--sizes", "64KiB", "--repeat", "3", "--dir", dir, "--progress", "never"}
	cmd := exec.Command(wb, append([]string{"run", "--out", base}, small...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("baseline run: %v\n%s", err, out)
	}
	script, err := filepath.Abs("../../scripts/ci-regression.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("sh", script, base)
	cmd.Env = append(os.Environ(), "WRITEBENCH="+wb, "SETTLE=0", "NEW="+filepath.Join(dir, "new.json"),
		"RUN_FLAGS="+strings.Join(small[2:], " "))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 (inconclusive)\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "PASS") {
		t.Errorf("a gate that could not fail printed PASS:\n%s", stdout.String())
	}
	if !strings.Contains(stdout.String(), "INCONCLUSIVE") || !strings.Contains(stderr.String(), "ci-regression: INCONCLUSIVE") {
		t.Errorf("no INCONCLUSIVE in the output:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}
