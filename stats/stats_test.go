package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSignOrder(t *testing.T) {
	for _, tt := range []struct {
		n      int
		conf   float64
		k      int
		actual float64
	}{
		{5, 0.95, 0, 0},                      // 2/32 = 0.0625 > 0.05: no interval
		{6, 0.95, 1, 1 - 2.0/64},             // [x(1), x(6)]
		{7, 0.95, 1, 1 - 2.0/128},            // P(B<=1) = 8/128 > 0.025
		{8, 0.95, 1, 1 - 2.0/256},            // P(B<=1) = 9/256 > 0.025
		{9, 0.95, 2, 1 - 2*10.0/512},         // P(B<=1) = 10/512 = 0.0195
		{10, 0.95, 2, 1 - 2*11.0/1024},       // P(B<=2) = 56/1024 > 0.025
		{20, 0.95, 6, 1 - 2*21700.0/(1<<20)}, // P(B<=5) = 21700/2^20 = 0.0207
		{7, 0.99, 0, 0},
		{8, 0.99, 1, 1 - 2.0/256},
		{5, 1 - 2.0/32, 1, 1 - 2.0/32}, // a tail exactly at the bound counts
		{0, 0.95, 0, 0},
		{10, 1, 0, 0},
	} {
		k, actual := SignOrder(tt.n, tt.conf)
		if k != tt.k || !near(actual, tt.actual, 1e-9) {
			t.Errorf("SignOrder(%d, %v) = %d, %v; want %d, %v", tt.n, tt.conf, k, actual, tt.k, tt.actual)
		}
		if k > 0 && actual < tt.conf-1e-12 {
			t.Errorf("SignOrder(%d, %v): actual confidence %v below the requested one", tt.n, tt.conf, actual)
		}
	}
}

// The interval order stays right where the binomial terms underflow a naive
// 2^-n computation.
func TestSignOrderLarge(t *testing.T) {
	k, actual := SignOrder(2000, 0.95)
	// Normal approximation: k ≈ n/2 - 1.96·sqrt(n)/2 = 956.2.
	if k < 950 || k > 960 || actual < 0.95 {
		t.Errorf("SignOrder(2000, 0.95) = %d, %v; want k near 956 and confidence >= 0.95", k, actual)
	}
}

func TestMinPairs(t *testing.T) {
	for conf, want := range map[float64]int{0.95: 6, 0.975: 7, 0.99: 8, 0.9: 5, 0.5: 2, 0: 0, 1: 0} {
		if got := MinPairs(conf); got != want {
			t.Errorf("MinPairs(%v) = %d, want %d", conf, got, want)
		}
		if want > 0 {
			if k, _ := SignOrder(want, conf); k == 0 {
				t.Errorf("SignOrder(MinPairs(%v)=%d) gives no interval", conf, want)
			}
			if k, _ := SignOrder(want-1, conf); k != 0 {
				t.Errorf("SignOrder(%d, %v) gives an interval below MinPairs", want-1, conf)
			}
		}
	}
}

func TestRatioInterval(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		name          string
		ratios        []float64
		est, lo, hi   float64
		ok            bool
		wantNaNEstime bool
	}{
		{"six pairs: extremes", []float64{1.2, 0.9, 1.1, 1.0, 1.3, 0.8}, math.Sqrt(1.0 * 1.1), 0.8, 1.3, true, false},
		{"nine pairs: second order statistics", []float64{9, 1, 8, 2, 7, 3, 6, 4, 5}, 5, 2, 8, true, false},
		{"five pairs: too few", []float64{1, 2, 3, 4, 5}, 3, 0, inf, false, false},
		{"empty", nil, math.NaN(), 0, inf, false, true},
		{"zero ratio is invalid", []float64{1, 1, 1, 0, 1, 1}, math.NaN(), 0, inf, false, true},
		{"infinite ratio is invalid", []float64{1, 1, 1, inf, 1, 1}, math.NaN(), 0, inf, false, true},
		{"NaN ratio is invalid", []float64{1, 1, 1, math.NaN(), 1, 1}, math.NaN(), 0, inf, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.ratios)
			est, lo, hi, ok := RatioInterval(tt.ratios, 0.95)
			if tt.wantNaNEstime != math.IsNaN(est) || !tt.wantNaNEstime && !near(est, tt.est, 1e-12) {
				t.Errorf("est = %v, want %v", est, tt.est)
			}
			if ok != tt.ok || lo != tt.lo || hi != tt.hi {
				t.Errorf("interval = [%v, %v] ok=%v, want [%v, %v] ok=%v", lo, hi, ok, tt.lo, tt.hi, tt.ok)
			}
			if !slices.Equal(in, tt.ratios) && !slices.ContainsFunc(in, math.IsNaN) {
				t.Errorf("input was modified: %v", tt.ratios)
			}
		})
	}
}

