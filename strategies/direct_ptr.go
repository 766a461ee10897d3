package strategies

import "unsafe"

// uintptrOf is the address of p's first byte (p must not be empty).
func uintptrOf(p []byte) uintptr { return uintptr(unsafe.Pointer(&p[0])) }
