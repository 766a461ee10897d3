//go:build !linux

package sysinfo

// ReadLimits checks no limits where /proc is not Linux's.
func ReadLimits() Limits { return Limits{} }
