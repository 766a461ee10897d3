package external

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// A writer whose scripts are built in is identified by their content: a
// file of the same name in the current directory changes nothing, another
// built-in script changes the identity.
func TestIdentityOfBuiltInSources(t *testing.T) {
	mk := func(script string) *Exec {
		e, err := NewExec("py-x", "python3 writers/x.py")
		if err != nil {
			t.Fatal(err)
		}
		e.Sources = fstest.MapFS{"writers/x.py": {Data: []byte(script)}}
		return e
	}
	a, b, c := mk("print(1)\n"), mk("print(1)\n"), mk("print(2)\n")
	if a.Identity() != b.Identity() {
		t.Fatalf("same sources, different identities:\n%s\n%s", a.Identity(), b.Identity())
	}
	if a.Identity() == c.Identity() {
		t.Fatalf("different sources, one identity: %s", a.Identity())
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "writers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "writers", "x.py"), []byte("planted"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if got := mk("print(1)\n").Identity(); got != a.Identity() {
		t.Fatalf("a file in the current directory changed the identity:\n%s\n%s", got, a.Identity())
	}
}
