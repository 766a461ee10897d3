package textfmt

import "testing"

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n         int
		want, end string
	}{{0, "0 cells", "s"}, {1, "1 cell", ""}, {2, "2 cells", "s"}, {12, "12 cells", "s"}} {
		if got := Plural(tc.n, "cell"); got != tc.want {
			t.Errorf("Plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if got := PluralS(tc.n); got != tc.end {
			t.Errorf("PluralS(%d) = %q, want %q", tc.n, got, tc.end)
		}
	}
}
