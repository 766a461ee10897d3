//go:build linux

package resultset

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileAtomicRefusesNonRegular plants, for real, every kind of
// file that is not a regular file (device nodes made with mknod, a FIFO, a
// socket, a directory, symlinks to each) at the output path: WriteFileAtomic
// and CheckOutput must refuse with an OutputError, leave the node as it
// was and leave no temporary file. A FIFO target must not block.
func TestWriteFileAtomicRefusesNonRegular(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod of device nodes needs root")
	}
	dir := t.TempDir()
	mk := map[string]func(p string) error{
		"chardev":  func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o666, int(mkdev(1, 3))) },
		"blockdev": func(p string) error { return syscall.Mknod(p, syscall.S_IFBLK|0o600, int(mkdev(7, 0))) },
		"fifo":     func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"dir":      func(p string) error { return os.Mkdir(p, 0o755) },
		"socket": func(p string) error {
			l, err := net.Listen("unix", p)
			if err == nil {
				t.Cleanup(func() { l.Close() })
			}
			return err
		},
	}
	var cases []string
	for name, f := range mk {
		p := filepath.Join(dir, name)
		if err := f(p); err != nil {
			t.Fatalf("make %s: %v", name, err)
		}
		cases = append(cases, p)
		link := filepath.Join(dir, "link-to-"+name)
		if err := os.Symlink(p, link); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, link)
		link2 := filepath.Join(dir, "link-to-link-to-"+name)
		if err := os.Symlink(link, link2); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, link2)
	}
	dangling := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "nowhere"), dangling)
	cases = append(cases, dangling, filepath.Join(dir, "missing-dir", "out.json"), filepath.Join(dir, "fifo", "x"))
	for _, p := range cases {
		t.Run(filepath.Base(p), func(t *testing.T) {
			before := lstatAll(t, dir)
			done := make(chan error, 1)
			go func() { done <- WriteFileAtomic(p, []byte("data\n")) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("WriteFileAtomic blocked")
			}
			var oe *OutputError
			if !errors.As(err, &oe) {
				t.Fatalf("WriteFileAtomic(%s) = %v, want an OutputError", p, err)
			}
			if cerr := CheckOutput(p); !errors.As(cerr, &oe) {
				t.Errorf("CheckOutput(%s) = %v, want an OutputError", p, cerr)
			}
			after := lstatAll(t, dir)
			if len(before) != len(after) {
				t.Errorf("entries changed: before %v, after %v", before, after)
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s changed from %v to %v", k, v, after[k])
				}
			}
		})
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a dangling symlink was written through")
	}
}

func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

// lstatAll maps every entry of dir to its mode and inode.
func lstatAll(t *testing.T, dir string) map[string][2]uint64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][2]uint64{}
	for _, e := range ents {
		st, err := os.Lstat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = [2]uint64{uint64(st.Mode()), st.Sys().(*syscall.Stat_t).Ino}
	}
	return m
}

// TestWriteFileAtomicModes: a replaced file keeps its permission bits, a
// new one gets 0666 minus the umask, and a symlink to a regular file is
// written through (the link stays a link).
func TestWriteFileAtomicModes(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)

	newPath := filepath.Join(dir, "new.json")
	if err := WriteFileAtomic(newPath, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(newPath); st.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640 (umask 027)", st.Mode().Perm())
	}

	kept := filepath.Join(dir, "kept.json")
	os.WriteFile(kept, []byte("old"), 0o600)
	os.Chmod(kept, 0o604)
	if err := WriteFileAtomic(kept, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(kept); st.Mode().Perm() != 0o604 {
		t.Errorf("replaced file mode %v, want 0604 kept", st.Mode().Perm())
	}

	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	real := filepath.Join(sub, "real.json")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.json")
	os.Symlink("sub/real.json", link)
	if err := WriteFileAtomic(link, []byte("through")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&fs.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(real); string(b) != "through" {
		t.Errorf("link target holds %q, want the new data", b)
	}
	for _, d := range []string{dir, sub} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if filepath.Ext(e.Name()) != ".json" && e.Name() != "sub" {
				t.Errorf("left behind: %s", e.Name())
			}
		}
	}
}

