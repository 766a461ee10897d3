package textfmt

import "testing"

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		sec  float64
		want string
	}{
		{0, "0s"}, {3e-8, "30.0ns"}, {0.00012, "120µs"}, {0.0012, "1.20ms"}, {0.0999, "99.9ms"},
		{1.5, "1.50s"}, {12.34, "12.3s"}, {1234, "1234s"}, {-0.002, "-2.00ms"},
	} {
		if got := Duration(tc.sec); got != tc.want {
			t.Errorf("Duration(%g) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}
