package resultset

import (
	"bytes"
	"fmt"
)

// Memory bounds of Load and Decode. A result set is read whole and then
// decoded; before decoding, a pass over its bytes (scanShape) counts its
// results and the values in them, which gives the memory the decoded set
// will take, so a file that would need more than its size warrants is
// refused before anything is allocated for it.
const (
	// MaxSetBytes is the largest result set file Load reads: far above any
	// real set (a sweep of 1,000 cells × 1,000 repetitions takes about 300
	// MiB), so a planted endless file (/dev/zero) fails fast.
	MaxSetBytes = 512 << 20

	// decodeBase and decodePerByte bound the memory of a loaded set (see
	// shape.estimate): at most decodeBase plus decodePerByte bytes per byte
	// of JSON, and never more than decodeMax. A real set takes a few times
	// its own size (a result's JSON takes hundreds of bytes, a sample about
	// ten), so a file of a million empty results ("{},") is refused
	// before it is decoded.
	decodeBase    = 32 << 20
	decodePerByte = 16
	decodeMax     = 1 << 30

	// maxNesting is the deepest nesting of arrays and objects Decode reads;
	// a result set's deepest (rank_seconds) is 5.
	maxNesting = 16
)

// cellBytes is the memory one result takes once loaded and summarized for
// rendering, without its samples: the decoded Cell (about 700 bytes) and
// its summary, table row and verdict entries, rounded up (an upper bound
// TestLoadMemoryBoundedByInput holds it to).
const cellBytes = 8 << 10

// shape is what a pass over a result set's bytes found: the results in
// its top-level "results" array and the scalar values inside them.
type shape struct {
	cells, values int64
}

// decodeLimit is the most memory a set decoded from n bytes of JSON may
// take (see decodeBase).
func decodeLimit(n int) int64 {
	return min(decodeBase+decodePerByte*int64(n), decodeMax)
}

// valueBytes is the memory one sample takes once loaded: 8 bytes, and as
// much again while its array grows during decoding.
const valueBytes = 16

// estimate is the memory, in bytes, the set takes at least once loaded
// and summarized.
func (s shape) estimate() int64 { return s.cells*cellBytes + s.values*valueBytes }

// checkShape refuses data whose decoded set would take more memory than
// decodeLimit allows, or that nests deeper than maxNesting, naming what it
// found; it allocates nothing.
func checkShape(data []byte) error {
	s, err := scanShape(data)
	if err != nil {
		return err
	}
	if est, limit := s.estimate(), decodeLimit(len(data)); est > limit {
		return fmt.Errorf("not a writebench result set: %d results holding %d values in %s of JSON would take at least %s of memory to load, more than the %s allowed for a file of its size (a real set takes a few times its own size)",
			s.cells, s.values, FormatIEC(uint64(len(data))), FormatIEC(uint64(est)), FormatIEC(uint64(limit)))
	}
	return nil
}

// scanShape counts, in one pass and without allocating, the elements of
// the top-level object's "results" array and every other value (a scalar,
// array or object) in the document. It checks nesting depth but not the JSON's validity, which the
// decoder checks after it.
func scanShape(data []byte) (shape, error) {
	var s shape
	type level struct {
		object, expectKey, results bool
	}
	var stack [maxNesting + 1]level
	depth := 0
	inResults := 0 // depth of the results array's elements (0: not inside it)
	var key []byte // the last key read at depth 1
	inScalar := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			inScalar = false
			continue
		case '"':
			inScalar = false
			start := i + 1
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth > 0 && stack[depth].object && stack[depth].expectKey {
				if depth == 1 {
					key = data[start:min(i, len(data))]
				}
				continue
			}
			s.countValue(depth, inResults)
			continue
		case '{', '[':
			inScalar = false
			s.countValue(depth, inResults)
			if depth == maxNesting {
				return s, fmt.Errorf("not a writebench result set: arrays and objects nested more than %d deep (at byte %d)", maxNesting, i)
			}
			depth++
			stack[depth] = level{object: c == '{', expectKey: c == '{'}
			if c == '[' && depth == 2 && stack[1].object && resultsKey(key) {
				stack[depth].results = true
				inResults = depth
			}
			continue
		case '}', ']':
			inScalar = false
			if depth > 0 {
				if stack[depth].results {
					inResults = 0
				}
				depth--
			}
			continue
		case ':':
			inScalar = false
			stack[depth].expectKey = false
			continue
		case ',':
			inScalar = false
			if stack[depth].object {
				stack[depth].expectKey = true
			}
			continue
		}
		if !inScalar {
			inScalar = true
			s.countValue(depth, inResults)
		}
	}
	return s, nil
}

// countValue counts a value starting at depth: a result when it is an
// element of the results array, a value anywhere else.
func (s *shape) countValue(depth, inResults int) {
	if inResults != 0 && depth == inResults {
		s.cells++
		return
	}
	s.values++
}

// resultsKey reports whether the raw (still escaped) object key may name
// Set.Results as encoding/json matches it: case-insensitively, with
// Unicode folding ("RESULTS", "reſults"), or through escapes, which are
// taken to match.
func resultsKey(key []byte) bool {
	return bytes.EqualFold(key, []byte("results")) || bytes.IndexByte(key, '\\') >= 0
}
