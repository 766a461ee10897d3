package summary

import "testing"

func TestStatCI(t *testing.T) {
	six := newStat([]float64{6, 1, 5, 2, 4, 3})
	if !six.HasCI || six.Median != 3.5 || six.Lo > 3.5 || six.Hi < 3.5 {
		t.Errorf("6 samples: %+v, want median 3.5 with an interval", six)
	}
	five := newStat([]float64{1, 2, 3, 4, 5})
	if five.HasCI || five.Median != 3 || five.N != 5 {
		t.Errorf("5 samples: %+v, want median 3 and no interval", five)
	}
	if st := newStat([]float64{1, -1}); st.OK() {
		t.Errorf("negative sample (unavailable) gave %+v", st)
	}
	in := []float64{3, 1, 2}
	newStat(in)
	if in[0] != 3 {
		t.Error("newStat sorted its input in place")
	}
}
