package textfmt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flagLike is a command-line flag inside a text: "--chunk", "--no-verify".
var flagLike = regexp.MustCompile(`(^|[^-\w])--[a-z][a-z0-9-]*`)

// allowedFlags are flags of other programs, or whole command lines, that
// library texts may quote: file (relative to the module) and the flag.
var allowedFlags = map[string][]string{
	"internal/fstest/fstest.go": {"--find", "--show", "--detach"}, // losetup's
	"report/page.go":            {"--plots", "--markdown"},        // a writebench command line to copy
}

// TestLibraryTextsNameFields fails when a library package (everything but
// cmd/ and scripts/) writes a command-line flag into a string: library
// messages name fields as {field}, and the command renders them as its
// flags (FieldRefs), so the library never speaks the command's language.
func TestLibraryTextsNameFields(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "cmd" || rel == "scripts" || rel == "results" || rel == "docs" || strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec, *ast.Field: // import paths, struct tags
				return false
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					return true
				}
				for _, m := range flagLike.FindAllStringSubmatch(s, -1) {
					flag := strings.TrimPrefix(m[0], m[1])
					if !allowed(rel, flag) {
						t.Errorf("%s: %q names the flag %s: name the field as {field} (textfmt.FieldRefs)", fset.Position(n.Pos()), s, flag)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func allowed(file, flag string) bool {
	for _, f := range allowedFlags[file] {
		if f == flag {
			return true
		}
	}
	return false
}
