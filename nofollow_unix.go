//go:build unix

package writebench

import "syscall"

const oNoFollow = syscall.O_NOFOLLOW
