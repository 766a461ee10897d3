//go:build !unix

package writebench

const oNoFollow = 0
