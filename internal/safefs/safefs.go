// Package safefs makes, reaches and removes writebench's scratch
// directories through directory file descriptors, never by path, so that
// nothing outside a directory writebench made is ever removed or read.
//
// A Tree is one scratch directory. It is made (MkdirTemp) or adopted
// (Adopt) once, by path; from then on every directory under it is reached
// from the tree's own descriptor, one name at a time, refusing symbolic
// links (openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV
// where the kernel has it, openat with O_NOFOLLOW|O_DIRECTORY otherwise),
// and checked against the device and inode recorded when the tree made
// (or first saw) it. Entries are removed with unlinkat relative to such a
// descriptor, so a directory replaced by a symlink, by another directory
// or moved elsewhere meanwhile cannot redirect a removal: the swapped entry
// is left alone and reported as a *ForeignError naming its path.
//
// What a Tree does not protect: programs that write into the tree by path
// (the strategies, external writers) follow whatever the path leads to at
// the time they write; writebench keeps such swaps out by refusing a --dir
// other users can write to without the sticky bit (see CheckShared).
package safefs

import (
	"errors"
	"fmt"
	"strings"
)

// ForeignError reports an entry the tree did not make where it expected
// one of its own (a symlink, a directory with another identity, another
// file system): it was left alone.
type ForeignError struct {
	Path   string // the entry's path as the tree names it
	Reason string // what was found there
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("%s: %s; left alone (writebench removes only what it made)", e.Path, e.Reason)
}

// maxDepth bounds how deep Empty descends into directories a strategy made
// inside a tree directory (each level holds one descriptor open).
const maxDepth = 64

// checkRel refuses a relative path that is not a plain path of names below
// the tree: empty, absolute, or holding "." or ".." components.
func checkRel(rel string) error {
	if rel == "." {
		return nil
	}
	if rel == "" || strings.HasPrefix(rel, "/") {
		return fmt.Errorf("safefs: invalid relative path %q", rel)
	}
	for _, c := range strings.Split(rel, "/") {
		if c == "" || c == "." || c == ".." {
			return fmt.Errorf("safefs: invalid relative path %q", rel)
		}
	}
	return nil
}

// errNotEmptyYet is returned internally when a directory kept gaining
// entries while it was being emptied.
var errNotEmptyYet = errors.New("kept gaining entries while it was being emptied")