// The interval of the reciprocal ratios is the reciprocal interval: speeds
// and times give the same verdict.
func TestRatioIntervalReciprocal(t *testing.T) {
	r := []float64{1.31, 1.25, 1.4, 1.28, 1.33, 1.2, 1.5, 1.29, 1.3, 1.27, 1.36}
	inv := make([]float64, len(r))
	for i, x := range r {
		inv[i] = 1 / x
	}
	e1, lo1, hi1, ok1 := RatioInterval(r, 0.95)
	e2, lo2, hi2, ok2 := RatioInterval(inv, 0.95)
	if !ok1 || !ok2 {
		t.Fatal("no interval from 11 pairs")
	}
	if !near(e1*e2, 1, 1e-12) || !near(lo1*hi2, 1, 1e-12) || !near(hi1*lo2, 1, 1e-12) {
		t.Errorf("r: %v [%v, %v]; 1/r: %v [%v, %v]: not reciprocal", e1, lo1, hi1, e2, lo2, hi2)
	}
}

// Coverage: over many simulated experiments with skewed (log-normal, with
// occasional outliers) ratios around a known median, the 95% interval holds
// the true median at least ~95% of the time. Seeded, so deterministic.
func TestRatioIntervalCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials = 2000
	for _, n := range []int{6, 10, 25} {
		const truth = 1.2
		hits := 0
		for range trials {
			rs := make([]float64, n)
			for i := range rs {
				e := rng.NormFloat64() * 0.1
				if rng.IntN(10) == 0 { // a writeback burst in one cell of the round
					e = math.Abs(e) * 8
				}
				rs[i] = truth * math.Exp(e)
			}
			_, lo, hi, ok := RatioInterval(rs, 0.95)
			if !ok {
				t.Fatalf("n=%d: no interval", n)
			}
			if lo <= trueMedian(truth) && trueMedian(truth) <= hi {
				hits++
			}
		}
		cov := float64(hits) / trials
		// Binomial noise on 2000 trials at p=0.95 is ±0.5%; the interval's
		// guaranteed confidence is >= 95% (96.9% at n=6).
		if cov < 0.94 {
			t.Errorf("n=%d: coverage %.3f, want >= 0.95", n, cov)
		}
	}
}

// trueMedian is the median of truth·exp(E) where E is N(0, 0.1²) with
// probability 0.9 and 8·|N(0, 0.1²)| with probability 0.1, found by
// bisection on the mixture's distribution function.
func trueMedian(truth float64) float64 {
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	cdf := func(e float64) float64 {
		c := 0.9 * phi(e/0.1)
		if e > 0 {
			c += 0.1 * (2*phi(e/0.8) - 1)
		}
		return c
	}
	lo, hi := -1.0, 1.0
	for range 100 {
		mid := (lo + hi) / 2
		if cdf(mid) < 0.5 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return truth * math.Exp(lo)
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		in := slices.Clone(tt.in)
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("Median modified its input")
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestMedianCI(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 6}
	m, lo, hi, ok := MedianCI(xs, 0.95)
	if !ok || m != 3.5 || lo != 1 || hi != 6 {
		t.Errorf("MedianCI(6 values) = %v [%v, %v] %v; want 3.5 [1, 6] true", m, lo, hi, ok)
	}
	if xs[0] != 5 {
		t.Error("MedianCI sorted its input")
	}
	if m, _, _, ok := MedianCI([]float64{1, 2, 3}, 0.95); ok || m != 2 {
		t.Errorf("MedianCI(3 values) = %v, %v; want 2 without interval", m, ok)
	}
}

// UCDF against brute-force enumeration of every rank order.
func TestUCDF(t *testing.T) {
	for _, mn := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {4, 4}, {3, 5}, {5, 2}} {
		m, n := mn[0], mn[1]
		counts := map[int]int{}
		total := 0
		// Choose which m of the m+n ranks belong to the first sample.
		for mask := 0; mask < 1<<(m+n); mask++ {
			if popcount(mask) != m {
				continue
			}
			total++
			u, seen := 0, 0 // U = pairs (x, y) with x < y: for each y, x's ranked below it
			for r := 0; r < m+n; r++ {
				if mask&(1<<r) != 0 {
					seen++
				} else {
					u += seen
				}
			}
			counts[u]++
		}
		cdf := UCDF(m, n)
		acc := 0
		for u := range cdf {
			acc += counts[u]
			if want := float64(acc) / float64(total); !near(cdf[u], want, 1e-12) {
				t.Errorf("UCDF(%d, %d)[%d] = %v, want %v", m, n, u, cdf[u], want)
			}
		}
	}
}

