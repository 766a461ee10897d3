package writebench

import "github.com/writebench/writebench/strategies"

// The runner's operating-system shims are the strategies package's, so
// there is one statfs, one getrusage and one sync wrapper.
var (
	freeSpace = strategies.FreeSpace
	cpuTimes  = strategies.CPUTimes
	syncAll   = strategies.SyncAll
)
