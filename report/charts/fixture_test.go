package charts

import (
	"path/filepath"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// loadFixture loads the saved set testdata/NAME.json that the report
// package's renderers are tested on.
func loadFixture(t *testing.T, name string) *resultset.Set {
	t.Helper()
	s, err := resultset.Load(filepath.Join("..", "testdata", name+".json"))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return s
}
