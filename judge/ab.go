package judge

import (
	"math"
	"strings"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
)

// An A/B run (the ab command) measures every cell twice in one sweep, once
// written by BASE and once by NEW, as strategies named "base.X" and "new.X".
// AB pairs the two halves of every cell and judges NEW against BASE from the
// per-round ratios NEW/BASE of the write time (stats.RatioInterval), which
// cancel the drift both halves share.

// ABVerdict is the outcome for one cell of an A/B run.
type ABVerdict string

// The A/B verdicts.
const (
	ABUnpaired     ABVerdict = "unpaired"       // only one side has the cell
	ABFailedBoth   ABVerdict = "failed on both" // failed on both sides
	ABFailedNew    ABVerdict = "failed in new"  // failed in NEW only: a regression
	ABFailedBase   ABVerdict = "failed in base" // failed in BASE only
	ABSkipped      ABVerdict = "skipped"        // skipped on a side
	ABNoVerdict    ABVerdict = "no verdict"     // too few paired rounds for an interval
	ABSlower       ABVerdict = "slower"         // slower beyond the threshold: a regression
	ABSlowerWithin ABVerdict = "slower, within" // significantly slower, by less than the threshold
	ABFaster       ABVerdict = "faster"         // faster beyond the threshold
	ABFasterWithin ABVerdict = "faster, within" // significantly faster, by less than the threshold
	ABSame         ABVerdict = "no significant change"
)

// IsRegression reports whether v fails the A/B run.
func (v ABVerdict) IsRegression() bool { return v == ABSlower || v == ABFailedNew }

// ABCell is the judgement of one cell. Medians are in seconds; Ratio, Lo
// and Hi are NEW/BASE (NaN when not computed).
type ABCell struct {
	Key                   string // the cell's key without the side
	BaseMedian, NewMedian float64
	Pairs                 int // paired rounds
	Ratio, Lo, Hi         float64
	OK                    bool    // an interval was computed
	Confidence            float64 // per-cell confidence used
	Threshold             float64
	Verdict               ABVerdict
	BaseErr, NewErr       string
	BaseSkip, NewSkip     string
}

// ABResult is the judgement of an A/B run.
type ABResult struct {
	Cells      []ABCell
	FailedBoth int     // cells that failed on both sides
	Family     float64 // the confidence asked for, over all tested cells
	Tested     int     // cells with samples on both sides
	Bonferroni bool    // the per-cell confidence is Bonferroni-corrected
}

// Regressions returns the cells whose verdict fails the run.
func (r *ABResult) Regressions() []ABCell {
	var out []ABCell
	for _, c := range r.Cells {
		if c.Verdict.IsRegression() {
			out = append(out, c)
		}
	}
	return out
}

// ABSide splits a cell's strategy "base.chunked" into the side and the key
// of the cell with the side removed ("", "" for a cell of neither side).
func ABSide(c *resultset.Cell) (side, key string) {
	side, name, ok := strings.Cut(c.Strategy, ".")
	if !ok {
		return "", ""
	}
	cc := *c
	cc.Strategy = name
	return side, cc.Key()
}

// AB pairs the base.X and new.X cells of set and judges each, using
// o.Threshold (the smallest slowdown that fails), o.Confidence (over all
// tested cells together, default DefaultConfidence) and o.Correction
// ("bonferroni", the default, or "none": each cell alone).
func AB(set *resultset.Set, o Options) *ABResult {
	type pair struct{ base, new *resultset.Cell }
	pairs := map[string]*pair{}
	var order []string
	for i := range set.Results {
		c := &set.Results[i]
		side, key := ABSide(c)
		p := pairs[key]
		if p == nil {
			p = &pair{}
			pairs[key] = p
			order = append(order, key)
		}
		switch side {
		case "base":
			p.base = c
		case "new":
			p.new = c
		}
	}
	confidence := o.confidence()
	res := &ABResult{Family: confidence, Bonferroni: o.Correction != "none"}
	for _, k := range order {
		p := pairs[k]
		if p.base != nil && p.new != nil && !p.base.Failed() && !p.new.Failed() && p.base.Skipped == "" && p.new.Skipped == "" {
			res.Tested++
		}
	}
	conf := confidence
	if res.Bonferroni {
		conf = stats.Bonferroni(confidence, res.Tested)
	}
	for _, k := range order {
		p := pairs[k]
		c := ABCell{Key: k, Confidence: conf, Threshold: o.Threshold, Ratio: math.NaN()}
		if p.base == nil || p.new == nil {
			c.Verdict = ABUnpaired
		} else {
			c.judge(p.base, p.new)
		}
		if c.Verdict == ABFailedBoth {
			res.FailedBoth++
		}
		res.Cells = append(res.Cells, c)
	}
	return res
}

// judge decides one paired cell.
func (c *ABCell) judge(base, new *resultset.Cell) {
	c.BaseErr, c.NewErr = base.Error, new.Error
	c.BaseSkip, c.NewSkip = base.Skipped, new.Skipped
	switch {
	case c.BaseErr != "" && c.NewErr != "":
		c.Verdict = ABFailedBoth
		return
	case c.NewErr != "":
		c.Verdict = ABFailedNew
		return
	case c.BaseErr != "":
		c.Verdict = ABFailedBase
		return
	case c.BaseSkip != "" || c.NewSkip != "":
		c.Verdict = ABSkipped
		return
	}
	c.BaseMedian, c.NewMedian = stats.Median(base.Seconds), stats.Median(new.Seconds)
	ratios := resultset.PairedRatios(new, base) // NEW/BASE seconds per round
	c.Pairs = len(ratios)
	c.Ratio, c.Lo, c.Hi, c.OK = stats.RatioInterval(ratios, c.Confidence)
	switch {
	case !c.OK:
		c.Verdict = ABNoVerdict
	case c.Lo > 1 && c.Ratio > 1+c.Threshold:
		c.Verdict = ABSlower
	case c.Lo > 1:
		c.Verdict = ABSlowerWithin
	case c.Hi < 1 && c.Ratio < 1/(1+c.Threshold):
		c.Verdict = ABFaster
	case c.Hi < 1:
		c.Verdict = ABFasterWithin
	default:
		c.Verdict = ABSame
	}
}
