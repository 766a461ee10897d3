package safefs_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/writebench/writebench/internal/safefs"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			r, _ := filepath.Rel(dir, p)
			out = append(out, r)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestEmptyRemovesLinksNotTargets: Empty removes the entries of its prefix
// (nested directories included), unlinks symlinks without touching their
// targets, and leaves other prefixes' entries.
func TestEmptyRemovesLinksNotTargets(t *testing.T) {
	victim := t.TempDir()
	os.WriteFile(filepath.Join(victim, "precious"), []byte("x"), 0o644)
	tree, err := safefs.MkdirTemp(t.TempDir(), "wb-")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	d, err := tree.Mkdir("d0")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d, "r1-f0"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(d, "r2-f0"), []byte("b"), 0o644)
	os.MkdirAll(filepath.Join(d, "r1-sub/deeper"), 0o755)
	os.WriteFile(filepath.Join(d, "r1-sub/deeper/f"), []byte("c"), 0o644)
	os.Symlink(victim, filepath.Join(d, "r1-link"))
	os.Symlink(victim, filepath.Join(d, "r1-sub/link"))
	if err := tree.Empty("d0", "r1-"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, d); len(got) != 1 || got[0] != "r2-f0" {
		t.Errorf("left %v, want [r2-f0]", got)
	}
	if got := names(t, victim); len(got) != 1 {
		t.Errorf("victim holds %v", got)
	}
	if err := tree.RemoveAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(tree.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tree not removed: %v", err)
	}
}

// TestSwappedDirectoriesLeftAlone: a directory replaced by a symlink or by
// another directory, at any level, is refused with a *ForeignError naming
// it, and nothing behind it is removed.
func TestSwappedDirectoriesLeftAlone(t *testing.T) {
	for _, tt := range []struct {
		name, swap string
		link       bool
	}{
		{"cell-link", "d0/l0", true},
		{"cell-dir", "d0/l0", false},
		{"parent-link", "d0", true},
		{"root-link", ".", true},
		{"root-dir", ".", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			victim := t.TempDir()
			os.MkdirAll(filepath.Join(victim, "l0"), 0o755)
			os.WriteFile(filepath.Join(victim, "l0/precious"), []byte("x"), 0o644)
			os.WriteFile(filepath.Join(victim, "precious"), []byte("x"), 0o644)
			tree, err := safefs.MkdirTemp(t.TempDir(), "wb-")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tree.Mkdir("d0"); err != nil {
				t.Fatal(err)
			}
			if _, err := tree.Mkdir("d0/l0"); err != nil {
				t.Fatal(err)
			}
			p := tree.Join(tt.swap)
			os.Rename(p, p+".moved")
			if tt.link {
				os.Symlink(victim, p)
			} else {
				os.Mkdir(p, 0o700)
			}
			var fe *safefs.ForeignError
			if err := tree.Empty("d0/l0", ""); !errors.As(err, &fe) {
				t.Errorf("Empty: %v, want a *ForeignError", err)
			}
			if _, err := tree.Mkdir("d0/l0"); !errors.As(err, &fe) && !(tt.swap == "." && !tt.link) {
				t.Errorf("Mkdir: %v, want a *ForeignError", err)
			}
			if err := tree.RemoveAll(); tt.swap == "." && !errors.As(err, &fe) {
				t.Errorf("RemoveAll: %v, want a *ForeignError", err)
			}
			if got := names(t, victim); len(got) != 3 {
				t.Errorf("victim holds %v, want l0, l0/precious, precious", got)
			}
		})
	}
}
