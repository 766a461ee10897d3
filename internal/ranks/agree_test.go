package ranks

import (
	"context"
	"errors"
	"testing"
)

func TestSettingsRoundTripAndDiff(t *testing.T) {
	root := []Setting{{Field: "version", Value: "v1"}, {Field: "repeat", Value: "3"}, {Field: "exec", Value: "w: argv=[\"a b\"]\n\"quoted\""}}
	if got := decodeSettings(encodeSettings(root)); len(got) != len(root) || got[2] != root[2] {
		t.Fatalf("round trip: %q, want %q", got, root)
	}
	if _, _, _, ok := diffSettings(root, root); ok {
		t.Error("equal settings differ")
	}
	for _, tc := range []struct {
		name        string
		mine        []Setting
		field, a, b string
	}{
		{"a value", []Setting{root[0], {Field: "repeat", Value: "5"}, root[2]}, "repeat", "5", "3"},
		{"a setting rank 0 lacks", append(append([]Setting{}, root...), Setting{Field: "dry_run", Value: "true"}), "dry_run", "true", ""},
		{"a setting this rank lacks", root[:2], "exec", "", root[2].Value},
	} {
		field, a, b, ok := diffSettings(tc.mine, root)
		if !ok || field != tc.field || a != tc.a || b != tc.b {
			t.Errorf("%s: diff = %q %q %q %v, want %q %q %q", tc.name, field, a, b, ok, tc.field, tc.a, tc.b)
		}
	}
}

// A field that repeats (one "exec" per writer) is compared occurrence by
// occurrence: two writers agree with the same two writers, and differ
// when the second one does.
func TestDiffRepeatedField(t *testing.T) {
	two := []Setting{{Field: "exec", Value: "a: x"}, {Field: "exec", Value: "b: y"}}
	if field, a, b, ok := diffSettings(two, two); ok {
		t.Fatalf("equal repeated settings differ: %q %q %q", field, a, b)
	}
	other := []Setting{two[0], {Field: "exec", Value: "b: z"}}
	if field, a, b, ok := diffSettings(other, two); !ok || field != "exec" || a != "b: z" || b != "b: y" {
		t.Fatalf("diff = %q %q %q %v, want exec \"b: z\" \"b: y\"", field, a, b, ok)
	}
}

// TestAgreeConfigSingleProcess: with one rank there is nothing to agree
// on: the rank's own error comes back unchanged.
func TestAgreeConfigSingleProcess(t *testing.T) {
	g := NewGroup(nil)
	boom := &ConfigError{Field: "dir", Msg: "missing"}
	if err := g.AgreeConfig(context.Background(), boom, nil); !errors.Is(err, boom) {
		t.Errorf("AgreeConfig(boom) = %v", err)
	}
	if err := g.AgreeConfig(context.Background(), nil, []Setting{{Field: "repeat", Value: "3"}}); err != nil {
		t.Errorf("AgreeConfig(nil) = %v", err)
	}
}
