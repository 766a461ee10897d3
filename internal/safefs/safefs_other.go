//go:build !(linux || darwin)

package safefs

import (
	"fmt"
	"os"
	"path"
	"strings"
)

// Tree is one scratch directory; on this system it is reached through an
// os.Root, which refuses paths that leave it, without the identity checks
// of the Linux and Darwin version.
type Tree struct {
	path  string
	root  *os.Root
	owned bool
}

// MkdirTemp makes a new directory named prefix plus a random suffix in parent.
func MkdirTemp(parent, prefix string) (*Tree, error) {
	p, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(p)
	if err != nil {
		return nil, err
	}
	return &Tree{path: p, root: r, owned: true}, nil
}

// Adopt opens the existing directory p as a Tree that is never removed.
func Adopt(p string) (*Tree, error) {
	r, err := os.OpenRoot(p)
	if err != nil {
		return nil, err
	}
	return &Tree{path: p, root: r}, nil
}

func (t *Tree) Path() string { return t.path }

func (t *Tree) Join(rel string) string {
	if rel == "." {
		return t.path
	}
	return t.path + "/" + rel
}

func (t *Tree) Close() error { return t.root.Close() }

func (t *Tree) OpenDir(rel string) (*os.File, error) {
	if err := checkRel(rel); err != nil {
		return nil, err
	}
	return t.root.Open(rel)
}

func (t *Tree) Mkdir(rel string) (string, error) {
	if err := checkRel(rel); err != nil || rel == "." {
		return "", fmt.Errorf("safefs: invalid directory %q", rel)
	}
	if err := t.root.Mkdir(rel, 0o755); err != nil && !os.IsExist(err) {
		return "", err
	}
	st, err := t.root.Lstat(rel)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", &ForeignError{Path: t.Join(rel), Reason: "not a directory where writebench makes one"}
	}
	return t.Join(rel), nil
}

func (t *Tree) WriteFile(name string, data []byte) error {
	return t.root.WriteFile(name, data, 0o644)
}

func (t *Tree) RemoveFile(name string) error {
	if err := t.root.Remove(name); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func (t *Tree) Empty(rel, prefix string) error {
	if err := checkRel(rel); err != nil {
		return err
	}
	st, err := t.root.Lstat(rel)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &ForeignError{Path: t.Join(rel), Reason: "not a directory where writebench made one"}
	}
	d, err := t.root.Open(rel)
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			if err := t.root.RemoveAll(path.Join(rel, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tree) RemoveAll() error {
	defer t.Close()
	if !t.owned {
		return nil
	}
	if err := t.Empty(".", ""); err != nil {
		return err
	}
	return os.Remove(t.path)
}

func SharedWritable(dir string) (string, bool, error) { return "", false, nil }
