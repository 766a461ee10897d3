package report

import (
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
)

// flagText renders msg, wording that names configuration fields as
// {field}, with each field as the flag a reader types ("--budget").
func flagText(msg string) string { return textfmt.FieldRefs(msg, resultset.FlagRef) }
