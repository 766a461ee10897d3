package report

import (
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// writeTable renders header and rows as a text table (markdown false) or a
// GitHub-flavoured Markdown table (markdown true). Callers format numbers
// themselves; every row cell is escaped for the format (escapeText or
// escapeMarkdown), since cells carry text from result sets. This is the
// only file that imports tablewriter.
func writeTable(w io.Writer, header []string, rows [][]string, markdown bool) error {
	if markdown {
		rows = escapeRows(rows, escapeMarkdown)
	} else {
		rows = escapeRows(rows, escapeText)
	}
	return writeTableRaw(w, header, rows, markdown)
}

// writeTableRaw is writeTable for rows whose cells the caller has already
// escaped (a Markdown code span must not be escaped twice).
func writeTableRaw(w io.Writer, header []string, rows [][]string, markdown bool) error {
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header(header)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	return t.Render()
}
