package sysinfo

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeSys writes files under a temporary root, by path relative to it.
func fakeSys(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, v := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestPageReporting(t *testing.T) {
	const feats = "sys/bus/virtio/drivers/virtio_balloon/virtio0/features"
	const params = "sys/module/page_reporting/parameters/"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
		kib   uint64
		ok    bool
	}{
		{"no balloon", map[string]string{params + "reported_kib": "7\n"}, "", 7, true},
		{"balloon without reporting", map[string]string{feats: "0110000100000\n"}, "", 0, false},
		{"reporting", map[string]string{feats: "0110010100000\n"}, "on (virtio-balloon)", 0, false},
		{"reporting with its parameters", map[string]string{feats: "0110010100000\n",
			params + "min_free_ms": "0\n", params + "reported_kib": "171281924\n"},
			"on (virtio-balloon), min_free_ms 0", 171281924, true},
		{"unreadable counter", map[string]string{params + "reported_kib": "many\n"}, "", 0, false},
	} {
		root := fakeSys(t, tc.files)
		if got := pageReporting(root); got != tc.want {
			t.Errorf("%s: pageReporting = %q, want %q", tc.name, got, tc.want)
		}
		if kib, ok := reportedKiB(root); kib != tc.kib || ok != tc.ok {
			t.Errorf("%s: reportedKiB = %d, %v; want %d, %v", tc.name, kib, ok, tc.kib, tc.ok)
		}
	}
}