// The exact distribution at the largest exact size (100+100) is close to
// the normal approximation used above it, near the 2.5% tail, and so is
// the approximation just above it.
func TestUCDFNormalApproximation(t *testing.T) {
	exact := UCDF(100, 100)
	if last := exact[len(exact)-1]; !(last > 0.5 && last < 0.501) {
		t.Errorf("P(U <= mn/2) = %v, want just over 0.5", last)
	}
	for _, mn := range [][2]int{{100, 100}, {101, 100}} {
		m, n := float64(mn[0]), float64(mn[1])
		k, _ := UOrder(mn[0], mn[1], 0.025)
		mu, sd := m*n/2, math.Sqrt(m*n*(m+n+1)/12)
		if normal := mu - 1.959964*sd; math.Abs(float64(k)-normal) > 2 {
			t.Errorf("%v: order %d, normal approximation %.1f", mn, k, normal)
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestMinMannWhitneyP(t *testing.T) {
	for _, tt := range []struct {
		m, n int
		want float64
	}{{4, 4, 2.0 / 70}, {3, 3, 0.1}, {0, 5, 1}, {1, 1, 1}} {
		if got := MinMannWhitneyP(tt.m, tt.n); !near(got, tt.want, 1e-12) {
			t.Errorf("MinMannWhitneyP(%d, %d) = %v, want %v", tt.m, tt.n, got, tt.want)
		}
	}
}

func TestMannWhitneyP(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5}
	b := []float64{6, 7, 8, 9, 10}
	if p := MannWhitneyP(a, b); !near(p, 2.0/252, 1e-9) {
		t.Errorf("separated 5+5: p = %v, want %v", p, 2.0/252)
	}
	if a[0] != 1 || b[4] != 10 {
		t.Error("inputs modified")
	}
	if p := MannWhitneyP([]float64{1, 3, 5, 7}, []float64{2, 4, 6, 8}); p < 0.5 {
		t.Errorf("interleaved 4+4: p = %v, want large", p)
	}
}

func TestTwoSampleRatioCI(t *testing.T) {
	base := []float64{10, 11, 9, 10.5}
	new := []float64{15, 16, 14, 15.5}
	lo, hi, actual := TwoSampleRatioCI(base, new, 0.95)
	// k = 1 for 4+4 (P(U<=0) = 1/70 <= 0.025, P(U<=1) = 2/70 > 0.025): the
	// extreme pairwise ratios.
	if !near(lo, 14.0/11, 1e-12) || !near(hi, 16.0/9, 1e-12) || !near(actual, 1-2.0/70, 1e-12) {
		t.Errorf("4+4: [%v, %v] at %v; want [%v, %v] at %v", lo, hi, actual, 14.0/11, 16.0/9, 1-2.0/70)
	}
	if lo, hi, a := TwoSampleRatioCI([]float64{1, 2}, []float64{3}, 0.95); lo != 0 || !math.IsInf(hi, 1) || a != 0 {
		t.Errorf("2+1: [%v, %v] at %v; want [0, +Inf] at 0", lo, hi, a)
	}
	if lo, _, _ := TwoSampleRatioCI(nil, []float64{3}, 0.95); !math.IsNaN(lo) {
		t.Error("empty base: want NaN")
	}
}

func TestHolm(t *testing.T) {
	nan := math.NaN()
	got := Holm([]float64{0.01, nan, 0.04, 0.03, 0.5})
	want := []float64{0.04, nan, 0.09, 0.09, 0.5} // m=4: 0.01·4, 0.03·3, max(0.04·2, 0.09), 0.5
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || !math.IsNaN(want[i]) && !near(got[i], want[i], 1e-12) {
			t.Errorf("Holm[%d] = %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

func TestBonferroni(t *testing.T) {
	for _, tt := range []struct {
		conf float64
		m    int
		want float64
	}{{0.95, 1, 0.95}, {0.95, 5, 0.99}, {0.95, 0, 0.95}, {0.9, 4, 0.975}} {
		if got := Bonferroni(tt.conf, tt.m); !near(got, tt.want, 1e-12) {
			t.Errorf("Bonferroni(%v, %d) = %v, want %v", tt.conf, tt.m, got, tt.want)
		}
	}
}

func TestRatio(t *testing.T) {
	if Ratio(0, 0) != 1 || !math.IsInf(Ratio(1, 0), 1) || Ratio(3, 2) != 1.5 {
		t.Error("Ratio special cases wrong")
	}
}

// Rounds that drift together (an AR(1) series with correlation 0.8) vary
// in blocks far more than independent ones: the inflation is large and the
// interval wider than the sign test's; independent rounds keep about the
// plain interval.
func TestSerialInflation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var iid, ar []float64
	x := 0.0
	for range 100 {
		e := rng.NormFloat64() * 0.05
		iid = append(iid, math.Exp(e))
		x = 0.8*x + e
		ar = append(ar, math.Exp(x))
	}
	logs := func(rs []float64) []float64 {
		out := make([]float64, len(rs))
		for i, r := range rs {
			out[i] = math.Log(r)
		}
		return out
	}
	if f := SerialInflation(logs(iid)); f > 2 {
		t.Errorf("independent rounds: inflation %.2f, want about 1", f)
	}
	if f := SerialInflation(logs(ar)); f < 3 {
		t.Errorf("correlated rounds: inflation %.2f, want several times 1", f)
	}
	_, plo, phi, _ := signRatioInterval(ar, 0.95)
	_, lo, hi, ok := RatioInterval(ar, 0.95)
	if !ok || !(lo < plo && hi > phi) {
		t.Errorf("correlated rounds: interval [%.3f, %.3f], want wider than the sign test's [%.3f, %.3f]", lo, hi, plo, phi)
	}
	if f := SerialInflation([]float64{1, 2, 3}); f != 1 {
		t.Errorf("3 values: inflation %v, want 1", f)
	}
	if lo < slices.Min(ar) || hi > slices.Max(ar) {
		t.Errorf("correlated rounds: interval [%.3f, %.3f] beyond the ratios' range [%.3f, %.3f]", lo, hi, slices.Min(ar), slices.Max(ar))
	}
	// Fewer than 16 rounds: a drift that halves the speed over 8 rounds
	// keeps the plain sign-test interval (4 block means of 2 rounds are
	// too noisy to widen by).
	short := []float64{1.0, 0.95, 0.9, 0.8, 0.7, 0.65, 0.6, 0.5}
	_, plo, phi, _ = signRatioInterval(short, 0.95)
	if _, lo, hi, _ := RatioInterval(short, 0.95); lo != plo || hi != phi {
		t.Errorf("8 rounds: interval [%.3f, %.3f], want the sign test's [%.3f, %.3f]", lo, hi, plo, phi)
	}
}

// TestSelectRatiosMatchesSorting: the counting selection of large samples
// finds the same order statistics as listing and sorting every ratio,
// zeros (0/0 = 1, x/0 = +Inf) and ties included.
func TestSelectRatiosMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		m, n := 1+rng.IntN(60), 1+rng.IntN(60)
		gen := func(k int) []float64 {
			v := make([]float64, k)
			for i := range v {
				switch rng.IntN(6) {
				case 0:
					v[i] = 0
				case 1:
					v[i] = float64(rng.IntN(4))
				default:
					v[i] = rng.ExpFloat64()
				}
			}
			return v
		}
		base, nw := gen(m), gen(n)
		var all []float64
		for _, b := range base {
			for _, x := range nw {
				all = append(all, Ratio(x, b))
			}
		}
		slices.Sort(all)
		for _, k := range []int{1, 2, len(all) / 3, len(all)/2 + 1, len(all)} {
			if k < 1 {
				continue
			}
			got, _, ok := selectRatios(base, nw, k, k)
			if !ok || got != all[k-1] {
				t.Fatalf("trial %d (%d×%d): order %d = %v (ok %v), sorting gives %v", trial, m, n, k, got, ok, all[k-1])
			}
		}
	}
}

// TestTwoSampleRatioCILargeSamples: samples whose pairs are too many to list
// (200,000 × 200,000) still get an interval, by selection, and it holds
// the true ratio of two samples that differ by a factor of 2.
func TestTwoSampleRatioCILargeSamples(t *testing.T) {
	const n = 200000
	base, nw := make([]float64, n), make([]float64, n)
	for i := range base {
		base[i] = 1 + float64(i%1000)/1000
		nw[i] = 2 * (1 + float64((i*7)%1000)/1000)
	}
	lo, hi, conf := TwoSampleRatioCI(base, nw, 0.95)
	if !(lo <= 2 && 2 <= hi) || conf < 0.95 {
		t.Errorf("interval [%v, %v] at %v, want it to hold 2 at >= 0.95", lo, hi, conf)
	}
}