// TestCheckReplaceable uses real files chowned to another user in a real
// sticky directory: a user other than root may not replace them.
func TestCheckReplaceable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir := t.TempDir()
	sticky := filepath.Join(dir, "sticky")
	os.Mkdir(sticky, 0o777|fs.ModeSticky)
	os.Chmod(sticky, 0o777|fs.ModeSticky)
	other := filepath.Join(sticky, "other.json")
	os.WriteFile(other, nil, 0o666)
	os.Chown(other, 4242, 4242)
	mine := filepath.Join(sticky, "mine.json")
	os.WriteFile(mine, nil, 0o666)
	os.Chown(mine, 4343, 4343)
	plainOther := filepath.Join(dir, "plain-other.json")
	os.WriteFile(plainOther, nil, 0o666)
	os.Chown(plainOther, 4242, 4242)
	for _, tc := range []struct {
		path string
		euid int
		ok   bool
	}{
		{other, 4343, false}, {mine, 4343, true}, {other, 0, true}, {plainOther, 4343, false}, {plainOther, 4242, true},
	} {
		st, err := os.Lstat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		err = checkReplaceable(tc.path, tc.path, st, tc.euid)
		if (err == nil) != tc.ok {
			t.Errorf("checkReplaceable(%s, euid %d) = %v, want ok=%v", filepath.Base(tc.path), tc.euid, err, tc.ok)
		}
	}
}

// TestCreateNewNeverCollides saves under one name from many goroutines at
// once: every save must get its own file.
func TestCreateNewNeverCollides(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "20260101T000000Z.json")
	const n = 16
	names := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name, err := CreateNew(path, []byte{byte('a' + i)})
			if err != nil {
				t.Error(err)
			}
			names[i] = name
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, name := range names {
		if seen[name] {
			t.Errorf("name %s used twice", name)
		}
		seen[name] = true
		if b, err := os.ReadFile(name); err != nil || len(b) != 1 || b[0] != byte('a'+i) {
			t.Errorf("%s holds %q, %v; want %q", name, b, err, string(rune('a'+i)))
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != n {
		t.Errorf("%d files in the directory, want %d", len(ents), n)
	}
}

// TestSymlinkInStickyDir plants, in a real sticky world-writable directory,
// a symlink owned by another user (uid 4242) pointing at a victim file, as
// an attacker would in /tmp: WriteFileAtomic must not follow it and the
// victim must stay as it was; a link owned by this user is followed.
func TestSymlinkInStickyDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: lchown to another user needs root")
	}
	base := t.TempDir()
	shared := filepath.Join(base, "tmp")
	os.Mkdir(shared, 0o777)
	os.Chmod(shared, 0o777|fs.ModeSticky)
	victim := filepath.Join(base, "victim")
	os.WriteFile(victim, []byte("victim"), 0o644)
	planted := filepath.Join(shared, "out.json")
	os.Symlink(victim, planted)
	if err := os.Lchown(planted, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	var oe *OutputError
	if err := WriteFileAtomic(planted, []byte("clobbered")); !errors.As(err, &oe) || !strings.Contains(err.Error(), "not followed") {
		t.Errorf("WriteFileAtomic through a planted link = %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "victim" {
		t.Fatalf("victim clobbered: %q", b)
	}
	// A chain: our own link to the planted one is refused too.
	mine := filepath.Join(base, "mine.json")
	os.Symlink(planted, mine)
	if err := WriteFileAtomic(mine, []byte("clobbered")); err == nil {
		t.Error("a chain through a planted link was followed")
	}
	// A directory link planted there: nothing may be created behind it.
	secret := filepath.Join(base, "secret")
	os.Mkdir(secret, 0o755)
	evilDir := filepath.Join(shared, "evil")
	os.Symlink(secret, evilDir)
	os.Lchown(evilDir, 4242, 4242)
	if err := WriteFileAtomic(filepath.Join(evilDir, "out.json"), []byte("x")); err == nil {
		t.Error("a planted directory link was followed")
	}
	if ents, _ := os.ReadDir(secret); len(ents) != 0 {
		t.Errorf("files created behind a planted directory link: %v", ents)
	}
	// Our own directory link is followed.
	ownDir := filepath.Join(shared, "owndir")
	os.Symlink(secret, ownDir)
	if err := WriteFileAtomic(filepath.Join(ownDir, "out.json"), []byte("x")); err != nil {
		t.Errorf("own directory link: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(secret, "out.json")); string(b) != "x" {
		t.Errorf("own directory link not written through: %q", b)
	}
	own := filepath.Join(shared, "own.json")
	os.Symlink(victim, own)
	if err := WriteFileAtomic(own, []byte("mine")); err != nil {
		t.Errorf("own link in a sticky directory: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "mine" {
		t.Errorf("own link not written through: %q", b)
	}
}
