package strategies

import "time"

// ScratchMarker is the name of the file that marks a directory as a
// writebench scratch directory: it holds the pid of the process that made
// it, so a later run can tell a directory left by a killed run (its
// process is gone) from one in use.
const ScratchMarker = ".writebench-scratch"

// ScratchUser is implemented by strategies that keep files of their own
// for the cells they open (an external program's sources, its content
// pattern, its temporary files). Before the sweep the runner calls
// UseScratch with a directory inside its scratch directory, which may not
// exist yet and which it removes with the scratch directory, however the
// run ends.
type ScratchUser interface {
	UseScratch(dir string)
}

// VerifyLimiter is implemented by strategies whose files must be verified
// within a time limit (an external program's, within its repetition
// limit): the runner stops the verification of a batch that takes longer
// (between reads of at most 1 MiB) and fails the cell.
type VerifyLimiter interface {
	VerifyLimit() time.Duration
}

// Aborter is implemented by sessions that can end at once instead of
// being given time to finish (an external program is killed rather than
// asked to exit). After an interruption the runner calls Abort instead of
// Close.
type Aborter interface {
	Abort() error
}
