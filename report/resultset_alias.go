package report

import "github.com/writebench/writebench/resultset"

// The result-set schema lives in report/resultset, which has no rendering
// dependencies; these aliases let renderers and older callers keep saying
// report.Set.
type (
	Set   = resultset.Set
	Env   = resultset.Env
	Cell  = resultset.Cell
	Param = resultset.Param
)

// Schema constants and functions, re-exported from resultset.
const (
	SchemaVersion = resultset.SchemaVersion
	Tool          = resultset.Tool
)

var (
	Load            = resultset.Load
	Decode          = resultset.Decode
	Save            = resultset.Save
	WriteFileAtomic = resultset.WriteFileAtomic
	FormatBytes     = resultset.FormatBytes
	FormatIEC       = resultset.FormatIEC
	formatSig       = resultset.FormatSig
	formatPercent   = resultset.FormatPercent
)
