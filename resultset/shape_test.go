package resultset

import (
	"strings"
	"testing"
)

// TestScanShapeCountsResults: results are counted under every key name
// encoding/json would decode into Set.Results (any case, Unicode folding,
// escapes), values everywhere else (the top-level object and the results
// array included, strings holding quotes and brackets once), and nesting
// beyond maxNesting is refused.
func TestScanShapeCountsResults(t *testing.T) {
	empties := strings.Repeat("{},", 999) + "{}"
	for _, tt := range []struct {
		name        string
		doc         string
		cells, vals int64
	}{
		{"plain", `{"results":[` + empties + `]}`, 1000, 2},
		{"upper", `{"RESULTS":[` + empties + `]}`, 1000, 2},
		{"long s", `{"reſults":[` + empties + `]}`, 1000, 2},
		{"escaped", `{"res\u0075lts":[` + empties + `]}`, 1000, 2},
		{"samples", `{"results":[{"seconds":[1,2,3],"strategy":"a \"b\" ]"}]}`, 1, 7},
		{"env", `{"env":{"command":["a","b"]},"results":[]}`, 0, 6},
	} {
		s, err := scanShape([]byte(tt.doc))
		if err != nil || s.cells != tt.cells || s.values != tt.vals {
			t.Errorf("%s: %+v, %v; want %d results and %d values", tt.name, s, err, tt.cells, tt.vals)
		}
	}
	deep := `{"results":` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}`
	if _, err := scanShape([]byte(deep)); err == nil {
		t.Errorf("nesting of %d accepted", maxNesting+1)
	}
}

// TestDecodeRefusesEmptyResultsEarly: a million empty results are refused
// by their count, naming it, under any spelling of the key.
func TestDecodeRefusesEmptyResultsEarly(t *testing.T) {
	body := strings.Repeat("{},", 999_999) + "{}"
	for _, key := range []string{"results", "Results", `re\u0073ults`} {
		_, err := Decode(strings.NewReader(`{"schema":1,"tool":"writebench","` + key + `":[` + body + `]}`))
		if err == nil || !strings.Contains(err.Error(), "1000000 results") {
			t.Errorf("key %s: %v, want a refusal naming 1000000 results", key, err)
		}
	}
}
