package textfmt

import (
	"fmt"
	"strings"
)

// FieldRefs renders msg, a message that names configuration fields as
// {field} (e.g. "use smaller {chunk} or a lower {concurrency}"), with each
// reference replaced by name(field): the field itself in a library's
// error, its flag ("--chunk") on the command line. "{{" is a literal "{"
// (see EscapeBraces); a brace without a closing one is kept as it is.
func FieldRefs(msg string, name func(field string) string) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		if strings.HasPrefix(msg[i:], "{{") {
			b.WriteString(msg[:i+1])
			msg = msg[i+2:]
			continue
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		b.WriteString(name(msg[i+1 : i+j]))
		msg = msg[i+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// EscapeBraces doubles every "{" of s, text from outside (a path, an
// error), so FieldRefs keeps it as it is.
func EscapeBraces(s string) string { return strings.ReplaceAll(s, "{", "{{") }

// FieldMsg is fmt.Sprintf(format, args...) for a message FieldRefs
// renders: format may name fields as {field}; every string, error or
// Stringer among args has its braces escaped.
func FieldMsg(format string, args ...any) string {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			esc[i] = EscapeBraces(v)
		case error:
			esc[i] = EscapeBraces(v.Error())
		case fmt.Stringer:
			esc[i] = EscapeBraces(v.String())
		default:
			esc[i] = a
		}
	}
	return fmt.Sprintf(format, esc...)
}
