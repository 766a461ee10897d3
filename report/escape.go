package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/writebench/writebench/resultset"
)

// Text from a result set (strategy names, errors, environment strings,
// labels made from file names) is untrusted: a set may come from anyone.
// Every renderer passes it through the escape for its format before it is
// written, so it cannot act on a terminal, break a Markdown table or start
// a heading, split a benchfmt line, or run as a spreadsheet formula.

// escapeText makes s safe for a terminal and for one line of a text table:
// control and format characters (escape sequences, newlines, bidi
// overrides) and invalid UTF-8 are shown as Go-style escapes.
func escapeText(s string) string { return resultset.Printable(s) }

// markdownSpecial are the characters that change the meaning of Markdown
// text wherever they stand (emphasis, code, HTML, table cells,
// strikethrough, headings and lists where they start a line, images).
// Brackets are escaped only where they could close a link ("](" or "]["),
// so an interval such as [0.61, 0.67] stays as written.
const markdownSpecial = "\\`*_<>|~#!"

// escapeMarkdown makes s safe as inline Markdown text and as a table cell:
// escapeText first, then every Markdown special character backslash-escaped
// (and a ']' that would end a link text), so the text renders literally.
func escapeMarkdown(s string) string {
	s = escapeText(s)
	if !strings.ContainsAny(s, markdownSpecial) && !strings.Contains(s, "](") && !strings.Contains(s, "][") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if strings.ContainsRune(markdownSpecial, r) ||
			r == ']' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '[') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownCode renders s as an inline code span: escapeText first; the
// fence is one backtick longer than the longest run of backticks in s, and
// '|' is escaped so the span can sit in a table cell (GFM splits cells
// before it parses code spans).
func markdownCode(s string) string {
	s = escapeText(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// escapeCSV makes s safe as a CSV field opened in a spreadsheet: escapeText
// first, then a field that a spreadsheet would read as a formula (starting
// with =, +, -, @, a tab or a carriage return, after leading spaces) gets a
// leading apostrophe (the OWASP CSV-injection guard). Numeric fields are
// written by the renderer and never pass through it.
func escapeCSV(s string) string {
	s = escapeText(s)
	t := strings.TrimLeft(s, " ")
	if t != "" && strings.ContainsRune("=+-@\t\r", rune(t[0])) {
		return "'" + s
	}
	return s
}

// benchSafe makes s safe inside one benchfmt line: escapeText, then every
// space turned into '_' (benchmark names end at the first space) and every
// other Unicode space likewise, so a name or a configuration value can
// neither split its line nor change the fields that follow.
func benchSafe(s string) string {
	s = escapeText(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, s)
}

// escapeRows applies esc to every cell of rows, in a copy.
func escapeRows(rows [][]string, esc func(string) string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = esc(c)
		}
	}
	return out
}

// jsonEscapeControls rewrites, inside JSON text, the characters
// encoding/json leaves raw but a terminal may act on (DEL, C1 controls such
// as U+009B CSI, bidi and other format characters) as \uXXXX escapes: the
// JSON decodes to the same strings, and printing it is safe.
func jsonEscapeControls(data []byte) []byte {
	if !needsJSONEscape(data) {
		return data
	}
	var b strings.Builder
	for _, r := range string(data) {
		if r >= 0x7f && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}

func needsJSONEscape(data []byte) bool {
	for _, r := range string(data) {
		if r >= 0x7f && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
			return true
		}
	}
	return false
}
