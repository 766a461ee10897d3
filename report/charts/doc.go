// Package charts draws writebench's charts from saved result sets, as PNG
// and SVG files: every metric against every parameter the sets sweep, the
// winner map of the fastest strategy per (files, size) square, and per
// workload the throughput timeline and the write-call latency curve.
//
// Write (or WriteWith, for the PNG resolution) draws every chart a set has
// enough points for into a directory; All lists the charts it can draw,
// with the heading and reading guide the Markdown page shows beside each.
// The numbers drawn come from package summary, the same per-cell summaries
// and verdicts the tables print, so a chart never tells another story than
// the table beside it.
package charts
