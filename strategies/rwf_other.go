//go:build !linux

package strategies

// writeFlags refuses the per-write flag modes: pwritev2(2) and its RWF_*
// flags are Linux's.
func writeFlags(s SyncMode) (int, error) {
	if s == SyncDsync || s == SyncUncached {
		return 0, Skip("{sync} %s needs pwritev2(2) with RWF_* flags, which only Linux has", s)
	}
	return 0, nil
}
