package sysinfo

import (
	"bytes"
	"os"
	"strconv"
)

// ParseProcIO reads syscw (write-family system calls) and write_bytes
// (bytes sent to storage) from the text of a /proc/PID/io file; each is -1
// when absent. The runner reads /proc/self/io with it and external writers
// their child's /proc/PID/io, so both count the same way.
func ParseProcIO(data []byte) (syscw, writeBytes int64) {
	syscw, writeBytes = -1, -1
	for line := range bytes.Lines(data) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte(": "))
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			continue
		}
		switch string(k) {
		case "syscw":
			syscw = n
		case "write_bytes":
			writeBytes = n
		}
	}
	return syscw, writeBytes
}

// ReadProcIO returns the write-family syscall count (syscw) and the bytes
// this process caused to be sent to storage (write_bytes) from
// /proc/self/io, which covers every thread of the process; -1, -1 where
// there is no such file.
func ReadProcIO() (syscw, writeBytes int64) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1, -1
	}
	return ParseProcIO(data)
}
