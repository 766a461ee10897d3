// Package summary derives, from saved result sets, what every writebench
// renderer shows: the per-cell Summary (medians and 95% intervals of each
// metric, anchored to the comparison group's fastest by paired per-round
// ratios), the Winners of each (files, size, sync) workload, the KnobView
// of the parameters that tell cells apart, and each set's Verdicts with the
// Standing of every contender.
//
// The tables of package report and the charts of package charts both read
// these, so the two cannot disagree. Nothing here writes output.
package summary
