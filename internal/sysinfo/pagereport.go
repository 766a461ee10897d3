package sysinfo

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pageReportingParams holds the page_reporting module's parameters; which
// ones exist depends on the kernel (min_free_ms and reported_kib are not in
// every kernel).
const pageReportingParams = "/sys/module/page_reporting/parameters/"

// balloonReporting is VIRTIO_BALLOON_F_REPORTING, the feature bit of a
// virtio-balloon device that takes free pages back from the guest.
const balloonReporting = 5

// PageReporting describes the free page reporting of the virtual machine
// this runs in: "on (virtio-balloon)", with the kernel's min_free_ms when it
// has that parameter, or "" where no balloon device reports free pages.
// Memory the guest reports goes back to the host; when the guest reuses
// it, the host must fault it in again, so a repetition that writes into
// such pages can take several times as long as one that reuses memory the
// previous repetition freed a moment before.
func PageReporting() string { return pageReporting("/") }

func pageReporting(root string) string {
	feats, _ := filepath.Glob(filepath.Join(root, "sys/bus/virtio/drivers/virtio_balloon/virtio*/features"))
	on := false
	for _, f := range feats {
		b, err := os.ReadFile(f)
		if err == nil && len(b) > balloonReporting && b[balloonReporting] == '1' {
			on = true
		}
	}
	if !on {
		return ""
	}
	s := "on (virtio-balloon)"
	if b, err := os.ReadFile(filepath.Join(root, pageReportingParams, "min_free_ms")); err == nil {
		s += ", min_free_ms " + strings.TrimSpace(string(b))
	}
	return s
}

// ReportedKiB returns the KiB of free memory the guest has reported to the
// host since boot, where the kernel counts them (page_reporting's
// reported_kib); ok is false elsewhere.
func ReportedKiB() (kib uint64, ok bool) { return reportedKiB("/") }

func reportedKiB(root string) (uint64, bool) {
	b, err := os.ReadFile(filepath.Join(root, pageReportingParams, "reported_kib"))
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}
