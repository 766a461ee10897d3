package writebench

import (
	"context"

	"github.com/writebench/writebench/strategies"
)

// VerifyError is a verification failure; see strategies.VerifyError.
type VerifyError = strategies.VerifyError

// Verify reads back every file of b and checks it against b.Content; see
// strategies.Verify, which sits beside the content generator it checks.
func Verify(ctx context.Context, b *strategies.Batch) error { return strategies.Verify(ctx, b) }
