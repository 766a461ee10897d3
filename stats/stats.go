// Package stats holds writebench's pure statistics: medians and their
// confidence intervals, the paired-ratio interval behind the verdicts, the
// Mann–Whitney U distribution and the two-sample Hodges–Lehmann ratio
// interval behind compare, and the Holm and Bonferroni corrections.
//
// Everything here is distribution-free (no normality is assumed: write
// times are skewed and have outliers) and deterministic (no resampling, no
// random numbers), so the same samples always give the same numbers. It
// depends on the standard library and golang.org/x/perf/benchmath only, so
// the runner can use it without linking any renderer.
//
// Inputs are plain float64 slices in any unit; functions that sort copy
// first and never modify their arguments.
package stats

import (
	"math"
	"slices"
	"sort"

	"golang.org/x/perf/benchmath"
)

// Median returns the median of xs (the mean of the two middle values for an
// even count), or NaN for an empty slice. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MedianCI summarizes xs by its median and a distribution-free confidence
// interval of the median at the given confidence (golang.org/x/perf
// benchmath.AssumeNothing, the same as benchstat). ok is false when there are
// too few values for an interval at that confidence (benchmath needs at
// least 6 at 95%); lo and hi are then 0. xs is not modified.
func MedianCI(xs []float64, confidence float64) (median, lo, hi float64, ok bool) {
	if len(xs) == 0 {
		return math.NaN(), 0, 0, false
	}
	s := benchmath.NewSample(slices.Clone(xs), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	ok = len(sum.Warnings) == 0 && !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0)
	if !ok {
		return sum.Center, 0, 0, false
	}
	return sum.Center, sum.Lo, sum.Hi, true
}

// MannWhitneyP is the two-sided p-value of the Mann–Whitney U test that a
// and b come from the same distribution (benchmath.AssumeNothing.Compare).
// A test that cannot be computed (e.g. every value equal) gives 1. a and b
// are not modified.
func MannWhitneyP(a, b []float64) float64 {
	sa := benchmath.NewSample(slices.Clone(a), &benchmath.DefaultThresholds)
	sb := benchmath.NewSample(slices.Clone(b), &benchmath.DefaultThresholds)
	return benchmath.AssumeNothing.Compare(sa, sb).P
}

// MinMannWhitneyP is the smallest two-sided p-value the Mann–Whitney U test
// can give for samples of m and n values (completely separated samples):
// with 4+4 it is 0.029, so alpha 0.05 is reachable; with 3+3 it is 0.1.
func MinMannWhitneyP(m, n int) float64 {
	if m <= 0 || n <= 0 {
		return 1
	}
	if m*n > exactPairs {
		return min(1, 2*uNormalCDF(m, n, 0))
	}
	return min(1, 2*UCDF(m, n)[0])
}

// exactPairs is the most pairs m·n for which UCDF is exact; above it, it
// is the normal approximation uNormalCDF.
const exactPairs = 10000

// maxPairs is the most pairs TwoSampleRatioCI lists and sorts (8 MiB);
// above it, it selects the order statistics by counting (selectRatios).
const maxPairs = 1 << 20

// uNormalCDF is the normal approximation, with continuity correction, of
// P(U <= u) for samples of m and n values.
func uNormalCDF(m, n, u int) float64 {
	mn := float64(m) * float64(n)
	mu := mn / 2
	sd := math.Sqrt(mn * float64(m+n+1) / 12)
	return 0.5 * math.Erfc(-(float64(u)+0.5-mu)/(sd*math.Sqrt2))
}

