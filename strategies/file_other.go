//go:build !unix

package strategies

import "os"

// file wraps *os.File where raw descriptors are not available.
type file struct {
	*os.File
	name string
	rwf  int // always 0 here: writeFlags refuses every flag off Linux
	// probe, when non-nil, counts the bytes written and times every write.
	probe *Probe
}

// Write writes p, accounting it in f's probe.
func (f *file) Write(p []byte) (int, error) {
	t := f.probe.start()
	n, err := f.File.Write(p)
	f.probe.done(t, n)
	return n, err
}

func (f *file) path() string { return f.name }

func createFile(path string, readable bool) (*file, error) {
	flags := os.O_CREATE | os.O_EXCL | os.O_WRONLY
	if readable {
		flags = os.O_CREATE | os.O_EXCL | os.O_RDWR
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	return &file{File: f, name: path}, nil
}

// create creates the file named by the NUL-terminated path into f.
func (f *file) create(path []byte, readable bool) error {
	nf, err := createFile(string(path[:len(path)-1]), readable)
	if err != nil {
		return err
	}
	nf.probe = f.probe
	*f = *nf
	return nil
}

func (f *file) sync(dataOnly bool) error { return f.File.Sync() }

func (f *file) truncate(size int64) error { return f.File.Truncate(size) }

// prealloc: ftruncate works everywhere; fallocate(2) is Linux's.
func (f *file) prealloc(m PreallocMode, size int64) error {
	switch m {
	case PreallocTruncate:
		if size == 0 {
			return nil
		}
		return f.truncate(size)
	case PreallocFallocate:
		return Skip("{prealloc} fallocate needs fallocate(2), which only Linux has")
	}
	return checkPrealloc(m)
}

// SyncFS flushes what this process wrote under dir; off unix there is no
// syncfs, so it syncs every regular file in dir.
func SyncFS(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := os.OpenFile(dir+"/"+e.Name(), os.O_RDWR, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (f *file) setRaw() {}
