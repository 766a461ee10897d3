package report

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// TestLoadBadFiles checks that every kind of file a user may wrongly hand to
// report or compare is refused with one line naming the file and the reason.
func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("testdata", "basic.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		want          string // substring of the error
	}{
		{"empty.json", "", "empty file"},
		{"blank.json", " \n\t\n", "empty file"},
		{"truncated.json", string(good[:len(good)/2]), "truncated JSON"},
		{"garbage.json", "\x89PNG\r\n\x1a\n", "not a writebench result set"},
		{"array.json", "[1, 2]", "JSON array, not an object"},
		{"other-tool.json", `{"schema": 1, "tool": "fio", "results": []}`, `not a writebench result set`},
		{"no-schema.json", `{"tool": "writebench"}`, `not a writebench result set`},
		{"newer.json", `{"schema": 99, "tool": "writebench", "results": "changed shape"}`, "schema 99, newer than this writebench understands (1): upgrade writebench"},
		{"zero-schema.json", `{"schema": 0, "tool": "writebench"}`, "invalid schema 0"},
		{"wrong-type.json", `{"schema": 1, "tool": "writebench", "results": [{"strategy": "x", "files": "3", "sync": "none"}]}`, `field "results.files" holds a JSON string, expected an integer`},
		{"unknown-field.json", `{"schema": 1, "tool": "writebench", "extra": 1}`, `unknown field "extra"`},
		{"ragged.json", `{"schema": 1, "tool": "writebench", "results": [{"strategy": "x", "files": 1, "sync": "none", "seconds": [1], "write_syscalls": [1]}]}`, "result 0 (x): storage_bytes has 0 samples, seconds has 1"},
		{"bad-sync.json", `{"schema": 1, "tool": "writebench", "results": [{"strategy": "x", "files": 1, "sync": "sometimes"}]}`, `unknown sync mode "sometimes"`},
		{"negative.json", `{"schema": 1, "tool": "writebench", "results": [{"strategy": "x", "files": -1, "sync": "none"}]}`, "negative files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := resultset.Load(path)
			if err == nil {
				t.Fatalf("Load accepted %s: %+v", tt.name, s)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("Load(%s) error %q: want one line starting with the path and containing %q", tt.name, msg, tt.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "missing.json")
		if _, err := resultset.Load(path); err == nil || err.Error() != path+": no such file or directory" {
			t.Errorf("Load(missing) = %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := resultset.Load(dir); err == nil || !strings.HasPrefix(err.Error(), dir+": ") {
			t.Errorf("Load(dir) = %v", err)
		}
	})
}

// TestSaveKeepsOldFileOnFailure checks that Save replaces an existing file
// only with a complete new one: when the write fails, the old content stays
// byte for byte and no temporary file is left behind.
func TestSaveKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "set.json")
	old := []byte("previous result set\n")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	// A set that cannot be encoded (NaN is not JSON) fails before writing.
	bad := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Results: []resultset.Cell{{Strategy: "x", Sync: "none", UserSeconds: []float64{nanValue()}}}}
	if err := resultset.Save(path, bad); err == nil {
		t.Fatal("Save of a set holding NaN succeeded")
	}
	checkUnchanged(t, dir, path, old)

	// A write that fails half way: the old file sits on a tiny tmpfs that
	// has no room for the new one (ENOSPC). Non-root: a read-only directory.
	big := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Env: resultset.Env{Command: []string{strings.Repeat("x", 256<<10)}}}
	if tdir, ok := tinyTmpfs(t, "64k"); ok {
		tpath := filepath.Join(tdir, "set.json")
		if err := os.WriteFile(tpath, old, 0o644); err != nil {
			t.Fatal(err)
		}
		err := resultset.Save(tpath, big)
		if err == nil || !strings.Contains(err.Error(), "no space left on device") {
			t.Fatalf("Save of 256 KiB on a 64 KiB tmpfs: %v, want ENOSPC", err)
		}
		checkUnchanged(t, tdir, tpath, old)
	} else if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		err := resultset.Save(path, big)
		os.Chmod(dir, 0o755)
		if err == nil {
			t.Fatal("Save into a read-only directory succeeded")
		}
		checkUnchanged(t, dir, path, old)
	}

	// A successful Save replaces the file whole and leaves only it.
	good := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool}
	if err := resultset.Save(path, good); err != nil {
		t.Fatal(err)
	}
	if _, err := resultset.Load(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("after Save the directory holds %d entries, want 1 (no temp files)", len(entries))
	}
}

func nanValue() float64 { return math.NaN() }

// tinyTmpfs mounts a tmpfs of the given size on a temporary directory for
// the test's duration, or reports false (with the reason logged) when this
// process may not mount.
func tinyTmpfs(t *testing.T, size string) (string, bool) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Log("skipping the tmpfs part: mounting needs root")
		return "", false
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Logf("skipping the tmpfs part: mount failed: %v: %s", err, out)
		return "", false
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir, true
}

func checkUnchanged(t *testing.T, dir, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Errorf("%s changed after a failed Save: %q, %v", path, got, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != filepath.Base(path) {
			t.Errorf("failed Save left %s behind", e.Name())
		}
	}
}