// selectRatios returns the i-th and j-th smallest (from 1) of the
// len(base)·len(new) ratios Ratio(new[q], base[p]) without listing them:
// the smallest ratio t with at least i ratios <= t is found by bisection
// over the ordered bit patterns of non-negative float64s, counting the
// ratios <= t in O(len(base)·log len(new)) each time. ok is false when a
// value is negative or NaN.
func selectRatios(base, new []float64, i, j int) (ri, rj float64, ok bool) {
	xs := slices.Clone(new)
	for _, v := range xs {
		if !(v >= 0) {
			return 0, 0, false
		}
	}
	for _, v := range base {
		if !(v >= 0) {
			return 0, 0, false
		}
	}
	slices.Sort(xs)
	zeros, _ := slices.BinarySearch(xs, math.SmallestNonzeroFloat64) // values == 0
	count := func(t float64) int {
		c := 0
		for _, b := range base {
			if b == 0 {
				if t >= 1 {
					c += zeros // 0/0 = 1
				}
				if math.IsInf(t, 1) {
					c += len(xs) - zeros // x/0 = +Inf
				}
				continue
			}
			c += sort.Search(len(xs), func(q int) bool { return xs[q]/b > t })
		}
		return c
	}
	kth := func(k int) float64 {
		lo, hi := uint64(0), math.Float64bits(math.Inf(1)) // count(hi) >= k
		for lo < hi {
			mid := lo + (hi-lo)/2
			if count(math.Float64frombits(mid)) >= k {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return math.Float64frombits(lo)
	}
	return kth(i), kth(j), true
}

// Ratio is x/y with 0/0 = 1 and x/0 = +Inf, so ratios of measurements that
// can be zero stay ordered.
func Ratio(x, y float64) float64 {
	switch {
	case y == 0 && x == 0:
		return 1
	case y == 0:
		return math.Inf(1)
	}
	return x / y
}

// TwoSampleRatioCI returns the distribution-free confidence interval of the
// ratio new/base of two independent samples and its actual confidence: the
// Hodges–Lehmann/Moses interval. All len(base)×len(new) pairwise ratios
// new[j]/base[i] are sorted and the interval is [r(k), r(mn+1-k)], where k
// is the largest order with P(U <= k-1) <= (1-confidence)/2 under the exact
// Mann–Whitney U distribution (UCDF). The actual confidence is at least the
// requested one (97.1% for 4+4 values when 95% is asked). The bounds are 0
// and +Inf (confidence 0) when the samples are too few, and NaN when either
// is empty.
func TwoSampleRatioCI(base, new []float64, confidence float64) (lo, hi, actual float64) {
	m, n := len(base), len(new)
	if m == 0 || n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	k, actual := UOrder(m, n, (1-confidence)/2)
	if k == 0 {
		return 0, math.Inf(1), 0
	}
	if m*n > maxPairs {
		// Too many pairs to list: select the two order statistics by
		// counting instead, in memory proportional to m + n.
		lo, hi, ok := selectRatios(base, new, k, m*n+1-k)
		if !ok {
			return math.NaN(), math.NaN(), 0
		}
		return lo, hi, actual
	}
	r := make([]float64, 0, m*n)
	for _, b := range base {
		for _, x := range new {
			r = append(r, Ratio(x, b))
		}
	}
	sort.Float64s(r)
	return r[k-1], r[m*n-k], actual
}

// UOrder returns the largest k >= 1 with P(U <= k-1) <= tail under the null
// distribution of the Mann–Whitney U statistic for samples of m and n, and
// the two-sided confidence 1 - 2·P(U <= k-1). It returns 0, 0 when even
// k = 1 exceeds tail.
func UOrder(m, n int, tail float64) (int, float64) {
	if m*n > exactPairs {
		// The normal approximation is monotone in u: search it instead of
		// listing m·n/2 values.
		half := m * n / 2
		if uNormalCDF(m, n, 0) > tail {
			return 0, 0
		}
		lo, hi := 0, half // uNormalCDF(lo) <= tail
		for lo < hi {
			mid := lo + (hi-lo+1)/2
			if uNormalCDF(m, n, mid) <= tail {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo + 1, 1 - 2*uNormalCDF(m, n, lo)
	}
	cdf := UCDF(m, n)
	k := 0
	for u := 0; u < len(cdf) && cdf[u] <= tail; u++ {
		k = u + 1
	}
	if k == 0 {
		return 0, 0
	}
	return k, 1 - 2*cdf[k-1]
}

// UCDF returns P(U <= u) for u = 0..m·n/2 under the null hypothesis (no
// ties) for the Mann–Whitney U statistic of samples of m and n values. It is
// exact up to 10000 pairs, from the recurrence
// N(i, j, u) = N(i-1, j, u-j) + N(i, j-1, u) on the number of rank orders
// (additions only, so it stays accurate), and a normal approximation with
// continuity correction above, where it is accurate to well under 0.1% of
// the order statistic. m and n must be positive.
func UCDF(m, n int) []float64 {
	mn := m * n
	half := mn / 2
	cdf := make([]float64, half+1)
	if mn > exactPairs {
		for u := range cdf {
			cdf[u] = uNormalCDF(m, n, u)
		}
		return cdf
	}
	// prev[j][u] = N(i-1, j, u), cur[j][u] = N(i, j, u), for u <= half.
	prev := make([][]float64, n+1)
	cur := make([][]float64, n+1)
	for j := range prev {
		prev[j] = make([]float64, half+1)
		cur[j] = make([]float64, half+1)
		prev[j][0] = 1 // N(0, j, 0) = 1
	}
	for i := 1; i <= m; i++ {
		clear(cur[0])
		cur[0][0] = 1 // N(i, 0, 0) = 1
		for j := 1; j <= n; j++ {
			for u := 0; u <= half; u++ {
				v := cur[j-1][u]
				if u >= j {
					v += prev[j][u-j]
				}
				cur[j][u] = v
			}
		}
		prev, cur = cur, prev
	}
	counts := prev[n]
	total := 1.0 // C(m+n, m)
	for i := 1; i <= m; i++ {
		total = total * float64(n+i) / float64(i)
	}
	acc := 0.0
	for u := range cdf {
		acc += counts[u]
		cdf[u] = acc / total
	}
	return cdf
}

// Holm returns the Holm–Bonferroni adjusted p-values of ps: the k-th
// smallest of the m valid p-values is multiplied by m-k+1, capped at 1 and
// made monotone, so rejecting every hypothesis whose adjusted p is below
// alpha keeps the chance of any false rejection at alpha. NaN entries are
// not tested: they stay NaN and do not count in m. ps is not modified.
func Holm(ps []float64) []float64 {
	out := slices.Clone(ps)
	var idx []int
	for i, p := range ps {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	m, running := len(idx), 0.0
	for k, i := range idx {
		running = max(running, min(1, float64(m-k)*ps[i]))
		out[i] = running
	}
	return out
}

// Bonferroni returns the per-comparison confidence that makes m intervals at
// once hold with probability at least confidence: 1 - (1-confidence)/m. It
// is also the guard against optional stopping: a sampler that looks at the
// data at most L times and stops at the first decided look keeps its error
// rate at 1-confidence when every look uses Bonferroni(confidence, L).
// m < 1 counts as 1.
func Bonferroni(confidence float64, m int) float64 {
	if m < 1 {
		m = 1
	}
	return 1 - (1-confidence)/float64(m)
}

// RatioInterval estimates the typical ratio from per-round paired ratios
// (each > 0) with a distribution-free two-sided interval at the given
// confidence; ok is false when there are too few pairs for one.
//
// Method: the estimate is the median of the ratios (the geometric mean of
// the two middle ones for an even count, i.e. the median of the
// log-ratios), and the interval is the sign-test (binomial order-statistic)
// interval for that median: with n ratios sorted, [r(k), r(n+1-k)] where k
// is the largest order with P(B <= k-1) <= (1-confidence)/2 for
// B ~ Binomial(n, 1/2) (SignOrder). Why this one:
//
//   - It assumes nothing about the shape of the ratios beyond independence
//     between rounds: write-time ratios are skewed and have outliers (a
//     writeback burst lands in one cell of a round), so a t interval or
//     Hodges–Lehmann on Walsh averages (which assumes symmetry and is
//     narrower for it) could be wrong in the direction that matters, a
//     declared winner that is not.
//   - Its coverage is exact (at least the requested confidence) for any
//     sample size, with no resampling: the same data always give the same
//     interval. Its price is width and a minimum sample: 6 pairs at 95%,
//     8 at 99%.
//   - Ratios are scale-free: the median of ratios does not change when both
//     cells are re-expressed as speeds instead of times (1/r), which is why
//     the interval of 1/r is exactly [1/hi, 1/lo].
//
// Serial dependence: the sign test assumes the rounds independent, and
// under drift they are not (a slow stretch of the machine can favour one
// side for several rounds in a row), which makes an interval too narrow.
// The ratios are taken in round order, and the interval is widened, on
// the log scale around the estimate, by the square root of the variance
// inflation the rounds show (SerialInflation: batch means over blocks of
// about √n consecutive rounds, from 16 rounds on), never beyond the range
// of the ratios; when the blocks vary no more than independent rounds
// would, or there are fewer than 16 rounds, the interval is the plain
// sign-test one.
//
// Ratios that are not finite and positive are invalid: est is NaN and ok
// false. With no ratios est is NaN. When ok is false lo is 0 and hi +Inf.
func RatioInterval(ratios []float64, confidence float64) (est, lo, hi float64, ok bool) {
	est, lo, hi, ok = signRatioInterval(ratios, confidence)
	if !ok {
		return est, lo, hi, ok
	}
	logs := make([]float64, len(ratios))
	for i, r := range ratios {
		logs[i] = math.Log(r)
	}
	if f := math.Sqrt(SerialInflation(logs)); f > 1 {
		// Never beyond the rounds seen: the widest interval the ratios
		// themselves support is their range.
		lo = max(est*math.Pow(lo/est, f), slices.Min(ratios))
		hi = min(est*math.Pow(hi/est, f), slices.Max(ratios))
	}
	return est, lo, hi, ok
}

// SerialInflation estimates how much more a mean of xs (in their order)
// varies than it would if the values were independent: the batch-means
// estimate m·Var(block means)/Var(xs) over b blocks of m = ⌊√n⌋
// consecutive values (the first b·m values), at least 1. It is 1 when
// there are fewer than 4 blocks of at least 4 values (n < 16: the
// variance of so few block means is itself too noisy to widen by) or no
// variance.
func SerialInflation(xs []float64) float64 {
	n := len(xs)
	m := int(math.Sqrt(float64(n)))
	if m < 4 || n/m < 4 {
		return 1
	}
	b := n / m
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	variance := func(v []float64) float64 {
		mu, s := mean(v), 0.0
		for _, x := range v {
			s += (x - mu) * (x - mu)
		}
		return s / float64(len(v)-1)
	}
	all := variance(xs[:b*m])
	if !(all > 0) {
		return 1
	}
	means := make([]float64, b)
	for i := range b {
		means[i] = mean(xs[i*m : (i+1)*m])
	}
	return max(1, float64(m)*variance(means)/all)
}

// signRatioInterval is RatioInterval without the serial widening.
func signRatioInterval(ratios []float64, confidence float64) (est, lo, hi float64, ok bool) {
	if len(ratios) == 0 {
		return math.NaN(), 0, math.Inf(1), false
	}
	for _, r := range ratios {
		if !(r > 0) || math.IsInf(r, 1) {
			return math.NaN(), 0, math.Inf(1), false
		}
	}
	// Sorting the ratios sorts their logs: the bounds are ratios themselves.
	rs := slices.Clone(ratios)
	sort.Float64s(rs)
	n := len(rs)
	if n%2 == 1 {
		est = rs[n/2]
	} else {
		est = math.Sqrt(rs[n/2-1]) * math.Sqrt(rs[n/2])
	}
	k, _ := SignOrder(n, confidence)
	if k == 0 {
		return est, 0, math.Inf(1), false
	}
	return est, rs[k-1], rs[n-k], true
}

// SignOrder returns the order k of the sign-test confidence interval of a
// median from n values, [x(k), x(n+1-k)] of the sorted values: the largest
// k >= 1 with P(B <= k-1) <= (1-confidence)/2 for B ~ Binomial(n, 1/2), and
// the interval's actual two-sided confidence 1 - 2·P(B <= k-1). It returns
// 0, 0 when n is too small for the confidence (n < 6 at 95%).
func SignOrder(n int, confidence float64) (k int, actual float64) {
	if n <= 0 || !(confidence > 0 && confidence < 1) {
		return 0, 0
	}
	tail := (1 - confidence) / 2
	cdf := 0.0
	for j := 0; j <= n/2; j++ {
		next := cdf + binomHalfPMF(n, j)
		if next > tail*(1+1e-12) {
			break
		}
		cdf = next
		k = j + 1
	}
	if k == 0 {
		return 0, 0
	}
	return k, 1 - 2*cdf
}

// MinPairs is the fewest values for which SignOrder gives an interval at
// the given confidence (6 at 95%, 7 at 97.5%, 8 at 99%). It returns 0 for a
// confidence outside (0, 1).
func MinPairs(confidence float64) int {
	if !(confidence > 0 && confidence < 1) {
		return 0
	}
	n := 1
	for math.Pow(0.5, float64(n-1)) > (1-confidence)*(1+1e-12) {
		n++
	}
	return n
}

// binomHalfPMF is P(B = j) for B ~ Binomial(n, 1/2), via log-gamma so large
// n does not underflow to zero before the sum matters.
func binomHalfPMF(n, j int) float64 {
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	return math.Exp(lg(n) - lg(j) - lg(n-j) - float64(n)*math.Ln2)
}
