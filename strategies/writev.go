package strategies

import "fmt"

// MaxBatch is the most records writev gathers into one call: IOV_MAX, the
// most iovecs writev(2) and pwritev2(2) accept (1024 on Linux; more is
// EINVAL). A larger --batch is refused, not clamped, so a cell's batch
// column always says what one call carried.
const MaxBatch = 1024

// checkBatch refuses a batch writev cannot make in one call.
func checkBatch(n int) error {
	if n < 1 || n > MaxBatch {
		return fmt.Errorf("writev: {batch} %d is out of range [1, %d]: one writev(2) takes at most IOV_MAX = %d iovecs", n, MaxBatch, MaxBatch)
	}
	return nil
}

const writevDesc = "{batch} records of {record} bytes gathered into one writev(2), the batch-lines-into-one-write advice"
